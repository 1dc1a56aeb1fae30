#pragma once
/// @file
/// A fully injected aws::Environment for tests: variables and files from maps.

#include <map>          // std::map
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <utility>      // std::move

#include "kubepriv/aws/environment.hpp"

namespace kubepriv::aws {

/// Variables and files from maps; an empty value counts as unset, like the real environment.
class MapEnvironment final : public Environment {
 public:
  MapEnvironment() = default;
  explicit MapEnvironment(std::map<std::string, std::string, std::less<>> v) : vars(std::move(v)) {}
  std::optional<std::string> get(std::string_view name) const override {
    const auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  }
  common::Result<std::string> read_file(const std::string& path,
                                        std::size_t max_bytes = 1 << 20) const override {
    const auto it = files.find(path);
    if (it == files.end()) {
      return common::fail(common::ErrorCode::kNotFound, "file not found: " + path);
    }
    if (it->second.size() > max_bytes) {
      return common::fail(common::ErrorCode::kInvalidArgument, "file too large: " + path);
    }
    return it->second;
  }
  std::map<std::string, std::string, std::less<>> vars;   ///< NAME -> value
  std::map<std::string, std::string, std::less<>> files;  ///< path -> content
};

}  // namespace kubepriv::aws
