# kubepriv_layer(NAME SOURCES ... DEPS ... PRIVATE_DEPS ...): one static library per layer, public
# headers in src/<name>/include, warnings and options applied privately. A layer sees only the
# include directories of the layers it lists, so a wrong #include fails to compile.
# DEPS are public (users of the layer see them): only what a public header includes. Everything
# else, third-party libraries included, goes in PRIVATE_DEPS (still linked, as the layer is static).
function(kubepriv_layer name)
  cmake_parse_arguments(L "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(kubepriv_${name} STATIC ${L_SOURCES})
  add_library(kubepriv::${name} ALIAS kubepriv_${name})
  target_include_directories(kubepriv_${name} PUBLIC
    "${CMAKE_CURRENT_SOURCE_DIR}/include")
  target_link_libraries(kubepriv_${name} PUBLIC ${L_DEPS}
                        PRIVATE ${L_PRIVATE_DEPS} kubepriv_warnings kubepriv_options)
endfunction()
