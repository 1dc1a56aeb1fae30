#pragma once
/// @file
/// The one date and time codec (no locale, no time zone database, no <ctime>): RFC 3339 for user
/// input, audit event times, CloudWatch and STS times; the ISO 8601 basic form SigV4 signs
/// ("20261128T150405Z"); the RFC 7231 HTTP date. All work in milliseconds since the Unix epoch.
///
/// Bounds, the same for every parser: years 0000-9999 as written and for the UTC instant; real
/// month lengths (Feb 29 only in leap years); hours 00-23, minutes 00-59, seconds 00-59, and 60
/// only as a leap second at 23:59:60 UTC (read as the next day's 00:00:00); offsets -12:00 to
/// +14:00 (the zones that exist); fraction digits beyond the millisecond truncated. An error is
/// kInvalidArgument and says what is wrong, quoting at most 64 bytes of the text.

#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// Whether a bare date ("2026-11-28", midnight UTC) is accepted where a time is expected.
enum class DateOnly { kAccept, kReject };

/// RFC 3339 ("2026-11-28T15:00:00Z", "2026-11-28t15:00:00.123456+02:00", "2026-11-28 15:00:00Z")
/// -> epoch ms. 'T', 't' or a space between date and time; 'Z' or 'z' for UTC.
Result<std::int64_t> parse_rfc3339_ms(std::string_view text,
                                      DateOnly date_only = DateOnly::kAccept);

/// "2026-11-28T15:00:00.123Z" (always UTC, always milliseconds). Inside the bounds above,
/// parse_rfc3339_ms() gives `ms` back.
std::string format_rfc3339_ms(std::int64_t ms);

/// ISO 8601 basic UTC form "YYYYMMDDTHHMMSSZ" (SigV4's X-Amz-Date) -> epoch ms.
Result<std::int64_t> parse_amz_date_ms(std::string_view text);

/// "YYYYMMDDTHHMMSSZ" of `ms` (the milliseconds dropped, toward the past).
std::string format_amz_date_ms(std::int64_t ms);

/// RFC 7231 IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" -> epoch ms (the weekday is not
/// checked: servers' Date headers are read for their clock, not for their calendar).
Result<std::int64_t> parse_http_date_ms(std::string_view text);

}  // namespace kubepriv::common
