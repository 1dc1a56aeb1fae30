#include "kubepriv/common/time.hpp"

#include <array>   // std::array
#include <cstdio>  // std::snprintf

namespace kubepriv::common {

namespace {

// Howard Hinnant's days_from_civil: no locale, no timezone database, no tm.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  int h = 0, mi = 0, s = 0, ms = 0;
};

// The UTC calendar fields of an epoch-ms value (floor division: 1969 stays 1969).
Civil civil_from_ms(std::int64_t ms) {
  std::int64_t secs = ms / 1000;
  std::int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::int64_t z = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    z -= 1;
  }
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  Civil c;
  c.y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  c.d = doy - (153 * mp + 2) / 5 + 1;
  c.m = mp < 10 ? mp + 3 : mp - 9;
  c.y += c.m <= 2 ? 1 : 0;
  c.h = static_cast<int>(rem / 3600);
  c.mi = static_cast<int>(rem / 60 % 60);
  c.s = static_cast<int>(rem % 60);
  c.ms = static_cast<int>(frac);
  return c;
}

// Exactly `n` ASCII digits at `pos`.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos > s.size() || n > s.size() - pos) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool at(std::string_view s, std::size_t pos, char c) {
  return pos < s.size() && s[pos] == c;
}

// The fields as written, before validation.
struct Fields {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  std::int64_t frac_ms = 0;
  int offset_min = 0;  // local time minus UTC
};

// The first and last instants inside the bounds: 0000-01-01T00:00:00Z, 9999-12-31T23:59:59.999Z.
constexpr std::int64_t kMinMs = -62'167'219'200'000;
constexpr std::int64_t kMaxMs = 253'402'300'799'999;
constexpr int kMinOffsetMin = -12 * 60;
constexpr int kMaxOffsetMin = 14 * 60;

class Parser {
 public:
  Parser(std::string_view text, const char* what, const char* example)
      : text_(text), what_(what), example_(example) {}

  // "\"<text>\" is not an RFC 3339 time (<why>; example: 2026-11-28T15:04:05Z)"
  tl::unexpected<Error> bad(const char* why) const {
    return fail(ErrorCode::kInvalidArgument, std::string("\"").append(text_.substr(0, 64)) +
                                                 "\" is not " + what_ + " (" + why +
                                                 "; example: " + example_ + ")");
  }

  // Validates the fields (see the bounds in time.hpp) and converts them.
  Result<std::int64_t> to_ms(const Fields& f) const {
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (f.y % 4 == 0 && f.y % 100 != 0) || f.y % 400 == 0;
    if (f.mo < 1 || f.mo > 12) return bad("month out of range 01-12");
    if (f.d < 1 || f.d > kDays[static_cast<std::size_t>(f.mo - 1)] ||
        (f.mo == 2 && f.d == 29 && !leap)) {
      return bad("day out of range for the month");
    }
    if (f.h > 23) return bad("hour out of range 00-23");
    if (f.mi > 59) return bad("minute out of range 00-59");
    if (f.offset_min < kMinOffsetMin || f.offset_min > kMaxOffsetMin) {
      return bad("offset out of range -12:00 to +14:00");
    }
    const int utc_min_of_day = ((f.h * 60 + f.mi - f.offset_min) % 1440 + 1440) % 1440;
    if (f.sec > 60 || (f.sec == 60 && utc_min_of_day != 23 * 60 + 59)) {
      return bad("second out of range 00-59 (60 only at 23:59:60 UTC)");
    }
    const std::int64_t days =
        days_from_civil(f.y, static_cast<unsigned>(f.mo), static_cast<unsigned>(f.d));
    const std::int64_t secs =
        days * 86400 + f.h * 3600 + f.mi * 60 + f.sec - std::int64_t{f.offset_min} * 60;
    const std::int64_t ms = secs * 1000 + f.frac_ms;
    if (ms < kMinMs || ms > kMaxMs) return bad("the UTC time is outside years 0000-9999");
    return ms;
  }

  std::string_view text() const { return text_; }

 private:
  std::string_view text_;
  const char* what_;
  const char* example_;
};

}  // namespace

Result<std::int64_t> parse_rfc3339_ms(std::string_view s, DateOnly date_only) {
  const Parser p(s, "an RFC 3339 time", "2026-11-28T15:04:05Z");
  Fields f;
  if (!digits(s, 0, 4, f.y) || !at(s, 4, '-') || !digits(s, 5, 2, f.mo) || !at(s, 7, '-') ||
      !digits(s, 8, 2, f.d)) {
    return p.bad("date must be YYYY-MM-DD");
  }
  if (s.size() == 10) {
    if (date_only == DateOnly::kReject) return p.bad("missing time THH:MM:SS and zone");
    return p.to_ms(f);
  }
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, f.h) || !at(s, 13, ':') ||
      !digits(s, 14, 2, f.mi) || !at(s, 16, ':') || !digits(s, 17, 2, f.sec)) {
    return p.bad("time must be THH:MM:SS");
  }
  std::size_t pos = 19;
  if (at(s, pos, '.')) {
    ++pos;
    const std::size_t start = pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      f.frac_ms += (s[pos] - '0') * scale;  // digits past the third count 0 (truncation)
      scale /= 10;
      ++pos;
    }
    if (pos == start) return p.bad("empty fraction");
  }
  if (pos >= s.size()) return p.bad("missing time zone (Z or +HH:MM)");
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || !at(s, pos + 3, ':') || !digits(s, pos + 4, 2, om)) {
      return p.bad("time zone offset must be +HH:MM or -HH:MM");
    }
    if (om > 59) return p.bad("offset minutes out of range 00-59");
    f.offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return p.bad("time zone must be Z or +HH:MM");
  }
  if (pos != s.size()) return p.bad("trailing characters");
  return p.to_ms(f);
}

Result<std::int64_t> parse_amz_date_ms(std::string_view s) {
  const Parser p(s, "an ISO 8601 basic UTC time", "20261128T150405Z");
  Fields f;
  if (s.size() != 16 || !digits(s, 0, 4, f.y) || !digits(s, 4, 2, f.mo) || !digits(s, 6, 2, f.d) ||
      s[8] != 'T' || !digits(s, 9, 2, f.h) || !digits(s, 11, 2, f.mi) || !digits(s, 13, 2, f.sec) ||
      s[15] != 'Z') {
    return p.bad("the form is YYYYMMDDTHHMMSSZ");
  }
  return p.to_ms(f);
}

Result<std::int64_t> parse_http_date_ms(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const Parser p(s, "an HTTP date", "Sun, 06 Nov 1994 08:49:37 GMT");
  // "Sun, " then "06 Nov 1994 08:49:37 GMT" (24 bytes).
  const auto comma = s.find(", ");
  if (comma == std::string_view::npos) return p.bad("no \", \" after the weekday");
  const std::string_view r = s.substr(comma + 2);
  Fields f;
  for (std::size_t i = 0; i < kMonths.size() && r.size() == 24; ++i) {
    if (r.substr(3, 3) == kMonths[i]) f.mo = static_cast<int>(i) + 1;
  }
  if (r.size() != 24 || !digits(r, 0, 2, f.d) || r[2] != ' ' || f.mo == 0 || r[6] != ' ' ||
      !digits(r, 7, 4, f.y) || r[11] != ' ' || !digits(r, 12, 2, f.h) || r[14] != ':' ||
      !digits(r, 15, 2, f.mi) || r[17] != ':' || !digits(r, 18, 2, f.sec) ||
      r.substr(20) != " GMT") {
    return p.bad("the form is DD Mon YYYY HH:MM:SS GMT");
  }
  return p.to_ms(f);
}

std::string format_rfc3339_ms(std::int64_t ms) {
  const Civil c = civil_from_ms(ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(c.y), c.m, c.d, c.h, c.mi, c.s, c.ms);
  return buf;
}

std::string format_amz_date_ms(std::int64_t ms) {
  const Civil c = civil_from_ms(ms);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld%02u%02uT%02d%02d%02dZ", static_cast<long long>(c.y), c.m,
                c.d, c.h, c.mi, c.s);
  return buf;
}

}  // namespace kubepriv::common
