#pragma once
/// @file
/// Output of `kubepriv scan`: a buffered writer over an abstract byte sink, and the three record
/// formats (table, JSON lines, CSV). Every format takes its field names and values from
/// core::kFields / core::field_values, so the CLI and the search command never disagree.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <memory>       // std::unique_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"
#include "kubepriv/core/verdict.hpp"

namespace kubepriv::scan {

/// Where output bytes go (stdout in the CLI, a string in tests).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Writes all of `bytes` or fails.
  virtual common::Result<void> write(std::string_view bytes) = 0;
};

/// Collects output in a large buffer and hands it to the sink in big writes. After the first
/// failed write it drops everything and remembers the error.
class BufferedWriter {
 public:
  explicit BufferedWriter(ByteSink& sink, std::size_t capacity = std::size_t{256} << 10U);
  /// The buffer to append to; call maybe_flush() after each record.
  std::string& buffer() noexcept { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= capacity_) flush();
  }
  /// Writes out what is buffered. Returns false once any write has failed.
  bool flush();
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  [[nodiscard]] const common::Error& error() const noexcept { return error_; }

 private:
  ByteSink& sink_;
  std::size_t capacity_;
  std::string buf_;
  bool failed_ = false;
  common::Error error_;
};

/// Output formats.
enum class Format { kTable, kJsonl, kCsv };

/// What the records are: alerts (flagged events, one per request) or every event (--all).
enum class Mode { kAlerts, kAll };

/// One output record. Columns, in order: `file`, `line`, `index`, (alerts only: `time`), then
/// every core::kFields field.
struct Record {
  std::string_view file;    ///< input name ("-" for stdin)
  std::uint64_t line = 0;   ///< line where the event begins
  std::uint64_t index = 0;  ///< 1-based event ordinal within the file
  std::string_view time;    ///< requestReceivedTimestamp (alerts only; may be empty)
  const core::Verdict* verdict = nullptr;
};

/// Writes records in one format.
class RecordWriter {
 public:
  virtual ~RecordWriter() = default;
  /// Writes one record (buffered).
  virtual void write(const Record& record) = 0;
  /// Called once at the end: writes anything held back (the table) and flushes.
  virtual void finish() = 0;
};

/// Options for make_writer.
struct WriterOptions {
  Format format = Format::kTable;
  Mode mode = Mode::kAlerts;
  bool show_file = false;  ///< table: prefix locations with the file name (several inputs)
  /// table: rows held back to compute column widths; a new block with its own header starts
  /// after this many rows, so memory stays bounded on huge inputs.
  std::size_t table_block_rows = 10000;
};

/// Creates the writer for `options`; it writes into `out`.
std::unique_ptr<RecordWriter> make_writer(const WriterOptions& options, BufferedWriter& out);

/// CSV field encoding (RFC 4180): quoted when it holds `,` `"` CR or LF, quotes doubled.
void append_csv_field(std::string& out, std::string_view value);

/// Table cell text: control characters become `?` (no terminal escapes from audit data) and
/// text longer than `max_chars` code points is cut, ending in "...". Returns the width.
std::size_t append_table_cell(std::string& out, std::string_view text, std::size_t max_chars);

}  // namespace kubepriv::scan
