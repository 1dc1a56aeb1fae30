// Fuzz target: the `kubepriv scan` reader (kubepriv::scan::EventReader): JSON lines, pretty
// JSON documents and `aws logs filter-log-events` output, fed in arbitrary chunk sizes.
// Invariants beyond "no crash": the events found do not depend on how the bytes were chunked
// (whole, or in pieces whose size the first input byte picks); indexes count 1, 2, 3, ...;
// lines never go backwards; no event is larger than the cap.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::uint64_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move
#include <vector>       // std::vector

#include "kubepriv/scan/reader.hpp"

namespace {

constexpr std::size_t kCap = 4096;  // small, so the size cap is reached often

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_scan_reader: invariant broken: %s\n", what);
  std::abort();
}

struct Seen {
  std::string text;
  std::string error;
  std::uint64_t line;
  std::uint64_t index;
  bool operator==(const Seen&) const = default;
};

class Collect final : public kubepriv::scan::EventHandler {
 public:
  std::vector<Seen> events;
  void on_event(const kubepriv::scan::RawEvent& e) override {
    if (e.text.size() > kCap && e.error.empty()) fail("event larger than the cap delivered");
    if (e.index != events.size() + 1) fail("index does not count 1, 2, 3, ...");
    if (!events.empty() && e.line < events.back().line) fail("line went backwards");
    events.push_back({std::string(e.text), std::string(e.error), e.line, e.index});
  }
};

std::vector<Seen> read_all(std::string_view bytes, std::size_t piece) {
  Collect sink;
  kubepriv::scan::EventReader reader(sink, kCap);
  while (!bytes.empty()) {
    const std::size_t n = piece < bytes.size() ? piece : bytes.size();
    reader.feed(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  reader.finish();
  if (reader.events() != sink.events.size()) fail("events() disagrees with what was delivered");
  return std::move(sink.events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    (void)read_all({}, 1);
    return 0;
  }
  const std::size_t piece = 1 + data[0] % 97U;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = read_all(bytes, bytes.size() + 1);
  const auto pieces = read_all(bytes, piece);
  if (whole != pieces) fail("events depend on how the input was chunked");
  return 0;
}
