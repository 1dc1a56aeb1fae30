#include "kubepriv/aws/profile_provider.hpp"

#include <functional>  // std::less
#include <map>         // std::map
#include <optional>    // std::optional
#include <set>         // std::set
#include <string>      // std::string, std::to_string
#include <utility>     // std::pair

#include "kubepriv/aws/container_provider.hpp"
#include "kubepriv/aws/environment_provider.hpp"
#include "kubepriv/aws/imds_provider.hpp"
#include "kubepriv/aws/ini.hpp"
#include "kubepriv/aws/sts.hpp"
#include "kubepriv/aws/web_identity_provider.hpp"
#include "kubepriv/common/decimal.hpp"

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

/// Longest source_profile chain followed below the profile asked for.
constexpr int kMaxChainDepth = 10;

using Section = std::map<std::string, std::string, std::less<>>;

/// The shared config and credentials files, parsed; a missing file is an empty one.
struct ProfileFiles {
  std::string config_path, credentials_path;
  IniFile config, credentials;
  bool any_file = false;
};

/// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/config and
/// ~/.aws/credentials), read and parsed. kIo when a file exists but cannot be read,
/// kInvalidArgument when one is not in the INI format.
Result<ProfileFiles> load_profile_files(const Environment& env) {
  const std::string home = env.get("HOME").value_or("");
  ProfileFiles files;
  files.config_path =
      env.get("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
  files.credentials_path = env.get("AWS_SHARED_CREDENTIALS_FILE")
                               .value_or(home.empty() ? "" : home + "/.aws/credentials");
  for (auto [path, target] : {std::pair{files.config_path, &files.config},
                              std::pair{files.credentials_path, &files.credentials}}) {
    if (path.empty()) continue;
    auto text = env.read_file(path);
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
  return files;
}

/// The keys of profile `name` from both files (the credentials file's win); nullopt when the
/// profile is in neither.
std::optional<Section> find_profile(const ProfileFiles& p, const std::string& name) {
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

/// The value of `key`, "" when absent.
std::string value_of(const Section& s, std::string_view key) {
  auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

/// The static keys of profile `name` (aws_access_key_id, aws_secret_access_key and the optional
/// aws_session_token); both keys are required.
Result<Credentials> static_credentials(const std::string& name, const Section& section) {
  const std::string key_id = value_of(section, "aws_access_key_id");
  const std::string secret = value_of(section, "aws_secret_access_key");
  if (key_id.empty() || secret.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                "profile: '" + name + "' needs both aws_access_key_id and aws_secret_access_key");
  }
  Credentials c;
  c.access_key_id = key_id;
  c.secret_access_key = secret;
  c.session_token = value_of(section, "aws_session_token");
  c.provider = "profile:" + name;
  return c;
}

/// The role settings of a profile with `role_arn`.
struct RoleProfile {
  std::string role_arn;
  std::string session_name;  ///< role_session_name, default "kubepriv"
  std::string external_id;   ///< empty: not sent
  int duration_seconds = 3600;
  /// Where the credentials that assume the role come from.
  enum class Source { kSourceProfile, kEnvironment, kImds, kContainer, kWebIdentity } source{};
  std::string source_profile;  ///< kSourceProfile
  std::string token_file;      ///< kWebIdentity
};

/// duration_seconds of profile `name`: 900..43200, 3600 when absent.
Result<int> read_duration(const std::string& name, const Section& section) {
  int duration = 3600;
  if (auto d = value_of(section, "duration_seconds"); !d.empty()) {
    auto parsed = common::parse_decimal<int>(d);
    if (!parsed) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name + "': duration_seconds is not a number");
    }
    duration = *parsed;
    if (duration < 900 || duration > 43200) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name + "': duration_seconds must be 900..43200");
    }
  }
  return duration;
}

/// Reads and checks the role settings of profile `name`: duration_seconds 900..43200 and
/// exactly one of source_profile, credential_source (Environment, Ec2InstanceMetadata,
/// EcsContainer), web_identity_token_file.
Result<RoleProfile> read_role_profile(const std::string& name, const Section& section) {
  RoleProfile role;
  role.role_arn = value_of(section, "role_arn");
  role.session_name = value_of(section, "role_session_name").empty()
                          ? std::string("kubepriv")
                          : value_of(section, "role_session_name");
  role.external_id = value_of(section, "external_id");
  auto duration = read_duration(name, section);
  if (!duration) return tl::unexpected(duration.error());
  role.duration_seconds = *duration;
  role.source_profile = value_of(section, "source_profile");
  role.token_file = value_of(section, "web_identity_token_file");
  const std::string credential_source = value_of(section, "credential_source");
  const int sources = (role.source_profile.empty() ? 0 : 1) + (credential_source.empty() ? 0 : 1) +
                      (role.token_file.empty() ? 0 : 1);
  if (sources != 1) {
    return fail(ErrorCode::kInvalidArgument,
                "profile: '" + name +
                    "' with role_arn needs exactly one of source_profile, "
                    "credential_source, web_identity_token_file");
  }
  using Source = RoleProfile::Source;
  if (!role.token_file.empty()) {
    role.source = Source::kWebIdentity;
  } else if (!role.source_profile.empty()) {
    role.source = Source::kSourceProfile;
  } else if (credential_source == "Environment") {
    role.source = Source::kEnvironment;
  } else if (credential_source == "Ec2InstanceMetadata") {
    role.source = Source::kImds;
  } else if (credential_source == "EcsContainer") {
    role.source = Source::kContainer;
  } else {
    return fail(ErrorCode::kInvalidArgument,
                "profile: '" + name + "': unknown credential_source '" + credential_source + "'");
  }
  return role;
}

/// One resolution of a profile through its source_profile chain (a fresh one per get()): the
/// profiles entered so far, for cycle detection, and what the sources need.
class ProfileChain {
 public:
  ProfileChain(const Environment& env, common::HttpTransport& http, StsClient& sts,
               const ProfileFiles& files, bool named, bool force_refresh)
      : env_(env),
        http_(http),
        sts_(sts),
        files_(files),
        named_(named),
        force_refresh_(force_refresh) {}

  /// Credentials of profile `name`, `depth` source_profile steps below the profile asked for.
  /// A chain deeper than kMaxChainDepth or entering a profile twice is refused before any STS
  /// call.
  Result<Credentials> resolve(const std::string& name, int depth) {
    if (depth > kMaxChainDepth)
      return fail(ErrorCode::kInvalidArgument, "profile: role chain deeper than " +
                                                   std::to_string(kMaxChainDepth) + " profiles");
    auto section = find_profile(files_, name);
    if (!section) {
      return fail(not_configured(depth), "profile: profile '" + name + "' not found in " +
                                             files_.config_path + " or " + files_.credentials_path);
    }
    if (!visited_.insert(name).second) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: source_profile cycle through '" + name + "'");
    }
    if (value_of(*section, "role_arn").empty()) return without_role(name, *section, depth);
    auto role = read_role_profile(name, *section);
    if (!role) return tl::unexpected(role.error());
    return assume_role(name, *section, *role, depth);
  }

 private:
  /// The profile asked for, not named by the user, is merely absent: the chain moves on. Any
  /// other missing piece is a configuration error.
  common::ErrorCode not_configured(int depth) const {
    return depth == 0 && !named_ ? ErrorCode::kNotFound : ErrorCode::kInvalidArgument;
  }

  /// A profile without role_arn: static keys, or an explanation of what it holds instead.
  Result<Credentials> without_role(const std::string& name, const Section& section, int depth) {
    if (!value_of(section, "aws_access_key_id").empty() ||
        !value_of(section, "aws_secret_access_key").empty()) {
      return static_credentials(name, section);
    }
    if (!value_of(section, "credential_process").empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name + "': credential_process is not supported");
    }
    if (!value_of(section, "sso_start_url").empty() || !value_of(section, "sso_session").empty()) {
      return fail(ErrorCode::kInvalidArgument,
                  "profile: '" + name + "': SSO profiles are not supported");
    }
    return fail(not_configured(depth), "profile: '" + name + "' has no credentials");
  }

  /// The credentials that assume the role: another profile's (recursively), the profile's own
  /// static keys (source_profile naming itself, as botocore allows), or a credential_source.
  Result<Credentials> source_credentials(const std::string& name, const Section& section,
                                         const RoleProfile& role, int depth) {
    switch (role.source) {
      case RoleProfile::Source::kSourceProfile:
        if (role.source_profile == name) return static_credentials(name, section);
        return resolve(role.source_profile, depth + 1);
      case RoleProfile::Source::kEnvironment: return EnvironmentProvider(env_).get(force_refresh_);
      case RoleProfile::Source::kImds: return ImdsProvider(env_, http_).get(force_refresh_);
      case RoleProfile::Source::kContainer:
        return ContainerProvider(env_, http_).get(force_refresh_);
      case RoleProfile::Source::kWebIdentity: break;  // answered by assume_role() itself
    }
    return fail(ErrorCode::kInternal, "profile: '" + name + "': no source for the role");
  }

  /// A role profile: web identity, or AssumeRole with the source credentials.
  Result<Credentials> assume_role(const std::string& name, const Section& section,
                                  const RoleProfile& role, int depth) {
    if (role.source == RoleProfile::Source::kWebIdentity) {
      WebIdentityProvider w(env_, sts_, role.token_file, role.role_arn, role.session_name);
      return w.get(force_refresh_);
    }
    auto source = source_credentials(name, section, role, depth);
    if (!source) {
      return fail(
          source.error().code == ErrorCode::kNotFound ? ErrorCode::kAuth : source.error().code,
          "profile: '" + name + "': source credentials: " + source.error().message);
    }
    auto assumed = sts_.assume_role(*source, role.role_arn, role.session_name, role.external_id,
                                    role.duration_seconds);
    if (assumed) assumed->provider = "profile:" + name + " (assume_role)";
    return assumed;
  }

  const Environment& env_;
  common::HttpTransport& http_;
  StsClient& sts_;
  const ProfileFiles& files_;
  const bool named_;          ///< the profile was named (option or AWS_PROFILE)
  const bool force_refresh_;  ///< passed on to the source providers
  std::set<std::string> visited_;
};

}  // namespace

Result<Credentials> ProfileProvider::get(bool force_refresh) {
  const bool named = !profile_.empty() || env_.get("AWS_PROFILE").has_value();
  const std::string profile =
      !profile_.empty() ? profile_ : env_.get("AWS_PROFILE").value_or("default");
  auto files = load_profile_files(env_);
  if (!files) return tl::unexpected(files.error());
  if (!files->any_file)
    return fail(ErrorCode::kNotFound, "profile: no shared config or credentials file");
  return ProfileChain(env_, http_, sts_, *files, named, force_refresh).resolve(profile, 0);
}

}  // namespace kubepriv::aws
