# Fuzz targets, built two ways (simdjson's and fmt's habit, style.md §6.5):
#   KUBEPRIV_FUZZ=ON (preset `fuzz`, clang-14): linked with -fsanitize=fuzzer, run by tools/fuzz-smoke;
#   otherwise (gcc, any preset): linked with tests/fuzz/replay_main.cpp, so the targets never rot
#   and ctest replays their corpus (and the third-party fixtures) as regression tests.
#
# kubepriv_fuzz_target(<surface>
#     LIBS <layer targets...>          e.g. kubepriv_audit; each must exist
#     HEADERS <paths under src/...>    the headers the target includes; each must exist
#     [FIXTURES <paths under tests/fixtures...>]  real data replayed by a second test
#     [FIXTURES_NAME <glob>]           only fixture files whose name matches (default: all)
#     [TIMEOUT <seconds>])
# builds `fuzz_<surface>` from tests/fuzz/fuzz_<surface>.cpp and registers the ctest tests
# `fuzz.<surface>.corpus` (tests/fuzz/corpus/<surface>/*, must be non-empty) and, with FIXTURES,
# `fuzz.<surface>.fixtures` (fails when a fixture path is missing).

# Every fuzz executable, for `cmake --build ... --target kubepriv_fuzz_targets` (tools/fuzz-smoke).
if(NOT TARGET kubepriv_fuzz_targets)
  add_custom_target(kubepriv_fuzz_targets)
endif()

function(kubepriv_fuzz_target surface)
  cmake_parse_arguments(F "" "TIMEOUT;FIXTURES_NAME" "LIBS;HEADERS;FIXTURES" ${ARGN})
  set(_name fuzz_${surface})
  # A target is never dropped silently: a renamed library or header is a configure error here.
  foreach(lib IN LISTS F_LIBS)
    if(NOT TARGET ${lib})
      message(FATAL_ERROR "${_name}: library ${lib} is not defined (update tests/fuzz/CMakeLists.txt)")
    endif()
  endforeach()
  foreach(hdr IN LISTS F_HEADERS)
    if(NOT EXISTS "${PROJECT_SOURCE_DIR}/src/${hdr}")
      message(FATAL_ERROR "${_name}: header src/${hdr} is missing (update tests/fuzz/CMakeLists.txt)")
    endif()
  endforeach()

  add_executable(${_name} "${CMAKE_CURRENT_SOURCE_DIR}/${_name}.cpp")
  target_link_libraries(${_name} PRIVATE ${F_LIBS} kubepriv_warnings kubepriv_options)
  if(KUBEPRIV_FUZZ)
    # kubepriv_options already adds -fsanitize=fuzzer-no-link (and ASan/UBSan) to every object.
    target_link_options(${_name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${_name} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}/replay_main.cpp")
  endif()
  add_dependencies(kubepriv_fuzz_targets ${_name})

  if(NOT F_TIMEOUT)
    set(F_TIMEOUT 300)
  endif()
  set(_replay "${CMAKE_CURRENT_SOURCE_DIR}/replay.sh")
  add_test(NAME fuzz.${surface}.corpus
           COMMAND sh "${_replay}" "$<TARGET_FILE:${_name}>"
                   "${CMAKE_CURRENT_SOURCE_DIR}/corpus/${surface}")
  set_tests_properties(fuzz.${surface}.corpus PROPERTIES TIMEOUT ${F_TIMEOUT} LABELS fuzz)
  if(F_FIXTURES)
    set(_paths "")
    foreach(p IN LISTS F_FIXTURES)
      list(APPEND _paths "${KUBEPRIV_FIXTURES}/${p}")
    endforeach()
    if(NOT F_FIXTURES_NAME)
      set(F_FIXTURES_NAME "*")
    endif()
    add_test(NAME fuzz.${surface}.fixtures
             COMMAND sh "${_replay}" --name "${F_FIXTURES_NAME}" "$<TARGET_FILE:${_name}>" ${_paths})
    set_tests_properties(fuzz.${surface}.fixtures PROPERTIES TIMEOUT ${F_TIMEOUT} LABELS fuzz)
  endif()
endfunction()
