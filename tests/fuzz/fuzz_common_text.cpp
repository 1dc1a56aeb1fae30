// Fuzz target: the shared text and time codecs of src/common (hex, percent-encoding, JSON string
// escaping, strict decimals, RFC 3339 / SigV4 basic / HTTP dates). Every input is fed to every
// codec. Invariants beyond "no crash / ASan / UBSan":
//   * hex: decode(encode(x)) == x in both letter cases; a hex text that decodes re-encodes to
//     itself (lower-cased); a decode error is an odd length or a non-hex byte, nothing else;
//   * percent: decode(encode(x)) == x with and without a kept '/', with '+' as plus or space;
//     keep_invalid never fails; a strict decode that succeeds agrees with the lenient one;
//   * JSON: the escaped text is a JSON string for nlohmann/json (the independent reader) for any
//     bytes, and gives the input back whenever nlohmann/json calls the input valid UTF-8;
//   * decimal: parse_decimal agrees with a reference written here (digits, '-' for signed types
//     only, a saturating 64-bit magnitude for the range) for int8..int64 and their unsigned twins;
//   * time: parse -> format -> parse is the identity (RFC 3339 in ms, basic form in seconds),
//     every accepted instant is within years 0000-9999, and any in-range instant taken from the
//     input bytes survives format -> parse.

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint8_t, std::int64_t
#include <cstdio>   // std::fprintf
#include <cstdlib>  // std::abort
#include <cstring>  // std::memcpy
#include <limits>   // std::numeric_limits
#include <nlohmann/json.hpp>
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/decimal.hpp"
#include "kubepriv/common/hex.hpp"
#include "kubepriv/common/json_escape.hpp"
#include "kubepriv/common/percent.hpp"
#include "kubepriv/common/time.hpp"

namespace common = kubepriv::common;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_common_text: invariant broken: %s\n", what);
  std::abort();
}

constexpr std::int64_t kMinMs = -62'167'219'200'000;  // 0000-01-01T00:00:00Z
constexpr std::int64_t kMaxMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void check_hex(std::string_view in) {
  for (const auto letters : {common::HexCase::kLower, common::HexCase::kUpper}) {
    const std::string enc = common::hex_encode(in, letters);
    if (enc.size() != 2 * in.size()) fail("hex_encode length");
    const auto dec = common::hex_decode(enc);
    if (!dec || *dec != in) fail("hex decode(encode(x)) != x");
  }
  const auto dec = common::hex_decode(in);
  bool all_hex = in.size() % 2 == 0;
  for (const char c : in) all_hex = all_hex && common::hex_digit_value(c) >= 0;
  if (dec.has_value() != all_hex) fail("hex_decode accepts exactly even-length hex text");
  if (dec && common::hex_encode(*dec) != lower(in)) fail("hex encode(decode(h)) != lower(h)");
  std::uint32_t v = 0;
  const std::string_view head = in.substr(0, 8);
  std::uint32_t ref = 0;
  bool ref_ok = !head.empty();
  for (const char c : head) {
    const int d = common::hex_digit_value(c);
    ref_ok = ref_ok && d >= 0;
    ref = (ref << 4U) | static_cast<std::uint32_t>(d < 0 ? 0 : d);
  }
  if (common::hex_to_uint(head, v) != ref_ok || (ref_ok && v != ref)) fail("hex_to_uint");
}

void check_percent(std::string_view in) {
  for (const std::string_view keep : {std::string_view{}, std::string_view{"/"}}) {
    const std::string enc = common::percent_encode(in, keep);
    for (const char c : enc) {
      if (!common::is_unreserved(c) && c != '%' && keep.find(c) == std::string_view::npos) {
        fail("percent_encode left a reserved byte");
      }
    }
    for (const bool plus : {false, true}) {
      const auto dec = common::percent_decode(enc, {.plus_is_space = plus});
      if (!dec || *dec != in) fail("percent decode(encode(x)) != x");
    }
  }
  for (const bool plus : {false, true}) {
    const auto lenient = common::percent_decode(in, {.plus_is_space = plus, .keep_invalid = true});
    if (!lenient) fail("percent_decode with keep_invalid failed");
    const auto strict = common::percent_decode(in, {.plus_is_space = plus});
    if (strict && *strict != *lenient) fail("strict and lenient percent_decode disagree");
    if (!strict && in.find('%') == std::string_view::npos) fail("strict decode failed without %");
  }
}

void check_json(std::string_view in) {
  std::string out;
  common::append_json_string(out, in);
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception&) {
    fail("append_json_string wrote text nlohmann/json cannot parse");
  }
  if (!parsed.is_string()) fail("append_json_string did not write a JSON string");
  bool valid_utf8 = true;
  try {
    (void)nlohmann::json(std::string(in)).dump();  // throws on invalid UTF-8 (strict handler)
  } catch (const nlohmann::json::type_error&) {
    valid_utf8 = false;
  }
  if (valid_utf8 && parsed.get<std::string>() != in) fail("JSON escape then parse != input");
  if (!valid_utf8 && parsed.get<std::string>() == in) fail("invalid UTF-8 came back unchanged");
}

// The reference: optional '-' (signed only), then one or more ASCII digits, value in range.
template <typename T>
void check_decimal(std::string_view in) {
  bool ok = !in.empty();
  bool neg = false;
  std::size_t i = 0;
  if (ok && in[0] == '-' && std::numeric_limits<T>::is_signed) {
    neg = true;
    i = 1;
    ok = in.size() > 1;
  }
  std::uint64_t v = 0;  // magnitude, saturating: far outside every T
  bool saturated = false;
  for (; ok && i < in.size(); ++i) {
    if (in[i] < '0' || in[i] > '9') {
      ok = false;
      break;
    }
    const auto d = static_cast<std::uint64_t>(in[i] - '0');
    if (v > (UINT64_MAX - d) / 10) saturated = true;
    if (!saturated) v = v * 10 + d;
  }
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  const bool range = !saturated && (neg ? v <= max + 1 : v <= max);
  const auto got = common::parse_decimal<T>(in);
  if (got.has_value() != (ok && range)) fail("parse_decimal disagrees with the reference");
  // |*got| without overflow: -(x + 1) + 1 for negative x.
  const std::uint64_t magnitude = got && *got < 0 ? static_cast<std::uint64_t>(-(*got + 1)) + 1
                                                  : static_cast<std::uint64_t>(got ? *got : 0);
  if (got && magnitude != v) {
    fail("parse_decimal value differs from the reference");
  }
  if (!got && ok && !range && got.error().code != common::ErrorCode::kInvalidArgument) {
    fail("parse_decimal overflow is not kInvalidArgument");
  }
}

void check_time(std::string_view in) {
  for (const auto date_only : {common::DateOnly::kAccept, common::DateOnly::kReject}) {
    const auto ms = common::parse_rfc3339_ms(in, date_only);
    if (!ms) {
      if (ms.error().message.empty()) fail("RFC 3339 error without a message");
      continue;
    }
    if (*ms < kMinMs || *ms > kMaxMs) fail("RFC 3339 instant outside years 0000-9999");
    const auto back = common::parse_rfc3339_ms(common::format_rfc3339_ms(*ms), date_only);
    if (!back || *back != *ms) fail("RFC 3339 parse -> format -> parse is not the identity");
  }
  if (const auto ms = common::parse_amz_date_ms(in)) {
    if (*ms % 1000 != 0 || *ms < kMinMs || *ms > kMaxMs) fail("basic-form instant out of bounds");
    const auto back = common::parse_amz_date_ms(common::format_amz_date_ms(*ms));
    if (!back || *back != *ms) fail("basic form parse -> format -> parse is not the identity");
  }
  if (const auto ms = common::parse_http_date_ms(in)) {
    if (*ms % 1000 != 0 || *ms < kMinMs || *ms > kMaxMs) fail("HTTP date instant out of bounds");
  }
  if (in.size() >= 8) {
    std::int64_t raw = 0;
    std::memcpy(&raw, in.data(), sizeof raw);
    const std::int64_t span = kMaxMs - kMinMs + 1;
    const std::int64_t t = kMinMs + (raw % span + span) % span;
    const auto back = common::parse_rfc3339_ms(common::format_rfc3339_ms(t));
    if (!back || *back != t) fail("an in-range instant does not survive format -> parse");
    const auto basic = common::parse_amz_date_ms(common::format_amz_date_ms(t));
    const std::int64_t floor_s = t - ((t % 1000) + 1000) % 1000;
    if (!basic || *basic != floor_s) fail("basic form format -> parse is not the floored second");
  } else {
    (void)common::format_rfc3339_ms(std::numeric_limits<std::int64_t>::min());  // no UB at limits
    (void)common::format_amz_date_ms(std::numeric_limits<std::int64_t>::max());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check_hex(in);
  check_percent(in);
  check_json(in);
  check_decimal<std::int8_t>(in);
  check_decimal<std::uint8_t>(in);
  check_decimal<std::int32_t>(in);
  check_decimal<std::uint32_t>(in);
  check_decimal<std::int64_t>(in);
  check_decimal<std::uint64_t>(in);
  check_time(in);
  return 0;
}
