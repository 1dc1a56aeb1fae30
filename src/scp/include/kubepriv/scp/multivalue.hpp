#pragma once
/// @file
/// Splunk's multivalue twin columns (splunk-protocols.md §1.9): `__mv_X` holds
/// `$v1$;$v2$...` with `$` inside a value doubled; an empty twin means "single value in X".

#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"

namespace kubepriv::scp {

/// Prefix of a multivalue twin column name.
inline constexpr std::string_view kMvPrefix = "__mv_";

/// Decodes a non-empty twin value in place (the bytes are overwritten) into `values` (cleared
/// first). Errors on anything outside the grammar `$item$(;$item$)*`.
common::Result<void> mv_decode(std::span<char> encoded, std::vector<std::string_view>& values);

/// Appends the twin encoding of `values` to `out` (`$a$;$b$`, `$` doubled). Nothing for no values.
void mv_append_encoded(std::string& out, std::span<const std::string_view> values);

/// Appends the plain-column form of `values`: joined with `\n`, as splunklib writes it.
void mv_append_joined(std::string& out, std::span<const std::string_view> values);

}  // namespace kubepriv::scp
