# kubepriv_portable_executable(<target>): link an executable so that it runs from the Splunk
# package on a Splunk host.
#
# splunkd starts commands and inputs with LD_LIBRARY_PATH=$SPLUNK_HOME/lib, which holds Splunk's own
# libssl, libcrypto, libcurl, libz, ... A binary that looks its libraries up the usual way would
# load those instead of the ones it was built against (wrong version, missing symbols).
#
# * DT_RPATH = $ORIGIN/lib. The package step (tools/package_app.py) copies every shared library the
#   executable needs, except glibc itself, into the package's bin/lib/. --disable-new-dtags writes
#   DT_RPATH, not DT_RUNPATH: ld.so searches DT_RPATH *before* LD_LIBRARY_PATH, and the
#   executable's DT_RPATH also applies to the dependencies of its dependencies (DT_RUNPATH does
#   neither). So Splunk's LD_LIBRARY_PATH is still honoured for anything not bundled, but can no
#   longer replace a library we ship.
# * libstdc++/libgcc: statically linked by KUBEPRIV_RELEASE_LINK (release and ci presets). When a
#   shared libstdc++.so.6 is still needed (debug builds, or shared dependencies such as
#   libspdlog.so that link it), it is bundled like any other library.
#
# In the build tree $ORIGIN/lib does not exist, so build-tree binaries behave as before; the test
# tests/app (portable) shows the difference with decoy libraries on LD_LIBRARY_PATH.
function(kubepriv_portable_executable target)
  if(NOT TARGET ${target})
    message(WARNING "kubepriv_portable_executable: no target ${target}")
    return()
  endif()
  set_target_properties(${target} PROPERTIES
    BUILD_RPATH "\$ORIGIN/lib"
    INSTALL_RPATH "\$ORIGIN/lib"
    SKIP_BUILD_RPATH OFF
    BUILD_WITH_INSTALL_RPATH OFF)
  target_link_options(${target} PRIVATE "LINKER:--disable-new-dtags")
  set_property(GLOBAL APPEND PROPERTY KUBEPRIV_PORTABLE_TARGETS ${target})
endfunction()
