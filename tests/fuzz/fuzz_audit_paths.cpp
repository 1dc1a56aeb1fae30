// Fuzz target: the readings of an audit event give the same verdict (issue 13). The On-Demand
// reading (envelope with On-Demand, each pod-spec body DOM-parsed again) is the reference; the
// whole-event DOM reading and the automatic choice the binaries use must render every output
// field byte for byte as it does, errors, cut-event salvage and cloud wrappers included: a
// faster reading may never turn an error or a truncated verdict into a clean one. Inputs holding
// several lines are also compared line by line, and every input is also cut at a few offsets
// (with and without CloudWatch's `[Truncated...]` suffix).

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fprintf
#include <cstdlib>      // std::abort
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "../audit/verdict_text.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace {

using kubepriv::audit::Evaluator;

void compare(std::string_view event) {
  // Reused across inputs, as the binaries do (stale state between events would show).
  static Evaluator on_demand(Evaluator::Reading::kOnDemand);
  static Evaluator dom(Evaluator::Reading::kDom);
  static Evaluator automatic;  // the default
  const std::string reference = kubepriv::test::verdict_text(on_demand.evaluate(event));
  for (Evaluator* other : {&dom, &automatic}) {
    const std::string text = kubepriv::test::verdict_text(other->evaluate(event));
    if (text != reference) {
      std::fprintf(stderr, "fuzz_audit_paths: readings differ\n--- On-Demand\n%s--- %s\n%s",
                   reference.c_str(), other == &dom ? "DOM" : "auto", text.c_str());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  compare(input);
  if (input.size() >= 2) {
    std::string cut;
    for (const std::size_t k : {input.size() / 2, input.size() - 1}) {
      for (const bool marker : {false, true}) {
        cut.assign(input.substr(0, k));
        if (marker) cut += "[Truncated...]";
        compare(cut);
      }
    }
  }
  std::size_t start = 0;
  int lines = 0;
  while (start < input.size() && lines < 64) {
    std::size_t end = input.find('\n', start);
    if (end == std::string_view::npos) {
      if (start == 0) break;  // one line only: already compared whole
      end = input.size();
    }
    compare(input.substr(start, end - start));
    ++lines;
    start = end + 1;
  }
  return 0;
}
