# Generates kubepriv/common/version.hpp from project(VERSION); the only version in the tree.
configure_file("${CMAKE_CURRENT_LIST_DIR}/version.hpp.in"
               "${CMAKE_BINARY_DIR}/generated/kubepriv/common/version.hpp" @ONLY)
