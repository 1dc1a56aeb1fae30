// Fuzz target: one Kubernetes audit event (JSON, as any API-server client can shape it, patch
// bodies included) -> kubepriv::audit::Evaluator -> core::Verdict.
// Beyond "no crash", it checks invariants every verdict must keep:
//   * privileged implies reason privileged_container and outcome success (it "took effect");
//   * an error verdict is never privileged;
//   * containers and images only name things when there is a reason;
//   * evaluating the same bytes again on the reused evaluator gives the same verdict (the
//     evaluator reuses buffers between calls: stale state would show here);
//   * every output field renders (core::field_values) without touching freed memory.
// Inputs holding several lines are also evaluated line by line (the JSONL shape of the shared
// fixtures and of kube-apiserver's log backend).

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/core/fields.hpp"
#include "kubepriv/core/verdict.hpp"

namespace {

using kubepriv::core::Outcome;
using kubepriv::core::Reason;
using kubepriv::core::Verdict;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_audit: invariant broken: %s\n", what);
  std::abort();
}

struct Snapshot {
  bool privileged = false;
  std::uint16_t reasons = 0;
  Outcome outcome = Outcome::kNone;
  std::vector<std::string> containers;
  std::vector<std::string> images;
  std::string error;
  std::string audit_id;
  std::string user;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const Verdict& v) {
  return Snapshot{v.privileged, v.reasons.bits(), v.outcome,  v.containers,
                  v.images,     v.error,          v.audit_id, v.user};
}

void check(const Verdict& v) {
  if (v.privileged && !v.reasons.has(Reason::kPrivilegedContainer))
    fail("privileged without privileged_container");
  if (v.privileged && v.outcome != Outcome::kSuccess) fail("privileged but outcome not success");
  if (!v.error.empty() && v.privileged) fail("error verdict marked privileged");
  if (v.reasons.empty() && !v.containers.empty()) fail("containers named without any reason");
  std::vector<std::string_view> values;
  std::string scratch;
  std::size_t total = 0;
  for (std::size_t i = 0; i < kubepriv::core::kFields.size(); ++i) {
    values.clear();
    kubepriv::core::field_values(v, i, values, scratch);
    for (std::string_view s : values) total += s.size();  // touch every byte's extent
  }
  if (total > (std::size_t{1} << 40)) fail("absurd output size");
}

kubepriv::audit::Evaluator& evaluator() {
  static kubepriv::audit::Evaluator instance;  // reused across inputs, as the binaries do
  return instance;
}

void run_one(std::string_view event) {
  const Snapshot first = snapshot(evaluator().evaluate(event));
  const Verdict& again = evaluator().evaluate(event);
  check(again);
  if (!(snapshot(again) == first)) fail("same bytes, different verdict on the reused evaluator");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  run_one(input);
  std::size_t start = 0;
  int lines = 0;
  while (start < input.size() && lines < 64) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) {
      if (start == 0) break;  // one line only: already judged whole
      end = input.size();
    }
    run_one(input.substr(start, end - start));
    ++lines;
    start = end + 1;
  }
  return 0;
}
