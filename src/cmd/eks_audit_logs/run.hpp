#pragma once
// The three modular-input modes, the pull mode and what they share.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config.hpp"
#include "kubepriv/aws/default_credentials_chain.hpp"
#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/net/curl_transport.hpp"

namespace kubepriv::eks {

/// True once SIGTERM/SIGINT arrived (ingest::install_stop_signals()).
bool stop_requested();

/// Transport, credentials and client for one input.
struct AwsStack {
  std::unique_ptr<net::CurlTransport> http;
  std::unique_ptr<aws::DefaultCredentialsChain> credentials;
  std::unique_ptr<aws::CloudWatchLogsClient> client;
};

/// Options beyond the stanza that shape the stack.
struct StackOptions {
  std::string region, endpoint_url, sts_endpoint_url, proxy_url, profile, role_arn, external_id;
  bool use_fips = false;
  double rate_limit = 2;
  std::optional<aws::Credentials> explicit_credentials;
  std::string ca_bundle;  ///< PEM file of trusted CAs; empty = AWS_CA_BUNDLE, else the system's
};

/// Builds the stack (endpoint resolution honours AWS_ENDPOINT_URL[_CLOUDWATCH_LOGS]; proxy from
/// the option or HTTPS_PROXY/NO_PROXY; CA from the option, else AWS_CA_BUNDLE, else the system
/// store).
common::Result<AwsStack> make_aws_stack(const StackOptions& options, const aws::Environment& env,
                                        const common::Clock& clock, common::Sleeper& sleeper);

/// `--scheme`: prints the scheme; returns the exit code.
int run_scheme();
/// `--validate-arguments` with the document from stdin.
int run_validate(std::string_view document);
/// Run mode with the input definition from stdin.
int run_inputs(std::string_view document);
/// `pull ...` (args after "pull").
int run_pull(const std::vector<std::string>& args);

}  // namespace kubepriv::eks
