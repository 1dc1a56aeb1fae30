// The baseline of the scp benchmark: simdjson's bare parse (DOM, full validation) of the same
// audit events that bench/scp/gen_stream.py puts into the SCP stream, one event per line.
// usage: scp_simdjson_parse events.jsonl [repeats]; prints MB/s and events/s of the best run.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>  // clock_gettime
#include <string>
#include <string_view>
#include <vector>

namespace {
// Process CPU time, as scp_bench reports it: on a shared machine wall time measures the neighbours.
double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: scp_simdjson_parse events.jsonl [repeats]\n", stderr);
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  simdjson::padded_string data;
  if (simdjson::padded_string::load(argv[1]).get(data) != simdjson::SUCCESS) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const std::string_view all(data.data(), data.size());
  // Copy each line into its own padded buffer once, as a caller holding one event would.
  std::vector<simdjson::padded_string> events;
  for (std::size_t pos = 0; pos < all.size();) {
    std::size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    if (nl > pos) events.emplace_back(all.substr(pos, nl - pos));
    pos = nl + 1;
  }
  simdjson::dom::parser parser;
  double best = 1e30;
  std::size_t checksum = 0;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = cpu_seconds();
    for (const auto& e : events) {
      simdjson::dom::element doc;
      if (parser.parse(e).get(doc) != simdjson::SUCCESS) return 1;
      checksum += doc.is_object() ? 1 : 0;
    }
    const double s = cpu_seconds() - t0;
    if (s < best) best = s;
  }
  std::printf(
      "simdjson dom parse: %zu events, %.1f MB, best of %d: %.3f s CPU, %.0f MB/s, %.0f events/s "
      "(%zu)\n",
      events.size(), static_cast<double>(data.size()) / 1e6, repeats, best,
      static_cast<double>(data.size()) / 1e6 / best, static_cast<double>(events.size()) / best,
      checksum);
  return 0;
}
