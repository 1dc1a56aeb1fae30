#pragma once
/// @file
/// The one parameter table of the eks_audit_logs scheme: it generates `--scheme`, validates
/// (`--validate-arguments` and run mode) and is checked against README/inputs.conf.spec.

#include <span>
#include <string>
#include <vector>

#include "kubepriv/modinput/params.hpp"

namespace kubepriv::ingest {

/// Scheme title, description and flags.
const modinput::SchemeInfo& scheme_info();
/// Every argument of `[eks_audit_logs://<name>]`.
std::span<const modinput::Param> param_table();

/// Table checks plus the rules that span parameters (log_group or cluster_name, region from
/// the stanza or AWS_REGION). `env_region`: AWS_REGION / AWS_DEFAULT_REGION, may be empty.
std::vector<modinput::ValidationIssue> validate_stanza(const modinput::ParamValues& values,
                                                       const std::string& env_region);

}  // namespace kubepriv::ingest
