// Sanitizer canary: proves that the asan-ubsan build really runs the test suite under ASan and
// UBSan and that a report fails the run (issue 6: "the test suite also runs under ASan+UBSan
// with halt_on_error"). Built only when KUBEPRIV_SANITIZE is on; ctest expects the report text.
//   sanitizer_canary asan   -> heap-buffer-overflow, one byte past a heap block
//   sanitizer_canary ubsan  -> signed integer overflow
//   sanitizer_canary after  -> prints a line only if the process survived the UBSan report

#include <cstdio>   // std::puts
#include <cstring>  // std::strcmp
#include <memory>   // std::unique_ptr

namespace {

// volatile: keep the compiler from proving the bug away at -O1.
volatile int g_index = 16;
volatile int g_big = 2147483647;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  if (std::strcmp(argv[1], "asan") == 0) {
    const std::unique_ptr<char[]> block(new char[16]);
    block[static_cast<unsigned>(g_index)] = 'x';  // one past the end
    std::puts("canary: ASan did not stop the overflow");
    return 0;
  }
  if (std::strcmp(argv[1], "ubsan") == 0) {
    const int sum = g_big + 1;  // signed overflow
    std::printf("canary: UBSan did not stop the overflow (%d)\n", sum);
    return 0;
  }
  return 2;
}
