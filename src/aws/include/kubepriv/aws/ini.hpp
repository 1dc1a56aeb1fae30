#pragma once
/// @file
/// The AWS shared config/credentials file format (an INI dialect): sections, key = value,
/// comments '#'/';' at line start (and after whitespace at value end), nested "sub-property"
/// continuation lines (indented), CRLF tolerated. Keys are case-sensitive as in botocore.

#include <map>          // std::map
#include <string>       // std::string
#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// section name → key → value. A repeated section merges into the first (later keys win).
using IniFile = std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>>;

/// Parses INI text; kParse with a line number for lines that are neither section, key=value,
/// comment nor continuation. Never throws.
common::Result<IniFile> parse_ini(std::string_view text);

}  // namespace kubepriv::aws
