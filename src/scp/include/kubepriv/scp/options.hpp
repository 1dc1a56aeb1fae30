#pragma once
/// @file
/// SPL arguments of a chunked command, as splunkd passes them in getinfo `searchinfo.args`.

#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::scp {

/// One `name=value` option.
struct Option {
  std::string name;
  std::string value;
};

/// Splits args into options. Accepts `name=value` and the tokenised `name`, `=`, `value` form
/// (from `name = value` in SPL). A word without `=` is a positional argument: error, since the
/// caller decides what is allowed and kubepriv takes none.
common::Result<std::vector<Option>> split_options(std::span<const std::string> args);

/// Splunk booleans: true/false, t/f, 1/0, yes/no (case-insensitive). Error otherwise.
common::Result<bool> parse_splunk_bool(std::string_view text);

}  // namespace kubepriv::scp
