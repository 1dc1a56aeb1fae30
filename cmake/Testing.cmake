# kubepriv_gtest(<target>
#     PREFIX <name>            ctest names become <name>.<Suite>.<Test>; also the default label
#     SOURCES <files...>
#     LIBS <targets...>        the layers under test (plus anything the test itself includes)
#     [LABELS <labels...>]     default: the prefix; several labels work (ctest -L selects by any)
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
                       TEST_LIST ${target}_TESTS PROPERTIES TIMEOUT ${T_TIMEOUT})
  # The labels are set once ctest knows the discovered tests, not through PROPERTIES: CMake 3.25's
  # gtest_discover_tests flattens a list value there (`LABELS a;b` gives LABELS=a and a bogus
  # property `b`). This file runs after the discovery's own include file (TEST_INCLUDE_FILES keeps
  # the order), which sets ${target}_TESTS to the discovered names.
  set(labels_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${labels_file}"
       "if(${target}_TESTS)\n"
       "  set_tests_properties(\${${target}_TESTS} PROPERTIES LABELS [==[${T_LABELS}]==])\n"
       "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${labels_file}")
endfunction()
