// Compiled by compile_check.cmake, never linked: with -DKUBEPRIV_CASE=0 every Result is used and
// the file must compile; each other case drops one Result and must fail to compile (-Werror).
#include <kubepriv/common/result.hpp>

namespace {

using kubepriv::common::ErrorCode;
using kubepriv::common::fail;
using kubepriv::common::Result;

Result<void> save() {
  return fail(ErrorCode::kIo, "disk full");
}
Result<int> parse() {
  return 42;
}

struct Sink {
  virtual ~Sink() = default;
  virtual Result<void> commit() = 0;
};

}  // namespace

int use(Sink& sink) {
#if KUBEPRIV_CASE == 0
  if (!save()) return 1;
  if (!sink.commit()) return 2;
  kubepriv::common::ignore(save(), "the explicit ignore compiles");
  const auto parsed = parse().and_then([](int v) -> Result<long> { return v + 1L; });
  return parsed ? 0 : 3;
#elif KUBEPRIV_CASE == 1
  save();  // a free function returning Result<void>
#elif KUBEPRIV_CASE == 2
  parse();  // Result<int>
#elif KUBEPRIV_CASE == 3
  sink.commit();  // a virtual call through an interface
#elif KUBEPRIV_CASE == 4
  [] { return parse(); }();  // a lambda returning a Result
#endif
  return 0;
}
