#pragma once
/// @file
/// A validated, defaulted input stanza in typed form.

#include <chrono>
#include <string>

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/result.hpp"
#include "kubepriv/modinput/input_definition.hpp"

namespace kubepriv::ingest {

/// Everything one input needs.
struct InputConfig {
  std::string stanza;  ///< full "eks_audit_logs://name"
  std::string app;
  std::string region;
  std::string log_group;             ///< name, or empty when an ARN was given
  std::string log_group_identifier;  ///< ARN, or empty
  std::string cluster;               ///< given or derived from the log group ("" if unknown)
  std::string stream_prefix;
  aws::StartPosition start;
  std::chrono::milliseconds latency{}, overlap{}, poll_interval{}, checkpoint_interval{};
  double rate_limit = 2;
  int max_pages_per_cycle = 200;
  bool exit_when_caught_up = false;
  std::string endpoint_url, sts_endpoint_url, proxy_url, profile, role_arn, external_id;
  std::string credential_name;
  std::string ca_bundle;  ///< PEM file of trusted CAs; empty = AWS_CA_BUNDLE, else the system's
  bool use_fips = false;
  // Event metadata.
  std::string host, source, sourcetype, index;

  /// The checkpoint key: the stanza plus what defines the stream (a changed group starts anew).
  std::string checkpoint_key() const;
  /// The group as the API takes it, for logs.
  std::string group_display() const;
};

/// "/aws/eks/<cluster>/cluster" -> "<cluster>"; "" when the name has another shape.
std::string cluster_from_log_group(std::string_view group);

/// Resolves one stanza. `server_host` is splunkd's host name (the inherited `host` value equal
/// to it means "not overridden"). Errors explain every bad value.
common::Result<InputConfig> resolve_config(const modinput::Stanza& stanza,
                                           const std::string& server_host,
                                           const aws::Environment& env);

}  // namespace kubepriv::ingest
