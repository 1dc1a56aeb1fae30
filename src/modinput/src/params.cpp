#include "kubepriv/modinput/params.hpp"

#include <charconv>  // std::from_chars (double)
#include <cmath>
#include <limits>

#include "kubepriv/common/ascii.hpp"
#include "kubepriv/common/decimal.hpp"

namespace kubepriv::modinput {

using common::ErrorCode;
using common::fail;
using common::Result;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) {
  // Values come from users; keep the message readable and bounded.
  std::string out = "\"";
  out.append(s.substr(0, 80));
  if (s.size() > 80) out += "...";
  out += '"';
  return out;
}

}  // namespace

Result<std::int64_t> parse_duration_seconds(std::string_view text) {
  const std::string_view t = trim(text);
  const auto number = common::parse_decimal_prefix<std::int64_t>(t);
  if (!number || number->first < 0) {
    return fail(ErrorCode::kInvalidArgument,
                quoted(text) + " is not a duration (examples: 120, 120s, 10m, 2h, 1d)");
  }
  const std::int64_t value = number->first;
  const std::string unit = common::ascii_lower(number->second);
  std::int64_t mult = 0;
  if (unit.empty() || unit == "s" || unit == "sec" || unit == "secs" || unit == "seconds") {
    mult = 1;
  } else if (unit == "m" || unit == "min" || unit == "mins" || unit == "minutes") {
    mult = 60;
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    mult = 3600;
  } else if (unit == "d" || unit == "day" || unit == "days") {
    mult = 86400;
  } else {
    return fail(ErrorCode::kInvalidArgument,
                quoted(text) + " has an unknown unit \"" + unit + "\" (use s, m, h or d)");
  }
  if (value > std::numeric_limits<std::int64_t>::max() / mult / 1000) {
    return fail(ErrorCode::kInvalidArgument, quoted(text) + " is too large");
  }
  return value * mult;
}

Result<bool> parse_bool(std::string_view text) {
  const std::string v = common::ascii_lower(trim(text));
  if (v == "1" || v == "true" || v == "t" || v == "yes" || v == "y" || v == "on") return true;
  if (v == "0" || v == "false" || v == "f" || v == "no" || v == "n" || v == "off") return false;
  return fail(ErrorCode::kInvalidArgument, quoted(text) + " is not a boolean (use true or false)");
}

Result<double> parse_positive_number(std::string_view text) {
  const std::string_view t = trim(text);
  double value = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(value) ||
      value <= 0) {
    return fail(ErrorCode::kInvalidArgument, quoted(text) + " is not a number greater than 0");
  }
  return value;
}

Result<std::int64_t> parse_non_negative_int(std::string_view text) {
  const std::string_view t = trim(text);
  const auto value = common::parse_decimal<std::int64_t>(t);
  if (!value || *value < 0) {
    return fail(ErrorCode::kInvalidArgument, quoted(text) + " is not a whole number >= 0");
  }
  return *value;
}

Validator duration_between(std::int64_t min_s, std::int64_t max_s) {
  return [min_s, max_s](std::string_view v) -> std::optional<std::string> {
    auto d = parse_duration_seconds(v);
    if (!d) return d.error().message;
    if (*d < min_s || *d > max_s) {
      return quoted(v) + " is out of range (" + std::to_string(min_s) + "s to " +
             std::to_string(max_s) + "s)";
    }
    return std::nullopt;
  };
}

Validator boolean() {
  return [](std::string_view v) -> std::optional<std::string> {
    auto b = parse_bool(v);
    if (!b) return b.error().message;
    return std::nullopt;
  };
}

Validator positive_number_up_to(double max) {
  return [max](std::string_view v) -> std::optional<std::string> {
    auto n = parse_positive_number(v);
    if (!n) return n.error().message;
    if (*n > max) return quoted(v) + " is larger than the maximum " + std::to_string(max);
    return std::nullopt;
  };
}

Validator integer_between(std::int64_t min, std::int64_t max) {
  return [min, max](std::string_view v) -> std::optional<std::string> {
    auto n = parse_non_negative_int(v);
    if (!n) return n.error().message;
    if (*n < min || *n > max) {
      return quoted(v) + " is out of range (" + std::to_string(min) + " to " + std::to_string(max) +
             ")";
    }
    return std::nullopt;
  };
}

Validator one_of(std::vector<std::string> choices) {
  return [choices = std::move(choices)](std::string_view v) -> std::optional<std::string> {
    const std::string t = common::ascii_lower(trim(v));
    for (const auto& c : choices) {
      if (t == c) return std::nullopt;
    }
    std::string msg = quoted(v) + " is not one of:";
    for (const auto& c : choices) msg += " " + c;
    return msg;
  };
}

std::vector<ValidationIssue> validate_params(std::span<const Param> table,
                                             const ParamValues& values) {
  std::vector<ValidationIssue> issues;
  for (const Param& p : table) {
    auto it = values.find(p.name);
    const bool present = it != values.end() && !trim(it->second).empty();
    if (!present) {
      if (p.required_on_create && p.default_value.empty()) {
        issues.push_back({p.name, "is required (" + p.description + ")"});
      }
      continue;
    }
    if (p.validate) {
      if (auto msg = p.validate(it->second)) issues.push_back({p.name, *msg});
    }
  }
  return issues;
}

ParamValues with_defaults(std::span<const Param> table, ParamValues values) {
  for (const Param& p : table) {
    auto it = values.find(p.name);
    if (it == values.end()) {
      if (!p.default_value.empty()) values.emplace(p.name, p.default_value);
    } else if (trim(it->second).empty() && !p.default_value.empty()) {
      it->second = p.default_value;
    }
  }
  return values;
}

std::string describe_issues(const std::vector<ValidationIssue>& issues) {
  std::string out;
  for (const auto& i : issues) {
    if (!out.empty()) out += "; ";
    out += i.param + ": " + i.message;
  }
  return out;
}

}  // namespace kubepriv::modinput
