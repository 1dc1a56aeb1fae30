#pragma once
/// @file
/// The process environment and file system as the credential chain sees them, behind an
/// interface so tests never depend on the machine (no getenv in the library's logic).

#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Environment variables, the home directory and small file reads.
class Environment {
 public:
  virtual ~Environment() = default;
  /// Value of an environment variable; nullopt when unset. An empty value counts as unset.
  virtual std::optional<std::string> get(std::string_view name) const = 0;
  /// Whole content of a small file (credential files, token files); kNotFound when absent,
  /// kIo on other failures; kInvalidArgument when larger than `max_bytes`.
  virtual common::Result<std::string> read_file(const std::string& path,
                                                std::size_t max_bytes = 1 << 20) const = 0;
};

/// The region from the environment: AWS_REGION, else AWS_DEFAULT_REGION, else "" (the one
/// place that fallback is written).
std::string region_from_env(const Environment& env);

/// The real environment (getenv, $HOME, real files). Only `cmd` should construct it.
class ProcessEnvironment final : public Environment {
 public:
  std::optional<std::string> get(std::string_view name) const override;
  common::Result<std::string> read_file(const std::string& path,
                                        std::size_t max_bytes = 1 << 20) const override;
};

}  // namespace kubepriv::aws
