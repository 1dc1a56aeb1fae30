#include "kubepriv/ingest/aws_stack.hpp"

#include <spdlog/spdlog.h>

#include <initializer_list>  // std::initializer_list

#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/rate_limiter.hpp"
#include "kubepriv/splunkd/passwords.hpp"

namespace kubepriv::ingest {

using common::Result;

namespace {

// The first of `names` that is set (HTTPS_PROXY or https_proxy, ...); "" when none is.
std::string first_set(const aws::Environment& env, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (auto v = env.get(n)) return *v;
  }
  return {};
}

}  // namespace

StackOptions stack_options(const InputConfig& c) {
  return {.region = c.region,
          .endpoint_url = c.endpoint_url,
          .sts_endpoint_url = c.sts_endpoint_url,
          .proxy_url = c.proxy_url,
          .profile = c.profile,
          .role_arn = c.role_arn,
          .external_id = c.external_id,
          .use_fips = c.use_fips,
          .rate_limit = c.rate_limit,
          .explicit_credentials = std::nullopt,
          .ca_bundle = c.ca_bundle};
}

Result<AwsStack> make_aws_stack(const StackOptions& o, const Runtime& rt) {
  auto endpoint = aws::resolve_logs_endpoint({.region = o.region,
                                              .explicit_url = o.endpoint_url,
                                              .use_fips = o.use_fips,
                                              .use_dualstack = false},
                                             rt.env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  net::CurlOptions copts;
  copts.proxy =
      !o.proxy_url.empty() ? o.proxy_url : first_set(rt.env, {"HTTPS_PROXY", "https_proxy"});
  copts.no_proxy = first_set(rt.env, {"NO_PROXY", "no_proxy"});
  copts.ca_bundle = !o.ca_bundle.empty() ? o.ca_bundle : first_set(rt.env, {"AWS_CA_BUNDLE"});
  copts.user_agent = "kubepriv-eks_audit_logs";
  AwsStack s;
  s.http = rt.make_transport(copts);
  aws::ChainOptions chain;
  chain.explicit_credentials = o.explicit_credentials;
  chain.profile = o.profile;
  chain.region = o.region;
  chain.sts_endpoint = o.sts_endpoint_url;
  chain.assume_role.role_arn = o.role_arn;
  chain.assume_role.external_id = o.external_id;
  chain.assume_role.session_name = "kubepriv-eks-audit";
  s.credentials = std::make_unique<aws::DefaultCredentialsChain>(chain, rt.env, *s.http, rt.clock);
  aws::LogsClientConfig lc;
  lc.endpoint = *endpoint;
  auto bucket = aws::shared_token_bucket(o.region + "|" + endpoint->url, o.rate_limit, rt.clock);
  s.client = std::make_unique<aws::CloudWatchLogsClient>(lc, *s.http, *s.credentials, rt.clock,
                                                         rt.sleeper, bucket, aws::default_rng());
  spdlog::info("CloudWatch Logs endpoint " + endpoint->url + " (" + endpoint->source +
               "), region " + o.region + ", rate limit " + std::to_string(o.rate_limit) +
               " calls/s" +
               (copts.proxy.empty() ? "" : ", proxy " + net::redact_proxy(copts.proxy)));
  return s;
}

Result<aws::Credentials> stored_credentials(const InputConfig& cfg,
                                            const modinput::InputDefinition& def,
                                            const Runtime& rt) {
  auto name = splunkd::parse_credential_name(cfg.credential_name);
  if (!name) return tl::unexpected(name.error());
  net::CurlOptions opts;
  // splunkd's certificate is usually signed by $SPLUNK_HOME/etc/auth/cacert.pem.
  if (auto home = rt.env.get("SPLUNK_HOME")) {
    const std::string ca = *home + "/etc/auth/cacert.pem";
    if (rt.env.read_file(ca)) opts.ca_bundle = ca;
  }
  // The chain is still verified; only the name check is waived, and only for loopback.
  opts.loopback_skip_hostname_check = true;
  auto http = rt.make_transport(opts);
  auto cred = splunkd::read_password(
      *http, {.server_uri = def.server_uri, .session_key = def.session_key, .app = cfg.app}, *name);
  if (!cred) return tl::unexpected(cred.error());
  aws::Credentials c;
  c.access_key_id = cred->username;
  c.secret_access_key = cred->password;
  c.provider = "splunk:" + cfg.credential_name;
  return c;
}

}  // namespace kubepriv::ingest
