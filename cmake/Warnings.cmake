# kubepriv_warnings: an interface target linked PRIVATE into every target of ours.
add_library(kubepriv_warnings INTERFACE)
target_compile_options(kubepriv_warnings INTERFACE
  -Wall -Wextra -Wpedantic
  -Wshadow                 # a local hiding a member is a classic parser bug
  -Wconversion -Wsign-conversion  # lengths from the wire are size_t; mixing signs hides overflow
  -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wformat=2
  # gcc 12 raises -Wnull-dereference false positives inside libstdc++ (istreambuf_iterator,
  # streambuf) at -O2 and above; clang's check has no such noise, so it runs there only.
  $<$<CXX_COMPILER_ID:Clang>:-Wnull-dereference>
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>
  # gcc 12 reports -Wrestrict false positives inside libstdc++'s std::string at -O2 and above
  # (GCC bugs 105329, 105651); clang still checks restrict violations for us.
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  $<$<BOOL:${KUBEPRIV_WERROR}>:-Werror>)
