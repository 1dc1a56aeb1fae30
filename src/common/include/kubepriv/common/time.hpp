#pragma once
/// @file
/// The one RFC 3339 parser and formatter (no locale, no time zone database): used for user
/// input, audit event times and CloudWatch times alike.

#include <cstdint>      // std::int64_t
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::common {

/// RFC 3339 ("2026-11-28T15:00:00Z", "...T15:00:00.123456+02:00", "2026-11-28") -> epoch ms.
/// Years 0000-9999, real month lengths (Feb 29 only in leap years), seconds up to 60, fraction
/// digits beyond milliseconds truncated. kInvalidArgument saying what is wrong otherwise.
Result<std::int64_t> parse_rfc3339_ms(std::string_view text);

/// "2026-11-28T15:00:00.123Z".
std::string format_rfc3339_ms(std::int64_t ms);

}  // namespace kubepriv::common
