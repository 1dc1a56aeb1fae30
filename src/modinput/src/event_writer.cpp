#include "kubepriv/modinput/event_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubepriv/modinput/xml_escape.hpp"

namespace kubepriv::modinput {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<void> FdSink::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal arrived; the flag is checked by the caller later
      return fail(ErrorCode::kIo,
                  std::string("writing the event stream failed: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::string format_time_ms(std::int64_t ms) {
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {  // floor division for times before 1970
    frac += 1000;
    secs -= 1;
  }
  std::string out = std::to_string(secs);
  out += '.';
  out += static_cast<char>('0' + frac / 100);
  out += static_cast<char>('0' + (frac / 10) % 10);
  out += static_cast<char>('0' + frac % 10);
  return out;
}

EventWriter::EventWriter(ByteSink& sink, std::size_t buffer_limit)
    : sink_(sink), limit_(buffer_limit) {
  buf_.reserve(buffer_limit + 4096);
}

namespace {

void add_field(std::string& buf, std::string_view tag, std::string_view value,
               std::size_t& replaced) {
  if (value.empty()) return;
  buf += '<';
  buf += tag;
  buf += '>';
  replaced += append_xml_escaped(buf, value);
  buf += "</";
  buf += tag;
  buf += '>';
}

}  // namespace

Result<void> EventWriter::write(const Event& e) {
  if (closed_) return fail(ErrorCode::kInternal, "event stream already closed");
  if (!opened_) {
    buf_ += "<stream>\n";
    opened_ = true;
  }
  std::size_t replaced = 0;
  buf_ += "<event";
  if (!e.stanza.empty()) {
    buf_ += " stanza=\"";
    replaced += append_xml_escaped(buf_, e.stanza, true);
    buf_ += '"';
  }
  buf_ += " unbroken=\"1\">";
  if (e.time_ms) {
    buf_ += "<time>";
    buf_ += format_time_ms(*e.time_ms);
    buf_ += "</time>";
  }
  add_field(buf_, "host", e.host, replaced);
  add_field(buf_, "source", e.source, replaced);
  add_field(buf_, "sourcetype", e.sourcetype, replaced);
  add_field(buf_, "index", e.index, replaced);
  buf_ += "<data>";
  replaced += append_xml_escaped(buf_, e.data);
  buf_ += "</data><done/></event>\n";
  ++events_;
  replacements_ += replaced;
  if (buf_.size() >= limit_) return flush();
  return {};
}

Result<void> EventWriter::flush() {
  if (buf_.empty()) return {};
  auto r = sink_.write(buf_);
  buf_.clear();  // on failure the stream is broken anyway; the caller stops
  return r;
}

Result<void> EventWriter::close() {
  if (closed_) return {};
  if (!opened_) {
    buf_ += "<stream>\n";
    opened_ = true;
  }
  buf_ += "</stream>\n";
  closed_ = true;
  return flush();
}

}  // namespace kubepriv::modinput
