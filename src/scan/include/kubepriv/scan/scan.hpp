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
#include "kubepriv/scan/output.hpp"
#include "kubepriv/scan/reader.hpp"

namespace kubepriv::scan {

/// Parsed command line of `kubepriv scan`.
struct Options {
  bool all = false;                                     ///< --all: one record per input event
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
};

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
  /// Bytes of the current file.
  void feed(std::string_view bytes);
  /// Ends the current file.
  void end_file();
  /// Ends the scan: emits pending alerts and writes everything out.
  void finish();

  [[nodiscard]] const Summary& summary() const noexcept { return summary_; }

  void on_event(const RawEvent& event) override;
  void on_notice(std::uint64_t line, std::string_view message) override;

 private:
  void log_event_error(const RawEvent& event, std::string_view error);

  Options options_;
  Evaluate evaluate_;
  BufferedWriter& out_;
  Log log_;
  std::unique_ptr<RecordWriter> writer_;
  AlertCollapser collapser_;
  std::unique_ptr<EventReader> reader_;
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
