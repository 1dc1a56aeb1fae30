#pragma once
/// @file
/// Pure decisions about the files of a directory given to `kubepriv scan` (the entry point lists
/// and opens them): the order to read them in, and which are clearly not audit logs.

#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

namespace kubepriv::scan {

/// Sorts file names (no directories) so each log's rotations come oldest first and the live
/// file last, i.e. events in time order:
///   * kube-apiserver (lumberjack): `audit-2024-05-01T10-00-00.000.log[.gz]` by timestamp, then
///     `audit.log`;
///   * logrotate: `audit.log.3.gz`, `audit.log.2`, `audit.log.1`, then `audit.log`; with
///     dateext `audit.log-20240501[.gz]` by date.
/// A trailing `.gz`, `.zst` or `.zstd` is ignored for grouping. Different logs are ordered by
/// their name; names that fit no rotation scheme sort by name among the live files.
void sort_by_rotation(std::vector<std::string>& names);

/// Why a file whose first bytes are `head` is clearly not an audit log (e.g. "binary data",
/// "text that does not start with JSON"), or empty when it may be one: empty files, compressed
/// data, and text whose first non-blank byte opens a JSON object or array.
std::string not_a_log_reason(std::string_view head);

/// How many leading bytes not_a_log_reason() wants to see.
inline constexpr std::size_t kSniffBytes = 4096;

}  // namespace kubepriv::scan
