#pragma once
/// @file
/// Streaming audit-log reader: bytes in (any chunking), one RawEvent per input event out, in
/// input order, in bounded memory. Layouts, detected per file from its first non-blank line:
///   * JSON lines (kube-apiserver log backend, EKS/CloudWatch messages): one event per line;
///     CRLF, blank lines, a UTF-8 BOM and a missing final newline are fine. A line holding an
///     `aws logs filter-log-events` object (first key `events`) or a JSON array is expanded.
///   * A JSON document: the first non-blank line is short (< 256 bytes), ends with the `{` or `[`
///     it leaves open (`{`, `[`, `{"events": [`), i.e. pretty-printed JSON. The file is read as a
///     sequence of top-level values, each an event, an array of events, or an AWS `events` object.
/// In both layouts an object whose first key is `events` holding an array is an AWS CLI output
/// object: each element's `message` string is decoded and yields one event (other members are
/// skipped); several such objects may follow each other (saved paginated output).

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <memory>       // std::unique_ptr
#include <string_view>  // std::string_view

namespace kubepriv::scan {

/// One input event as found in the file.
struct RawEvent {
  /// The event's JSON text (for AWS output: the decoded `message`). Valid only during the
  /// callback. May be empty or partial when `error` is set.
  std::string_view text;
  /// 1-based line of the file where the event's text (or its AWS `events[]` element) begins.
  std::uint64_t line = 0;
  /// 1-based ordinal of the event within its file.
  std::uint64_t index = 0;
  /// Non-empty when the reader itself could not deliver the event (too large, truncated, an AWS
  /// element without a string `message`): then the event must be reported as an error as is.
  std::string_view error;
};

/// Receives what an EventReader finds.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  /// One event (or reader-level error); called in input order.
  virtual void on_event(const RawEvent& event) = 0;
  /// Something worth telling a person that is not an event (e.g. an AWS object left unclosed).
  virtual void on_notice(std::uint64_t line, std::string_view message) {
    (void)line;
    (void)message;
  }
};

/// How a file was read.
enum class Layout { kUnknown, kLines, kDocument };

/// The name of a layout: "unknown", "lines", "document".
std::string_view to_string(Layout layout) noexcept;

/// Default cap on one event's size (and on one line of JSON lines).
inline constexpr std::size_t kDefaultMaxEventBytes = std::size_t{64} << 20U;

/// Reads one file. Feed it the bytes in any chunk sizes, then call finish() once.
/// Memory: O(max_event_bytes + chunk size); nothing else grows with the input.
class EventReader {
 public:
  EventReader(EventHandler& handler, std::size_t max_event_bytes = kDefaultMaxEventBytes);
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  /// Processes the next bytes of the file.
  void feed(std::string_view chunk);
  /// End of file: delivers a last line without newline and reports anything left open.
  void finish();
  /// The input broke off (e.g. a damaged compressed stream): like finish(), but an event left
  /// open is delivered as an error record saying `why`, not judged as the fragment it is.
  void finish_cut(std::string_view why);

  /// The detected layout (kUnknown until the first non-blank line has been seen).
  [[nodiscard]] Layout layout() const noexcept;
  /// Events delivered so far (== index of the last event).
  [[nodiscard]] std::uint64_t events() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepriv::scan
