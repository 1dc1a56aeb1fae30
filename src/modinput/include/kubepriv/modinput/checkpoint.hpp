#pragma once
/// @file
/// Per-input checkpoint files in splunkd's `checkpoint_dir`, written atomically (temporary
/// file, fsync, rename, fsync of the directory) and verified on load (length + FNV-1a 64).
/// A corrupt file is an error, never an empty state: restarting from scratch silently would
/// re-emit or skip data.

#include <optional>
#include <string>
#include <string_view>

#include "kubepriv/common/result.hpp"

namespace kubepriv::modinput {

/// Stores opaque payloads by input name.
class CheckpointStore {
 public:
  /// Uses `dir`, creating it (one level) when missing.
  static common::Result<CheckpointStore> open(std::string dir);

  /// The payload, or nullopt when this input has no checkpoint yet. A damaged file -> kParse.
  common::Result<std::optional<std::string>> load(std::string_view input_name) const;
  /// Atomically replaces the input's checkpoint with `payload`.
  common::Result<void> save(std::string_view input_name, std::string_view payload) const;
  /// The file used for `input_name` (safe characters + a hash of the full name).
  std::string path_for(std::string_view input_name) const;

 private:
  explicit CheckpointStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

}  // namespace kubepriv::modinput
