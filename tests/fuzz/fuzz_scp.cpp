// Fuzz target: the SCP v2 request stream exactly as splunkd writes it to the command's stdin:
// chunk framing (kubepriv::scp::ChunkReader over a file descriptor), request metadata JSON,
// getinfo options, the CSV body and the `__mv_` multivalue twins.
// Invariants beyond "no crash":
//   * CSV round trip: every decoded record, re-encoded with csv_append_field, decodes to the
//     same fields (the search command writes what it read);
//   * multivalue round trip: a decoded twin re-encodes to exactly the bytes it came from (the
//     grammar has one spelling per value list);
//   * the error reply for any error message is a JSON object (nlohmann accepts it), even when
//     the message quotes invalid UTF-8 from the input;
//   * a body read through a window (as the command reads requests: BodySource, the record
//     resumed after each refill) gives the records and the error of the whole body, for window
//     steps of 1 to 97 bytes;
//   * every `""` unescape kernel the CPU runs (baseline, SSSE3, AVX-512) gives the baseline's
//     closing quote and value for each body taken as a quoted field, whole and resumed at a cut.

#include <sys/mman.h>  // memfd_create
#include <unistd.h>    // write, lseek, close

#include <algorithm>  // std::min
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint8_t
#include <cstdio>     // std::fprintf
#include <cstdlib>    // std::abort
#include <nlohmann/json.hpp>
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/scp/chunk.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/metadata.hpp"
#include "kubepriv/scp/multivalue.hpp"
#include "kubepriv/scp/options.hpp"

namespace {

namespace scp = kubepriv::scp;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_scp: invariant broken: %s\n", what);
  std::abort();
}

void check_error_reply(std::string_view message) {
  const std::string meta = scp::error_reply_metadata(message);
  if (!nlohmann::json::accept(meta)) fail("error reply metadata is not valid JSON");
}

std::span<char> mutable_view(std::string_view v) {
  // Field views point into the chunk body, which the reader hands out mutable (span<char>).
  return {const_cast<char*>(v.data()), v.size()};
}

void check_csv_round_trip(const std::vector<std::string_view>& fields) {
  std::string encoded;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) encoded += ',';
    scp::csv_append_field(encoded, fields[i]);
  }
  encoded += '\n';
  scp::CsvReader again(std::span<char>(encoded.data(), encoded.size()));
  std::vector<std::string_view> decoded;
  const auto got = again.next(decoded);
  if (!got || !*got) fail("re-encoded CSV record does not decode");
  if (decoded != fields) fail("CSV round trip changed the record");
}

void check_body(std::span<char> body) {
  scp::CsvReader reader(body);
  std::vector<std::string_view> header;
  auto first = reader.next(header);
  if (!first) {
    check_error_reply(first.error().message);
    return;
  }
  if (!*first) return;
  check_csv_round_trip(header);
  std::vector<bool> is_mv(header.size());
  for (std::size_t i = 0; i < header.size(); ++i)
    is_mv[i] = header[i].substr(0, scp::kMvPrefix.size()) == scp::kMvPrefix;
  (void)scp::find_column(header, "_raw");
  std::vector<std::string_view> fields;
  std::vector<std::string_view> values;
  for (int rows = 0; rows < 10000; ++rows) {
    auto more = reader.next(fields);
    if (!more) {
      check_error_reply(more.error().message);
      return;
    }
    if (!*more) return;
    check_csv_round_trip(fields);
    for (std::size_t i = 0; i < fields.size() && i < is_mv.size(); ++i) {
      if (!is_mv[i] || fields[i].empty()) continue;
      const std::string original(fields[i]);
      auto decoded = scp::mv_decode(mutable_view(fields[i]), values);
      if (!decoded) {
        check_error_reply(decoded.error().message);
        continue;
      }
      std::string encoded;
      scp::mv_append_encoded(encoded, values);
      if (encoded != original) fail("multivalue round trip changed the bytes");
      std::string joined;
      scp::mv_append_joined(joined, values);
    }
  }
}

/// A body revealed `step` bytes per more(), the kept bytes moving each time (as the window does).
class StepSource final : public scp::BodySource {
 public:
  StepSource(std::string_view body, std::size_t step) : body_(body), step_(step) { reveal(); }
  [[nodiscard]] Window window() const noexcept override {
    return {win_.data(), win_.data() + win_.size(), next_ == body_.size()};
  }
  kubepriv::common::Result<void> more(char* keep) override {
    win_.erase(0, static_cast<std::size_t>(keep - win_.data()));
    win_.shrink_to_fit();  // a fresh block: views the reader forgot to move would dangle
    reveal();
    return {};
  }

 private:
  void reveal() {
    const std::size_t n = std::min(step_, body_.size() - next_);
    win_.append(body_.substr(next_, n));
    next_ += n;
  }
  std::string_view body_;
  std::size_t step_;
  mutable std::string win_;  // window() hands out mutable bytes, as ChunkReader does
  std::size_t next_ = 0;
};

/// Every record of `reader` flattened, then the error (if any).
std::vector<std::string> all_records(scp::CsvReader& reader) {
  std::vector<std::string> out;
  std::vector<std::string_view> fields;
  for (int rows = 0; rows < 10000; ++rows) {
    auto more = reader.next(fields);
    if (!more) {
      out.push_back("error: " + more.error().message);
      break;
    }
    if (!*more) break;
    std::string rec;
    for (std::string_view f : fields) rec.append(f).append(1, '\0');
    out.push_back(rec);
  }
  return out;
}

void check_streamed(std::string_view body, std::size_t step) {
  std::string copy(body);
  scp::CsvReader whole(std::span<char>(copy.data(), copy.size()));
  StepSource source(body, step);
  scp::CsvReader streamed(source);
  if (all_records(whole) != all_records(streamed)) fail("a windowed body reads differently");
}

void check_meta(std::string_view meta) {
  const auto parsed = scp::parse_request_metadata(meta);
  if (!parsed) {
    check_error_reply(parsed.error().message);
    return;
  }
  const auto options = scp::split_options(parsed->args);
  if (!options) {
    check_error_reply(options.error().message);
    return;
  }
  for (const auto& option : *options) {
    const auto b = scp::parse_splunk_bool(option.value);
    if (!b) check_error_reply(b.error().message);
  }
}

}  // namespace

/// The kernels behind CsvReader, each over `field` (the bytes after an opening quote), whole and
/// with the window first ending at `cut`: the same closing quote and value as the baseline.
void check_unescape_kernels(const std::string& field, std::size_t cut) {
  using scp::detail::Unescaper;
  struct Out {
    std::ptrdiff_t after = -1;
    std::string value;
  };
  const auto run = [&field](Unescaper u, std::size_t first_end) {
    std::vector<char> buf(field.begin(), field.end());  // exact size: ASan sees reads past it
    char* const base = buf.data();
    char* r = base;
    char* w = base;
    char* after = nullptr;
    if (first_end < field.size()) {
      after = scp::detail::unescape_quoted_with(u, r, w, base + first_end, false);
    }
    if (after == nullptr)
      after = scp::detail::unescape_quoted_with(u, r, w, base + field.size(), true);
    Out out;
    if (after != nullptr) {
      out.after = after - base;
      out.value.assign(base, w);
    }
    return out;
  };
  const Out want = run(Unescaper::kBaseline, field.size());
  for (Unescaper u : {Unescaper::kBaseline, Unescaper::kSsse3, Unescaper::kAvx512}) {
    if (!scp::detail::unescaper_available(u)) continue;
    for (std::size_t first_end : {field.size(), cut}) {
      const Out got = run(u, first_end);
      if (got.after != want.after || got.value != want.value) {
        fail("an unescape kernel differs from the baseline");
      }
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The header parser alone, on the first line.
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto header = scp::parse_chunk_header(bytes.substr(0, bytes.find('\n')));
  if (!header) check_error_reply(header.error().message);

  // The whole stream, through a real file descriptor as in production.
  const int fd = memfd_create("fuzz_scp", 0);
  if (fd < 0) return 0;
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  {
    scp::ChunkReader reader(fd);
    for (int chunks = 0; chunks < 1000; ++chunks) {
      auto chunk = reader.next();
      if (!chunk) {
        check_error_reply(chunk.error().message);
        break;
      }
      if (!*chunk) break;  // clean EOF
      check_meta((*chunk)->meta);
      const std::string body((*chunk)->body.data(), (*chunk)->body.size());
      check_body((*chunk)->body);  // unescapes in place
      check_streamed(body, 1 + size % 97);
      if (!body.empty()) check_unescape_kernels(body, size % body.size());
    }
  }
  ::close(fd);
  return 0;
}
