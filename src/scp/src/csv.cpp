#include "kubepriv/scp/csv.hpp"

#include <cstddef>  // std::ptrdiff_t
#include <cstdint>  // std::uint64_t
#include <cstring>  // std::memchr, std::memmove
#include <string>   // std::to_string

#include "csv_write.hpp"
#include "doubling.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is part of x86-64: no runtime dispatch needed
#endif
#if defined(__x86_64__)
#include <immintrin.h>  // AVX-512 VBMI2 compress, used behind a run-time CPU check
#include <tmmintrin.h>  // SSSE3 pshufb, used behind a run-time CPU check
#endif

namespace kubepriv::scp {

namespace detail {

namespace {

#if defined(__SSE2__)
/// Bit i set when r[i] == '"', for the 64 bytes at r.
inline std::uint64_t quote_mask64(const char* r) noexcept {
  const __m128i q = _mm_set1_epi8('"');
  auto part = [&](int k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + 16 * k));
    return static_cast<std::uint64_t>(
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q))));
  };
  return part(0) | (part(1) << 16) | (part(2) << 32) | (part(3) << 48);
}
#endif

/// Copies n bytes down from src to dst (dst < src, ranges may overlap). When src - dst >= 16 it
/// uses 16-byte moves that may write up to 15 bytes past dst + n: those bytes lie below src + n,
/// in input already consumed, and are overwritten by later output anyway.
inline void copy_down(char* dst, const char* src, std::size_t n) noexcept {
  if (dst == src) return;
#if defined(__SSE2__)
  if (src - dst >= 16) {
    for (std::size_t k = 0; k < n; k += 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + k),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k)));
    }
    return;
  }
#endif
  for (std::size_t k = 0; k < n; ++k) dst[k] = src[k];
}

#if defined(__SSE2__)
/// Bytes that must be readable at r to work on a 64-byte block: the block, the byte after it
/// (a pair split across blocks), and copy_down's 16-byte loads running up to 15 bytes past the end
/// of the block.
constexpr std::ptrdiff_t kBlockReadable = 64 + 16;

/// Handles one 64-byte block at r quote by quote (needs kBlockReadable readable bytes). Returns
/// true when the closing quote was found (`after` is set past it); otherwise r has moved past the
/// block (or one further, when the block ended with the first quote of a pair).
inline bool pairs_block(char*& r, char*& w, char*& after) noexcept {
  std::uint64_t m = quote_mask64(r);
  std::size_t pos = 0;
  while (m != 0) {
    const auto t = static_cast<std::size_t>(__builtin_ctzll(m));
    copy_down(w, r + pos, t - pos);
    w += t - pos;
    const bool pair = t < 63 ? ((m >> (t + 1)) & 1U) != 0 : r[64] == '"';
    if (!pair) {
      after = r + t + 1;
      return true;
    }
    *w++ = '"';
    pos = t + 2;
    m &= m - 1;              // clear the first quote
    if (t < 63) m &= m - 1;  // and its partner, when inside this block
  }
  if (pos < 64) {
    copy_down(w, r + pos, 64 - pos);
    w += 64 - pos;
    pos = 64;
  }
  r += pos;
  return false;
}
#endif

/// The scalar end of a field (and the whole loop where SSE2 is missing). Without `last`, a quote
/// that is the last byte before `end` is left for later (nullptr, `r` on it).
inline char* unescape_scalar(char*& r, char* const end, char*& w, bool last) noexcept {
  for (;;) {
    while (r < end && *r != '"') *w++ = *r++;
    if (r >= end) return nullptr;
    if (r + 1 < end) {
      if (r[1] != '"') return r + 1;
      *w++ = '"';  // doubled: data
      r += 2;
      continue;
    }
    return last ? r + 1 : nullptr;
  }
}

/// The quotes of a 64-byte block that pair with the quote before them (the second of each `""`),
/// with `carry` in and out: 1 when the quote just before the block (bit -1) is the first of a
/// pair whose second quote is bit 0. Runs of quotes pair up from their first quote: the same bit
/// arithmetic as finding the characters a backslash escapes, with `"` as both the escape and the
/// escaped character. Every bit of the result sits right after an unpaired-so-far quote: on a
/// quote it marks the second of a pair, on anything else the byte after the closing quote.
inline std::uint64_t follows_first_quote(std::uint64_t quotes, std::uint64_t& carry) noexcept {
  constexpr std::uint64_t kEven = 0x5555555555555555ULL;
  const std::uint64_t firsts = quotes & ~carry;  // bit 0 is a second when carried in
  const std::uint64_t follows = (firsts << 1) | carry;
  const std::uint64_t odd_starts = firsts & ~kEven & ~follows;
  std::uint64_t even_starts = 0;
  carry = __builtin_add_overflow(odd_starts, firsts, &even_starts) ? 1 : 0;
  return (kEven ^ (even_starts << 1)) & follows;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KUBEPRIV_SCP_HAVE_SSSE3 1

/// pshufb controls that pack the bytes of an 8-byte lane whose bit i (1 = drop byte i) is set.
struct CompressTable {
  alignas(16) std::uint8_t shuffle[256][16];
  std::uint8_t kept[256];
};

constexpr CompressTable make_compress_table() {
  CompressTable t{};
  for (unsigned mask = 0; mask < 256; ++mask) {
    unsigned k = 0;
    for (unsigned i = 0; i < 8; ++i) {
      if (((mask >> i) & 1U) == 0) t.shuffle[mask][k++] = static_cast<std::uint8_t>(i);
    }
    t.kept[mask] = static_cast<std::uint8_t>(k);
    for (unsigned i = k; i < 16; ++i) t.shuffle[mask][i] = 0x80;  // zero
  }
  return t;
}

// In .rodata: built by the compiler, no start-up cost.
constexpr CompressTable kCompress = make_compress_table();

__attribute__((target("ssse3"))) inline char* emit_lane(char* w, __m128i lane,
                                                        unsigned drop) noexcept {
  const __m128i ctl = _mm_load_si128(reinterpret_cast<const __m128i*>(kCompress.shuffle[drop]));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(w), _mm_shuffle_epi8(lane, ctl));
  return w + kCompress.kept[drop];
}

/// Steps r and w back onto the quote that ended the block before r, the first of a pair in
/// progress (written at w - 1). The 8-byte stores of that block may have run over it in the input
/// (they write up to r - 1), so it is put back.
inline void back_onto_quote(char*& r, char*& w) noexcept {
  *--r = '"';
  --w;
}

/// The fast path: per 64-byte block, the quotes to drop (the second of each `""`) come from
/// follows_first_quote, whose only state between blocks is one carry bit, so every block advances
/// r by exactly 64 bytes and the next loads never wait on this block's arithmetic; the block is
/// packed 8 bytes at a time with pshufb. A quote ending a block is written like data; the block
/// that holds the closing quote (or shows that the quote ending the block before was it) goes
/// back onto that quote when it was the first of a pair in progress and falls back to
/// pairs_block. All 64 bytes are in registers before the first store, and no store passes r + 64.
__attribute__((target("ssse3"))) char* unescape_ssse3(char*& r_io, char*& w_io, char* const end,
                                                      bool last) noexcept {
  // In locals: the byte stores through w may alias r_io and w_io themselves.
  char* r = r_io;
  char* w = w_io;
  const __m128i q = _mm_set1_epi8('"');
  std::uint64_t carry = 0;  // 1: the byte before r is the first quote of a pair, kept at w - 1
  char* after = nullptr;
  while (end - r >= kBlockReadable) {
    const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r));
    const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + 16));
    const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + 32));
    const __m128i v3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r + 48));
    auto bits = [q](__m128i v) {
      return static_cast<std::uint64_t>(
          static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, q))));
    };
    const std::uint64_t m = bits(v0) | (bits(v1) << 16) | (bits(v2) << 32) | (bits(v3) << 48);
    if ((m | carry) == 0) {
      if (w != r) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v0);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 16), v1);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 32), v2);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w + 48), v3);
      }
      r += 64;
      w += 64;
      continue;
    }
    const std::uint64_t carried_in = carry;
    const std::uint64_t del = follows_first_quote(m, carry);
    if ((del & ~m) != 0) {  // a closing quote in [r - 1, r + 63)
      if (carried_in != 0) back_onto_quote(r, w);
      carry = 0;
      if (pairs_block(r, w, after)) break;
      continue;
    }
    w = emit_lane(w, v0, static_cast<unsigned>(del & 0xFF));
    w = emit_lane(w, _mm_srli_si128(v0, 8), static_cast<unsigned>((del >> 8) & 0xFF));
    w = emit_lane(w, v1, static_cast<unsigned>((del >> 16) & 0xFF));
    w = emit_lane(w, _mm_srli_si128(v1, 8), static_cast<unsigned>((del >> 24) & 0xFF));
    w = emit_lane(w, v2, static_cast<unsigned>((del >> 32) & 0xFF));
    w = emit_lane(w, _mm_srli_si128(v2, 8), static_cast<unsigned>((del >> 40) & 0xFF));
    w = emit_lane(w, v3, static_cast<unsigned>((del >> 48) & 0xFF));
    w = emit_lane(w, _mm_srli_si128(v3, 8), static_cast<unsigned>((del >> 56) & 0xFF));
    r += 64;
  }
  if (after == nullptr) {
    if (carry != 0) back_onto_quote(r, w);  // the scalar end starts on it
    after = unescape_scalar(r, end, w, last);
  }
  r_io = r;
  w_io = w;
  return after;
}

#define KUBEPRIV_SCP_HAVE_AVX512 1

#define KUBEPRIV_SCP_AVX512_TARGET \
  __attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt,bmi2")))

/// Writes the bytes of v not in `drop` among its first `n` (n <= 64) at w.
KUBEPRIV_SCP_AVX512_TARGET inline void emit_kept(char*& w, __m512i v, std::uint64_t drop,
                                                 unsigned n) noexcept {
  const std::uint64_t keep = _bzhi_u64(~drop, n);
  const auto kept = static_cast<unsigned>(__builtin_popcountll(keep));
  _mm512_mask_storeu_epi8(w, _bzhi_u64(~std::uint64_t{0}, kept),
                          _mm512_maskz_compress_epi8(keep, v));
  w += kept;
}

/// Writes the bytes of v before bit c - 1, the closing quote or a quote kept back: when c == 0
/// that quote ended the block before, where it was written as data, so w steps back over it.
KUBEPRIV_SCP_AVX512_TARGET inline void emit_before_quote(char*& w, __m512i v, std::uint64_t drop,
                                                         unsigned c) noexcept {
  if (c == 0) {
    --w;
  } else {
    emit_kept(w, v, drop, c - 1);
  }
}

/// The same with AVX-512 VBMI2 (Ice Lake and later, Zen 4): one compress and one masked store
/// per 64-byte block. The block's pairs come from follows_first_quote, whose only state between
/// blocks is one carry bit, so every block advances r by exactly 64 bytes and the next load never
/// waits on this block's arithmetic. A quote ending a block is written like data until the next
/// block tells whether it closes the field (then w steps back over it). The last, partial block
/// is a masked load, which reads nothing at or past `end`; masked stores write exactly the kept
/// bytes, so nothing at or after the closing quote is touched.
KUBEPRIV_SCP_AVX512_TARGET char* unescape_avx512(char*& r_io, char*& w_io, char* const end,
                                                 bool last) noexcept {
  // In locals: the byte stores through w may alias r_io and w_io themselves, which would make the
  // compiler store and reload both every block, a store-to-load chain through memory.
  char* r = r_io;
  char* w = w_io;
  const __m512i q = _mm512_set1_epi8('"');
  std::uint64_t carry = 0;  // 1: the byte before r is the first quote of a pair, kept at w - 1
  char* after = nullptr;
  for (;;) {
    if (end - r < 64) break;
    const __m512i v = _mm512_loadu_si512(r);
    const std::uint64_t quotes = _mm512_cmpeq_epi8_mask(v, q);
    const std::uint64_t after_first = follows_first_quote(quotes, carry);
    const std::uint64_t after_close = after_first & ~quotes;
    if (after_close == 0) {
      emit_kept(w, v, after_first, 64);
      r += 64;
      continue;
    }
    // The closing quote is the byte before the first bit of after_close.
    const auto c = static_cast<unsigned>(__builtin_ctzll(after_close));
    emit_before_quote(w, v, after_first, c);
    r += c;
    after = r;
    break;
  }
  if (after == nullptr) {
    // The rest, fewer than 64 bytes: masked-off bytes load as zero, never as quotes.
    const auto n = static_cast<unsigned>(end - r);
    const __m512i v = _mm512_maskz_loadu_epi8(_bzhi_u64(~std::uint64_t{0}, n), r);
    const std::uint64_t quotes = _mm512_cmpeq_epi8_mask(v, q);
    const std::uint64_t after_first = follows_first_quote(quotes, carry);
    const std::uint64_t after_close = after_first & ~quotes;
    if (after_close == 0) {  // no quote left unpaired: the field goes on
      emit_kept(w, v, after_first, n);
      r = end;
    } else {
      const auto c = static_cast<unsigned>(__builtin_ctzll(after_close));
      emit_before_quote(w, v, after_first, c);
      r += c;
      if (c < n || last) {
        after = r;  // closed by the quote before c (the body's last byte when c == n)
      } else {
        --r;  // c == n: the last byte is a quote that may be the first of a pair: kept back
      }
    }
  }
  r_io = r;
  w_io = w;
  return after;
}
#endif

}  // namespace

namespace {

char* unescape_baseline_resume(char*& r, char*& w, char* const end, bool last) noexcept {
#if defined(__SSE2__)
  while (end - r >= kBlockReadable) {
    char* after = nullptr;
    if (pairs_block(r, w, after)) return after;
  }
#endif
  return unescape_scalar(r, end, w, last);
}

}  // namespace

char* unescape_quoted_baseline(char* r, char* const end, char*& w_end) noexcept {
  char* w = r;
  char* const after = unescape_baseline_resume(r, w, end, true);
  if (after != nullptr) w_end = w;
  return after;
}

bool unescaper_available(Unescaper u) noexcept {
  switch (u) {
    case Unescaper::kBaseline: return true;
#if defined(KUBEPRIV_SCP_HAVE_SSSE3)
    case Unescaper::kSsse3: __builtin_cpu_init(); return __builtin_cpu_supports("ssse3") != 0;
    case Unescaper::kAvx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0 &&
             __builtin_cpu_supports("avx512vbmi2") != 0 && __builtin_cpu_supports("popcnt") != 0 &&
             __builtin_cpu_supports("bmi2") != 0;
#else
    case Unescaper::kSsse3:
    case Unescaper::kAvx512: return false;
#endif
  }
  return false;
}

char* unescape_quoted_with(Unescaper u, char*& r, char*& w, char* const end, bool last) noexcept {
  switch (u) {
#if defined(KUBEPRIV_SCP_HAVE_SSSE3)
    case Unescaper::kSsse3: return unescape_ssse3(r, w, end, last);
    case Unescaper::kAvx512: return unescape_avx512(r, w, end, last);
#endif
    default: return unescape_baseline_resume(r, w, end, last);
  }
}

// The hot loop of the whole command: a `_raw` JSON event has a doubled quote every few bytes.
// The fastest kernel the CPU runs is picked once: AVX-512 VBMI2, else SSSE3 (every x86-64 CPU
// since about 2008, but not in the x86-64 baseline), else the baseline, which handles a 64-byte
// block quote by quote from its bit mask.
char* unescape_quoted_resume(char*& r, char*& w, char* const end, bool last) noexcept {
  static const Unescaper best = [] {
    for (Unescaper u : {Unescaper::kAvx512, Unescaper::kSsse3}) {
      if (unescaper_available(u)) return u;
    }
    return Unescaper::kBaseline;
  }();
  return unescape_quoted_with(best, r, w, end, last);
}

char* unescape_quoted(char* r, char* const end, char*& w_end) noexcept {
  char* w = r;
  char* const after = unescape_quoted_resume(r, w, end, true);
  if (after != nullptr) w_end = w;
  return after;
}

}  // namespace detail

using common::ErrorCode;
using common::fail;

CsvReader::CsvReader(BodySource& source) noexcept : source_(&source) {
  const BodySource::Window w = source.window();
  p_ = w.begin;
  end_ = w.end;
  last_ = w.last;
}

common::Result<bool> CsvReader::next(std::vector<std::string_view>& fields) {
  for (;;) {
    auto step = parse(fields);
    if (!step) return tl::unexpected(step.error());
    if (*step != Step::kMore) return *step == Step::kRecord;
    auto ok = refill(fields);
    if (!ok) return tl::unexpected(ok.error());
  }
}

common::Result<void> CsvReader::refill(std::vector<std::string_view>& fields) {
  // Everything in progress as offsets from the first byte to keep, then back onto the new window.
  char* const keep = in_record_ ? rec_ : p_;
  offsets_.clear();
  for (std::string_view f : fields) offsets_.push_back(static_cast<std::size_t>(f.data() - keep));
  const auto off = [keep](const char* q) { return static_cast<std::size_t>(q - keep); };
  const std::size_t p = off(p_);
  const std::size_t value = in_record_ && state_ == State::kQuoted ? off(value_) : 0;
  const std::size_t qr = in_record_ && state_ == State::kQuoted ? off(qr_) : 0;
  const std::size_t qw = in_record_ && state_ == State::kQuoted ? off(qw_) : 0;
  auto ok = source_->more(keep);
  if (!ok) return ok;
  const BodySource::Window w = source_->window();
  char* const base = w.begin;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    fields[i] = std::string_view(base + offsets_[i], fields[i].size());
  }
  rec_ = base;
  p_ = base + p;
  value_ = base + value;
  qr_ = base + qr;
  qw_ = base + qw;
  end_ = w.end;
  last_ = w.last;
  return {};
}

common::Result<CsvReader::Step> CsvReader::parse(std::vector<std::string_view>& fields) {
  char* p = p_;
  if (!in_record_) {
    fields.clear();
    if (p >= end_) return last_ ? Step::kEnd : Step::kMore;
    ++record_;
    in_record_ = true;
    rec_ = p;
    state_ = State::kFieldStart;
  }
  for (;;) {
    switch (state_) {
      case State::kFieldStart: {
        // One field starts at p.
        if (p >= end_ && !last_) {
          p_ = p;
          return Step::kMore;
        }
        if (p < end_ && *p == '"') {
          value_ = qr_ = qw_ = p + 1;
          state_ = State::kQuoted;
          continue;
        }
        char* const start = p;
        while (p < end_ && *p != ',' && *p != '\n' && *p != '\r') {
          if (*p == '"') {
            // A quote inside an unquoted field is not valid in the dialect splunkd and splunklib
            // write; accepting it silently would hide a broken stream.
            return fail(ErrorCode::kParse, "CSV record " + std::to_string(record_) +
                                               ": quote inside an unquoted field");
          }
          ++p;
        }
        if (p >= end_ && !last_) {  // the field may go on: read it again once more has come
          p_ = start;
          return Step::kMore;
        }
        fields.emplace_back(start, static_cast<std::size_t>(p - start));
        state_ = State::kAfterField;
        continue;
      }
      case State::kQuoted: {
        char* const after = detail::unescape_quoted_resume(qr_, qw_, end_, last_);
        if (after == nullptr) {
          if (last_) {
            return fail(ErrorCode::kParse,
                        "CSV record " + std::to_string(record_) + ": quoted field is never closed");
          }
          p_ = qr_;
          return Step::kMore;
        }
        fields.emplace_back(value_, static_cast<std::size_t>(qw_ - value_));
        p = after;
        state_ = State::kAfterField;
        continue;
      }
      case State::kAfterField:
        // After a field: `,` (next field), CR LF / LF / end (end of record).
        if (p >= end_ || (*p == '\r' && p + 1 >= end_)) {
          if (!last_) {
            p_ = p;
            return Step::kMore;
          }
          if (p >= end_) return end_record(p);
        }
        if (*p == ',') {
          ++p;
          state_ = State::kFieldStart;
          continue;
        }
        if (*p == '\n') return end_record(p + 1);
        if (*p == '\r' && p + 1 < end_ && p[1] == '\n') return end_record(p + 2);
        if (*p == '\r' && p + 1 == end_) return end_record(p + 1);  // a body ending in a bare CR
        if (*p == '\r') {
          return fail(ErrorCode::kParse, "CSV record " + std::to_string(record_) +
                                             ": carriage return outside quotes not followed by LF");
        }
        return fail(ErrorCode::kParse, "CSV record " + std::to_string(record_) +
                                           ": unexpected character after a closing quote");
    }
  }
}

std::size_t find_column(std::span<const std::string_view> names, std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  return names.size();
}

#if defined(__SSE2__)
using detail::special16;
#endif

char* detail::write_quoted(char* out, std::string_view value) noexcept {
  *out++ = '"';
  out = put_doubling(out, value, '"');
  *out++ = '"';
  return out;
}

bool csv_needs_quotes(std::string_view value) noexcept {
  const char* p = value.data();
  const std::size_t n = value.size();
  if (n == 0) return false;  // its data() may be null or point at the start of an unmapped page
#if defined(__SSE2__)
  // Every reply cell goes through here (about 30 per event, most of them short): 16 bytes per
  // step, the last step overlapping the one before, never a byte loop for the tail.
  if (n >= 16) {
    const char* const last = p + n - 16;
    for (; p < last; p += 16) {
      if (special16(p) != 0) return true;
    }
    return special16(last) != 0;
  }
#if !defined(KUBEPRIV_SCP_ASAN)
  // Shorter than 16 bytes: one load, when it cannot cross into the next page (it then cannot
  // fault; the bytes past the value are masked out). AddressSanitizer would flag the over-read.
  constexpr std::uintptr_t kPage = 4096;
  if ((reinterpret_cast<std::uintptr_t>(p) & (kPage - 1)) <= kPage - 16) {
    return (special16(p) & ((1 << n) - 1)) != 0;
  }
#endif
#endif
  for (std::size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void csv_append_field(std::string& out, std::string_view value) {
  if (!csv_needs_quotes(value)) {
    out.append(value);
    return;
  }
  out.push_back('"');
  detail::append_doubling(out, value, '"');
  out.push_back('"');
}

char* csv_write_field(char* out, std::string_view value) noexcept {
  return detail::write_field_inline(out, value);
}

}  // namespace kubepriv::scp
