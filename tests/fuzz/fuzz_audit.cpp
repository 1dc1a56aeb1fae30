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
// The salvage path (cut events, issue 10 item 3): every input is also cut at a few offsets
// chosen from its own bytes, with and without CloudWatch's `[Truncated...]` suffix; a judged
// cut must carry the `evidence=truncated` marker and a details line naming an offset inside the
// input. ("Never a reason the complete event lacks" holds for real events, not for hostile
// ones whose lost tail repeats a key: that is swept over the corpora in
// tests/audit/audit_cut_test.cpp.) AKS and GKE wrappers are in the corpus as well.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort, std::strtoull
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

void run_cuts(std::string_view input) {
  if (input.size() < 2) return;
  const auto pick = [&](std::size_t i) {
    return static_cast<std::size_t>(static_cast<unsigned char>(input[i % input.size()]));
  };
  const std::size_t offsets[] = {input.size() / 2, input.size() - 1,
                                 (pick(0) * 257 + pick(1)) % input.size()};
  std::string cut;
  for (const std::size_t k : offsets) {
    for (const bool marker : {false, true}) {
      cut.assign(input.substr(0, k));
      if (marker) cut += "[Truncated...]";
      const Snapshot first = snapshot(evaluator().evaluate(cut));
      const Verdict& v = evaluator().evaluate(cut);
      check(v);
      if (!(snapshot(v) == first)) fail("same cut, different verdict on the reused evaluator");
      if (v.evidence == kubepriv::core::Evidence::kTruncated) {
        if (!v.error.empty()) fail("truncated evidence on an error verdict");
        if (v.details.empty() || !v.details.front().starts_with("truncated: event cut at byte "))
          fail("truncated verdict without its details line");
        const std::size_t at = std::strtoull(v.details.front().c_str() + 29, nullptr, 10);
        if (at > k) fail("cut offset beyond the input");
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  run_one(input);
  run_cuts(input);
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
