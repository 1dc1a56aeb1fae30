# kubepriv_options: sanitizers, fuzzing instrumentation and release link flags, as an interface target.
add_library(kubepriv_options INTERFACE)
if(KUBEPRIV_SANITIZE)
  target_compile_options(kubepriv_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(kubepriv_options INTERFACE -fsanitize=address,undefined)
endif()
if(KUBEPRIV_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "KUBEPRIV_FUZZ needs clang (use the 'fuzz' preset)")
  endif()
  target_compile_options(kubepriv_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
# (Not with KUBEPRIV_STATIC: -static-pie already links everything, and gcc 12 combined with
# -static-libgcc emits a static-pie that still asks for libc.so.6 and crashes at start.)
if(KUBEPRIV_RELEASE_LINK AND NOT KUBEPRIV_STATIC)
  target_link_options(kubepriv_options INTERFACE -static-libstdc++ -static-libgcc)
endif()
