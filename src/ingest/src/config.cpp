#include "kubepriv/ingest/config.hpp"

#include "kubepriv/ingest/params.hpp"
#include "kubepriv/modinput/params.hpp"

namespace kubepriv::ingest {

using common::ErrorCode;
using common::fail;
using common::Result;

std::string cluster_from_log_group(std::string_view group) {
  if (group.rfind("arn:", 0) == 0) {
    const auto pos = group.find(":log-group:");
    if (pos == std::string_view::npos) return {};
    group = group.substr(pos + 11);
    if (group.size() >= 2 && group.substr(group.size() - 2) == ":*") group.remove_suffix(2);
  }
  constexpr std::string_view kHead = "/aws/eks/", kTail = "/cluster";
  if (group.size() <= kHead.size() + kTail.size() || group.rfind(kHead, 0) != 0 ||
      group.substr(group.size() - kTail.size()) != kTail) {
    return {};
  }
  const auto name = group.substr(kHead.size(), group.size() - kHead.size() - kTail.size());
  if (name.find('/') != std::string_view::npos) return {};
  return std::string(name);
}

std::string InputConfig::checkpoint_key() const {
  return stanza + "|" + region + "|" + group_display() + "|" + stream_prefix;
}

std::string InputConfig::group_display() const {
  return log_group.empty() ? log_group_identifier : log_group;
}

Result<InputConfig> resolve_config(const modinput::Stanza& stanza, const std::string& server_host,
                                   const aws::Environment& env) {
  const std::string env_region = aws::region_from_env(env);
  auto issues = validate_stanza(stanza.params, env_region);
  if (!issues.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "input " + stanza.name + ": " + modinput::describe_issues(issues));
  }
  const auto v = modinput::with_defaults(param_table(), stanza.params);
  const auto get = [&](const char* k) -> std::string {
    auto it = v.find(k);
    return it == v.end() ? std::string() : it->second;
  };
  const auto ms = [&](const char* k) {
    return std::chrono::milliseconds(*modinput::parse_duration_seconds(get(k)) * 1000);
  };
  InputConfig c;
  c.stanza = stanza.name;
  c.app = stanza.app;
  c.region = get("region").empty() ? env_region : get("region");
  const std::string group = get("log_group");
  c.cluster = get("cluster_name");
  if (group.empty()) {
    c.log_group = "/aws/eks/" + c.cluster + "/cluster";
  } else if (group.rfind("arn:", 0) == 0) {
    c.log_group_identifier = group;
  } else {
    c.log_group = group;
  }
  if (c.cluster.empty()) c.cluster = cluster_from_log_group(group);
  c.stream_prefix = get("log_stream_prefix");
  c.start = *aws::parse_start_position(get("start_position"));
  c.latency = ms("latency");
  c.overlap = ms("overlap");
  c.poll_interval = ms("poll_interval");
  c.checkpoint_interval = ms("checkpoint_interval");
  c.rate_limit = *modinput::parse_positive_number(get("rate_limit"));
  c.max_pages_per_cycle =
      static_cast<int>(*modinput::parse_non_negative_int(get("max_pages_per_cycle")));
  c.exit_when_caught_up = *modinput::parse_bool(get("exit_when_caught_up"));
  c.use_fips = *modinput::parse_bool(get("use_fips"));
  c.endpoint_url = get("endpoint_url");
  c.sts_endpoint_url = get("sts_endpoint_url");
  c.proxy_url = get("proxy_url");
  c.profile = get("profile");
  c.role_arn = get("role_arn");
  c.external_id = get("external_id");
  c.credential_name = get("credential_name");
  c.ca_bundle = get("ca_bundle");

  // Metadata: Splunk passes its inherited settings as params. `host` always arrives (splunkd's
  // own name from [default]); only a different value is a deliberate override.
  const std::string host = get("host");
  c.host = (!host.empty() && host != server_host) ? host : c.cluster;
  c.source = get("source").empty() ? "kubernetes" : get("source");
  c.sourcetype = get("sourcetype").empty() ? "aws:cloudwatchlogs:eks" : get("sourcetype");
  c.index = get("index") == "default" ? std::string() : get("index");
  return c;
}

}  // namespace kubepriv::ingest
