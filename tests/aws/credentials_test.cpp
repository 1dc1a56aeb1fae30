#include "kubepriv/aws/credentials.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "kubepriv/aws/caching_provider.hpp"
#include "kubepriv/aws/chain_provider.hpp"
#include "kubepriv/aws/container_provider.hpp"
#include "kubepriv/aws/credentials_json.hpp"
#include "kubepriv/aws/default_credentials_chain.hpp"
#include "kubepriv/aws/environment_provider.hpp"
#include "kubepriv/aws/imds_provider.hpp"
#include "kubepriv/aws/profile_provider.hpp"
#include "kubepriv/aws/sts.hpp"
#include "kubepriv/aws/web_identity_provider.hpp"
#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"

using namespace kubepriv;
using common::ErrorCode;
using kubepriv::aws::testing::FakeHttp;

namespace {

std::string sts_xml(const std::string& key, const std::string& action = "AssumeRole") {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>s-" + key + "</SecretAccessKey><SessionToken>t-" + key +
         "</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></" + action +
         "Result></" + action + "Response>";
}

std::string creds_json(const std::string& key, const std::string& exp = "2030-01-01T00:00:00Z") {
  return "{\"Code\":\"Success\",\"AccessKeyId\":\"" + key +
         "\",\"SecretAccessKey\":\"s\",\"Token\":\"t\","
         "\"Expiration\":\"" +
         exp + "\"}";
}

common::HttpResponse ok(std::string body) {
  common::HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

// A fake network with STS, IMDS and a container endpoint, keyed on method + URL.
struct World {
  FakeHttp http;
  aws::MapEnvironment env;
  common::FakeClock clock;
  std::vector<std::string> log;
  World() {
    http.handler = [this](const common::HttpRequest& r) -> common::Result<common::HttpResponse> {
      log.push_back(r.method + " " + r.url);
      if (r.url.find("sts.") != std::string::npos || r.url.find(":4566") != std::string::npos) {
        if (r.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos) {
          return ok(sts_xml("ASIAWEB", "AssumeRoleWithWebIdentity"));
        }
        return ok(sts_xml("ASIAROLE"));
      }
      if (r.url == "http://169.254.169.254/latest/api/token" && r.method == "PUT")
        return ok("imds-token");
      if (r.url == "http://169.254.169.254/latest/meta-data/iam/security-credentials/")
        return ok("my-role\n");
      if (r.url == "http://169.254.169.254/latest/meta-data/iam/security-credentials/my-role") {
        return ok(creds_json("ASIAIMDS"));
      }
      if (r.url.rfind("http://169.254.170.2/", 0) == 0 ||
          r.url.rfind("http://127.0.0.1:7777/", 0) == 0) {
        return ok(creds_json("ASIACONTAINER"));
      }
      return common::fail(ErrorCode::kUnavailable, "fake: connection refused");
    };
  }
  // `text` becomes the shared config file.
  void config(std::string text) {
    env.vars["AWS_CONFIG_FILE"] = "/c";
    env.files["/c"] = std::move(text);
  }
  // Profile `name` through a ProfileProvider with a default STS client.
  common::Result<aws::Credentials> profile(const std::string& name) {
    aws::StsClient sts({}, env, http, clock);
    return aws::ProfileProvider(env, http, sts, name).get();
  }
  common::Result<aws::Credentials> chain(aws::ChainOptions o = {}) {
    if (o.region.empty()) o.region = "us-east-1";
    aws::DefaultCredentialsChain c(o, env, http, clock);
    return c.get();
  }
};

}  // namespace

TEST(EnvironmentProvider, ReadsKeysAndRejectsHalfConfig) {
  aws::MapEnvironment env;
  aws::EnvironmentProvider p(env);
  EXPECT_EQ(p.get().error().code, ErrorCode::kNotFound);
  env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  EXPECT_EQ(p.get().error().code, ErrorCode::kInvalidArgument);
  env.vars["AWS_SECRET_ACCESS_KEY"] = "secret";
  env.vars["AWS_SECURITY_TOKEN"] = "legacy";
  auto c = p.get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->session_token, "legacy");
  env.vars["AWS_SESSION_TOKEN"] = "modern";
  EXPECT_EQ(p.get()->session_token, "modern");
  env.vars["AWS_CREDENTIAL_EXPIRATION"] = "garbage";
  EXPECT_EQ(p.get().error().code, ErrorCode::kInvalidArgument);
}

TEST(Chain, OrderExplicitEnvWebIdentityProfileContainerImds) {
  World w;
  // Only IMDS available.
  auto c = w.chain();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  // Container beats IMDS.
  w.env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  EXPECT_EQ(w.chain()->access_key_id, "ASIACONTAINER");
  // Profile beats container.
  w.env.vars["HOME"] = "/home/u";
  w.env.files["/home/u/.aws/credentials"] =
      "[default]\naws_access_key_id=AKIDPROFILE\naws_secret_access_key=x\n";
  EXPECT_EQ(w.chain()->access_key_id, "AKIDPROFILE");
  // Web identity beats profile.
  w.env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token";
  w.env.vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/irsa";
  w.env.files["/var/run/token"] = "jwt-1\n";
  EXPECT_EQ(w.chain()->access_key_id, "ASIAWEB");
  // Environment beats web identity.
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  w.env.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  EXPECT_EQ(w.chain()->access_key_id, "AKIDENV");
  // Explicit beats everything.
  aws::ChainOptions o;
  o.explicit_credentials = aws::Credentials{"AKIDEXPLICIT", "s", "", {}, ""};
  EXPECT_EQ(w.chain(o)->access_key_id, "AKIDEXPLICIT");
}

TEST(Chain, NothingConfiguredIsAnAuthErrorListingProviders) {
  World w;
  w.env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  auto c = w.chain();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kAuth);
  EXPECT_NE(c.error().message.find("environment"), std::string::npos);
  EXPECT_NE(c.error().message.find("imds"), std::string::npos);
  EXPECT_TRUE(w.log.empty());  // IMDS disabled: no network call at all
}

TEST(Chain, AssumeRoleOnTopUsesChainResult) {
  World w;
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  w.env.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  aws::ChainOptions o;
  o.assume_role.role_arn = "arn:aws:iam::2:role/cross";
  o.assume_role.external_id = "ext";
  auto c = w.chain(o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAROLE");
  const auto& req = w.http.requests.back();
  EXPECT_NE(req.body.find("ExternalId=ext"), std::string::npos);
  EXPECT_NE(common::find_header(req.headers, "Authorization")->find("Credential=AKIDENV/"),
            std::string::npos);
}

TEST(Profile, ConfigAndCredentialsSectionsAndNamedProfiles) {
  World w;
  w.env.vars["AWS_CONFIG_FILE"] = "/c";
  w.env.vars["AWS_SHARED_CREDENTIALS_FILE"] = "/k";
  w.env.files["/c"] =
      "[default]\nregion=us-east-1\n[profile "
      "dev]\naws_access_key_id=AKIDDEVCFG\naws_secret_access_key=s\n"
      "[dev2]\naws_access_key_id=WRONG\naws_secret_access_key=s\n";
  w.env.files["/k"] =
      "[prod]\naws_access_key_id=AKIDPROD\naws_secret_access_key=s\naws_session_token=tok\n";
  aws::StsClient sts({}, w.env, w.http, w.clock);
  EXPECT_EQ(aws::ProfileProvider(w.env, w.http, sts, "dev").get()->access_key_id, "AKIDDEVCFG");
  auto prod = aws::ProfileProvider(w.env, w.http, sts, "prod").get();
  ASSERT_TRUE(prod);
  EXPECT_EQ(prod->session_token, "tok");
  // In the config file a non-default profile needs "[profile x]": "[dev2]" does not count.
  auto dev2 = aws::ProfileProvider(w.env, w.http, sts, "dev2").get();
  ASSERT_FALSE(dev2);
  EXPECT_EQ(dev2.error().code, ErrorCode::kInvalidArgument);  // named but missing: an error
  // The default profile has no keys: not configured, the chain moves on.
  EXPECT_EQ(aws::ProfileProvider(w.env, w.http, sts).get().error().code, ErrorCode::kNotFound);
  // AWS_PROFILE naming a missing profile is an error, not a silent fallback.
  w.env.vars["AWS_PROFILE"] = "nope";
  EXPECT_EQ(aws::ProfileProvider(w.env, w.http, sts).get().error().code,
            ErrorCode::kInvalidArgument);
}

TEST(Profile, RoleChainWithSourceProfileAndExternalId) {
  World w;
  w.env.vars["AWS_CONFIG_FILE"] = "/c";
  w.env.files["/c"] =
      "[profile base]\naws_access_key_id=AKIDBASE\naws_secret_access_key=s\n"
      "[profile "
      "mid]\nrole_arn=arn:aws:iam::1:role/mid\nsource_profile=base\nrole_session_name=midsess\n"
      "[profile "
      "top]\nrole_arn=arn:aws:iam::2:role/"
      "top\nsource_profile=mid\nexternal_id=xyz\nduration_seconds=1800\n";
  aws::StsClient sts({}, w.env, w.http, w.clock);
  auto c = aws::ProfileProvider(w.env, w.http, sts, "top").get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAROLE");
  ASSERT_EQ(w.http.requests.size(), 2u);
  EXPECT_NE(w.http.requests[0].body.find("RoleSessionName=midsess"), std::string::npos);
  EXPECT_NE(common::find_header(w.http.requests[0].headers, "Authorization")->find("AKIDBASE/"),
            std::string::npos);
  EXPECT_NE(w.http.requests[1].body.find("ExternalId=xyz"), std::string::npos);
  EXPECT_NE(w.http.requests[1].body.find("DurationSeconds=1800"), std::string::npos);
  EXPECT_NE(common::find_header(w.http.requests[1].headers, "Authorization")->find("ASIAROLE/"),
            std::string::npos);
}

TEST(Profile, CyclesAndBadRoleProfilesAreRefused) {
  World w;
  w.env.vars["AWS_CONFIG_FILE"] = "/c";
  w.env.files["/c"] =
      "[profile a]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=b\n"
      "[profile b]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=a\n"
      "[profile both]\nrole_arn=r\nsource_profile=a\ncredential_source=Environment\n"
      "[profile envsrc]\nrole_arn=arn:aws:iam::1:role/e\ncredential_source=Environment\n"
      "[profile "
      "self]\nrole_arn=arn:aws:iam::1:role/"
      "s\nsource_profile=self\naws_access_key_id=AKIDSELF\naws_secret_access_key=s\n"
      "[profile proc]\ncredential_process=/bin/echo\n";
  aws::StsClient sts({}, w.env, w.http, w.clock);
  auto cyc = aws::ProfileProvider(w.env, w.http, sts, "a").get();
  ASSERT_FALSE(cyc);
  EXPECT_NE(cyc.error().message.find("cycle"), std::string::npos);
  EXPECT_TRUE(w.http.requests.empty());
  EXPECT_FALSE(aws::ProfileProvider(w.env, w.http, sts, "both").get());
  EXPECT_FALSE(aws::ProfileProvider(w.env, w.http, sts, "envsrc").get());  // no env keys
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  w.env.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  EXPECT_TRUE(aws::ProfileProvider(w.env, w.http, sts, "envsrc").get());
  EXPECT_TRUE(aws::ProfileProvider(w.env, w.http, sts, "self").get());
  auto proc = aws::ProfileProvider(w.env, w.http, sts, "proc").get();
  ASSERT_FALSE(proc);
  EXPECT_NE(proc.error().message.find("credential_process"), std::string::npos);
}

namespace {
// Requests that reached STS.
std::size_t sts_calls(const FakeHttp& http) {
  std::size_t n = 0;
  for (const auto& r : http.requests) {
    if (r.url.find("sts.") != std::string::npos) ++n;
  }
  return n;
}

// Profiles p0 -> p1 -> ... -> p<base>: p0..p<base-1> assume a role with the next profile's
// credentials, p<base> holds static keys.
std::string role_chain(int base) {
  std::string text;
  for (int i = 0; i < base; ++i) {
    text += "[profile p" + std::to_string(i) + "]\nrole_arn=arn:aws:iam::1:role/r" +
            std::to_string(i) + "\nsource_profile=p" + std::to_string(i + 1) + "\n";
  }
  text += "[profile p" + std::to_string(base) +
          "]\naws_access_key_id=AKIDBASE\naws_secret_access_key=s\n";
  return text;
}
}  // namespace

TEST(Profile, RoleChainDepthIsBoundedBeforeAnyStsCall) {
  World w;
  // Ten source_profile steps below the profile asked for: followed, one AssumeRole per role.
  w.config(role_chain(10));
  auto ok = w.profile("p0");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->provider, "profile:p0 (assume_role)");
  EXPECT_EQ(sts_calls(w.http), 10u);
  EXPECT_NE(common::find_header(w.http.requests.front().headers, "Authorization")
                ->find("Credential=AKIDBASE/"),
            std::string::npos);
  // Eleven: refused as a configuration error, and STS is never asked.
  w.http.requests.clear();
  w.config(role_chain(11));
  auto deep = w.profile("p0");
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(deep.error().message.find("deeper than 10"), std::string::npos) << deep.error().message;
  EXPECT_TRUE(w.http.requests.empty());
}

TEST(Profile, CycleIsNamedWhereverItCloses) {
  World w;
  // a -> b -> c -> b: the loop does not pass through the profile asked for.
  w.config(
      "[profile a]\nrole_arn=arn:aws:iam::1:role/a\nsource_profile=b\n"
      "[profile b]\nrole_arn=arn:aws:iam::1:role/b\nsource_profile=c\n"
      "[profile c]\nrole_arn=arn:aws:iam::1:role/c\nsource_profile=b\n"
      "[profile selfnokeys]\nrole_arn=arn:aws:iam::1:role/s\nsource_profile=selfnokeys\n");
  auto cyc = w.profile("a");
  ASSERT_FALSE(cyc);
  EXPECT_EQ(cyc.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(cyc.error().message.find("cycle through 'b'"), std::string::npos)
      << cyc.error().message;
  // A profile sourcing itself uses its own static keys; without them it is an error, not a loop.
  auto self = w.profile("selfnokeys");
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(self.error().message.find("needs both"), std::string::npos) << self.error().message;
  EXPECT_TRUE(w.http.requests.empty());
}

TEST(Profile, MissingSourceProfileStopsTheChain) {
  World w;  // IMDS answers: the chain would find it if the profile error let it move on
  w.config("[default]\nrole_arn=arn:aws:iam::1:role/d\nsource_profile=ghost\n");
  auto c = w.chain();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(c.error().message.find("source credentials: profile: profile 'ghost' not found"),
            std::string::npos)
      << c.error().message;
  EXPECT_TRUE(w.log.empty());  // neither STS nor IMDS was asked
}

TEST(Profile, CredentialSources) {
  World w;
  w.config(
      "[profile env]\nrole_arn=arn:aws:iam::1:role/e\ncredential_source=Environment\n"
      "[profile ec2]\nrole_arn=arn:aws:iam::1:role/i\ncredential_source=Ec2InstanceMetadata\n"
      "[profile ecs]\nrole_arn=arn:aws:iam::1:role/c\ncredential_source=EcsContainer\n"
      "[profile bogus]\nrole_arn=arn:aws:iam::1:role/b\ncredential_source=Bogus\n"
      "[profile web]\nrole_arn=arn:aws:iam::1:role/w\nweb_identity_token_file=/jwt\n"
      "role_session_name=websess\n");
  w.env.files["/jwt"] = "profile-jwt\n";
  auto signer = [&] {
    return *common::find_header(w.http.requests.back().headers, "Authorization");
  };
  // A source that is not configured is an auth error of the role profile, not "not found".
  auto env = w.profile("env");
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().code, ErrorCode::kAuth);
  EXPECT_TRUE(w.http.requests.empty());
  auto ec2 = w.profile("ec2");
  ASSERT_TRUE(ec2) << ec2.error().message;
  EXPECT_NE(signer().find("Credential=ASIAIMDS/"), std::string::npos);
  // The container endpoint is not configured: an auth error, no request to it.
  const auto before = w.http.requests.size();
  EXPECT_EQ(w.profile("ecs").error().code, ErrorCode::kAuth);
  w.env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
  ASSERT_TRUE(w.profile("ecs"));
  EXPECT_NE(signer().find("Credential=ASIACONTAINER/"), std::string::npos);
  EXPECT_GT(w.http.requests.size(), before);
  w.http.requests.clear();
  auto bogus = w.profile("bogus");
  ASSERT_FALSE(bogus);
  EXPECT_EQ(bogus.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bogus.error().message.find("unknown credential_source 'Bogus'"), std::string::npos);
  EXPECT_TRUE(w.http.requests.empty());
  // web_identity_token_file: AssumeRoleWithWebIdentity with the profile's role and session.
  auto web = w.profile("web");
  ASSERT_TRUE(web) << web.error().message;
  EXPECT_EQ(web->access_key_id, "ASIAWEB");
  const auto& body = w.http.requests.back().body;
  EXPECT_NE(body.find("WebIdentityToken=profile-jwt&"), std::string::npos) << body;
  EXPECT_NE(body.find("RoleSessionName=websess"), std::string::npos) << body;
  EXPECT_NE(body.find("role%2Fw"), std::string::npos) << body;
}

TEST(Profile, UnsupportedKindsStopTheChainInsteadOfBeingSkipped) {
  for (const std::string kind : {"credential_process=/bin/echo", "sso_session=corp",
                                 "sso_start_url=https://example.awsapps.com/start"}) {
    World w;  // IMDS answers
    w.config("[default]\n" + kind + "\n");
    auto c = w.chain();
    ASSERT_FALSE(c) << kind;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument) << kind;
    EXPECT_NE(c.error().message.find("not supported"), std::string::npos) << c.error().message;
    EXPECT_TRUE(w.log.empty()) << kind;
  }
}

TEST(Profile, DurationSecondsAndFiles) {
  World w;
  const std::string base =
      "[profile k]\naws_access_key_id=AKIDK\naws_secret_access_key=s\n"
      "[profile r]\nrole_arn=arn:aws:iam::1:role/r\nsource_profile=k\nduration_seconds=";
  for (const std::string bad : {"899", "43201", "soon", "1800abc"}) {
    w.config(base + bad + "\n");
    auto r = w.profile("r");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(r.error().message.find("duration_seconds"), std::string::npos) << bad;
  }
  EXPECT_TRUE(w.http.requests.empty());
  w.config(base + "900\n");
  ASSERT_TRUE(w.profile("r"));
  EXPECT_NE(w.http.requests.back().body.find("DurationSeconds=900"), std::string::npos);
  // A file that is not INI is an error naming the file; no file at all is "not configured".
  w.config("this is not ini\n");
  auto bad = w.profile("r");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("/c"), std::string::npos);
  w.env.files.erase("/c");
  EXPECT_EQ(w.profile("r").error().code, ErrorCode::kNotFound);
}

TEST(WebIdentity, TokenFileReReadOnEveryRefresh) {
  World w;
  w.env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/t";
  w.env.vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/irsa";
  w.env.vars["AWS_ROLE_SESSION_NAME"] = "pod-x";
  w.env.files["/t"] = "first-jwt";
  aws::StsClient sts({}, w.env, w.http, w.clock);
  aws::WebIdentityProvider p(w.env, sts);
  ASSERT_TRUE(p.get());
  EXPECT_NE(w.http.requests.back().body.find("WebIdentityToken=first-jwt"), std::string::npos);
  EXPECT_NE(w.http.requests.back().body.find("RoleSessionName=pod-x"), std::string::npos);
  w.env.files["/t"] = "rotated-jwt";
  ASSERT_TRUE(p.get(true));
  EXPECT_NE(w.http.requests.back().body.find("WebIdentityToken=rotated-jwt"), std::string::npos);
  w.env.files.erase("/t");
  EXPECT_EQ(p.get().error().code, ErrorCode::kAuth);  // configured but broken: not "not found"
  w.env.vars.erase("AWS_ROLE_ARN");
  EXPECT_EQ(p.get().error().code, ErrorCode::kInvalidArgument);
}

TEST(Container, RelativeAndFullUriWithAuthorization) {
  World w;
  aws::ContainerProvider p(w.env, w.http);
  EXPECT_EQ(p.get().error().code, ErrorCode::kNotFound);
  w.env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://evil.example.com/creds";
  auto bad = p.get();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(w.http.requests.empty());
  w.env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:7777/v1/credentials";
  w.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "env-token";
  w.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = "/pod-identity-token";
  w.env.files["/pod-identity-token"] = "file-token\n";
  auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIACONTAINER");
  EXPECT_EQ(*common::find_header(w.http.requests.back().headers, "Authorization"), "file-token");
  w.env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://169.254.170.23/v1/credentials";
  ASSERT_FALSE(p.get());  // allowed host, but our fake does not serve it: the error is a failure
  EXPECT_EQ(w.http.requests.back().url, "http://169.254.170.23/v1/credentials");
  w.env.vars.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  w.env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
  ASSERT_TRUE(p.get());
  EXPECT_EQ(w.http.requests.back().url, "http://169.254.170.2/v2/credentials/x");
}

TEST(Imds, TokenThenRoleThenCredentials) {
  World w;
  aws::ImdsProvider p(w.env, w.http);
  auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  ASSERT_EQ(w.http.requests.size(), 3u);
  EXPECT_EQ(w.http.requests[0].method, "PUT");
  EXPECT_EQ(
      *common::find_header(w.http.requests[0].headers, "X-aws-ec2-metadata-token-ttl-seconds"),
      "21600");
  EXPECT_EQ(*common::find_header(w.http.requests[1].headers, "X-aws-ec2-metadata-token"),
            "imds-token");
  EXPECT_EQ(*common::find_header(w.http.requests[2].headers, "X-aws-ec2-metadata-token"),
            "imds-token");
  EXPECT_LE(w.http.requests[0].timeout, std::chrono::seconds(1));
}

TEST(Imds, OverrideDisabledAndNoV1Fallback) {
  World w;
  w.env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:1/";
  aws::ImdsProvider p(w.env, w.http);
  auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(w.http.requests.front().url, "http://127.0.0.1:1/latest/api/token");
  w.env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://metadata.example.com";
  EXPECT_EQ(p.get().error().code, ErrorCode::kInvalidArgument);
  // A 403 on the token PUT (IMDSv1-only setups): never fall back to unauthenticated GETs.
  FakeHttp http;
  http.push(403, "forbidden");
  http.push(403, "forbidden");
  aws::MapEnvironment env;
  aws::ImdsProvider p2(env, http);
  EXPECT_EQ(p2.get().error().code, ErrorCode::kNotFound);
  for (const auto& r : http.requests) EXPECT_EQ(r.method, "PUT");
  env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  const auto before = http.requests.size();
  EXPECT_EQ(p2.get().error().code, ErrorCode::kNotFound);
  EXPECT_EQ(http.requests.size(), before);
}

namespace {
struct CountingProvider : aws::CredentialsProvider {
  common::FakeClock& clock;
  std::chrono::minutes lifetime;
  int calls = 0;
  bool fail_next = false;
  CountingProvider(common::FakeClock& c, std::chrono::minutes l) : clock(c), lifetime(l) {}
  common::Result<aws::Credentials> get(bool) override {
    ++calls;
    if (fail_next) return common::fail(ErrorCode::kUnavailable, "down");
    return aws::Credentials{"AK" + std::to_string(calls), "s", "t", clock.now() + lifetime,
                            "count"};
  }
  std::string name() const override { return "count"; }
};
}  // namespace

TEST(Caching, AdvisoryAndMandatoryRefreshWindows) {
  common::FakeClock clock;
  auto inner = std::make_shared<CountingProvider>(clock, std::chrono::minutes(60));
  aws::CachingProvider cache(inner, clock);
  EXPECT_EQ(cache.get()->access_key_id, "AK1");
  EXPECT_EQ(cache.get()->access_key_id, "AK1");
  EXPECT_EQ(inner->calls, 1);
  clock.advance(std::chrono::minutes(47));  // 13 min left: advisory window
  inner->fail_next = true;
  EXPECT_EQ(cache.get()->access_key_id, "AK1");  // refresh failed, old ones still good
  EXPECT_EQ(inner->calls, 2);
  clock.advance(std::chrono::minutes(4));  // 9 min left: mandatory
  EXPECT_FALSE(cache.get());
  inner->fail_next = false;
  EXPECT_EQ(cache.get()->access_key_id, "AK4");
  // Forced refresh after an auth error always asks again.
  EXPECT_EQ(cache.get(true)->access_key_id, "AK5");
}

TEST(Chain, WinnerThatDisappearsMakesTheChainWalkAgain) {
  World w;
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  w.env.vars["AWS_SECRET_ACCESS_KEY"] = "s";
  aws::ChainProvider chain({std::make_shared<aws::EnvironmentProvider>(w.env),
                            std::make_shared<aws::ImdsProvider>(w.env, w.http)});
  EXPECT_EQ(chain.get()->access_key_id, "AKIDENV");
  EXPECT_TRUE(w.log.empty());
  w.env.vars.erase("AWS_ACCESS_KEY_ID");
  w.env.vars.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(chain.get(true)->access_key_id, "ASIAIMDS");
  // IMDS goes away too: the walk starts again and a half-configured environment stops it
  // (a configured but broken provider is reported, never skipped).
  w.env.vars["AWS_EC2_METADATA_DISABLED"] = "true";
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  EXPECT_EQ(chain.get(true).error().code, ErrorCode::kInvalidArgument);
}

TEST(Chain, AssumedRoleIsRefreshedBeforeItExpires) {
  World w;
  const auto lifetime = std::chrono::minutes(60);
  int issued = 0;
  w.http.handler = [&](const common::HttpRequest& r) -> common::Result<common::HttpResponse> {
    w.log.push_back(r.method + " " + r.url);
    if (r.url.find("sts.") == std::string::npos)
      return common::fail(ErrorCode::kUnavailable, "fake: connection refused");
    const std::string key = "ASIAROLE" + std::to_string(++issued);
    const std::time_t exp = std::chrono::system_clock::to_time_t(w.clock.now() + lifetime);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&exp));
    std::string xml = sts_xml(key);
    xml.replace(xml.find("2030-01-01T00:00:00Z"), 20, stamp);
    return ok(xml);
  };
  w.env.vars["AWS_CONFIG_FILE"] = "/c";
  w.env.files["/c"] =
      "[default]\nrole_arn=arn:aws:iam::1:role/r\nsource_profile=k\n"
      "[profile k]\naws_access_key_id=AKIDK\naws_secret_access_key=s\n";
  aws::ChainOptions o;
  o.region = "us-east-1";
  aws::DefaultCredentialsChain chain(o, w.env, w.http, w.clock);
  EXPECT_EQ(chain.get()->access_key_id, "ASIAROLE1");
  w.clock.advance(std::chrono::minutes(40));  // 20 min left: cached
  EXPECT_EQ(chain.get()->access_key_id, "ASIAROLE1");
  EXPECT_EQ(sts_calls(w.http), 1u);
  w.clock.advance(std::chrono::minutes(15));  // 5 min left: refreshed
  EXPECT_EQ(chain.get()->access_key_id, "ASIAROLE2");
  EXPECT_EQ(sts_calls(w.http), 2u);
  EXPECT_EQ(chain.get(true)->access_key_id, "ASIAROLE3");  // after an ExpiredToken
}

TEST(Credentials, DescribeNeverShowsSecrets) {
  aws::Credentials c{"AKIAIOSFODNN7EXAMPLE",
                     "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                     "SESSIONTOKEN",
                     {},
                     "environment"};
  const std::string d = c.describe();
  EXPECT_EQ(d.find("wJalr"), std::string::npos);
  EXPECT_EQ(d.find("SESSIONTOKEN"), std::string::npos);
  EXPECT_EQ(d.find("IOSFODNN7"), std::string::npos);
  EXPECT_NE(d.find("AKIA"), std::string::npos);
}

TEST(Credentials, JsonDocumentParsing) {
  EXPECT_TRUE(aws::parse_credentials_json(creds_json("A"), "x"));
  EXPECT_FALSE(aws::parse_credentials_json(
      "{\"Code\":\"Failure\",\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}", "x"));
  EXPECT_FALSE(aws::parse_credentials_json("<html>", "x"));
  EXPECT_FALSE(aws::parse_credentials_json("{\"AccessKeyId\":\"A\"}", "x"));
  EXPECT_FALSE(aws::parse_credentials_json(creds_json("A", "tomorrow"), "x"));
}

// Every error path we can reach with secrets around: no message may carry one.
TEST(Credentials, ErrorMessagesNeverCarrySecrets) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const std::string token = "IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE";
  World w;
  w.http.handler = [&](const common::HttpRequest&) -> common::Result<common::HttpResponse> {
    common::HttpResponse r;
    r.status = 403;
    r.body =
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>denied for SessionToken=" + token +
        " SecretAccessKey=" + secret + "</Message></Error></ErrorResponse>";
    return r;
  };
  w.env.vars["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  w.env.vars["AWS_SECRET_ACCESS_KEY"] = secret;
  w.env.vars["AWS_SESSION_TOKEN"] = token;
  w.env.vars["AWS_CONFIG_FILE"] = "/c";
  w.env.files["/c"] =
      "[profile r]\nrole_arn=arn:aws:iam::1:role/r\nsource_profile=k\n[profile k]\n"
      "aws_access_key_id=AKIDK\naws_secret_access_key=" +
      secret +
      "\n"
      "[profile broken]\naws_secret_access_key=" +
      secret + "\n";
  w.env.files["/t"] = token;
  w.env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:7777/creds";
  w.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token;
  aws::StsClient sts({}, w.env, w.http, w.clock);
  std::vector<std::string> messages;
  auto collect = [&](const common::Result<aws::Credentials>& r) {
    if (!r) messages.push_back(r.error().message);
  };
  collect(aws::ProfileProvider(w.env, w.http, sts, "r").get());
  collect(aws::ProfileProvider(w.env, w.http, sts, "broken").get());
  collect(aws::WebIdentityProvider(w.env, sts, "/t", "arn:aws:iam::1:role/w").get());
  collect(aws::ContainerProvider(w.env, w.http).get());
  collect(aws::ImdsProvider(w.env, w.http).get());
  collect(sts.assume_role(aws::Credentials{"AKIDENV", secret, token, {}, ""},
                          "arn:aws:iam::1:role/x", "s", "", 900));
  w.env.vars.erase("AWS_SECRET_ACCESS_KEY");
  collect(aws::EnvironmentProvider(w.env).get());
  aws::ChainOptions o;
  o.assume_role.role_arn = "arn:aws:iam::1:role/x";
  collect(w.chain(o));
  ASSERT_GE(messages.size(), 7u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.find(secret), std::string::npos) << m;
    EXPECT_EQ(m.find(token), std::string::npos) << m;
  }
}

TEST(ProcessEnvironment, ReadsRealFilesWithLimits) {
  aws::ProcessEnvironment env;
  const std::string path = ::testing::TempDir() + "/kubepriv-env-test.txt";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("hello\n", f);
    std::fclose(f);
  }
  auto ok = env.read_file(path);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, "hello\n");
  EXPECT_EQ(env.read_file(path, 3).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(env.read_file(path + ".missing").error().code, ErrorCode::kNotFound);
  std::remove(path.c_str());
  EXPECT_FALSE(env.get("KUBEPRIV_SURELY_UNSET_VARIABLE_12345"));
}
