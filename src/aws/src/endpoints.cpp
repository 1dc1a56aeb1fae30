#include "kubepriv/aws/endpoints.hpp"

#include <cctype>   // std::islower
#include <utility>  // std::move

#include "kubepriv/common/ascii.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

bool is_valid_region(std::string_view region) {
  if (region.empty() || region.size() > 64 || region.front() == '-' || region.back() == '-')
    return false;
  for (char c : region) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '-')) return false;
  }
  return true;
}

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

bool env_true(const Environment& env, std::string_view name) {
  const auto v = env.get(name);
  if (!v) return false;
  const std::string l = common::ascii_lower(*v);
  return l == "true" || l == "1";
}

Result<Endpoint> from_url(const std::string& url, std::string region, std::string service,
                          std::string source) {
  auto parsed = common::parse_url(url);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument, source + ": " + parsed.error().message);
  }
  if (parsed->scheme == "http" && !common::is_loopback_host(parsed->host)) {
    return fail(ErrorCode::kInvalidArgument,
                source +
                    ": plain http:// is accepted only for loopback hosts (127.0.0.0/8, ::1, "
                    "localhost); use https:// for '" +
                    parsed->host + "'");
  }
  if (!parsed->query.empty()) {
    return fail(ErrorCode::kInvalidArgument, source + ": an endpoint URL must not have a query");
  }
  Endpoint e;
  // Keep the base without a trailing slash; requests go to "<base>/".
  e.url = parsed->scheme + "://" + parsed->authority();
  if (parsed->path != "/") {
    std::string p = parsed->path;
    while (!p.empty() && p.back() == '/') p.pop_back();
    e.url += p;
  }
  e.parsed = *parsed;
  e.signing_region = std::move(region);
  e.service = std::move(service);
  e.source = std::move(source);
  return e;
}

Result<Endpoint> resolve(const EndpointOptions& o, const Environment& env, std::string_view service,
                         std::string_view env_specific, std::string_view host_prefix) {
  if (!is_valid_region(o.region)) {
    return fail(ErrorCode::kInvalidArgument,
                "invalid AWS region '" + o.region + "' (expected e.g. us-east-1)");
  }
  if (!o.explicit_url.empty())
    return from_url(o.explicit_url, o.region, std::string(service), "endpoint setting");
  if (!env_true(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (auto v = env.get(env_specific))
      return from_url(*v, o.region, std::string(service), std::string(env_specific));
    if (auto v = env.get("AWS_ENDPOINT_URL"))
      return from_url(*v, o.region, std::string(service), "AWS_ENDPOINT_URL");
  }
  const bool fips = o.use_fips || env_true(env, "AWS_USE_FIPS_ENDPOINT");
  const bool dual = o.use_dualstack || env_true(env, "AWS_USE_DUALSTACK_ENDPOINT");
  const std::string suffix = partition_dns_suffix(o.region);
  std::string host;
  const bool gov = starts_with(o.region, "us-gov-");
  const bool cn = starts_with(o.region, "cn-");
  std::string prefix(host_prefix);
  if (fips && !gov) {
    if (cn) return fail(ErrorCode::kInvalidArgument, "no FIPS endpoint in the China regions");
    prefix += "-fips";
  }
  if (dual) {
    const std::string dual_suffix = cn ? "api.amazonwebservices.com.cn" : "api.aws";
    host = prefix + "." + o.region + "." + dual_suffix;
  } else {
    host = prefix + "." + o.region + "." + suffix;
  }
  return from_url("https://" + host, o.region, std::string(service), "default");
}

}  // namespace

std::string partition_dns_suffix(std::string_view region) {
  if (starts_with(region, "cn-")) return "amazonaws.com.cn";
  if (starts_with(region, "us-isob-")) return "sc2s.sgov.gov";
  if (starts_with(region, "us-isof-")) return "csp.hci.ic.gov";
  if (starts_with(region, "us-iso-")) return "c2s.ic.gov";
  if (starts_with(region, "eu-isoe-")) return "cloud.adc-e.uk";
  if (starts_with(region, "eusc-")) return "amazonaws.eu";
  return "amazonaws.com";
}

Result<Endpoint> resolve_logs_endpoint(const EndpointOptions& options, const Environment& env) {
  return resolve(options, env, "logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "logs");
}

Result<Endpoint> resolve_sts_endpoint(const EndpointOptions& options, const Environment& env) {
  return resolve(options, env, "sts", "AWS_ENDPOINT_URL_STS", "sts");
}

}  // namespace kubepriv::aws
