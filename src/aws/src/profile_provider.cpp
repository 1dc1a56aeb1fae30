#include "kubepriv/aws/profile_provider.hpp"

#include <functional>  // std::function
#include <set>         // std::set

#include "kubepriv/aws/container_provider.hpp"
#include "kubepriv/aws/environment_provider.hpp"
#include "kubepriv/aws/imds_provider.hpp"
#include "kubepriv/aws/ini.hpp"
#include "kubepriv/aws/sts.hpp"
#include "kubepriv/aws/web_identity_provider.hpp"

namespace kubepriv::aws {

using common::ErrorCode;
using common::fail;
using common::Result;

ProfileProvider::ProfileProvider(const Environment& env, common::HttpTransport& http,
                                 StsClient& sts, std::string profile)
    : env_(env), http_(http), sts_(sts), profile_(std::move(profile)) {}

std::string ProfileProvider::name() const {
  return "profile:" + (profile_.empty() ? env_.get("AWS_PROFILE").value_or("default") : profile_);
}

namespace {

struct Profiles {
  IniFile config, credentials;
  bool any_file = false;
};

using Section = std::map<std::string, std::string, std::less<>>;

std::optional<Section> find_profile(const Profiles& p, const std::string& name) {
  std::optional<Section> out;
  auto merge = [&](const Section& s) {
    if (!out) out = Section{};
    for (const auto& [k, v] : s) (*out)[k] = v;
  };
  // config: "[profile name]"; "[default]" (and "[profile default]") for the default profile.
  if (auto it = p.config.find("profile " + name); it != p.config.end())
    merge(it->second);
  else if (name == "default") {
    if (auto it2 = p.config.find("default"); it2 != p.config.end()) merge(it2->second);
  }
  // credentials file: "[name]"; its keys win over config keys.
  if (auto it = p.credentials.find(name); it != p.credentials.end()) merge(it->second);
  return out;
}

std::string value_of(const Section& s, std::string_view key) {
  auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

}  // namespace

Result<Credentials> ProfileProvider::get(bool force_refresh) {
  const bool named = !profile_.empty() || env_.get("AWS_PROFILE").has_value();
  const std::string profile =
      !profile_.empty() ? profile_ : env_.get("AWS_PROFILE").value_or("default");
  const std::string home = env_.get("HOME").value_or("");
  const std::string config_path =
      env_.get("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
  const std::string cred_path = env_.get("AWS_SHARED_CREDENTIALS_FILE")
                                    .value_or(home.empty() ? "" : home + "/.aws/credentials");
  Profiles files;
  for (auto [path, target] :
       {std::pair{config_path, &files.config}, std::pair{cred_path, &files.credentials}}) {
    if (path.empty()) continue;
    auto text = env_.read_file(path);
    if (!text) {
      if (text.error().code == ErrorCode::kNotFound) continue;
      return fail(ErrorCode::kIo, "profile: " + text.error().message);
    }
    auto ini = parse_ini(*text);
    if (!ini)
      return fail(ErrorCode::kInvalidArgument, "profile: " + path + ": " + ini.error().message);
    *target = std::move(*ini);
    files.any_file = true;
  }

  std::set<std::string> visited;
  std::function<Result<Credentials>(const std::string&, int)> resolve =
      [&](const std::string& name, int depth) -> Result<Credentials> {
    if (depth > 10)
      return fail(ErrorCode::kInvalidArgument, "profile: role chain deeper than 10 profiles");
    auto section = find_profile(files, name);
    if (!section) {
      return fail(
          depth == 0 && !named ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument,
          "profile: profile '" + name + "' not found in " + config_path + " or " + cred_path);
    }
    if (!visited.insert(name).second) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: source_profile cycle through '" + name + "'");
    }
    const std::string role_arn = value_of(*section, "role_arn");
    const std::string key_id = value_of(*section, "aws_access_key_id");
    const std::string secret = value_of(*section, "aws_secret_access_key");
    auto static_creds = [&]() -> Result<Credentials> {
      if (key_id.empty() || secret.empty()) {
        return fail(
            ErrorCode::kInvalidArgument,
            "profile: '" + name + "' needs both aws_access_key_id and aws_secret_access_key");
      }
      Credentials c;
      c.access_key_id = key_id;
      c.secret_access_key = secret;
      c.session_token = value_of(*section, "aws_session_token");
      c.provider = "profile:" + name;
      return c;
    };
    if (role_arn.empty()) {
      if (!key_id.empty() || !secret.empty()) return static_creds();
      if (!value_of(*section, "credential_process").empty()) {
        return fail(ErrorCode::kInvalidArgument,
                    "profile: '" + name + "': credential_process is not supported");
      }
      if (!value_of(*section, "sso_start_url").empty() ||
          !value_of(*section, "sso_session").empty()) {
        return fail(ErrorCode::kInvalidArgument,
                    "profile: '" + name + "': SSO profiles are not supported");
      }
      return fail(depth == 0 && !named ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument,
                  "profile: '" + name + "' has no credentials");
    }
    const std::string session = value_of(*section, "role_session_name").empty()
                                    ? std::string("kubepriv")
                                    : value_of(*section, "role_session_name");
    int duration = 3600;
    if (auto d = value_of(*section, "duration_seconds"); !d.empty()) {
      try {
        duration = std::stoi(d);
      } catch (...) {
        return fail(ErrorCode::kInvalidArgument,
                    "profile: '" + name + "': duration_seconds is not a number");
      }
      if (duration < 900 || duration > 43200) {
        return fail(ErrorCode::kInvalidArgument,
                    "profile: '" + name + "': duration_seconds must be 900..43200");
      }
    }
    const std::string source_profile = value_of(*section, "source_profile");
    const std::string credential_source = value_of(*section, "credential_source");
    const std::string token_file = value_of(*section, "web_identity_token_file");
    const int sources = (source_profile.empty() ? 0 : 1) + (credential_source.empty() ? 0 : 1) +
                        (token_file.empty() ? 0 : 1);
    if (sources != 1) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name +
                      "' with role_arn needs exactly one of source_profile, "
                      "credential_source, web_identity_token_file");
    }
    if (!token_file.empty()) {
      WebIdentityProvider w(env_, sts_, token_file, role_arn, session);
      return w.get(force_refresh);
    }
    Result<Credentials> source = fail(ErrorCode::kInternal, "unset");
    if (!source_profile.empty()) {
      if (source_profile == name) {
        source = static_creds();  // botocore: a profile may source its own static keys
      } else {
        source = resolve(source_profile, depth + 1);
      }
    } else if (credential_source == "Environment") {
      source = EnvironmentProvider(env_).get(force_refresh);
    } else if (credential_source == "Ec2InstanceMetadata") {
      source = ImdsProvider(env_, http_).get(force_refresh);
    } else if (credential_source == "EcsContainer") {
      source = ContainerProvider(env_, http_).get(force_refresh);
    } else {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name + "': unknown credential_source '" + credential_source + "'");
    }
    if (!source) {
      return fail(
          source.error().code == ErrorCode::kNotFound ? ErrorCode::kAuth : source.error().code,
          "profile: '" + name + "': source credentials: " + source.error().message);
    }
    auto assumed =
        sts_.assume_role(*source, role_arn, session, value_of(*section, "external_id"), duration);
    if (assumed) assumed->provider = "profile:" + name + " (assume_role)";
    return assumed;
  };
  if (!files.any_file)
    return fail(ErrorCode::kNotFound, "profile: no shared config or credentials file");
  return resolve(profile, 0);
}

}  // namespace kubepriv::aws
