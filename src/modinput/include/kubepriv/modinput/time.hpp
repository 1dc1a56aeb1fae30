#pragma once
/// @file
/// Time values users type in inputs.conf and on the command line (no locale involved).

#include <cstdint>
#include <string>
#include <string_view>

#include "kubepriv/common/result.hpp"

namespace kubepriv::modinput {

/// RFC 3339 ("2026-11-28T15:00:00Z", "...T15:00:00.123+02:00", "2026-11-28") -> epoch ms.
common::Result<std::int64_t> parse_rfc3339_ms(std::string_view text);

/// "now", relative ("-24h", "-90m", "-7d", "-30s"), RFC 3339, or epoch seconds ("1700000000")
/// -> epoch ms, relative to `now_ms`. "beginning" is not handled here.
common::Result<std::int64_t> parse_time_spec_ms(std::string_view text, std::int64_t now_ms);

/// "2026-11-28T15:00:00.123Z".
std::string format_rfc3339_ms(std::int64_t ms);

}  // namespace kubepriv::modinput
