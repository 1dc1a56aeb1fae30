#include "kubepriv/ingest/params.hpp"

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/common/http.hpp"
#include "kubepriv/splunkd/passwords.hpp"

namespace kubepriv::ingest {

using modinput::DataType;
using modinput::Param;

namespace {

std::optional<std::string> check_region(std::string_view v) {
  if (!aws::is_valid_region(v)) {
    return std::string("\"").append(v) + "\" is not an AWS region name (example: eu-west-1)";
  }
  return std::nullopt;
}

bool group_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '/' || c == '#';
}

std::optional<std::string> check_log_group(std::string_view v) {
  if (v.rfind("arn:", 0) == 0) {
    if (v.find(":log-group:") == std::string_view::npos) {
      return std::string("\"").append(v) +
             "\" is an ARN but not a log group ARN "
             "(arn:aws:logs:<region>:<account>:log-group:<name>)";
    }
    return std::nullopt;
  }
  if (v.size() > 512) return std::string("is longer than 512 characters");
  for (char c : v) {
    if (!group_char(c)) {
      return std::string("\"").append(v) + std::string("\" contains '").append(1, c) +
             "'; log group names use only letters, digits and . - _ / #";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_cluster(std::string_view v) {
  if (v.size() > 100) return std::string("is longer than 100 characters");
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) {
      return std::string("\"").append(v) +
             "\" is not an EKS cluster name (letters, digits, - and _)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_prefix(std::string_view v) {
  if (v.size() > 512) return std::string("is longer than 512 characters");
  if (v.find_first_of(":*") != std::string_view::npos) {
    return std::string("\"").append(v) + "\" may not contain ':' or '*'";
  }
  return std::nullopt;
}

std::optional<std::string> check_start(std::string_view v) {
  auto s = aws::parse_start_position(v);
  if (!s) return s.error().message;
  return std::nullopt;
}

std::optional<std::string> check_endpoint(std::string_view v) {
  auto u = common::check_url_security(v);
  if (!u) return u.error().message;
  return std::nullopt;
}

std::optional<std::string> check_proxy(std::string_view v) {
  // Proxies may carry user:pass@, which parse_url refuses; check only the scheme here.
  if (v.rfind("http://", 0) != 0 && v.rfind("https://", 0) != 0) {
    return std::string("must start with http:// or https://");
  }
  return std::nullopt;
}

std::optional<std::string> check_ca_bundle(std::string_view v) {
  if (v.empty() || v.front() != '/') return std::string("must be an absolute path to a PEM file");
  return std::nullopt;
}

std::optional<std::string> check_role_arn(std::string_view v) {
  if (v.rfind("arn:", 0) != 0 || v.find(":iam::") == std::string_view::npos ||
      v.find(":role/") == std::string_view::npos) {
    return std::string("\"").append(v) +
           "\" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)";
  }
  return std::nullopt;
}

std::optional<std::string> check_external_id(std::string_view v) {
  if (v.size() < 2 || v.size() > 1224) return std::string("must be 2 to 1224 characters long");
  for (char c : v) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("+=,.@:/-_").find(c) != std::string_view::npos;
    if (!ok) return std::string("may contain only letters, digits and + = , . @ : / - _");
  }
  return std::nullopt;
}

std::optional<std::string> check_credential(std::string_view v) {
  auto n = splunkd::parse_credential_name(v);
  if (!n) return n.error().message;
  return std::nullopt;
}

std::optional<std::string> check_profile(std::string_view v) {
  if (v.find_first_of("[]\n\r") != std::string_view::npos) {
    return std::string("may not contain brackets or line breaks");
  }
  return std::nullopt;
}

std::vector<Param> make_table() {
  return {
      {"region", "AWS region",
       "Region of the log group, e.g. eu-west-1. When empty, AWS_REGION or AWS_DEFAULT_REGION.",
       DataType::kString, false, "", check_region},
      {"log_group", "Log group",
       "CloudWatch Logs log group name or ARN. Give this or cluster_name.", DataType::kString,
       false, "", check_log_group},
      {"cluster_name", "EKS cluster name",
       "Reads the log group /aws/eks/<cluster_name>/cluster when log_group is empty.",
       DataType::kString, false, "", check_cluster},
      {"log_stream_prefix", "Log stream prefix",
       "Only streams whose name starts with this are read.", DataType::kString, false,
       std::string(aws::kDefaultAuditStreamPrefix), check_prefix},
      {"start_position", "Start position",
       "Where a new input starts: now, beginning, an RFC 3339 time, or relative like -24h.",
       DataType::kString, false, "now", check_start},
      {"latency", "Latency",
       "Windows end this long before now, so late CloudWatch deliveries are in place.",
       DataType::kString, false, "120s", modinput::duration_between(0, 86400)},
      {"overlap", "Overlap",
       "Each window re-reads this much before the previous end; repeats are dropped by eventId.",
       DataType::kString, false, "600s", modinput::duration_between(0, 86400)},
      {"poll_interval", "Poll interval", "Time between collection cycles once caught up.",
       DataType::kString, false, "60s", modinput::duration_between(1, 86400)},
      {"rate_limit", "Rate limit",
       "Maximum FilterLogEvents calls per second, shared by the inputs of one region.",
       DataType::kNumber, false, "2", modinput::positive_number_up_to(25)},
      {"max_pages_per_cycle", "Pages per cycle", "Upper bound of API pages per cycle.",
       DataType::kNumber, false, "200", modinput::integer_between(1, 100000)},
      {"checkpoint_interval", "Checkpoint interval",
       "Minimum time between checkpoint writes inside a cycle; 0 = after every page.",
       DataType::kString, false, "0", modinput::duration_between(0, 3600)},
      {"exit_when_caught_up", "Exit when caught up",
       "Run until caught up, then exit (for an interval schedule) instead of polling.",
       DataType::kBoolean, false, "false", modinput::boolean()},
      {"endpoint_url", "CloudWatch Logs endpoint",
       "Custom endpoint (VPC or FIPS endpoint); https, or http to loopback only.",
       DataType::kString, false, "", check_endpoint},
      {"sts_endpoint_url", "STS endpoint", "Custom STS endpoint for role assumption.",
       DataType::kString, false, "", check_endpoint},
      {"use_fips", "Use FIPS endpoints", "Use the FIPS endpoint of the region.", DataType::kBoolean,
       false, "false", modinput::boolean()},
      {"proxy_url", "Proxy", "HTTPS proxy URL; when empty, HTTPS_PROXY.", DataType::kString, false,
       "", check_proxy},
      {"ca_bundle", "CA bundle",
       "PEM file of the CAs to trust for AWS; when empty, AWS_CA_BUNDLE, else the system store.",
       DataType::kString, false, "", check_ca_bundle},
      {"profile", "AWS profile", "Profile of the shared AWS config files; when empty, AWS_PROFILE.",
       DataType::kString, false, "", check_profile},
      {"role_arn", "Role ARN", "Role to assume on top of the base credentials.", DataType::kString,
       false, "", check_role_arn},
      {"external_id", "External ID", "ExternalId for the role assumption.", DataType::kString,
       false, "", check_external_id},
      {"credential_name", "Stored credential",
       "realm:username of a Splunk stored credential; its user name is the access key ID and "
       "its stored value the secret access key.",
       DataType::kString, false, "", check_credential},
  };
}

}  // namespace

const modinput::SchemeInfo& scheme_info() {
  static const modinput::SchemeInfo info{
      "EKS audit logs (CloudWatch Logs)",
      "Reads Amazon EKS Kubernetes API server audit events from CloudWatch Logs without losing "
      "late events or repeating events after a restart.",
      true, false};
  return info;
}

std::span<const Param> param_table() {
  static const std::vector<Param> table = make_table();
  return table;
}

std::vector<modinput::ValidationIssue> validate_stanza(const modinput::ParamValues& values,
                                                       const std::string& env_region) {
  auto issues = modinput::validate_params(param_table(), values);
  const auto has = [&](const char* k) {
    auto it = values.find(k);
    return it != values.end() && it->second.find_first_not_of(" \t") != std::string::npos;
  };
  if (!has("log_group") && !has("cluster_name")) {
    issues.push_back({"log_group", "is required: give log_group or cluster_name"});
  }
  if (!has("region") && env_region.empty()) {
    issues.push_back({"region", "is required (or set AWS_REGION in splunkd's environment)"});
  }
  if (has("external_id") && !has("role_arn")) {
    issues.push_back({"external_id", "is set but role_arn is not"});
  }
  return issues;
}

}  // namespace kubepriv::ingest
