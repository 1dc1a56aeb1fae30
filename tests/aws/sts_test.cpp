#include "kubepriv/aws/sts.hpp"

#include <gtest/gtest.h>

#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"

using namespace kubepriv;
using kubepriv::aws::testing::FakeHttp;

namespace {

const char* kGood =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
    "  <AssumeRoleResult>\n    <Credentials>\n      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>\n"
    "      <SecretAccessKey>sts-secret</SecretAccessKey>\n      "
    "<SessionToken>sts-token</SessionToken>\n"
    "      <Expiration>2030-01-01T00:00:00Z</Expiration>\n    </Credentials>\n"
    "    <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn></AssumedRoleUser>\n"
    "  </AssumeRoleResult>\n  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n"
    "</AssumeRoleResponse>\n";

}  // namespace

TEST(StsXml, ParsesCredentials) {
  auto c = aws::parse_sts_response(kGood, 200);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAEXAMPLE");
  EXPECT_EQ(c->secret_access_key, "sts-secret");
  EXPECT_EQ(c->session_token, "sts-token");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(common::to_epoch_ms(*c->expiration), 1893456000000);
}

TEST(StsXml, ErrorDocumentsAreClassified) {
  auto denied = aws::parse_sts_response(
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not "
      "authorized</Message></Error><RequestId>r-9</RequestId></ErrorResponse>",
      403);
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, common::ErrorCode::kAuth);
  EXPECT_NE(denied.error().message.find("AccessDenied"), std::string::npos);
  EXPECT_NE(denied.error().message.find("r-9"), std::string::npos);
  auto throttled = aws::parse_sts_response(
      "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate "
      "exceeded</Message></Error></ErrorResponse>",
      400);
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, common::ErrorCode::kThrottled);
}

TEST(StsXml, RejectsHtmlTruncatedAndEntities) {
  auto html = aws::parse_sts_response("<html><body>502 Bad Gateway</body>", 502);
  ASSERT_FALSE(html);
  EXPECT_EQ(html.error().code, common::ErrorCode::kUnavailable);
  const std::string full(kGood);
  auto truncated = aws::parse_sts_response(full.substr(0, full.size() / 2), 200);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, common::ErrorCode::kParse);
  auto empty = aws::parse_sts_response("", 200);
  EXPECT_FALSE(empty);
  // Billion laughs / external entities: any DOCTYPE is refused before expansion.
  auto entity = aws::parse_sts_response(
      "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY a \"aaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>"
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>&b;</AccessKeyId>"
      "<SecretAccessKey>s</SecretAccessKey></Credentials></AssumeRoleResult></AssumeRoleResponse>",
      200);
  ASSERT_FALSE(entity);
  EXPECT_NE(entity.error().message.find("DOCTYPE"), std::string::npos);
  auto external = aws::parse_sts_response("<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r/>", 200);
  EXPECT_FALSE(external);
  auto no_creds = aws::parse_sts_response("<AssumeRoleResponse/>", 200);
  ASSERT_FALSE(no_creds);
  EXPECT_EQ(no_creds.error().code, common::ErrorCode::kParse);
  // A secret inside an error message never reaches the error text.
  auto leaky = aws::parse_sts_response(
      "<ErrorResponse><Error><Code>X</Code><Message>bad "
      "SessionToken=abcdefSECRET</Message></Error></ErrorResponse>",
      400);
  ASSERT_FALSE(leaky);
  EXPECT_EQ(leaky.error().message.find("abcdefSECRET"), std::string::npos);
}

TEST(StsClient, AssumeRoleIsSignedFormPost) {
  FakeHttp http;
  http.push(200, kGood);
  aws::MapEnvironment env;
  common::FakeClock clock;
  aws::StsClient sts({"eu-west-1", "", std::chrono::seconds(5)}, env, http, clock);
  aws::Credentials src{"AKIDSOURCE", "source-secret", "", {}, "test"};
  auto c = sts.assume_role(src, "arn:aws:iam::123:role/r", "sess", "ext-id/1", 900);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(http.requests.size(), 1u);
  const auto& req = http.requests[0];
  EXPECT_EQ(req.url, "https://sts.eu-west-1.amazonaws.com/");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fr"
            "&RoleSessionName=sess&DurationSeconds=900&ExternalId=ext-id%2F1");
  auto auth = common::find_header(req.headers, "Authorization");
  ASSERT_TRUE(auth);
  EXPECT_NE(auth->find("Credential=AKIDSOURCE/"), std::string::npos);
  EXPECT_NE(auth->find("/eu-west-1/sts/aws4_request"), std::string::npos);
}

TEST(StsClient, WebIdentityIsUnsignedAndRetriesTransientErrors) {
  FakeHttp http;
  http.push_error(common::ErrorCode::kUnavailable, "connection reset");
  http.push(200, kGood);
  aws::MapEnvironment env;
  env.vars["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:9/";
  common::FakeClock clock;
  aws::StsClient sts({"us-east-1", "", std::chrono::seconds(5)}, env, http, clock);
  auto c = sts.assume_role_with_web_identity("arn:aws:iam::1:role/w", "s", "jwt.token.value");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(http.requests.size(), 2u);
  EXPECT_EQ(http.requests[1].url, "http://127.0.0.1:9/");
  EXPECT_FALSE(common::find_header(http.requests[1].headers, "Authorization"));
  EXPECT_NE(http.requests[1].body.find("WebIdentityToken=jwt.token.value"), std::string::npos);
}
