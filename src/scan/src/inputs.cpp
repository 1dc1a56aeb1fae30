#include "kubepriv/scan/inputs.hpp"

#include <algorithm>  // std::sort, std::all_of
#include <cstdint>    // std::uint64_t
#include <tuple>      // std::tie

#include "kubepriv/common/decimal.hpp"
#include "kubepriv/scan/json_text.hpp"

namespace kubepriv::scan {

namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Where a rotation timestamp starts in `s` ("-" then digits and date punctuation, at least
// 8 digits, to the end of `s`): the position of the '-', or npos.
std::size_t timestamp_dash(std::string_view s) noexcept {
  for (std::size_t i = s.find('-'); i != std::string_view::npos; i = s.find('-', i + 1)) {
    const std::string_view rest = s.substr(i + 1);
    if (rest.empty() || !is_digit(rest.front())) continue;
    std::size_t digits = 0;
    bool ok = true;
    for (const char c : rest) {
      if (is_digit(c)) {
        ++digits;
      } else if (c != '-' && c != 'T' && c != ':' && c != '.' && c != '_' && c != 'Z' && c != '+') {
        ok = false;
        break;
      }
    }
    if (ok && digits >= 8) return i;
  }
  return std::string_view::npos;
}

struct Key {
  std::string group;         // the log the file belongs to, e.g. "audit.log"
  int kind = 2;              // 0 timestamped rotation, 1 numbered rotation, 2 live file
  std::string stamp;         // kind 0: the timestamp
  std::uint64_t number = 0;  // kind 1: the rotation number (higher is older)
  std::string name;

  bool operator<(const Key& o) const {
    if (group != o.group) return group < o.group;
    if (kind != o.kind) return kind < o.kind;
    if (stamp != o.stamp) return stamp < o.stamp;
    if (number != o.number) return number > o.number;
    return name < o.name;
  }
};

Key key_of(const std::string& name) {
  Key key;
  key.name = name;
  std::string_view stem = name;
  for (const std::string_view ext : {".gz", ".zst", ".zstd"}) {
    if (stem.size() > ext.size() && stem.ends_with(ext)) {
      stem.remove_suffix(ext.size());
      break;
    }
  }
  // logrotate: NAME.N
  if (const auto dot = stem.rfind('.'); dot != std::string_view::npos && dot + 1 < stem.size()) {
    const std::string_view num = stem.substr(dot + 1);
    if (num.size() <= 9 && std::all_of(num.begin(), num.end(), is_digit)) {
      key.group = std::string(stem.substr(0, dot));
      key.kind = 1;
      key.number = *common::parse_decimal<std::uint64_t>(num);  // 1-9 digits: always fits
      return key;
    }
    // lumberjack: BASE-TIMESTAMP.EXT (the group is BASE.EXT)
    const std::string_view before = stem.substr(0, dot);
    if (const auto dash = timestamp_dash(before); dash != std::string_view::npos && dash > 0) {
      key.group = std::string(before.substr(0, dash)) + std::string(stem.substr(dot));
      key.kind = 0;
      key.stamp = std::string(before.substr(dash + 1));
      return key;
    }
  }
  // logrotate dateext: NAME-YYYYMMDD[...]
  if (const auto dash = timestamp_dash(stem); dash != std::string_view::npos && dash > 0) {
    key.group = std::string(stem.substr(0, dash));
    key.kind = 0;
    key.stamp = std::string(stem.substr(dash + 1));
    return key;
  }
  key.group = std::string(stem);
  return key;
}

}  // namespace

void sort_by_rotation(std::vector<std::string>& names) {
  std::vector<Key> keys;
  keys.reserve(names.size());
  for (const auto& n : names) keys.push_back(key_of(n));
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 0; i < keys.size(); ++i) names[i] = std::move(keys[i].name);
}

std::string not_a_log_reason(std::string_view head) {
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (head.empty()) return {};
  if (head.starts_with("\x1f\x8b") || head.starts_with("\x28\xb5\x2f\xfd")) return {};
  if (head.find('\0') != std::string_view::npos) return "binary data";
  if (head.starts_with(kBom)) head.remove_prefix(kBom.size());
  std::size_t i = 0;
  while (i < head.size() && is_json_space(head[i])) ++i;
  if (i == head.size()) return {};  // blank so far
  if (head[i] == '{' || head[i] == '[') return {};
  return "text that does not start with JSON";
}

}  // namespace kubepriv::scan
