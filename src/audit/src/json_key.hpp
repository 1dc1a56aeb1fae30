#pragma once
// Internal to the audit adapter: a JSON key compared with a literal, inlined. Keys are
// dispatched for every field of the envelope and of every small body object (ports, mounts,
// profiles), where a call to memcmp per compare showed in the profile (issue 13).

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <cstring>      // std::memcpy, std::memcmp
#include <string_view>  // std::string_view

namespace kubepriv::audit::detail {

// Whether key `k` is the literal `lit`, without a call to memcmp: a key of 8 to 16 bytes is
// compared as two (overlapping) 8-byte words, shorter ones by the compiler's inline compare.
// Envelope keys are dispatched on every event, and several share a length (stageTimestamp,
// responseStatus, responseObject).
template <std::size_t N>
inline bool key_is(std::string_view k, const char (&lit)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  if (k.size() != n) return false;
  if constexpr (n >= 8 && n <= 16) {
    std::uint64_t a = 0;
    std::uint64_t b = 0;
    std::uint64_t c = 0;
    std::uint64_t d = 0;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, lit, 8);
    std::memcpy(&c, k.data() + n - 8, 8);
    std::memcpy(&d, lit + n - 8, 8);
    return ((a ^ b) | (c ^ d)) == 0;
  } else {
    return std::memcmp(k.data(), lit, n) == 0;
  }
}

}  // namespace kubepriv::audit::detail
