#pragma once
/// @file
/// Streaming decompression for `kubepriv scan`: the format is told by the first bytes (never by
/// the file name). gzip (any number of concatenated members, as `cat a.gz b.gz` and log rotation
/// produce) through zlib, zstd (any number of frames) through libzstd; anything else passes
/// through unchanged. Other compressors' magic bytes (xz, bzip2, lz4) are an error, so their
/// bytes are never read as JSON. Memory is bounded: one fixed output buffer plus the codec state.

#include <cstdint>      // std::uint64_t
#include <functional>   // std::function
#include <memory>       // std::unique_ptr
#include <string>       // std::string
#include <string_view>  // std::string_view

namespace kubepriv::scan {

/// What the first bytes of an input say.
enum class Compression { kUnknown, kNone, kGzip, kZstd, kUnsupported };

/// "unknown", "none", "gzip", "zstd", "unsupported".
std::string_view to_string(Compression compression) noexcept;

/// Decodes one input. Feed it the bytes in any chunk sizes, then call finish() once.
class Decoder {
 public:
  /// Receives the decoded bytes, in order; the view is valid only during the call.
  using Output = std::function<void(std::string_view)>;

  explicit Decoder(Output output);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  /// Decodes the next bytes. Returns false once the input is known to be damaged (or in an
  /// unsupported format); error() then says why and where, and further input is ignored. All
  /// bytes decoded before the damage have been passed to the output.
  bool feed(std::string_view bytes);
  /// End of input: returns false when the stream breaks off inside a gzip member or zstd frame.
  bool finish();

  /// The format (kUnknown until enough bytes were seen).
  [[nodiscard]] Compression compression() const noexcept;
  /// Why decoding stopped, naming the compressed byte offset, e.g. "corrupt gzip data at
  /// compressed byte offset 1234 (invalid block type)". Empty while all is well.
  [[nodiscard]] const std::string& error() const noexcept;
  /// Input bytes accepted so far (compressed bytes, or plain bytes for plain input).
  [[nodiscard]] std::uint64_t consumed() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepriv::scan
