# kubepriv_gtest(<target>
#     PREFIX <name>            ctest names become <name>.<Suite>.<Test>; also the default label
#     SOURCES <files...>
#     LIBS <targets...>        the layers under test (plus anything the test itself includes)
#     [LABELS <labels...>]     default: the prefix
#     [DEFINITIONS <defs...>]  private compile definitions (e.g. KUBEPRIV_FIXTURES="...")
#     [TIMEOUT <seconds>])     per test, default 60
# One GoogleTest binary, linked with gtest_main and the project's warnings and options, its
# tests discovered at build time and registered with ctest under the prefix and labels.
function(kubepriv_gtest target)
  cmake_parse_arguments(T "" "PREFIX;TIMEOUT" "SOURCES;LIBS;LABELS;DEFINITIONS" ${ARGN})
  if(NOT T_PREFIX)
    message(FATAL_ERROR "kubepriv_gtest(${target}): PREFIX is required")
  endif()
  if(NOT T_LABELS)
    set(T_LABELS ${T_PREFIX})
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  add_executable(${target} ${T_SOURCES})
  target_link_libraries(${target} PRIVATE ${T_LIBS} GTest::gtest_main kubepriv_warnings
                                          kubepriv_options)
  if(T_DEFINITIONS)
    target_compile_definitions(${target} PRIVATE ${T_DEFINITIONS})
  endif()
  gtest_discover_tests(${target} TEST_PREFIX "${T_PREFIX}." DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
endfunction()
