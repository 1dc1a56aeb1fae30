// Cut events -> the longest complete object they still hold. See salvage.hpp.
#include "salvage.hpp"

#include <array>  // std::array

namespace kubepriv::audit::detail {

namespace {

constexpr bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Bytes that may continue a number or a literal. The repair only needs to find where an atom
// ends; the envelope reader validates the repaired text fully afterwards.
constexpr std::array<bool, 256> kAtom = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : {'-', '+', '.'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}();

// Top-level members whose partial value is still worth judging: the bodies (judged on what
// they hold, marked), and members where a partial value can only lose information. A partial
// objectRef is dropped whole: without its subresource a pods/status write would read as a pod
// write.
bool keep_partial(std::string_view key) noexcept {
  return key == "requestObject" || key == "responseObject" || key == "user" ||
         key == "impersonatedUser" || key == "sourceIPs" || key == "responseStatus" ||
         key == "annotations";
}

enum class Expect : unsigned char { kValue, kValueOrClose, kKey, kKeyOrClose, kColon, kNext };

}  // namespace

bool repair_cut_event(std::string_view text, std::string& out, Cut& cut, RepairScratch& scratch) {
  cut = Cut{};
  std::string_view t = text;
  std::string_view trimmed = text;
  while (!trimmed.empty() && is_space(trimmed.back())) trimmed.remove_suffix(1);
  if (trimmed.ends_with(kTruncatedMarker)) {
    t = trimmed.substr(0, trimmed.size() - kTruncatedMarker.size());
    cut.marker = true;
  }
  cut.offset = t.size();
  auto& closers = scratch.closers;
  auto& safe_end = scratch.safe_end;  // per open container: end of its last complete element
  closers.clear();
  safe_end.clear();

  const std::size_t n = t.size();
  std::size_t i = 0;
  while (i < n && is_space(t[i])) ++i;
  if (i == n || t[i] != '{') return false;

  Expect ex = Expect::kValue;
  bool closed = false;  // the top-level object closed
  std::string_view top_key;
  std::size_t top_value = std::string_view::npos;
  const auto value_done = [&](std::size_t end) {
    if (closers.empty()) {
      closed = true;
    } else {
      safe_end.back() = end;
      ex = Expect::kNext;
    }
  };
  while (true) {
    while (i < n && is_space(t[i])) ++i;
    if (i == n) break;
    if (closed) return false;  // trailing content: not a cut
    const char c = t[i];
    switch (c) {
      case '{':
      case '[':
        if (ex != Expect::kValue && ex != Expect::kValueOrClose) return false;
        if (closers.size() >= kMaxDepth) return false;
        if (closers.size() == 1) top_value = i;
        closers.push_back(c == '{' ? '}' : ']');
        safe_end.push_back(i + 1);
        ex = c == '{' ? Expect::kKeyOrClose : Expect::kValueOrClose;
        ++i;
        break;
      case '}':
      case ']':
        if (closers.empty() || closers.back() != c) return false;
        if (ex != Expect::kNext && ex != (c == '}' ? Expect::kKeyOrClose : Expect::kValueOrClose))
          return false;
        closers.pop_back();
        safe_end.pop_back();
        ++i;
        value_done(i);
        break;
      case ':':
        if (ex != Expect::kColon) return false;
        ex = Expect::kValue;
        ++i;
        break;
      case ',':
        if (ex != Expect::kNext) return false;
        ex = closers.back() == '}' ? Expect::kKey : Expect::kValue;
        ++i;
        break;
      case '"': {
        std::size_t j = i + 1;
        while (j < n && t[j] != '"') {
          if (t[j] == '\\') {
            j += 2;
          } else if (static_cast<unsigned char>(t[j]) < 0x20) {
            return false;  // a raw control byte: broken, not cut
          } else {
            ++j;
          }
        }
        if (j >= n) {
          i = n;  // the cut is inside this string: it is dropped
          break;
        }
        if (ex == Expect::kKey || ex == Expect::kKeyOrClose) {
          if (closers.size() == 1) top_key = t.substr(i + 1, j - i - 1);
          ex = Expect::kColon;
        } else if (ex == Expect::kValue || ex == Expect::kValueOrClose) {
          value_done(j + 1);
        } else {
          return false;
        }
        i = j + 1;
        break;
      }
      default: {
        if (!kAtom[static_cast<unsigned char>(c)]) return false;
        if (ex != Expect::kValue && ex != Expect::kValueOrClose) return false;
        std::size_t j = i;
        while (j < n && kAtom[static_cast<unsigned char>(t[j])]) ++j;
        if (j == n) {
          i = n;  // an atom at the cut may be incomplete (`tru`, `12` of `120`): dropped
          break;
        }
        value_done(j);
        i = j;
        break;
      }
    }
  }
  if (closed) {
    // Complete, then the marker: nothing but the marker was added. Judged whole, still marked.
    if (!cut.marker) return false;
    out.assign(t);
    return true;
  }
  if (closers.size() >= 2 && keep_partial(top_key)) {
    out.assign(t.substr(0, safe_end.back()));
    for (auto it = closers.rbegin(); it != closers.rend(); ++it) out += *it;
    cut.open_value = top_value;
    cut.open_key = top_key;
  } else {
    out.assign(t.substr(0, safe_end.front()));
    out += '}';
  }
  return true;
}

}  // namespace kubepriv::audit::detail
