// Fuzz target: the `kubepriv scan` decompression path (kubepriv::scan::Decoder, gzip via zlib and
// zstd via libzstd, magic-byte detection) feeding the EventReader, as the Scanner chains them.
// The first input byte picks the mode:
//   even: the remaining bytes are the (usually damaged) compressed input itself;
//   odd:  the remaining bytes are plain text, which is gzip-compressed by zlib's deflate into
//         1-4 members, then cut short or has one byte flipped (or is left intact).
// Invariants beyond "no crash": output and verdict (ok / error) do not depend on chunking; an
// error names an offset within the input; an intact stream decodes to exactly the text and gives
// the same events as the text itself; a cut stream fails and decodes to a prefix of the text.

#include <zlib.h>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::uint64_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/scan/decompress.hpp"
#include "kubepriv/scan/reader.hpp"

namespace {

constexpr std::size_t kMaxKept = std::size_t{8} << 20U;  // decoded bytes kept for comparison

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_scan_decompress: invariant broken: %s\n", what);
  std::abort();
}

struct Count final : kubepriv::scan::EventHandler {
  std::vector<std::string> events;
  void on_event(const kubepriv::scan::RawEvent& e) override {
    events.emplace_back(std::string(e.text) + "\x01" + std::string(e.error));
  }
};

struct Outcome {
  std::string out;  // the first kMaxKept decoded bytes
  std::uint64_t size = 0;
  bool ok = true;
  std::string error;
  std::vector<std::string> events;
  kubepriv::scan::Compression kind = kubepriv::scan::Compression::kUnknown;
};

// Where in a member/frame the damage is noticed depends on how much input the codec had
// buffered, so "at compressed byte offset N" may vary with the chunking; the rest may not.
std::string without_detection_offset(std::string error) {
  static constexpr std::string_view kAt = "at compressed byte offset ";
  if (const auto at = error.find(kAt); at != std::string::npos) {
    auto end = at + kAt.size();
    while (end < error.size() && error[end] >= '0' && error[end] <= '9') ++end;
    error.erase(at + kAt.size(), end - at - kAt.size());
  }
  return error;
}

Outcome decode(std::string_view in, std::size_t piece) {
  Outcome o;
  Count count;
  kubepriv::scan::EventReader reader(count, 4096);
  kubepriv::scan::Decoder dec([&](std::string_view b) {
    o.size += b.size();
    if (o.out.size() < kMaxKept) o.out.append(b.substr(0, kMaxKept - o.out.size()));
    reader.feed(b);
  });
  bool ok = true;
  while (ok && !in.empty()) {
    const std::size_t n = piece < in.size() ? piece : in.size();
    ok = dec.feed(in.substr(0, n));
    in.remove_prefix(n);
  }
  o.ok = ok && dec.finish();
  o.error = dec.error();
  o.kind = dec.compression();
  if (o.ok != o.error.empty()) fail("ok() and error() disagree");
  reader.finish();
  o.events = std::move(count.events);
  return o;
}

std::string gzip_member(std::string_view text) {
  z_stream zs{};
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflate");
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) fail("deflate did not finish");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.ok != b.ok || a.kind != b.kind ||
      without_detection_offset(a.error) != without_detection_offset(b.error)) {
    return false;
  }
  if (!a.ok && a.kind == kubepriv::scan::Compression::kZstd) {
    // libzstd decodes a whole frame in one go when all of it is at hand and then releases
    // nothing if its checksum fails; fed piecemeal, it releases blocks as they come. Either
    // way what came out is the start of the same text.
    const Outcome& shorter = a.out.size() <= b.out.size() ? a : b;
    const Outcome& longer = a.out.size() <= b.out.size() ? b : a;
    return longer.out.compare(0, shorter.out.size(), shorter.out) == 0;
  }
  return a.out == b.out && a.size == b.size && a.events == b.events;
}

void check_error_offset(const Outcome& o, std::size_t input_size) {
  const auto at = o.error.find("offset ");
  if (at == std::string::npos) {
    if (!o.ok && o.error.find("not supported") == std::string::npos) fail("error without offset");
    return;
  }
  const unsigned long long offset = std::strtoull(o.error.c_str() + at + 7, nullptr, 10);
  if (offset > input_size) fail("error offset beyond the input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) {
    (void)decode({}, 1);
    return 0;
  }
  const std::uint8_t mode = data[0];
  const std::size_t piece = 1 + data[1] % 61U;
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if ((mode & 1U) == 0) {
    const Outcome whole = decode(rest, rest.size() + 1);
    const Outcome pieces = decode(rest, piece);
    if (!same(whole, pieces)) fail("decoding depends on how the input was chunked");
    check_error_offset(whole, rest.size());
    check_error_offset(pieces, rest.size());
    return 0;
  }
  // Build a gzip stream of `rest` in 1-4 members, then damage it as the mode says.
  const std::size_t members = 1 + (mode >> 1U) % 4U;
  std::string gz;
  for (std::size_t m = 0; m < members; ++m) {
    const std::size_t from = rest.size() * m / members;
    const std::size_t to = rest.size() * (m + 1) / members;
    gz += gzip_member(rest.substr(from, to - from));
  }
  const unsigned damage = (mode >> 3U) % 4U;  // 0 intact, 1 cut, 2 flip, 3 trailing junk
  const std::size_t at = gz.empty() ? 0 : (static_cast<std::size_t>(mode) * 7919U) % gz.size();
  if (damage == 1) gz.resize(at);
  if (damage == 2) gz[at] = static_cast<char>(gz[at] ^ 0x5A);
  if (damage == 3) gz += "\x01junk";
  const Outcome whole = decode(gz, gz.size() + 1);
  const Outcome pieces = decode(gz, piece);
  if (!same(whole, pieces)) fail("decoding depends on how the input was chunked");
  check_error_offset(whole, gz.size());
  check_error_offset(pieces, gz.size());
  if (damage == 0) {
    if (!whole.ok) fail("an intact gzip stream failed");
    if (whole.out != rest) fail("an intact gzip stream decoded to other bytes");
    Count plain;
    kubepriv::scan::EventReader reader(plain, 4096);
    reader.feed(rest);
    reader.finish();
    if (plain.events != whole.events) fail("events differ from those of the plain text");
  } else if (damage == 1) {
    // A cut at 0 leaves an empty (plain) input; a cut exactly at a member boundary is whole.
    // (Cut to fewer than 2 bytes it is no longer gzip, but the plain byte or nothing it is.)
    if (whole.kind == kubepriv::scan::Compression::kGzip &&
        whole.out != rest.substr(0, whole.out.size())) {
      fail("a cut stream decoded to non-prefix");
    }
  } else if (damage == 3) {
    if (whole.ok) fail("junk after the last member was accepted");
    if (whole.out != rest) fail("junk after the last member lost data before it");
  }
  return 0;
}
