#pragma once
/// @file
/// The CSV dialect of SCP v2 (splunk-protocols.md §1.8): `,` and `"`, `""` inside quotes,
/// quotes allowed on any field, LF or CRLF record ends, CR/LF as data inside quotes, UTF-8
/// passed through as bytes. Decoding happens in place: field views point into the body.

#include <cstddef>      // std::size_t
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::scp {

/// Where a body that is not held whole comes from (ChunkReader streams a request's body through
/// a small reused window this way, so each record is unescaped and judged while its bytes are
/// still in cache after read(2)).
class BodySource {
 public:
  /// The body bytes buffered now: [begin, end); `last` when end is the end of the body.
  struct Window {
    char* begin = nullptr;
    char* end = nullptr;
    bool last = true;
  };
  [[nodiscard]] virtual Window window() const noexcept = 0;
  /// Drops the bytes before `keep` (a pointer into the window) and buffers more of the body:
  /// afterwards window().begin is where the byte at `keep` now lies (the bytes may have moved)
  /// and the window ends later than before. An error when the input ends inside the body.
  virtual common::Result<void> more(char* keep) = 0;

 protected:
  BodySource() = default;
  ~BodySource() = default;
  BodySource(const BodySource&) = default;
  BodySource& operator=(const BodySource&) = default;
};

/// Reads records from a mutable CSV body, unescaping quoted fields in place (the body bytes
/// are overwritten). No allocation per record once `fields` has grown to the row width.
class CsvReader {
 public:
  /// Over a whole body held in memory.
  explicit CsvReader(std::span<char> body) noexcept
      : p_(body.data()), end_(body.data() + body.size()) {}
  /// Over a body that arrives piece by piece: a record is parsed as far as the window reaches
  /// and resumed (never re-read) after source.more(). The records, fields and errors are those
  /// of the whole body, however it is split.
  explicit CsvReader(BodySource& source) noexcept;

  /// Decodes the next record into `fields` (cleared first). Returns false at the end of the body.
  /// Errors: a quote left open at the end, or a character other than `,`/CR/LF after a
  /// closing quote. A completely empty line yields one empty field. With a BodySource, the
  /// views stay valid until the next call (the window may move).
  common::Result<bool> next(std::vector<std::string_view>& fields);

  /// 1-based number of the record `next` returned last (header = 1), for error messages.
  [[nodiscard]] std::size_t record_number() const noexcept { return record_; }

  /// True when everything has been read.
  [[nodiscard]] bool at_end() const noexcept { return last_ && p_ >= end_; }

 private:
  enum class Step : unsigned char { kRecord, kEnd, kMore };
  enum class State : unsigned char { kFieldStart, kQuoted, kAfterField };
  /// Parses as far as the window allows; kMore when the record goes on past it.
  common::Result<Step> parse(std::vector<std::string_view>& fields);
  /// The record in progress ends; the next one starts at `next`.
  Step end_record(char* next) noexcept {
    p_ = next;
    in_record_ = false;
    return Step::kRecord;
  }
  /// Asks the source for more and moves every pointer of the record in progress along.
  common::Result<void> refill(std::vector<std::string_view>& fields);

  char* p_;
  char* end_;
  std::size_t record_ = 0;
  BodySource* source_ = nullptr;
  bool last_ = true;  ///< end_ is the end of the body
  bool in_record_ = false;
  State state_ = State::kFieldStart;
  char* rec_ = nullptr;               ///< start of the record in progress
  char* value_ = nullptr;             ///< quoted field in progress: where its value starts
  char* qr_ = nullptr;                ///< and its read
  char* qw_ = nullptr;                ///< and write positions
  std::vector<std::size_t> offsets_;  ///< field offsets from rec_ while the window moves
};

namespace detail {
/// Unescapes a quoted field in place. `r` points just after the opening quote. Returns the
/// position after the closing quote (nullptr if there is none) and sets `w_end` to the end of
/// the unescaped value, which starts at the original `r`.
char* unescape_quoted(char* r, char* end, char*& w_end) noexcept;
/// The same without the SSSE3 fast path (tests compare the two).
char* unescape_quoted_baseline(char* r, char* end, char*& w_end) noexcept;
/// Resumable form: unescapes from `r` to `w` (w <= r; both advance). Returns the position after
/// the closing quote, with `w` at the end of the value. nullptr when [r, end) holds no closing
/// quote: with `last` the field is never closed; without it `r` and `w` say where to go on once
/// more bytes follow `end` (a quote as the last byte is kept back: it may be half of a `""`).
char* unescape_quoted_resume(char*& r, char*& w, char* end, bool last) noexcept;
/// The kernels behind unescape_quoted_resume (the fastest available one is used; tests run all).
enum class Unescaper : unsigned char { kBaseline, kSsse3, kAvx512 };
[[nodiscard]] bool unescaper_available(Unescaper u) noexcept;
char* unescape_quoted_with(Unescaper u, char*& r, char*& w, char* end, bool last) noexcept;
}  // namespace detail

/// Index of the first column named `name`, or `names.size()` when absent (first occurrence wins).
std::size_t find_column(std::span<const std::string_view> names, std::string_view name) noexcept;

/// True when `value` must be quoted on output (contains `,`, `"`, CR or LF).
bool csv_needs_quotes(std::string_view value) noexcept;

/// Appends `value` as one CSV field (quoted only when needed, `"` doubled).
void csv_append_field(std::string& out, std::string_view value);

/// The room csv_write_field needs for a `size`-byte value: every byte a doubled quote, two
/// quotes, or one whole 16-byte store for a short value.
constexpr std::size_t csv_field_bound(std::size_t size) noexcept {
  return 2 * size + 16;
}

/// csv_append_field into a buffer with room for csv_field_bound(value.size()) bytes at `out`;
/// returns the end of the field. The bytes between that end and the end of the room may be
/// overwritten with anything.
char* csv_write_field(char* out, std::string_view value) noexcept;

}  // namespace kubepriv::scp
