#pragma once
/// @file
/// The AWS side of one input: the transport, the credential chain and the CloudWatch Logs
/// client, built from a stanza's options (run mode, --validate-arguments) or pull's flags.

#include <memory>    // std::unique_ptr
#include <optional>  // std::optional
#include <string>    // std::string

#include "kubepriv/aws/default_credentials_chain.hpp"
#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/common/result.hpp"
#include "kubepriv/ingest/config.hpp"
#include "kubepriv/ingest/runtime.hpp"
#include "kubepriv/modinput/input_definition.hpp"

namespace kubepriv::ingest {

/// Transport, credentials and client for one input.
struct AwsStack {
  std::unique_ptr<common::HttpTransport> http;
  std::unique_ptr<aws::DefaultCredentialsChain> credentials;
  std::unique_ptr<aws::CloudWatchLogsClient> client;
};

/// Options beyond the stanza that shape the stack.
struct StackOptions {
  std::string region, endpoint_url, sts_endpoint_url, proxy_url, profile, role_arn, external_id;
  bool use_fips = false;
  double rate_limit = 2;
  /// First in the credential chain when set (a credential stored in splunkd).
  std::optional<aws::Credentials> explicit_credentials;
  std::string ca_bundle;  ///< PEM file of trusted CAs; empty = AWS_CA_BUNDLE, else the system's
};

/// The options a stanza asks for (credentials from the chain; a credential stored in splunkd is
/// added by the caller).
StackOptions stack_options(const InputConfig& config);

/// Builds the stack (endpoint resolution honours AWS_ENDPOINT_URL[_CLOUDWATCH_LOGS]; proxy from
/// the option or HTTPS_PROXY/NO_PROXY; CA from the option, else AWS_CA_BUNDLE, else the system
/// store).
common::Result<AwsStack> make_aws_stack(const StackOptions& options, const Runtime& rt);

/// The stanza's credential_name read from splunkd's storage/passwords with the session key of
/// the input definition (CA: $SPLUNK_HOME/etc/auth/cacert.pem when present).
common::Result<aws::Credentials> stored_credentials(const InputConfig& config,
                                                    const modinput::InputDefinition& definition,
                                                    const Runtime& rt);

}  // namespace kubepriv::ingest
