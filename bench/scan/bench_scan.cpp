// `kubepriv scan` throughput: the streaming reader alone (JSON lines and `aws logs
// filter-log-events` output) and the whole scan (reader + evaluator + collapse + output), next to
// the evaluator alone over the same events, all in one run. Figures go to bench/RESULTS.md.
// The gzip rows: the same JSON lines compressed by zlib (level 6, gzip's default), decoded alone
// and scanned whole; --write-gz PATH also saves that file for the CLI comparison
// (bench/scan/gzip_cli.sh: `kubepriv scan f.gz` vs `zcat f.gz | kubepriv scan -`).
//   bench_scan [--size-mb N] [--runs N] [--check] [--write-gz PATH]
#include <time.h>  // clock_gettime (POSIX)
#include <zlib.h>

#include <algorithm>  // std::sort
#include <cstdio>     // std::printf
#include <cstdlib>    // std::strtoul
#include <fstream>    // std::ofstream
#include <string>
#include <string_view>
#include <vector>

#include "../detect/corpus.hpp"  // the EKS-style generator shared with bench/detect
#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/scan/decompress.hpp"
#include "kubepriv/scan/json_text.hpp"
#include "kubepriv/scan/scan.hpp"

namespace {

// CPU time of this thread: the machine is shared, and wall time would measure the neighbours.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
constexpr std::size_t kChunk = std::size_t{1} << 20U;  // what the CLI reads per syscall

struct CountEvents final : kubepriv::scan::EventHandler {
  std::size_t events = 0;
  std::size_t bytes = 0;
  void on_event(const kubepriv::scan::RawEvent& e) override {
    ++events;
    bytes += e.text.size();
  }
};

struct NullSink final : kubepriv::scan::ByteSink {
  std::size_t bytes = 0;
  kubepriv::common::Result<void> write(std::string_view b) override {
    bytes += b.size();
    return {};
  }
};

// The corpus as `aws logs filter-log-events` prints it: pages of up to 10,000 events.
std::string aws_form(const kubepriv::bench::Corpus& c) {
  std::string out;
  out.reserve(c.text.size() * 5 / 4);
  for (std::size_t i = 0; i < c.starts.size(); ++i) {
    if (i % 10000 == 0) out += "{\n    \"events\": [\n";
    out += "        {\n            \"logStreamName\": \"kube-apiserver-audit-0123456789abcdef\",\n";
    out += "            \"timestamp\": 1714644000000,\n            \"message\": ";
    kubepriv::scan::append_json_string(out,
                                       std::string_view(c.text).substr(c.starts[i], c.sizes[i]));
    out += ",\n            \"ingestionTime\": 1714644000500,\n            \"eventId\": \"";
    out += std::to_string(i);
    out += "\"\n        }";
    const bool last = (i + 1) % 10000 == 0 || i + 1 == c.starts.size();
    out += last ? "\n    ],\n    \"nextToken\": \"next\"\n}\n" : ",\n";
  }
  return out;
}

// One gzip member of `text` (zlib level 6, as gzip and kube-apiserver's rotation use).
std::string gzip(std::string_view text) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

template <typename F>
double median_seconds(int runs, F&& f) {
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const double start = cpu_seconds();
    f();
    t.push_back(cpu_seconds() - start);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void report(const char* what, std::size_t bytes, std::size_t events, double s, int runs) {
  const double mb = static_cast<double>(bytes) / 1e6;
  std::printf("%-46s %9.1f MB/s %11.0f events/s  (median %.3f s CPU of %d)\n", what, mb / s,
              static_cast<double>(events) / s, s, runs);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t size_mb = 256;
  int runs = 5;
  bool check = false;
  const char* write_gz = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--size-mb" && i + 1 < argc) {
      size_mb = std::strtoul(argv[++i], nullptr, 10);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = static_cast<int>(std::strtoul(argv[++i], nullptr, 10));
    } else if (a == "--check") {
      check = true;
    } else if (a == "--write-gz" && i + 1 < argc) {
      write_gz = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: bench_scan [--size-mb N] [--runs N] [--check] [--write-gz PATH]\n");
      return 2;
    }
  }
  if (runs < 1) runs = 1;
  const auto corpus = kubepriv::bench::Generator(42).make(size_mb << 20U);
  const std::string aws = aws_form(corpus);
  const std::size_t n = corpus.starts.size();
  std::printf("corpus: %zu events, %.1f MB JSON lines, %.1f MB as AWS CLI output\n", n,
              static_cast<double>(corpus.text.size()) / 1e6, static_cast<double>(aws.size()) / 1e6);

  auto read_all = [](std::string_view input, CountEvents& count) {
    kubepriv::scan::EventReader reader(count);
    for (std::size_t i = 0; i < input.size(); i += kChunk) reader.feed(input.substr(i, kChunk));
    reader.finish();
  };
  bool ok = true;
  {
    CountEvents c;
    const double s = median_seconds(runs, [&] {
      c = CountEvents{};
      read_all(corpus.text, c);
    });
    report("reader, JSON lines", corpus.text.size(), c.events, s, runs);
    ok = ok && c.events == n;
  }
  {
    CountEvents c;
    const double s = median_seconds(runs, [&] {
      c = CountEvents{};
      read_all(aws, c);
    });
    report("reader, AWS CLI output (decodes each message)", aws.size(), c.events, s, runs);
    ok = ok && c.events == n && c.bytes + n == corpus.text.size();
  }
  {
    kubepriv::audit::Evaluator ev;
    std::size_t flagged = 0;
    const double s = median_seconds(runs, [&] {
      flagged = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const auto& v =
            ev.evaluate(std::string_view(corpus.text).substr(corpus.starts[i], corpus.sizes[i]));
        flagged += v.privileged ? 1U : 0U;
      }
    });
    report("evaluator alone (lines pre-split)", corpus.text.size(), n, s, runs);
    ok = ok && flagged == corpus.expected_privileged;
  }
  for (const bool all : {false, true}) {
    for (const bool aws_input : {false, true}) {
      kubepriv::audit::Evaluator ev;
      NullSink sink;
      kubepriv::scan::Summary summary;
      const std::string& input = aws_input ? aws : corpus.text;
      const double s = median_seconds(runs, [&] {
        kubepriv::scan::Options o;
        o.all = all;
        o.format = all ? kubepriv::scan::Format::kJsonl : kubepriv::scan::Format::kTable;
        kubepriv::scan::BufferedWriter out(sink);
        kubepriv::scan::Scanner scanner(
            o,
            [&ev](std::string_view e) -> const kubepriv::core::Verdict& { return ev.evaluate(e); },
            out, [](std::string_view) {});
        scanner.begin_file("bench");
        for (std::size_t i = 0; i < input.size(); i += kChunk) {
          scanner.feed(std::string_view(input).substr(i, kChunk));
        }
        scanner.finish();
        summary = scanner.summary();
      });
      const char* what = all ? (aws_input ? "scan --all --format jsonl, AWS CLI output"
                                          : "scan --all --format jsonl, JSON lines")
                             : (aws_input ? "scan (alerts table), AWS CLI output"
                                          : "scan (alerts table), JSON lines");
      report(what, input.size(), summary.events, s, runs);
      ok = ok && summary.events == n && summary.errors == 0;
    }
  }
  {
    const std::string gz = gzip(corpus.text);
    std::printf("gzip (zlib level 6): %.1f MB (ratio %.1f)\n", static_cast<double>(gz.size()) / 1e6,
                static_cast<double>(corpus.text.size()) / static_cast<double>(gz.size()));
    if (write_gz != nullptr) std::ofstream(write_gz, std::ios::binary) << gz;
    std::size_t plain = 0;
    const double s = median_seconds(runs, [&] {
      plain = 0;
      kubepriv::scan::Decoder dec([&plain](std::string_view b) { plain += b.size(); });
      for (std::size_t i = 0; i < gz.size(); i += kChunk) {
        dec.feed(std::string_view(gz).substr(i, kChunk));
      }
      ok = dec.finish() && ok;
    });
    report("gzip decode alone (MB/s of decoded text)", corpus.text.size(), n, s, runs);
    ok = ok && plain == corpus.text.size();
    kubepriv::audit::Evaluator ev;
    NullSink sink;
    kubepriv::scan::Summary summary;
    const double s2 = median_seconds(runs, [&] {
      kubepriv::scan::Options o;
      kubepriv::scan::BufferedWriter out(sink);
      kubepriv::scan::Scanner scanner(
          o, [&ev](std::string_view e) -> const kubepriv::core::Verdict& { return ev.evaluate(e); },
          out, [](std::string_view) {});
      scanner.begin_file("bench.gz");
      for (std::size_t i = 0; i < gz.size(); i += kChunk) {
        scanner.feed(std::string_view(gz).substr(i, kChunk));
      }
      scanner.finish();
      summary = scanner.summary();
    });
    report("scan (alerts table), gzip JSON lines", corpus.text.size(), summary.events, s2, runs);
    ok = ok && summary.events == n && summary.errors == 0 && summary.unreadable == 0;
  }
  if (check && !ok) {
    std::fprintf(stderr, "bench_scan: CHECK FAILED: event counts differ from the generator's\n");
    return 1;
  }
  return 0;
}
