// Placeholder until the SCP v2 command lands.
#include <cstdio>
#include "entry.hpp"
namespace kubepriv::cmd {
int run_search_command(int, char**) {
  std::fputs("kubepriv: search command not built yet\n", stderr);
  return 2;
}
}  // namespace kubepriv::cmd
