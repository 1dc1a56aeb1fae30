#pragma once
/// @file
/// `--scheme` and `--validate-arguments` XML output.

#include <span>
#include <string>
#include <string_view>

#include "kubepriv/modinput/params.hpp"

namespace kubepriv::modinput {

/// The `<scheme>` document splunkd reads at introspection (splunk-protocols.md §3.2).
std::string scheme_xml(const SchemeInfo& info, std::span<const Param> table);

/// `<error><message>text</message></error>`: a rejected `--validate-arguments` (§3.3).
std::string validation_error_xml(std::string_view message);

}  // namespace kubepriv::modinput
