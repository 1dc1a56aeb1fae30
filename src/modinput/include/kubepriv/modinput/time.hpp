#pragma once
/// @file
/// Time values users type in inputs.conf and on the command line (no locale involved).

#include <cstdint>
#include <string>
#include <string_view>

#include "kubepriv/common/result.hpp"
#include "kubepriv/common/time.hpp"

namespace kubepriv::modinput {

using common::format_rfc3339_ms;  // kubepriv/common/time.hpp
using common::parse_rfc3339_ms;

/// "now", relative ("-24h", "-90m", "-7d", "-30s"), RFC 3339, or epoch seconds ("1700000000")
/// -> epoch ms, relative to `now_ms`. "beginning" is not handled here.
common::Result<std::int64_t> parse_time_spec_ms(std::string_view text, std::int64_t now_ms);

}  // namespace kubepriv::modinput
