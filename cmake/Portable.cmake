# How the executables are linked so that they run from the Splunk package on a Splunk host.
#
# Two modes:
#
# KUBEPRIV_STATIC=ON (the `release` preset, which builds the package users install):
#   fully static position-independent executables (-static-pie): glibc, libstdc++, OpenSSL
#   (libssl.a/libcrypto.a), expat, zlib, zstd, c-ares from Debian's -dev packages, and a minimal
#   libcurl and libsimdjson built from Debian's own source packages by tools/build-static-deps
#   (cached outside the repository). No NEEDED entry, no interpreter, so neither the host's glibc
#   version nor the LD_LIBRARY_PATH that splunkd sets ($SPLUNK_HOME/lib with Splunk's own libssl,
#   libcurl, ...) matter. Names are resolved by c-ares (/etc/hosts, /etc/resolv.conf), because a
#   static glibc cannot load the host's NSS modules. See docs/platforms.md.
#   Also hardened: see KUBEPRIV_HARDEN below.
#
# KUBEPRIV_STATIC=OFF (dev, ci, asan-ubsan, fuzz): Debian's shared libraries.
#   kubepriv_portable_executable() writes DT_RPATH = $ORIGIN/lib and tools/package_app.py copies
#   every shared library the executable needs, except glibc, into the package's bin/lib/.
#   --disable-new-dtags writes DT_RPATH, not DT_RUNPATH: ld.so searches DT_RPATH *before*
#   LD_LIBRARY_PATH and applies it to the dependencies of dependencies too. Such a package only runs
#   on hosts whose glibc is at least as new as the build machine's; tests/app (portable) shows the
#   RPATH protection with decoy libraries on LD_LIBRARY_PATH.
option(KUBEPRIV_STATIC "Fully static executables with dependencies from tools/build-static-deps" OFF)
option(KUBEPRIV_HARDEN "Hardened code generation and linking (stack protector, fortify, RELRO...)"
       OFF)

if(KUBEPRIV_STATIC)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64)$")
    set(_kp_arch amd64)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(_kp_arch arm64)
  else()
    message(FATAL_ERROR "KUBEPRIV_STATIC: unsupported processor ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
  # Run at every configure (instant when cached), so a changed recipe or Debian source version
  # is picked up; -DKUBEPRIV_STATIC_PREFIX=<dir> uses a prefix made elsewhere instead.
  if(NOT KUBEPRIV_STATIC_PREFIX)
    message(STATUS "KUBEPRIV_STATIC: static libcurl/libsimdjson for ${_kp_arch} (tools/build-static-deps)")
    execute_process(
      COMMAND "${PROJECT_SOURCE_DIR}/tools/build-static-deps" build ${_kp_arch}
      OUTPUT_VARIABLE _kp_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
      RESULT_VARIABLE _kp_rc)
    if(NOT _kp_rc EQUAL 0 OR NOT IS_DIRECTORY "${_kp_prefix}")
      message(FATAL_ERROR "tools/build-static-deps build ${_kp_arch} failed (${_kp_rc})")
    endif()
  else()
    set(_kp_prefix "${KUBEPRIV_STATIC_PREFIX}")
  endif()
  list(PREPEND CMAKE_PREFIX_PATH "${_kp_prefix}")
  # Every find_library() of the build (OpenSSL, expat, zlib, zstd, c-ares, ...) takes the archive.
  set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
  set(ZLIB_USE_STATIC_LIBS ON)
  set(CURL_NO_CURL_CMAKE ON)  # FindCURL's own result, completed below with curl's dependencies
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
  add_link_options("$<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-static-pie>"
                   "$<$<AND:$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>,$<CONFIG:Release>>:-s>")

  # A prefix of an older recipe may still be in the cache: look again.
  foreach(_kp_var CURL_LIBRARY CURL_LIBRARY_RELEASE CURL_INCLUDE_DIR simdjson_DIR)
    if(${_kp_var} AND NOT "${${_kp_var}}" MATCHES "^${_kp_prefix}/")
      unset(${_kp_var} CACHE)
    endif()
  endforeach()
  find_package(Threads REQUIRED)
  find_package(OpenSSL REQUIRED)
  find_package(ZLIB REQUIRED)
  find_package(CURL REQUIRED)
  find_library(KUBEPRIV_CARES_LIBRARY cares REQUIRED)
  get_filename_component(_kp_curl_dir "${CURL_LIBRARY}" DIRECTORY)
  if(NOT _kp_curl_dir STREQUAL "${_kp_prefix}/lib")
    message(FATAL_ERROR "KUBEPRIV_STATIC: found ${CURL_LIBRARY}, not the static libcurl of "
                        "${_kp_prefix}")
  endif()
  set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB)
  set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_LINK_LIBRARIES
               OpenSSL::SSL OpenSSL::Crypto "${KUBEPRIV_CARES_LIBRARY}" ZLIB::ZLIB Threads::Threads)
endif()

if(KUBEPRIV_HARDEN)
  # Compiled into every target of ours through kubepriv_options (cmake/Sanitizers.cmake).
  target_compile_options(kubepriv_options INTERFACE
    -fstack-protector-strong -fstack-clash-protection
    $<$<STREQUAL:${CMAKE_SYSTEM_PROCESSOR},x86_64>:-fcf-protection>
    # _FORTIFY_SOURCE needs the optimiser; level 3 also checks sizes known only at run time.
    $<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3>)
  target_link_options(kubepriv_options INTERFACE LINKER:-z,relro LINKER:-z,now)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()

# kubepriv_portable_executable(<target>): one of the executables the package ships.
function(kubepriv_portable_executable target)
  if(NOT TARGET ${target})
    message(WARNING "kubepriv_portable_executable: no target ${target}")
    return()
  endif()
  if(NOT KUBEPRIV_STATIC)
    set_target_properties(${target} PROPERTIES
      BUILD_RPATH "\$ORIGIN/lib"
      INSTALL_RPATH "\$ORIGIN/lib"
      SKIP_BUILD_RPATH OFF
      BUILD_WITH_INSTALL_RPATH OFF)
    target_link_options(${target} PRIVATE "LINKER:--disable-new-dtags")
  endif()
  set_property(GLOBAL APPEND PROPERTY KUBEPRIV_PORTABLE_TARGETS ${target})
endfunction()
