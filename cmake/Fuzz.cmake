# Fuzz targets, built two ways (simdjson's and fmt's habit, style.md §6.5):
#   KUBEPRIV_FUZZ=ON (preset `fuzz`, clang-14): linked with -fsanitize=fuzzer, run by tools/fuzz-smoke;
#   otherwise (gcc, any preset): linked with tests/fuzz/replay_main.cpp, so the targets never rot
#   and ctest replays their corpus (and the shared fixtures) as regression tests.
#
# kubepriv_fuzz_target(<surface>
#     LIBS <layer targets...>          e.g. kubepriv_audit; the target is skipped until all exist
#     HEADERS <paths under src/...>    the headers the target includes; skipped until all exist
#     [SHARED <paths under ${KUBEPRIV_SHARED}...>]  real fixtures replayed by a second test
#     [SHARED_NAME <glob>]             only fixture files whose name matches (default: all)
#     [TIMEOUT <seconds>])
# builds `fuzz_<surface>` from tests/fuzz/fuzz_<surface>.cpp and registers the ctest tests
# `fuzz.<surface>.corpus` (tests/fuzz/corpus/<surface>/*, must be non-empty) and, with SHARED,
# `fuzz.<surface>.shared` (skips visibly, exit 77, when the fixtures are absent).

# Every fuzz executable, for `cmake --build ... --target kubepriv_fuzz_targets` (tools/fuzz-smoke).
if(NOT TARGET kubepriv_fuzz_targets)
  add_custom_target(kubepriv_fuzz_targets)
endif()

function(kubepriv_fuzz_target surface)
  cmake_parse_arguments(F "" "TIMEOUT;SHARED_NAME" "LIBS;HEADERS;SHARED" ${ARGN})
  set(_name fuzz_${surface})
  # The layers land one by one: configure cleanly, and say so, until this surface's code exists.
  foreach(lib IN LISTS F_LIBS)
    if(NOT TARGET ${lib})
      message(STATUS "${_name}: skipped (library ${lib} not defined yet)")
      return()
    endif()
  endforeach()
  foreach(hdr IN LISTS F_HEADERS)
    if(NOT EXISTS "${PROJECT_SOURCE_DIR}/src/${hdr}")
      message(STATUS "${_name}: skipped (header src/${hdr} missing)")
      return()
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
  if(F_SHARED)
    set(_paths "")
    foreach(p IN LISTS F_SHARED)
      list(APPEND _paths "${KUBEPRIV_SHARED}/${p}")
    endforeach()
    if(NOT F_SHARED_NAME)
      set(F_SHARED_NAME "*")
    endif()
    add_test(NAME fuzz.${surface}.shared
             COMMAND sh "${_replay}" --optional --name "${F_SHARED_NAME}"
                     "$<TARGET_FILE:${_name}>" ${_paths})
    set_tests_properties(fuzz.${surface}.shared PROPERTIES
      TIMEOUT ${F_TIMEOUT} LABELS fuzz SKIP_RETURN_CODE 77)
  endif()
endfunction()
