#include "kubepriv/scan/decompress.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>  // std::min
#include <cstddef>    // std::size_t
#include <utility>    // std::move
#include <vector>     // std::vector

namespace kubepriv::scan {

std::string_view to_string(Compression compression) noexcept {
  switch (compression) {
    case Compression::kUnknown: return "unknown";
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
    case Compression::kUnsupported: return "unsupported";
  }
  return "unknown";
}

namespace {

constexpr std::size_t kOutSize = std::size_t{256} << 10U;  // one output buffer, reused
constexpr std::size_t kMaxIn = std::size_t{1} << 30U;      // zlib counts input in uInt

struct Magic {
  std::string_view bytes;
  Compression kind;
  std::string_view name;
};

// Leading bytes of each format (bzip2: "BZh", a block-size digit, then the block magic; the
// digit is checked separately).
constexpr Magic kMagics[] = {
    {"\x1f\x8b", Compression::kGzip, "gzip"},
    {"\x28\xb5\x2f\xfd", Compression::kZstd, "zstd"},
    {std::string_view("\xfd"
                      "7zXZ\x00",
                      6),
     Compression::kUnsupported, "xz"},
    {"\x04\x22\x4d\x18", Compression::kUnsupported, "lz4"},
    {"BZh?1AY&SY", Compression::kUnsupported, "bzip2"},
};

bool matches(std::string_view magic, std::string_view head) {
  const std::size_t n = std::min(magic.size(), head.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (magic[i] == '?') {  // the bzip2 block-size digit
      if (head[i] < '1' || head[i] > '9') return false;
    } else if (magic[i] != head[i]) {
      return false;
    }
  }
  return true;
}

// The format announced by `head`, or nullptr for plain input; `need_more` when `head` is a
// proper prefix of some magic and more bytes could still decide it.
const Magic* detect(std::string_view head, bool at_end, bool& need_more) {
  need_more = false;
  for (const Magic& m : kMagics) {
    if (!matches(m.bytes, head)) continue;
    if (head.size() >= m.bytes.size()) return &m;
    if (!at_end) need_more = true;
  }
  return nullptr;
}

}  // namespace

struct Decoder::Impl {
  Output output;
  Compression kind = Compression::kUnknown;
  std::string head;  // the first bytes, while they could still start a magic (< 10 bytes)
  std::string error;
  std::uint64_t offset = 0;  // input bytes consumed
  std::vector<char> out;

  z_stream zs{};
  bool z_ready = false;
  bool member_open = false;        // inside a gzip member
  std::uint64_t members = 0;       // gzip members completed
  std::uint64_t member_end = 0;    // offset after the last complete member
  bool padding = false;            // zero bytes after the last member (gzip(1) ignores them too)
  std::uint64_t member_start = 0;  // offset where the current gzip member began
  ZSTD_DCtx* zd = nullptr;
  bool frame_open = false;        // inside a zstd frame
  std::uint64_t frame_start = 0;  // offset where the current zstd frame began

  explicit Impl(Output o) : output(std::move(o)) {}
  ~Impl() {
    if (z_ready) inflateEnd(&zs);
    ZSTD_freeDCtx(zd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }

  std::string at() const { return "at compressed byte offset " + std::to_string(offset); }

  bool start(const Magic* magic) {
    if (magic == nullptr) {
      kind = Compression::kNone;
      return true;
    }
    kind = magic->kind;
    if (kind == Compression::kUnsupported) {
      return fail(std::string(magic->name) +
                  "-compressed input is not supported (decompress it first, e.g. " +
                  (magic->name == "bzip2" ? "bzcat"
                   : magic->name == "xz"  ? "xzcat"
                                          : "lz4cat") +
                  " FILE | kubepriv scan -)");
    }
    out.resize(kOutSize);
    if (kind == Compression::kGzip) {
      if (inflateInit2(&zs, 15 + 16) != Z_OK) return fail("cannot start the gzip decoder");
      z_ready = true;
    } else {
      zd = ZSTD_createDCtx();
      if (zd == nullptr) return fail("cannot start the zstd decoder");
    }
    return true;
  }

  bool feed(std::string_view bytes) {
    if (!error.empty()) return false;
    if (kind != Compression::kUnknown) return decode(bytes);
    bool need_more = false;
    if (head.empty()) {
      const Magic* magic = detect(bytes, false, need_more);
      if (!need_more) return start(magic) && decode(bytes);
    }
    head.append(bytes);
    const Magic* magic = detect(head, false, need_more);
    if (need_more) return true;
    const std::string first = std::move(head);
    head.clear();
    return start(magic) && decode(first);
  }

  bool finish() {
    if (!error.empty()) return false;
    if (kind == Compression::kUnknown) {
      bool need_more = false;
      const Magic* magic = detect(head, true, need_more);
      const std::string first = std::move(head);
      head.clear();
      if (!start(magic) || !decode(first)) return false;
    }
    if (kind == Compression::kGzip && member_open) {
      return fail("truncated gzip stream: the input ends " + at() + " inside a member");
    }
    if (kind == Compression::kZstd && frame_open) {
      return fail("truncated zstd stream: the input ends " + at() + " inside a frame");
    }
    return true;
  }

  bool decode(std::string_view in) {
    switch (kind) {
      case Compression::kNone:
        offset += in.size();
        if (!in.empty()) output(in);
        return true;
      case Compression::kGzip:
        while (!in.empty()) {
          const std::size_t n = std::min(in.size(), kMaxIn);
          if (!inflate_some(in.substr(0, n))) return false;
          in.remove_prefix(n);
        }
        return true;
      case Compression::kZstd: return zstd_some(in);
      case Compression::kUnknown:
      case Compression::kUnsupported: break;
    }
    return false;
  }

  bool inflate_some(std::string_view in) {
    // zlib's API takes non-const input pointers but never writes through them.
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    bool out_full = false;
    while (zs.avail_in > 0 || out_full) {
      if (!member_open && !out_full && members != 0 && (padding || *zs.next_in == 0)) {
        padding = true;
        while (zs.avail_in > 0 && *zs.next_in == 0) {
          ++zs.next_in;
          --zs.avail_in;
          ++offset;
        }
        if (zs.avail_in == 0) break;
        return fail("corrupt gzip data " + at() + " (bytes after the zero padding that follows " +
                    "the last gzip member)");
      }
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(out.size());
      const uInt before = zs.avail_in;
      if (!member_open) member_start = offset;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      offset += before - zs.avail_in;
      const std::size_t produced = out.size() - zs.avail_out;
      if (produced != 0) output(std::string_view(out.data(), produced));
      out_full = (zs.avail_out == 0);
      if (rc == Z_STREAM_END) {
        // One member done; another may follow (concatenated members).
        member_open = false;
        out_full = false;
        ++members;
        member_end = offset;
        if (inflateReset(&zs) != Z_OK) return fail("cannot restart the gzip decoder");
        continue;
      }
      if (before != zs.avail_in) member_open = true;
      if (rc == Z_OK) continue;
      if (rc == Z_BUF_ERROR) break;  // no progress possible: needs more input
      std::string why = zs.msg != nullptr ? zs.msg : (rc == Z_MEM_ERROR ? "out of memory" : "");
      // Where the damage is noticed depends a little on how zlib buffered its input; the
      // member's start does not.
      if (members != 0 && member_start == member_end && offset - member_end <= 10 &&
          rc == Z_DATA_ERROR) {
        why += "; the bytes after the gzip member that ends at offset " +
               std::to_string(member_end) + " are not gzip data";
      } else {
        why += "; in the member that starts at offset " + std::to_string(member_start);
      }
      return fail("corrupt gzip data " + at() + " (" + why + ")");
    }
    return true;
  }

  bool zstd_some(std::string_view in) {
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    bool out_full = false;
    while (ib.pos < ib.size || out_full) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      const std::size_t before = ib.pos;
      if (!frame_open) frame_start = offset;
      const std::size_t rc = ZSTD_decompressStream(zd, &ob, &ib);
      offset += ib.pos - before;
      if (ZSTD_isError(rc) != 0U) {
        // libzstd reports errors a block (or a whole frame) at a time: name the frame too.
        return fail("corrupt zstd data " + at() + " (" + ZSTD_getErrorName(rc) +
                    "; in the frame that starts at offset " + std::to_string(frame_start) + ")");
      }
      if (ob.pos != 0) output(std::string_view(out.data(), ob.pos));
      out_full = (ob.pos == ob.size);
      frame_open = (rc != 0);
    }
    return true;
  }
};

Decoder::Decoder(Output output) : impl_(std::make_unique<Impl>(std::move(output))) {}
Decoder::~Decoder() = default;
bool Decoder::feed(std::string_view bytes) {
  return impl_->feed(bytes);
}
bool Decoder::finish() {
  return impl_->finish();
}
Compression Decoder::compression() const noexcept {
  return impl_->kind;
}
const std::string& Decoder::error() const noexcept {
  return impl_->error;
}
std::uint64_t Decoder::consumed() const noexcept {
  return impl_->offset;
}

}  // namespace kubepriv::scan
