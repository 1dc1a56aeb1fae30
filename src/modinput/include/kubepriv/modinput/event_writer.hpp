#pragma once
/// @file
/// The XML event stream of a modular input (splunk-protocols.md §3.5), buffered; `flush()`
/// hands every byte to the sink before returning, which is what checkpoints wait for.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kubepriv/common/result.hpp"

namespace kubepriv::modinput {

/// Where the stream goes.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  /// Writes all of `bytes` or fails.
  virtual common::Result<void> write(std::string_view bytes) = 0;
};

/// A file descriptor (stdout); retries on EINTR and short writes.
class FdSink final : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  common::Result<void> write(std::string_view bytes) override;

 private:
  int fd_;
};

/// A string (tests, benchmarks).
class StringSink final : public ByteSink {
 public:
  common::Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  std::string data;
};

/// One event. Empty metadata strings are omitted from the XML.
struct Event {
  std::string_view stanza;
  std::optional<std::int64_t> time_ms;  ///< epoch milliseconds -> `<time>s.mmm</time>`
  std::string_view host;
  std::string_view source;
  std::string_view sourcetype;
  std::string_view index;
  std::string_view data;
};

/// Writes `<stream>`, events and `</stream>`.
class EventWriter {
 public:
  /// `buffer_limit`: bytes buffered before an automatic flush.
  explicit EventWriter(ByteSink& sink, std::size_t buffer_limit = 256 * 1024);
  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;

  /// Appends one event (opens `<stream>` first if needed).
  common::Result<void> write(const Event& event);
  /// Hands all buffered bytes to the sink.
  common::Result<void> flush();
  /// Writes `</stream>` (and `<stream>` if nothing was written) and flushes.
  common::Result<void> close();

  std::uint64_t events_written() const { return events_; }
  std::uint64_t replacements() const { return replacements_; }

 private:
  ByteSink& sink_;
  std::size_t limit_;
  std::string buf_;
  bool opened_ = false;
  bool closed_ = false;
  std::uint64_t events_ = 0;
  std::uint64_t replacements_ = 0;
};

/// "1372274622.493" from epoch milliseconds (negative values handled).
std::string format_time_ms(std::int64_t ms);

}  // namespace kubepriv::modinput
