#include "kubepriv/scp/chunk.hpp"

#include <sys/mman.h>  // mmap, mremap, munmap, madvise
#include <sys/uio.h>   // writev
#include <unistd.h>    // read

#include <cerrno>   // errno, EINTR
#include <cstring>  // std::memchr, std::memmove, std::memcpy, std::strerror
#include <new>      // std::bad_alloc
#include <string>   // std::string, std::to_string

#include "kubepriv/common/decimal.hpp"

namespace kubepriv::scp {
namespace {

using common::ErrorCode;
using common::fail;

constexpr std::string_view kPrefix = "chunked 1.0,";
// A canonical header is at most "chunked 1.0," + 2 * 20 digits + "," ; longer means garbage.
constexpr std::size_t kMaxHeaderLine = 64;
// Reads ask for at least this much, so small chunks cost one read(2) each.
constexpr std::size_t kMinRead = std::size_t{256} << 10;
// A streamed body goes through a window of this size (fits in L2 with room for the reply), read
// at least kWindowRead at a time.
constexpr std::size_t kWindow = std::size_t{256} << 10;
constexpr std::size_t kWindowRead = std::size_t{128} << 10;

/// Strict decimal: 1..19 digits, no sign, no spaces, value <= limit.
bool parse_length(std::string_view s, std::size_t limit, std::size_t& out) {
  if (s.size() > 19) return false;
  const auto v = common::parse_decimal<std::size_t>(s);
  if (!v || *v > limit) return false;
  out = *v;
  return true;
}

/// A printable excerpt of a bad header for the error message.
std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

common::Result<ChunkHeader> parse_chunk_header(std::string_view line) {
  if (line.substr(0, kPrefix.size()) != kPrefix) {
    return fail(ErrorCode::kProtocol,
                "bad chunk header (expected 'chunked 1.0,<meta>,<body>'): '" + excerpt(line) + "'");
  }
  std::string_view rest = line.substr(kPrefix.size());
  const auto comma = rest.find(',');
  if (comma == std::string_view::npos) {
    return fail(ErrorCode::kProtocol,
                "bad chunk header (missing body length): '" + excerpt(line) + "'");
  }
  ChunkHeader h;
  if (!parse_length(rest.substr(0, comma), kMaxMetaBytes, h.meta_len)) {
    return fail(ErrorCode::kProtocol,
                "bad chunk header (metadata length not a decimal number "
                "up to " +
                    std::to_string(kMaxMetaBytes) + "): '" + excerpt(line) + "'");
  }
  if (!parse_length(rest.substr(comma + 1), kMaxBodyBytes, h.body_len)) {
    return fail(ErrorCode::kProtocol, "bad chunk header (body length not a decimal number up to " +
                                          std::to_string(kMaxBodyBytes) + "): '" + excerpt(line) +
                                          "'");
  }
  return h;
}

void ChunkReader::Unmap::operator()(char* p) const noexcept {
  ::munmap(p, size);
}

ChunkReader::ChunkReader(int fd) noexcept : fd_(fd) {}
ChunkReader::~ChunkReader() = default;

void ChunkReader::reserve(std::size_t total) {
  // Compact first: what was consumed is never looked at again.
  if (pos_ > 0) {
    if (end_ > pos_) std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    consumed_ += pos_;
    end_ -= pos_;
    pos_ = 0;
  }
  if (total <= cap_) return;
  std::size_t cap = cap_ == 0 ? kMinRead : cap_;  // a multiple of the page size, as mremap needs
  while (cap < total) cap *= 2;
  // One anonymous mapping for the whole session, kept across chunks. Growing it moves page-table
  // entries (mremap) instead of copying what is buffered into fresh memory: a copy touches pages
  // the kernel must clear first, and the first 10,000-row chunk of pod-spec writes (50 MB) used to
  // spend a third of the command's CPU time on that (issue 13). Pages never touched cost nothing.
  void* raw = MAP_FAILED;
#if defined(__linux__)
  if (buf_) raw = ::mremap(buf_.get(), cap_, cap, MREMAP_MAYMOVE);
#endif
  const bool moved = raw != MAP_FAILED;
  if (!moved) {
    raw = ::mmap(nullptr, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();     // run_session turns this into an error reply
    if (end_ > 0) std::memcpy(raw, buf_.get(), end_);  // only without mremap
  }
  // Big buffers (chunks of 50,000 events are 100+ MB) are offered to transparent huge pages,
  // which saves most of the page faults of the first pass over them (advisory; failure is
  // harmless).
  constexpr std::size_t kHugeAdvice = std::size_t{8} << 20;
  if (cap >= kHugeAdvice) ::madvise(raw, cap, MADV_HUGEPAGE);
  if (moved) static_cast<void>(buf_.release());  // the old mapping is gone, not to be unmapped
  buf_ = std::unique_ptr<char, Unmap>(static_cast<char*>(raw), Unmap{cap});
  cap_ = cap;
}

common::Result<bool> ChunkReader::fill(std::size_t n) {
  if (end_ - pos_ >= n) return true;
  while (end_ - pos_ < n) {
    if (eof_) return false;
    // Grow with the bytes that actually arrive (at most doubling what is buffered), never with
    // the length a header announces: a 70-byte stream claiming a 2 GB body must not make us
    // allocate 2 GB. Doubling keeps the copying linear in the chunk size.
    const std::size_t have = end_ - pos_;
    if (pos_ + n > cap_ || cap_ - end_ < kMinRead / 4) {
      const std::size_t step = have > kMinRead / 2 ? 2 * have : kMinRead;
      reserve(step < n ? step : n);
    }
    // Ask for what the chunk still needs (at least kMinRead): reading far beyond the chunk would
    // only have to be moved to the front of the buffer before the next one.
    const std::size_t missing = n - (end_ - pos_);
    const std::size_t room = cap_ - end_;
    const std::size_t want = missing > kMinRead ? missing : kMinRead;
    const ssize_t got = ::read(fd_, buf_.get() + end_, want < room ? want : room);
    if (got < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, std::string("reading stdin failed: ") + std::strerror(errno));
    }
    if (got == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<std::size_t>(got);
  }
  return true;
}

common::Result<std::optional<std::size_t>> ChunkReader::read_header() {
  using Found = std::optional<std::size_t>;
  // Skip stray newlines between chunks (old splunklib wrote one after its getinfo reply).
  for (;;) {
    auto ok = fill(1);
    if (!ok) return tl::unexpected(ok.error());
    if (!*ok) return Found{};  // clean EOF at a chunk boundary
    if (buf_.get()[pos_] != '\n') break;
    ++pos_;
  }
  // Find the header's newline within kMaxHeaderLine bytes.
  std::size_t line_len = 0;
  for (;;) {
    const std::size_t avail = end_ - pos_;
    const std::size_t look = avail < kMaxHeaderLine ? avail : kMaxHeaderLine;
    const void* nl = std::memchr(buf_.get() + pos_, '\n', look);
    if (nl != nullptr) {
      line_len = static_cast<std::size_t>(static_cast<const char*>(nl) - (buf_.get() + pos_));
      break;
    }
    if (avail >= kMaxHeaderLine) {
      return fail(ErrorCode::kProtocol, "bad chunk header (no newline within " +
                                            std::to_string(kMaxHeaderLine) + " bytes): '" +
                                            excerpt({buf_.get() + pos_, avail}) + "'");
    }
    auto ok = fill(avail + 1);
    if (!ok) return tl::unexpected(ok.error());
    if (!*ok) {
      const std::string_view partial(buf_.get() + pos_, end_ - pos_);
      if (partial.substr(0, kPrefix.size()) != kPrefix.substr(0, partial.size())) {
        return fail(ErrorCode::kProtocol,
                    "bad chunk header (expected 'chunked 1.0,<meta>,<body>')"
                    ": '" +
                        excerpt(partial) + "'");
      }
      return fail(ErrorCode::kProtocol, "end of input inside a chunk header: '" +
                                            excerpt({buf_.get() + pos_, end_ - pos_}) + "'");
    }
  }
  auto header = parse_chunk_header({buf_.get() + pos_, line_len});
  if (!header) return tl::unexpected(header.error());
  meta_len_ = header->meta_len;
  body_len_ = header->body_len;
  return Found{line_len};
}

common::Result<bool> ChunkReader::fill_chunk(std::size_t line_len, std::size_t n) {
  auto ok = fill(line_len + 1 + n);
  if (!ok) return tl::unexpected(ok.error());
  if (!*ok) {
    data_start_ = consumed_ + pos_ + line_len + 1;
    return truncated();
  }
  return true;
}

tl::unexpected<common::Error> ChunkReader::truncated() const {
  const std::size_t have = consumed_ + end_ - data_start_;
  return fail(ErrorCode::kProtocol, "end of input inside a chunk: header announced " +
                                        std::to_string(meta_len_) + " bytes of metadata and " +
                                        std::to_string(body_len_) + " bytes of body, only " +
                                        std::to_string(have) + " of those " +
                                        std::to_string(meta_len_ + body_len_) + " bytes arrived");
}

common::Result<std::optional<Chunk>> ChunkReader::next() {
  auto line = read_header();
  if (!line) return tl::unexpected(line.error());
  if (!*line) return std::optional<Chunk>{};
  auto ok = fill_chunk(**line, meta_len_ + body_len_);
  if (!ok) return tl::unexpected(ok.error());
  char* base = buf_.get() + pos_ + **line + 1;
  Chunk chunk{{base, meta_len_}, {base + meta_len_, body_len_}};
  pos_ += **line + 1 + meta_len_ + body_len_;
  return std::optional<Chunk>{chunk};
}

common::Result<std::optional<ChunkStart>> ChunkReader::next_streamed() {
  auto line = read_header();
  if (!line) return tl::unexpected(line.error());
  if (!*line) return std::optional<ChunkStart>{};
  auto ok = fill_chunk(**line, meta_len_);
  if (!ok) return tl::unexpected(ok.error());
  data_start_ = consumed_ + pos_ + **line + 1;
  body_end_ = data_start_ + meta_len_ + body_len_;
  // The metadata stays put until the first more(): compaction keeps only what lies after it.
  const std::string_view meta(buf_.get() + pos_ + **line + 1, meta_len_);
  pos_ += **line + 1 + meta_len_;
  return std::optional<ChunkStart>{ChunkStart{meta, body_len_}};
}

BodySource::Window ChunkReader::window() const noexcept {
  const std::size_t body_end = body_end_ - consumed_;  // index into buf_
  const bool last = body_end <= end_;
  return {buf_.get() + pos_, buf_.get() + (last ? body_end : end_), last};
}

common::Result<void> ChunkReader::more(char* keep) {
  pos_ = static_cast<std::size_t>(keep - buf_.get());
  const std::size_t have = end_ - pos_;
  // Keep the window small (it is reused, and what read(2) delivers is judged while in cache);
  // it grows only while one record does not fit in half of it.
  const std::size_t want = have + kWindowRead > kWindow ? 2 * have + kWindowRead : kWindow;
  reserve(want > cap_ ? want : cap_);  // compacts: keep moves to the front
  for (;;) {
    const ssize_t got = ::read(fd_, buf_.get() + end_, cap_ - end_);
    if (got < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, std::string("reading stdin failed: ") + std::strerror(errno));
    }
    if (got == 0) {
      eof_ = true;
      return truncated();
    }
    end_ += static_cast<std::size_t>(got);
    return {};
  }
}

common::Result<void> ChunkReader::skip_body() {
  while (consumed_ + end_ < body_end_) {
    if (eof_) return truncated();
    pos_ = end_;
    auto ok = more(buf_.get() + end_);
    if (!ok) return ok;
  }
  pos_ = body_end_ - consumed_;
  return {};
}

void append_chunk_header(std::string& out, std::size_t meta_len, std::size_t body_len) {
  char tmp[64];
  char* p = tmp + sizeof tmp;
  auto put = [&p](std::size_t v) {
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
  };
  *--p = '\n';
  put(body_len);
  *--p = ',';
  put(meta_len);
  out.append(kPrefix);
  out.append(p, static_cast<std::size_t>(tmp + sizeof tmp - p));
}

common::Result<void> write_chunk(int fd, std::string_view meta, std::string_view body) {
  std::string header;
  header.reserve(48);  // fits SSO-free small buffer once; replies are one per request
  append_chunk_header(header, meta.size(), body.size());
  iovec iov[3] = {{header.data(), header.size()},
                  {const_cast<char*>(meta.data()), meta.size()},
                  {const_cast<char*>(body.data()), body.size()}};
  int first = 0;
  while (first < 3) {
    const ssize_t put = ::writev(fd, iov + first, 3 - first);
    if (put < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::kIo, std::string("writing stdout failed: ") + std::strerror(errno));
    }
    auto left = static_cast<std::size_t>(put);
    while (first < 3 && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < 3) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return {};
}

}  // namespace kubepriv::scp
