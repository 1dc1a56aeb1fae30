#include "kubepriv/scan/reader.hpp"

#include <array>    // std::array
#include <cstring>  // std::memchr
#include <string>   // std::string, std::to_string

#include "kubepriv/scan/json_text.hpp"

namespace kubepriv::scan {

std::string_view to_string(Layout layout) noexcept {
  switch (layout) {
    case Layout::kUnknown: return "unknown";
    case Layout::kLines: return "lines";
    case Layout::kDocument: return "document";
  }
  return "unknown";
}

namespace {

// What the scanner is doing at the current byte.
enum class Role : unsigned char {
  kTop,       // between top-level values
  kGarbage,   // a top-level run of non-JSON bytes, up to the end of the line
  kTopSniff,  // inside a top-level object, reading its first key to spot AWS CLI output
  kTopValue,  // inside a top-level value that is one event
  kEnvWait,   // inside {"events":[ ... ], between elements
  kEnvTail,   // inside the AWS object after its events array
  kArrWait,   // inside a top-level array, between elements
  kElem,      // inside an object/array element (of events[] or of a top-level array)
  kScalar,    // inside a scalar element
};

// The longest first-line that can announce a pretty-printed document ("{", "[", "{\"events\": [").
constexpr std::size_t kDocumentHeadMax = 256;

// Bytes that end a run of plain string content: quote, backslash, newline (counted / ends a line).
constexpr auto kStringStop = [] {
  std::array<bool, 256> t{};
  t['"'] = true;
  t['\\'] = true;
  t['\n'] = true;
  return t;
}();

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && is_json_space(s.back())) s.remove_suffix(1);
  return s;
}

// True when `line` opens an object or array that is still open at its end (outside a string).
bool opens_unclosed(std::string_view line) noexcept {
  if (line.empty() || (line.front() != '{' && line.front() != '[')) return false;
  std::size_t depth = 0;
  bool in_str = false;
  bool esc = false;
  for (const char c : line) {
    if (in_str) {
      if (esc) {
        esc = false;
      } else if (c == '\\') {
        esc = true;
      } else if (c == '"') {
        in_str = false;
      }
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return false;
      --depth;
    }
  }
  return depth > 0 && !in_str;
}

}  // namespace

struct EventReader::Impl {
  EventHandler& handler;
  std::size_t max_bytes;
  std::string too_large;

  Layout layout = Layout::kUnknown;
  bool line_mode = true;
  bool bom_checked = false;
  std::string head;  // bytes seen before the layout is known (bounded, see detect)

  std::uint64_t line = 1;
  std::uint64_t index = 0;

  Role role = Role::kTop;
  Role wait_role = Role::kTop;  // where a finished element returns to
  std::size_t depth = 0;
  std::size_t elem_level = 0;  // depth of the container whose elements we capture
  bool in_str = false;
  bool esc = false;
  bool elem_aws = false;  // the current container is an AWS events array
  int sniff = 0;          // 0 expect key, 1 in key, 2 expect ':', 3 expect value
  std::string key;
  std::uint64_t value_line = 0;  // line where the captured value began

  bool capturing = false;
  bool overflow = false;
  const char* cap_begin = nullptr;  // start of the capture inside the current chunk
  std::string cap;                  // capture bytes from earlier chunks (or all, once joined)
  std::string message;              // decoded AWS message

  Impl(EventHandler& h, std::size_t max)
      : handler(h),
        max_bytes(max),
        too_large("event larger than --max-event-bytes (" + std::to_string(max) + " bytes)") {}

  // ---- delivery ----
  void emit(std::string_view text, std::uint64_t at_line, std::string_view error = {}) {
    ++index;
    handler.on_event(RawEvent{text, at_line, index, error});
  }

  // ---- capture (zero-copy while the value stays inside one chunk) ----
  void start_capture(const char* p) {
    capturing = true;
    overflow = false;
    cap.clear();
    cap_begin = p;
    value_line = line;
  }
  void spill(const char* chunk_end) {
    if (!capturing || overflow || cap_begin == nullptr) {
      cap_begin = nullptr;
      return;
    }
    const auto n = static_cast<std::size_t>(chunk_end - cap_begin);
    if (cap.size() + n > max_bytes) {
      overflow = true;
      release();
    } else {
      cap.append(cap_begin, n);
    }
    cap_begin = nullptr;
  }
  // The captured bytes up to `end` (exclusive; nullptr when the capture lies wholly in `cap`).
  std::string_view captured(const char* end) {
    if (overflow) return {};
    const std::size_t n =
        (cap_begin != nullptr && end != nullptr) ? static_cast<std::size_t>(end - cap_begin) : 0;
    if (cap.empty() && cap_begin != nullptr) {
      if (n > max_bytes) overflow = true;
      return overflow ? std::string_view{} : std::string_view(cap_begin, n);
    }
    if (cap.size() + n > max_bytes) {
      overflow = true;
      return {};
    }
    if (n != 0) cap.append(cap_begin, n);
    cap_begin = nullptr;  // now wholly in cap
    return cap;
  }
  void release() {
    cap.clear();
    if (cap.capacity() > (std::size_t{16} << 20U)) cap.shrink_to_fit();  // after a huge event
  }
  void stop_capture() {
    capturing = false;
    overflow = false;
    cap_begin = nullptr;
    release();
  }

  // A captured top-level value or line; `error` overrides evaluation.
  void emit_capture(const char* end, bool trim, std::string_view error = {}) {
    std::string_view text = captured(end);
    if (trim) text = trim_right(text);
    if (overflow) {
      emit({}, value_line, too_large);
    } else {
      emit(text, value_line, error);
    }
    stop_capture();
  }

  void emit_element(const char* end) {
    std::string_view text = captured(end);
    if (overflow) {
      emit({}, value_line, too_large);
    } else if (!elem_aws) {
      emit(text, value_line);
    } else {
      // One pass: find the member, then decode the string up to its closing quote.
      const std::size_t at = find_member_value(text, "message");
      if (at == kNpos || text[at] != '"') {
        emit(text, value_line, "AWS events[] element has no string \"message\"");
      } else {
        message.clear();
        if (unescape_json_string_at(text, at, message) != kNpos) {
          emit(message, value_line);
        } else {
          emit(text, value_line, "AWS events[] element: \"message\" has an invalid escape");
        }
        if (message.capacity() > (std::size_t{16} << 20U)) {
          message.clear();
          message.shrink_to_fit();
        }
      }
    }
    stop_capture();
  }

  void reset_structure() {
    role = Role::kTop;
    depth = 0;
    in_str = false;
    esc = false;
  }

  // ---- layout detection ----
  // Returns true once the layout is decided. Bounded: leading blank space is dropped (its
  // newlines counted) and a first line longer than kDocumentHeadMax settles on JSON lines.
  bool detect(bool at_end) {
    if (!bom_checked) {
      static constexpr std::string_view kBom = "\xEF\xBB\xBF";
      if (head.size() < kBom.size() && !at_end && kBom.substr(0, head.size()) == head) return false;
      if (std::string_view(head).substr(0, kBom.size()) == kBom) head.erase(0, kBom.size());
      bom_checked = true;
    }
    std::size_t q = 0;
    while (q < head.size() && is_json_space(head[q])) {
      if (head[q] == '\n') ++line;
      ++q;
    }
    head.erase(0, q);
    std::string_view first;
    if (const auto nl = head.find('\n'); nl != std::string::npos) {
      first = std::string_view(head).substr(0, nl);
    } else if (head.size() >= kDocumentHeadMax || at_end) {
      first = head;
    } else {
      return false;
    }
    // "Short" is judged on the line as it is, before trimming: a first line that reaches
    // kDocumentHeadMax bytes is JSON lines whether or not its newline has arrived yet, so the
    // decision never depends on where a read happened to end (found by fuzz_scan_reader).
    const bool short_line = first.size() < kDocumentHeadMax;
    first = trim_right(first);
    // Pretty printers (jq, python, kubectl, the AWS CLI) end the first line with the bracket
    // they open; a short line cut anywhere else is a truncated JSON line, not a document.
    // (A file of nothing but blank space leaves `first` empty: that is JSON lines, no events.)
    const bool document = short_line && !first.empty() &&
                          (first.back() == '{' || first.back() == '[') && opens_unclosed(first);
    layout = document ? Layout::kDocument : Layout::kLines;
    line_mode = !document;
    return true;
  }

  // ---- the scanner ----
  void feed(std::string_view chunk) {
    if (layout == Layout::kUnknown) {
      head.append(chunk);
      if (!detect(false)) return;
      const std::string bytes = std::move(head);
      head.clear();
      process(bytes);
      return;
    }
    process(chunk);
  }

  void process(std::string_view chunk) {
    const char* p = chunk.data();
    const char* const e = p + chunk.size();
    if (capturing && !overflow) cap_begin = p;
    while (p < e) {
      if (role == Role::kGarbage || (line_mode && role == Role::kTopValue)) {
        // The value runs to the end of the line: find it with memchr, not byte by byte.
        const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
        if (hit == nullptr) break;
        const char* nl = static_cast<const char*>(hit);
        emit_capture(nl, true);
        reset_structure();
        ++line;
        p = nl + 1;
        continue;
      }
      if (in_str && !esc && role != Role::kTopSniff) {
        // Plain string bytes (nearly all of an AWS message): skip them in a tight loop.
        // An escape pair is skipped whole, unless it escapes a raw newline (invalid JSON, but
        // the newline must still be counted and, in JSON lines, end the line).
        while (p < e) {
          const auto u = static_cast<unsigned char>(*p);
          if (!kStringStop[u]) {
            ++p;
          } else if (u == '\\' && e - p >= 2 && p[1] != '\n') {
            p += 2;
          } else {
            break;
          }
        }
        if (p == e) break;
      }
      const char c = *p;
      if (c == '\n') {
        if (line_mode) {
          end_line(p);
          ++line;
          ++p;
          continue;
        }
        ++line;
      }
      if (in_str) {
        if (esc) {
          esc = false;
        } else if (c == '\\') {
          esc = true;
        } else if (c == '"') {
          in_str = false;
          if (role == Role::kTopSniff && sniff == 1) sniff = 2;
        }
        if (role == Role::kTopSniff && sniff == 1 && in_str && key.size() <= 16) key.push_back(c);
        ++p;
        continue;
      }
      step(c, p);
      ++p;
    }
    spill(e);
  }

  // Tracks nesting for the roles that walk structure. Returns true when `c` closed the
  // container at `level` (i.e. depth dropped back to it).
  bool track(char c, std::size_t level) {
    if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
      return depth == level;
    }
    return false;
  }

  void start_element(const char* p, char c) {
    start_capture(p);
    wait_role = role;
    if (c == '{' || c == '[') {
      ++depth;
      role = Role::kElem;
    } else {
      role = Role::kScalar;
      if (c == '"') in_str = true;
    }
  }

  void end_scalar(const char* end) {
    if (elem_aws) {
      captured(end);
      emit({}, value_line, "AWS events[] element is not an object");
      stop_capture();
    } else {
      emit_capture(end, true);
    }
    role = wait_role;
  }

  void step(char c, const char* p) {
    switch (role) {
      case Role::kTop:
        if (is_json_space(c)) return;
        if (c == '{') {
          start_capture(p);
          depth = 1;
          role = Role::kTopSniff;
          sniff = 0;
          key.clear();
        } else if (c == '[') {
          depth = 1;
          elem_level = 1;
          elem_aws = false;
          role = Role::kArrWait;
        } else {
          start_capture(p);
          role = Role::kGarbage;
        }
        return;
      case Role::kTopSniff:
        if (is_json_space(c)) return;
        if (sniff == 0 && c == '"') {
          sniff = 1;
          in_str = true;
          return;
        }
        if (sniff == 2 && c == ':') {
          sniff = 3;
          return;
        }
        if (sniff == 3 && c == '[' && key == "events") {
          stop_capture();  // an AWS CLI output object: its elements are the events
          depth = 2;
          elem_level = 2;
          elem_aws = true;
          role = Role::kEnvWait;
          return;
        }
        role = Role::kTopValue;  // an ordinary event
        if (!line_mode && track(c, 0)) finish_top_value(p);
        return;
      case Role::kTopValue:
        if (track(c, 0)) finish_top_value(p);  // only reached in document mode
        return;
      case Role::kEnvWait:
      case Role::kArrWait:
        if (is_json_space(c) || c == ',') return;
        if (c == ']' || c == '}') {
          --depth;
          role = (role == Role::kEnvWait) ? Role::kEnvTail : Role::kTop;
          if (depth == 0) role = Role::kTop;
          return;
        }
        start_element(p, c);
        return;
      case Role::kElem:
        if (track(c, elem_level)) {
          emit_element(p + 1);
          role = wait_role;
        }
        return;
      case Role::kScalar:
        if (is_json_space(c) || c == ',') {
          end_scalar(p);
        } else if (c == ']' || c == '}') {
          end_scalar(p);
          step(c, p);  // the scalar ended because its container closed
        }
        return;
      case Role::kEnvTail:
        if (track(c, 0)) role = Role::kTop;
        return;
      case Role::kGarbage: return;  // handled in process()
    }
  }

  void finish_top_value(const char* p) {
    emit_capture(p + 1, false);
    reset_structure();
  }

  // JSON lines: a newline ends whatever was open on the line.
  void end_line(const char* nl) {
    if (role != Role::kTop) close_open(false, nl);
  }

  void notice(bool at_eof, std::string_view what) {
    const std::string where =
        at_eof ? std::string("input ends") : "line " + std::to_string(line) + " ends";
    handler.on_notice(line, where + " inside an unclosed " + std::string(what) + " (truncated?)");
  }

  // `cut`: why the input stopped early (a damaged compressed stream); a value left open is then
  // reported with that reason instead of being judged as the fragment it is.
  void close_open(bool at_eof, const char* end, std::string_view cut = {}) {
    switch (role) {
      case Role::kTop: break;
      case Role::kGarbage:
      case Role::kTopValue:
      case Role::kTopSniff:
        if (!cut.empty()) {
          emit_capture(end, true, cut);
        } else {
          // The line, or the document cut at the end of the input, as it is: the evaluator
          // judges what survived a cut (evidence=truncated) or reports what is wrong.
          emit_capture(end, true);
          if (!line_mode && role != Role::kGarbage) notice(at_eof, "JSON value");
        }
        break;
      case Role::kElem:
      case Role::kScalar:
        captured(end);
        emit({}, value_line,
             !cut.empty() ? cut
             : elem_aws   ? "truncated: an AWS events[] element is not closed"
                          : "truncated: a JSON array element is not closed");
        stop_capture();
        notice(at_eof, elem_aws ? "AWS events array" : "JSON array");
        break;
      case Role::kEnvWait:
      case Role::kEnvTail: notice(at_eof, "AWS output object"); break;
      case Role::kArrWait: notice(at_eof, "JSON array"); break;
    }
    reset_structure();
  }

  void finish(std::string_view cut) {
    if (layout == Layout::kUnknown) {
      detect(true);
      const std::string bytes = std::move(head);
      head.clear();
      process(bytes);
    }
    close_open(true, nullptr, cut);
  }
};

EventReader::EventReader(EventHandler& handler, std::size_t max_event_bytes)
    : impl_(std::make_unique<Impl>(handler, max_event_bytes)) {}
EventReader::~EventReader() = default;
void EventReader::feed(std::string_view chunk) {
  impl_->feed(chunk);
}
void EventReader::finish() {
  impl_->finish({});
}
void EventReader::finish_cut(std::string_view why) {
  impl_->finish(why.empty() ? std::string_view("truncated: the input breaks off here") : why);
}
Layout EventReader::layout() const noexcept {
  return impl_->layout;
}
std::uint64_t EventReader::events() const noexcept {
  return impl_->index;
}

}  // namespace kubepriv::scan
