# app_package: builds kubepriv-<version>.tgz, the Splunk app, in the build folder.
#   cmake --build <build dir> --target app_package
# It is also part of ALL, so a plain build followed by ctest checks the package (tests/app).
# The version comes from project(VERSION) only: app.conf and app.manifest are generated here.
math(EXPR KUBEPRIV_APP_BUILD
     "${PROJECT_VERSION_MAJOR} * 10000 + ${PROJECT_VERSION_MINOR} * 100 + ${PROJECT_VERSION_PATCH}")
set(_gen "${CMAKE_BINARY_DIR}/app-generated")
configure_file("${PROJECT_SOURCE_DIR}/app/app.conf.in" "${_gen}/app.conf" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/app/app.manifest.in" "${_gen}/app.manifest" @ONLY)

set(KUBEPRIV_APP_PACKAGE "${CMAKE_BINARY_DIR}/kubepriv-${PROJECT_VERSION}.tgz")
set(_bin_args)
set(_bin_deps)
foreach(_exe kubepriv eks_audit_logs)
  if(TARGET ${_exe})
    list(APPEND _bin_args --binary "$<TARGET_FILE:${_exe}>")
    list(APPEND _bin_deps ${_exe})
  else()
    message(STATUS "app_package: target ${_exe} does not exist yet; the package will lack bin/${_exe}")
  endif()
endforeach()

# KUBEPRIV_PACKAGE_AARCH64 (release preset): the package also carries the aarch64 executables,
# cross-built in build/release-arm64 (release-arm64 preset); bin/<name> then becomes a small
# dispatcher that runs bin/<name>.x86_64 or bin/<name>.aarch64 (see app/README.md, Platforms).
option(KUBEPRIV_PACKAGE_AARCH64 "Add the aarch64 executables (release-arm64 preset) to the package" OFF)
if(KUBEPRIV_PACKAGE_AARCH64 AND NOT CMAKE_CROSSCOMPILING)
  set(_arm "${PROJECT_SOURCE_DIR}/build/release-arm64")
  set(_arm_exes "${_arm}/src/cmd/kubepriv/kubepriv" "${_arm}/src/cmd/eks_audit_logs/eks_audit_logs")
  add_custom_target(kubepriv_aarch64
    COMMAND sh -c "test -f build/release-arm64/CMakeCache.txt || ${CMAKE_COMMAND} --preset release-arm64 >&2"
    COMMAND "${CMAKE_COMMAND}" --build --preset release-arm64 --target kubepriv eks_audit_logs
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    BYPRODUCTS ${_arm_exes}
    COMMENT "Cross-building the aarch64 executables (build/release-arm64)"
    USES_TERMINAL VERBATIM)
  foreach(_exe ${_arm_exes})
    list(APPEND _bin_args --binary-aarch64 "${_exe}")
  endforeach()
  list(APPEND _bin_deps kubepriv_aarch64 ${_arm_exes})
endif()

if(KUBEPRIV_STATIC)
  list(APPEND _bin_args --static)
endif()

file(GLOB_RECURSE _app_sources CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/default/*" "${PROJECT_SOURCE_DIR}/app/*")
add_custom_command(
  OUTPUT "${KUBEPRIV_APP_PACKAGE}"
  COMMAND "${Python3_EXECUTABLE}" "${PROJECT_SOURCE_DIR}/tools/package_app.py"
          --source-dir "${PROJECT_SOURCE_DIR}" --gen-dir "${_gen}"
          --stage-dir "${CMAKE_BINARY_DIR}/app-stage" --output "${KUBEPRIV_APP_PACKAGE}"
          ${_bin_args}
  DEPENDS ${_bin_deps} ${_app_sources} "${PROJECT_SOURCE_DIR}/tools/package_app.py"
          "${_gen}/app.conf" "${_gen}/app.manifest"
  COMMENT "Packaging the Splunk app: kubepriv-${PROJECT_VERSION}.tgz"
  VERBATIM)
add_custom_target(app_package ALL DEPENDS "${KUBEPRIV_APP_PACKAGE}")
