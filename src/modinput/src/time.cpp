#include "kubepriv/modinput/time.hpp"

#include "kubepriv/common/decimal.hpp"
#include "kubepriv/modinput/params.hpp"

namespace kubepriv::modinput {

using common::ErrorCode;
using common::fail;
using common::Result;

Result<std::int64_t> parse_time_spec_ms(std::string_view text, std::int64_t now_ms) {
  if (text == "now") return now_ms;
  if (!text.empty() && text[0] == '-') {
    auto d = parse_duration_seconds(text.substr(1));
    if (!d) {
      return fail(
          ErrorCode::kInvalidArgument,
          std::string("\"").append(text) + "\" is not a relative time (examples: -24h, -30m, -7d)");
    }
    return now_ms - *d * 1000;
  }
  if (text.size() <= 11) {  // epoch seconds (digits only)
    if (const auto secs = common::parse_decimal<std::uint64_t>(text)) {
      return static_cast<std::int64_t>(*secs) * 1000;
    }
  }
  return parse_rfc3339_ms(text);
}

}  // namespace kubepriv::modinput
