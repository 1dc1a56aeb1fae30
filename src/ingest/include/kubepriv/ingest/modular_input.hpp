#pragma once
/// @file
/// The eks_audit_logs modular input's three modes (--scheme, --validate-arguments, run mode)
/// over a Runtime, so the entry point only dispatches arguments, reads stdin and returns the
/// exit code. Run mode sets up every stanza (a stanza whose configuration fails is reported and
/// skipped; the others run) and hands them to run_loop().

#include <string_view>  // std::string_view

#include "kubepriv/common/result.hpp"
#include "kubepriv/ingest/runtime.hpp"
#include "kubepriv/modinput/input_definition.hpp"

namespace kubepriv::ingest {

/// `--scheme`: writes the scheme to rt.out; returns the exit code.
int run_scheme(modinput::ByteSink& out);

/// `--validate-arguments` with the `<items>` document from stdin: 0 when valid, else 1 with
/// Splunk's `<error>` document on rt.out.
int validate_arguments(std::string_view document, const Runtime& rt);

/// With credential_name set: the credential exists in storage/passwords (read with the session
/// key splunkd passed) and signs a FilterLogEvents call (limit 1) that the endpoint accepts.
common::Result<void> check_stored_credential(const modinput::InputDefinition& definition,
                                             const Runtime& rt);

/// Run mode with the `<input>` document from stdin. Exit codes: run_loop()'s; 1 also when the
/// document is unusable, no stanza could be set up, or some stanza could not (after the others
/// ran); 0 when a stop was requested before collecting.
int run_inputs(std::string_view document, const Runtime& rt);

}  // namespace kubepriv::ingest
