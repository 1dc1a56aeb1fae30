#include "kubepriv/aws/ini.hpp"

#include <vector>  // std::vector

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// botocore strips inline comments only when preceded by whitespace ("key = a ;b" -> "a").
std::string_view strip_inline_comment(std::string_view v) {
  for (std::size_t i = 1; i < v.size(); ++i) {
    if ((v[i] == '#' || v[i] == ';') && (v[i - 1] == ' ' || v[i - 1] == '\t')) {
      return trim(v.substr(0, i));
    }
  }
  return v;
}

}  // namespace

common::Result<IniFile> parse_ini(std::string_view text) {
  IniFile out;
  std::string section;
  bool have_section = false;
  std::string last_key;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 BOM
  while (pos <= text.size()) {
    const auto nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    const std::string_view line = trim(raw);
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    if (line.empty() || line.front() == '#' || line.front() == ';') {
      // blank or comment
    } else if (line.front() == '[') {
      if (line.back() != ']') {
        return fail(ErrorCode::kParse,
                    "line " + std::to_string(line_no) + ": unterminated section header");
      }
      section = std::string(trim(line.substr(1, line.size() - 2)));
      if (section.empty())
        return fail(ErrorCode::kParse, "line " + std::to_string(line_no) + ": empty section name");
      out[section];  // a section with no keys still exists
      have_section = true;
      last_key.clear();
    } else if (indented && !last_key.empty()) {
      // Continuation (botocore: nested values such as "s3 =\n  max_concurrent_requests = 10").
      auto& v = out[section][last_key];
      v += '\n';
      v += line;
    } else {
      const auto eq = line.find('=');
      if (eq == std::string_view::npos) {
        return fail(ErrorCode::kParse,
                    "line " + std::to_string(line_no) + ": expected key = value");
      }
      if (!have_section) {
        return fail(ErrorCode::kParse,
                    "line " + std::to_string(line_no) + ": key outside of a section");
      }
      const std::string key(trim(line.substr(0, eq)));
      if (key.empty())
        return fail(ErrorCode::kParse, "line " + std::to_string(line_no) + ": empty key");
      out[section][key] = std::string(strip_inline_comment(trim(line.substr(eq + 1))));
      last_key = key;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

}  // namespace kubepriv::aws
