#pragma once
/// @file
/// A scratch folder per GoogleTest test: under the system's temporary directory, named after the
/// process and the running test, empty when handed out (the caller removes it in TearDown).

#include <gtest/gtest.h>
#include <unistd.h>  // getpid

#include <filesystem>   // std::filesystem
#include <string>       // std::string, std::to_string
#include <string_view>  // std::string_view

namespace kubepriv::testing {

/// "<tmp>/kubepriv_<tag>_<pid>_<test name>", removed first if a previous run left it behind.
inline std::filesystem::path fresh_test_dir(std::string_view tag) {
  auto dir = std::filesystem::temp_directory_path() /
             ("kubepriv_" + std::string(tag) + "_" + std::to_string(::getpid()) + "_" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

}  // namespace kubepriv::testing
