// In-process figures for the scp benchmark (bench/scp/run.sh):
//   scp_bench decode STREAM          CSV decode only (chunk framing + in-place unescape), in memory
//   scp_bench unescape STREAM        each `""` unescape kernel the CPU runs alone, over the quoted
//                                    fields of the first 192 KiB of the first body, copied afresh
//                                    into a reused buffer before each pass (in cache, like the
//                                    session's 256 KiB window); the copy's own time is subtracted.
//                                    First checks every kernel against CsvReader on the body
//   scp_bench evaluate EVENTS.jsonl [auto|dom|ondemand]
//                                    the detection alone (audit::Evaluator) over the same events,
//                                    with the given reading (default auto, the product's)
//   scp_bench session STREAM [echo]  the whole command (scp session + detection) from the stream
//                                    file to a temporary file; prints time and reply bytes, with
//                                    or without echoing the judged field (`_raw`) in the reply
//   scp_bench floor [--no-stage1] [BYTES...]
//                                    issue 13's floor as a process, timed by cpu_bench.py like
//                                    `kubepriv`: the SCP stream from stdin through the command's
//                                    own session driver, chunk reader and CSV decoder, simdjson's
//                                    stage 1 alone over every `_raw` (not with --no-stage1: the
//                                    floor's split), and one reply per request to stdout whose
//                                    body is BYTES long (kubepriv's reply body sizes for the
//                                    stream, in order; filler bytes, empty when not given);
//                                    counts go to stderr
// The session mode runs the product's own verdict adapter (src/cmd/kubepriv/verdict_annotator)
// so the `_raw` echo, which the command does not offer as an option, can be measured.
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>  // std::max
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>  // clock_gettime
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // std::move, std::pair
#include <vector>

#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/scp/annotate.hpp"
#include "kubepriv/scp/chunk.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/session.hpp"
#include "verdict_annotator.hpp"

namespace {

namespace scp = kubepriv::scp;

// CPU time of this process: on a shared 2-core machine wall time says more about the neighbours.
double now() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int decode(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) return 1;
  // Read all chunks into memory first so only decoding is timed.
  std::vector<std::string> bodies;
  scp::ChunkReader reader(fd);
  std::size_t bytes = 0;
  for (;;) {
    auto c = reader.next();
    if (!c || !*c) break;
    bodies.emplace_back((*c)->body.data(), (*c)->body.size());
    bytes += (*c)->body.size();
  }
  ::close(fd);
  std::vector<std::string_view> fields;
  std::size_t rows = 0;
  const double t0 = now();
  for (auto& b : bodies) {
    scp::CsvReader r(b);
    for (;;) {
      auto more = r.next(fields);
      if (!more) return 1;
      if (!*more) break;
      ++rows;
    }
  }
  const double s = now() - t0;
  std::printf("csv decode: %zu records, %.1f MB of bodies in %.3f s CPU: %.0f MB/s\n", rows,
              static_cast<double>(bytes) / 1e6, s, static_cast<double>(bytes) / 1e6 / s);
  return 0;
}

int evaluate(const char* path, kubepriv::audit::Evaluator::Reading reading) {
  // The detection alone over the same events (one per line), for the split of the session time.
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return 1;
  std::string all;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
  std::fclose(f);
  kubepriv::audit::Evaluator evaluator(reading);
  std::size_t events = 0;
  std::size_t flagged = 0;
  const double t0 = now();
  for (std::size_t pos = 0; pos < all.size();) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string::npos) nl = all.size();
    const auto& v = evaluator.evaluate(std::string_view(all).substr(pos, nl - pos));
    if (!v.reasons.empty()) ++flagged;
    ++events;
    pos = nl + 1;
  }
  const double s = now() - t0;
  std::printf(
      "detection alone: %zu events (%zu flagged), %.1f MB in %.3f s CPU: %.0f MB/s, %.0f "
      "events/s\n",
      events, flagged, static_cast<double>(all.size()) / 1e6, s,
      static_cast<double>(all.size()) / 1e6 / s, static_cast<double>(events) / s);
  return 0;
}

int session(const char* path, bool echo) {
  const int in = ::open(path, O_RDONLY);
  char tmpl[] = "/tmp/scp_bench_out_XXXXXX";
  const int out = ::mkstemp(tmpl);
  const int err = ::open("/dev/null", O_WRONLY);
  if (in < 0 || out < 0 || err < 0) return 1;
  ::unlink(tmpl);
  kubepriv::cmd::VerdictAnnotator annotator;
  scp::AnnotateCommand command(annotator, echo);
  const double t0 = now();
  const int status = scp::run_session(in, out, command, err);
  const double s = now() - t0;
  const auto in_bytes = static_cast<double>(::lseek(in, 0, SEEK_END));
  const auto out_bytes = static_cast<double>(::lseek(out, 0, SEEK_END));
  std::printf(
      "session %-8s: %.3f s CPU, %.0f MB/s of stream, reply %.1f MB (%.1f%% of the stream), exit "
      "%d\n",
      echo ? "echo" : "no-echo", s, in_bytes / 1e6 / s, out_bytes / 1e6,
      100.0 * out_bytes / in_bytes, status);
  ::close(in);
  ::close(out);
  ::close(err);
  return status;
}

// The least any exact verdict costs per event: today's verdict of an event whose JSON breaks
// anywhere (a bad UTF-8 byte or a stray comma after the envelope) is the parse error, so every
// byte of every event must be validated. Stage 1 (UTF-8 validation, string and structure
// indexing) is only part of that validation (stage 2 checks the grammar), so this undercounts.
class FloorCommand final : public scp::Handler {
 public:
  FloorCommand(bool run_stage1, std::vector<std::size_t> reply_bytes) noexcept
      : run_stage1_(run_stage1), reply_bytes_(std::move(reply_bytes)) {}

  kubepriv::common::Result<scp::GetinfoReply> getinfo(
      const scp::RequestMetadata& /*request*/) override {
    scp::GetinfoReply reply;  // what `kubepriv` answers without arguments
    reply.required_fields.emplace_back("_raw");
    return reply;
  }

  kubepriv::common::Result<void> execute(scp::ExecuteRequest& request,
                                         scp::ReplyBuffer& out) override {
    const std::size_t col = scp::find_column(request.columns, "_raw");
    for (;;) {
      auto more = request.rows.next(row_);
      if (!more) return tl::unexpected(more.error());
      if (!*more) break;
      ++events_;
      if (col >= row_.size()) continue;
      bytes_ += row_[col].size();
      if (run_stage1_ && !stage1(row_[col])) ++rejected_;
    }
    if (requests_ < reply_bytes_.size()) {
      char* p = out.room(reply_bytes_[requests_]);
      std::memset(p, 'x', reply_bytes_[requests_]);
      out.commit(p + reply_bytes_[requests_]);
    }
    ++requests_;
    return {};
  }

  [[nodiscard]] std::size_t requests() const noexcept { return requests_; }
  [[nodiscard]] std::size_t events() const noexcept { return events_; }
  [[nodiscard]] std::size_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

 private:
  // Stage 1 over `s`, where it lies when the SIMDJSON_PADDING bytes after it are in the same
  // page (readable: the command's evaluator parses in place by the same rule), else from a
  // padded copy. False when stage 1 rejects it.
  bool stage1(std::string_view s) {
    if (s.empty()) return false;
    if (s.size() > parser_.capacity() &&
        parser_.allocate(std::max(s.size(), 2 * parser_.capacity())) != simdjson::SUCCESS) {
      return false;
    }
    constexpr std::uintptr_t kPage = 4096;
    const auto last = reinterpret_cast<std::uintptr_t>(s.data()) + s.size() - 1;
    const char* p = s.data();
    if (last / kPage != (last + simdjson::SIMDJSON_PADDING) / kPage) {
      if (s.size() + simdjson::SIMDJSON_PADDING > copy_size_) {
        copy_size_ = 2 * (s.size() + simdjson::SIMDJSON_PADDING);
        copy_ = std::make_unique<char[]>(copy_size_);
      }
      std::memcpy(copy_.get(), s.data(), s.size());
      std::memset(copy_.get() + s.size(), 0, simdjson::SIMDJSON_PADDING);
      p = copy_.get();
    }
    return parser_.implementation->stage1(reinterpret_cast<const std::uint8_t*>(p), s.size(),
                                          simdjson::stage1_mode::regular) == simdjson::SUCCESS;
  }

  bool run_stage1_;
  std::vector<std::size_t> reply_bytes_;
  std::vector<std::string_view> row_;
  simdjson::dom::parser parser_;
  std::unique_ptr<char[]> copy_;
  std::size_t copy_size_ = 0;
  std::size_t requests_ = 0;
  std::size_t events_ = 0;
  std::size_t rejected_ = 0;
  std::size_t bytes_ = 0;
};

int run_floor(int argc, char** argv) {
  const bool run_stage1 = argc < 3 || std::strcmp(argv[2], "--no-stage1") != 0;
  std::vector<std::size_t> reply_bytes;
  for (int i = run_stage1 ? 2 : 3; i < argc; ++i) {
    reply_bytes.push_back(std::strtoull(argv[i], nullptr, 10));
  }
  FloorCommand command(run_stage1, std::move(reply_bytes));
  const int status = scp::run_session(0, 1, command, 2);
  std::fprintf(stderr,
               "floor: %zu execute requests, %zu events, %zu bytes of _raw, stage 1 %s: %zu "
               "rejected, exit %d\n",
               command.requests(), command.events(), command.bytes(),
               run_stage1 ? "run" : "skipped", command.rejected(), status);
  return status;
}

int unescape(const char* path) {
  const int fd = ::open(path, O_RDONLY);
  if (fd < 0) return 1;
  scp::ChunkReader reader(fd);
  std::string body;
  for (;;) {  // the first chunk with a body: the execute chunk after getinfo
    auto c = reader.next();
    if (!c || !*c) break;
    if (!(*c)->body.empty()) {
      body.assign((*c)->body.data(), (*c)->body.size());
      break;
    }
  }
  ::close(fd);
  // Where each quoted field's value starts (just after its opening quote) and what it decodes to;
  // the timed fields are those of the records in the first 192 KiB.
  constexpr std::size_t kBytes = std::size_t{192} << 10;
  std::string decoded = body;
  std::vector<std::pair<std::size_t, std::string_view>> quoted;
  std::vector<std::size_t> starts;
  std::size_t used = 0;
  {
    scp::CsvReader r(decoded);
    std::vector<std::string_view> fields;
    bool past = false;
    for (;;) {
      auto more = r.next(fields);
      if (!more) return 1;
      if (!*more) break;
      for (std::string_view f : fields) {
        const auto at = static_cast<std::size_t>(f.data() - decoded.data());
        if (at > kBytes) past = true;
        if (at > 0 && body[at - 1] == '"') {
          quoted.emplace_back(at, f);
          if (!past) starts.push_back(at);
        }
        if (!past) used = at + f.size();
      }
    }
  }
  if (starts.empty()) return 1;
  const std::string_view original(body.data(),
                                  std::min(body.size(), used + (std::size_t{1} << 12)));
  std::string work(original);
  constexpr int kPasses = 400;
  auto pass_time = [&](auto&& each) {
    double best = 1e9;
    for (int round = 0; round < 5; ++round) {
      const double t0 = now();
      for (int i = 0; i < kPasses; ++i) {
        std::memcpy(work.data(), original.data(), original.size());
        each();
      }
      best = std::min(best, now() - t0);
    }
    return best;
  };
  const double copy = pass_time([] {});
  const char* const names[] = {"baseline", "ssse3", "avx512"};
  // Every kernel must give CsvReader's values for every quoted field of the whole body.
  for (auto u : {scp::detail::Unescaper::kBaseline, scp::detail::Unescaper::kSsse3,
                 scp::detail::Unescaper::kAvx512}) {
    if (!scp::detail::unescaper_available(u)) continue;
    std::string check = body;
    char* const end = check.data() + check.size();
    for (const auto& [at, want] : quoted) {
      char* const value = check.data() + at;
      char* r = value;
      char* w = value;
      if (scp::detail::unescape_quoted_with(u, r, w, end, true) == nullptr ||
          std::string_view(value, static_cast<std::size_t>(w - value)) != want) {
        std::fprintf(stderr, "unescape %s: field at %zu differs from CsvReader's\n",
                     names[static_cast<int>(u)], at);
        return 1;
      }
    }
  }
  std::printf("unescape: every kernel gives CsvReader's values for all %zu quoted fields\n",
              quoted.size());
  for (auto u : {scp::detail::Unescaper::kBaseline, scp::detail::Unescaper::kSsse3,
                 scp::detail::Unescaper::kAvx512}) {
    if (!scp::detail::unescaper_available(u)) continue;
    std::size_t sink = 0;  // the value lengths, so the calls cannot be dropped
    const double t = pass_time([&] {
      char* const end = work.data() + work.size();
      for (std::size_t at : starts) {
        char* const value = work.data() + at;
        char* r = value;
        char* w = value;
        if (scp::detail::unescape_quoted_with(u, r, w, end, true) != nullptr) {
          sink += static_cast<std::size_t>(w - value);
        }
      }
    });
    const double bytes = static_cast<double>(used) * kPasses;
    std::printf(
        "unescape %-8s: %zu fields, %.0f KiB: %.1f GB/s in cache (copy excluded), %zu B out\n",
        names[static_cast<int>(u)], starts.size(), static_cast<double>(used) / 1024,
        bytes / (t - copy) / 1e9, sink / (5 * kPasses));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "decode") == 0) return decode(argv[2]);
  if (argc >= 3 && std::strcmp(argv[1], "unescape") == 0) return unescape(argv[2]);
  if (argc >= 3 && std::strcmp(argv[1], "evaluate") == 0) {
    using Reading = kubepriv::audit::Evaluator::Reading;
    const std::string_view r = argc > 3 ? argv[3] : "auto";
    if (r != "auto" && r != "dom" && r != "ondemand") return 2;
    return evaluate(argv[2], r == "dom"        ? Reading::kDom
                             : r == "ondemand" ? Reading::kOnDemand
                                               : Reading::kAuto);
  }
  if (argc >= 3 && std::strcmp(argv[1], "session") == 0) {
    return session(argv[2], argc > 3 && std::strcmp(argv[3], "echo") == 0);
  }
  if (argc >= 2 && std::strcmp(argv[1], "floor") == 0) return run_floor(argc, argv);
  std::fputs(
      "usage: scp_bench decode STREAM | unescape STREAM | evaluate EVENTS [auto|dom|ondemand] | "
      "session STREAM [echo] | floor [--no-stage1] [BYTES...] < STREAM\n",
      stderr);
  return 2;
}
