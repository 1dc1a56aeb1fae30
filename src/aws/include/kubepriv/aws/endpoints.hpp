#pragma once
/// @file
/// Endpoint resolution for CloudWatch Logs and STS (cloudwatch.md §2). Precedence for logs, as
/// the AWS SDKs document it ("service-specific endpoints", sdkref): an explicit endpoint from the
/// input configuration > AWS_ENDPOINT_URL_CLOUDWATCH_LOGS > AWS_ENDPOINT_URL > the partition's
/// standard/FIPS/dual-stack host; env values are ignored when
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. STS: explicit > AWS_ENDPOINT_URL_STS >
/// AWS_ENDPOINT_URL > regional host. The signing region and service always come from
/// configuration, never from the host.

#include <string>  // std::string

#include "kubepriv/aws/environment.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// What the caller knows.
struct EndpointOptions {
  std::string region;          ///< required (e.g. "us-east-1")
  std::string explicit_url;    ///< from configuration; empty = none
  bool use_fips = false;       ///< also AWS_USE_FIPS_ENDPOINT=true
  bool use_dualstack = false;  ///< also AWS_USE_DUALSTACK_ENDPOINT=true
};

/// A resolved endpoint.
struct Endpoint {
  std::string url;             ///< base URL, e.g. "https://logs.us-east-1.amazonaws.com"
  common::Url parsed;          ///< the same, parsed
  std::string signing_region;  ///< region for SigV4
  std::string service;         ///< "logs" or "sts"
  std::string source;          ///< "explicit", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "default", ...
};

/// True for a syntactically valid region name ([a-z0-9-]+, 1..64, e.g. "eu-west-1").
bool is_valid_region(std::string_view region);

/// DNS suffix of a region's partition: "amazonaws.com", "amazonaws.com.cn", "c2s.ic.gov", ...
std::string partition_dns_suffix(std::string_view region);

/// CloudWatch Logs endpoint. Errors: kInvalidArgument for a bad region, an unparsable URL, or
/// plain http to a non-loopback host (TLS is mandatory off-box).
common::Result<Endpoint> resolve_logs_endpoint(const EndpointOptions& options,
                                               const Environment& env);

/// STS endpoint (regional; "sts.amazonaws.com" is never chosen by default).
common::Result<Endpoint> resolve_sts_endpoint(const EndpointOptions& options,
                                              const Environment& env);

}  // namespace kubepriv::aws
