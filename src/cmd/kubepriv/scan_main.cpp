// Placeholder until `kubepriv scan` lands.
#include <cstdio>
#include "entry.hpp"
namespace kubepriv::cmd {
int run_scan(int, char**) {
  std::fputs("kubepriv scan: not built yet\n", stderr);
  return 2;
}
}  // namespace kubepriv::cmd
