// In-process figures for the scp benchmark (bench/scp/run.sh):
//   scp_bench decode STREAM          CSV decode only (chunk framing + in-place unescape), in memory
//   scp_bench evaluate EVENTS.jsonl [auto|dom|ondemand]
//                                    the detection alone (audit::Evaluator) over the same events,
//                                    with the given reading (default auto, the product's)
//   scp_bench session STREAM [echo]  the whole command (scp session + detection) from the stream
//                                    file to a temporary file; prints time and reply bytes, with
//                                    or without echoing the judged field (`_raw`) in the reply
// The session mode runs the product's own verdict adapter (src/cmd/kubepriv/verdict_annotator)
// so the `_raw` echo, which the command does not offer as an option, can be measured.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>  // clock_gettime
#include <optional>
#include <string>
#include <string_view>
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

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "decode") == 0) return decode(argv[2]);
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
  std::fputs(
      "usage: scp_bench decode STREAM | evaluate EVENTS [auto|dom|ondemand] | session STREAM "
      "[echo]\n",
      stderr);
  return 2;
}
