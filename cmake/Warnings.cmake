# kubepriv_warnings: an interface target linked PRIVATE into every target of ours.
add_library(kubepriv_warnings INTERFACE)
target_compile_options(kubepriv_warnings INTERFACE
  -Wall -Wextra -Wpedantic
  -Wshadow                 # a local hiding a member is a classic parser bug
  -Wconversion -Wsign-conversion  # lengths from the wire are size_t; mixing signs hides overflow
  -Wold-style-cast -Wnon-virtual-dtor -Woverloaded-virtual
  -Wimplicit-fallthrough -Wnull-dereference -Wformat=2
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>
  $<$<BOOL:${KUBEPRIV_WERROR}>:-Werror>)
