#pragma once
/// @file
/// `kubepriv scan`: options, and the Scanner that joins reader, evaluator, collapse and output.
/// No file or terminal access here: the entry point opens inputs and feeds their bytes.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <functional>   // std::function
#include <memory>       // std::unique_ptr
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"
#include "kubepriv/core/verdict.hpp"
#include "kubepriv/scan/collapse.hpp"
#include "kubepriv/scan/decompress.hpp"
#include "kubepriv/scan/output.hpp"
#include "kubepriv/scan/reader.hpp"

namespace kubepriv::scan {

/// --fail-on: which reported records make the exit status 1.
enum class FailOn {
  kNever,       ///< no --fail-on: findings do not change the exit status
  kPrivileged,  ///< a record with privileged=1
  kRisky,       ///< a record with any reason whose outcome is success
};

/// True when `verdict` reaches the --fail-on level `level`.
bool reaches(const core::Verdict& verdict, FailOn level) noexcept;

/// --progress: when to draw the progress line on stderr.
enum class ProgressMode {
  kAuto,    ///< when stderr is a terminal
  kAlways,  ///< --progress
  kNever,   ///< --quiet
};

/// Exit statuses of `kubepriv scan` (the table in --help and the README).
inline constexpr int kExitOk = 0;        ///< every input read; nothing reached --fail-on
inline constexpr int kExitFindings = 1;  ///< every input read; a record reached --fail-on
inline constexpr int kExitError = 2;     ///< usage error, or an input not read completely

/// Parsed command line of `kubepriv scan`.
struct Options {
  bool all = false;                                     ///< --all: one record per input event
  FailOn fail_on = FailOn::kNever;                      ///< --fail-on
  bool recursive = false;                               ///< --recursive: descend directories
  ProgressMode progress = ProgressMode::kAuto;          ///< --progress / --quiet
  bool quiet = false;                                   ///< --quiet: no progress, no summary
  bool name_files = false;                              ///< show the file column (set by caller)
  Format format = Format::kTable;                       ///< --format
  std::size_t max_event_bytes = kDefaultMaxEventBytes;  ///< --max-event-bytes
  std::vector<std::string> inputs;                      ///< files; "-" is stdin; empty = stdin
  bool help = false;                                    ///< --help / -h
};

/// Parses the arguments after "scan". Errors are usage errors (exit status 2).
common::Result<Options> parse_options(std::span<const std::string_view> args);

/// The --help text.
std::string_view usage_text() noexcept;

/// Counters for the stderr summary.
struct Summary {
  std::uint64_t files = 0;
  std::uint64_t events = 0;
  std::uint64_t flagged = 0;
  std::uint64_t errors = 0;
  std::uint64_t alerts = 0;
  std::uint64_t collapsed = 0;
  std::uint64_t unreadable = 0;  ///< inputs not read completely (damaged compressed stream, ...)
  std::uint64_t failing = 0;     ///< reported records that reach --fail-on
};

/// The exit status for a finished scan (see kExitOk, kExitFindings, kExitError).
int exit_status(const Options& options, const Summary& summary) noexcept;

/// The one-line summary, e.g. "kubepriv scan: 34 events in 1 file: 12 flagged, 1 error, 8 alerts".
std::string format_summary(const Summary& summary);

/// Runs the scan over files fed one after another.
class Scanner final : public EventHandler {
 public:
  /// Judges one event; the reference must stay valid until the next call.
  using Evaluate = std::function<const core::Verdict&(std::string_view)>;
  /// Receives log lines for stderr (notices, the first event errors); no newline included.
  using Log = std::function<void(std::string_view)>;

  Scanner(const Options& options, Evaluate evaluate, BufferedWriter& out, Log log);
  ~Scanner() override;

  /// Starts a new input file named `name` ("-" for stdin).
  void begin_file(std::string_view name);
  /// Bytes of the current file, compressed or not (see Decoder). Returns false once the rest
  /// of the file cannot be read (damaged or unsupported compressed stream): the damage has been
  /// logged and counted as unreadable, the events before it were scanned.
  bool feed(std::string_view bytes);
  /// Ends the current file.
  void end_file();
  /// The current file could not be read completely for a reason found outside the scanner
  /// (e.g. a read error): logs `message` and counts the input as unreadable.
  void input_error(std::string_view message);
  /// Ends the scan: emits pending alerts and writes everything out.
  void finish();

  [[nodiscard]] const Summary& summary() const noexcept { return summary_; }

  void on_event(const RawEvent& event) override;
  void on_notice(std::uint64_t line, std::string_view message) override;

 private:
  void log_event_error(const RawEvent& event, std::string_view error);
  void decode_failed();

  Options options_;
  Evaluate evaluate_;
  BufferedWriter& out_;
  Log log_;
  std::unique_ptr<RecordWriter> writer_;
  AlertCollapser collapser_;
  std::unique_ptr<EventReader> reader_;
  std::unique_ptr<Decoder> decoder_;
  std::string file_;
  core::Verdict error_verdict_;  // for reader-level errors
  Summary summary_;
  std::uint64_t logged_errors_ = 0;
};

/// The request time of an event (requestReceivedTimestamp, else stageTimestamp, else the
/// top-level timestamp of a legacy event or a GKE LogEntry, else the `time` of an Azure Monitor
/// record), or empty.
std::string event_time(std::string_view event_json);

}  // namespace kubepriv::scan
