#pragma once
/// @file
/// SCP v2 framing: `chunked 1.0,<meta_len>,<body_len>\n` + metadata + body, read from and
/// written to file descriptors with read(2)/write(2) and exact byte counts.

#include <cstddef>      // std::size_t
#include <memory>       // std::unique_ptr
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"
#include "kubepriv/scp/csv.hpp"

namespace kubepriv::scp {

/// Largest metadata we accept (splunkd sends ~1 KB; a getinfo with a huge search is still small).
inline constexpr std::size_t kMaxMetaBytes = std::size_t{64} << 20;
/// Largest body we accept. splunkd's chunks are bounded by maxresultrows (16 MB seen for 50,000
/// rows); anything near this is a corrupt header, not data.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{2} << 30;

/// The two lengths of a chunk header.
struct ChunkHeader {
  std::size_t meta_len = 0;
  std::size_t body_len = 0;
};

/// Parses one header line without its `\n` (canonical form only: `chunked 1.0,<m>,<b>`).
/// Rejects signs, spaces, empty or non-decimal numbers, overflow and sizes above the limits.
common::Result<ChunkHeader> parse_chunk_header(std::string_view line);

/// One request. Views point into the reader's buffer and stay valid until the next read.
/// The body is mutable so the CSV decoder can unescape in place.
struct Chunk {
  std::string_view meta;
  std::span<char> body;
};

/// The start of a request whose body is read piece by piece (ChunkReader::next_streamed).
/// The metadata view stays valid until the body is read.
struct ChunkStart {
  std::string_view meta;
  std::size_t body_len = 0;
};

/// Buffered chunk reader over a file descriptor (a pipe from splunkd). A chunk is read either
/// whole (next) or as header and metadata, then its body through a small reused window
/// (next_streamed, then the BodySource interface, then skip_body).
class ChunkReader final : public BodySource {
 public:
  explicit ChunkReader(int fd) noexcept;
  ~ChunkReader();
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  /// Reads the next whole chunk. std::nullopt on a clean EOF between chunks (stray `\n`s
  /// between chunks are skipped). An error on a bad header, EOF inside a chunk or a read error.
  common::Result<std::optional<Chunk>> next();

  /// Reads the next chunk's header and metadata; the body stays in the stream, read through
  /// window()/more() (e.g. by a CsvReader) and finished with skip_body(). std::nullopt on a
  /// clean EOF; the errors of next(), with the same messages.
  common::Result<std::optional<ChunkStart>> next_streamed();
  /// The part of the current body buffered now (after next_streamed()).
  [[nodiscard]] Window window() const noexcept override;
  /// Drops the body bytes before `keep` and reads more (at least one byte, usually a window).
  /// The error of next() when the input ends inside the chunk.
  common::Result<void> more(char* keep) override;
  /// Skips the rest of the current body (reading it if needed): the next chunk follows. The
  /// error of next() when the input ends inside the chunk.
  common::Result<void> skip_body();

  /// Bytes consumed so far (for error messages).
  [[nodiscard]] std::size_t offset() const noexcept { return consumed_ + pos_; }

 private:
  /// Makes sure `n` bytes are buffered from pos_; false on EOF. Errors on read failure.
  common::Result<bool> fill(std::size_t n);
  void reserve(std::size_t total);
  /// Skips stray newlines, reads and parses a header (its lengths go to meta_len_ and body_len_):
  /// the header line's length, std::nullopt on a clean EOF.
  common::Result<std::optional<std::size_t>> read_header();
  /// Buffers `n` bytes after the header line; the truncation error if the input ends first.
  common::Result<bool> fill_chunk(std::size_t line_len, std::size_t n);
  /// "end of input inside a chunk" for the current chunk.
  [[nodiscard]] tl::unexpected<common::Error> truncated() const;

  /// The buffer is an anonymous mapping of `size` bytes (grown in place with mremap on Linux).
  struct Unmap {
    Unmap() noexcept : size(0) {}
    explicit Unmap(std::size_t bytes) noexcept : size(bytes) {}
    std::size_t size;
    void operator()(char* p) const noexcept;
  };
  int fd_;
  std::unique_ptr<char, Unmap> buf_;
  std::size_t cap_ = 0;
  std::size_t pos_ = 0;       ///< start of unconsumed data
  std::size_t end_ = 0;       ///< end of buffered data
  std::size_t consumed_ = 0;  ///< bytes dropped from the front by compaction
  bool eof_ = false;
  // The current chunk (absolute offsets count from the start of the stream).
  std::size_t meta_len_ = 0;
  std::size_t body_len_ = 0;
  std::size_t data_start_ = 0;  ///< absolute offset of its metadata
  std::size_t body_end_ = 0;    ///< absolute offset of the end of its body (streamed)
};

/// Appends the canonical header for the given lengths to `out` (no allocation if it fits).
void append_chunk_header(std::string& out, std::size_t meta_len, std::size_t body_len);

/// Writes header + meta + body with writev(2), looping over partial writes and EINTR.
common::Result<void> write_chunk(int fd, std::string_view meta, std::string_view body);

}  // namespace kubepriv::scp
