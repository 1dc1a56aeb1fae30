#pragma once
// Private to the scp layer: the 16-byte CSV check-and-copy steps and csv_write_field inline, for
// the reply writer's loop over every cell (a call per cell cost more than the check itself:
// issue 13).

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uintptr_t
#include <cstring>      // std::memcpy
#include <string_view>  // std::string_view

#include "kubepriv/scp/csv.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is part of x86-64: no runtime dispatch needed
#endif

#if defined(__SANITIZE_ADDRESS__)
#define KUBEPRIV_SCP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KUBEPRIV_SCP_ASAN 1
#endif
#endif

namespace kubepriv::scp::detail {

#if defined(__SSE2__)
/// Nonzero when one of the 16 bytes of v is `,`, `"`, LF or CR.
inline int special_mask(__m128i v) noexcept {
  const __m128i hit = _mm_or_si128(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
  return _mm_movemask_epi8(hit);
}
inline __m128i load16(const char* p) noexcept {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store16(char* p, __m128i v) noexcept {
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
}
/// Nonzero when one of the 16 bytes at p is `,`, `"`, LF or CR.
inline int special16(const char* p) noexcept {
  return special_mask(load16(p));
}
#endif

/// `value` quoted, `"` doubled, at `out` (csv.cpp): csv_write_field's rare path, out of line.
char* write_quoted(char* out, std::string_view value) noexcept;

/// csv_write_field itself, inline for the reply writer's loop over every cell. Checked and
/// copied in the same 16-byte steps (the last one overlapping the one before); a value shorter
/// than 16 bytes is one load, when it cannot cross into the next page, and one 16-byte store
/// (csv_field_bound leaves room for it).
inline char* write_field_inline(char* out, std::string_view value) noexcept {
  const char* const p = value.data();
  const std::size_t n = value.size();
#if defined(__SSE2__)
  if (n >= 16) {
    std::size_t i = 0;
    for (; i + 16 < n; i += 16) {
      const __m128i v = load16(p + i);
      if (special_mask(v) != 0) return write_quoted(out, value);
      store16(out + i, v);
    }
    const __m128i v = load16(p + n - 16);
    if (special_mask(v) != 0) return write_quoted(out, value);
    store16(out + n - 16, v);
    return out + n;
  }
#if !defined(KUBEPRIV_SCP_ASAN)
  constexpr std::uintptr_t kPage = 4096;
  if (n != 0 && (reinterpret_cast<std::uintptr_t>(p) & (kPage - 1)) <= kPage - 16) {
    const __m128i v = load16(p);
    if ((special_mask(v) & ((1 << n) - 1)) != 0) return write_quoted(out, value);
    store16(out, v);
    return out + n;
  }
#endif
#endif
  if (csv_needs_quotes(value)) return write_quoted(out, value);
  if (n != 0) std::memcpy(out, p, n);
  return out + n;
}

}  // namespace kubepriv::scp::detail
