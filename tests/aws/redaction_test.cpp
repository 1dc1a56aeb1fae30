#include <gtest/gtest.h>

#include "kubepriv/aws/redact.hpp"

using namespace kubepriv::aws;

TEST(Redaction, SecretStandIns) {
  EXPECT_EQ(redact_secret("AKIAIOSFODNN7EXAMPLE", true), "AKIA…(20 chars)");
  EXPECT_EQ(redact_secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), "…(40 chars)");
  EXPECT_EQ(redact_secret("abc", true), "…(3 chars)");  // too short to show a prefix
}

TEST(Redaction, TextScrubbing) {
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const std::string token = "FQoGZXIvYXdzEXAMPLETOKEN";
  const std::vector<std::string> samples = {
      "Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, Signature=" + secret,
      "X-Amz-Security-Token: " + token,
      "<SecretAccessKey>" + secret + "</SecretAccessKey><SessionToken>" + token + "</SessionToken>",
      "{\"SecretAccessKey\":\"" + secret + "\",\"Token\":\"" + token + "\"}",
      "Action=AssumeRoleWithWebIdentity&WebIdentityToken=" + token + "&RoleArn=x",
      "aws_secret_access_key = " + secret + "\naws_session_token=" + token,
      "proxy http://user:" + secret + "@proxy:3128 failed",
      "x-aws-ec2-metadata-token: " + token,
  };
  for (const auto& s : samples) {
    const std::string r = redact_text(s);
    EXPECT_EQ(r.find(secret), std::string::npos) << r;
    EXPECT_EQ(r.find(token), std::string::npos) << r;
    EXPECT_NE(r.find("[REDACTED]"), std::string::npos) << r;
  }
  EXPECT_EQ(redact_text("nothing secret here"), "nothing secret here");
}

TEST(Redaction, WordsThatOnlyContainAMarkerStayReadable) {
  // A URL path and an error code are not name/value pairs: masking them only hides the clue.
  EXPECT_EQ(
      redact_text(
          "GET https://127.0.0.1:8089/servicesNS/nobody/kubepriv/storage/passwords/aws%3Ak%3A"),
      "GET https://127.0.0.1:8089/servicesNS/nobody/kubepriv/storage/passwords/aws%3Ak%3A");
  EXPECT_EQ(redact_text("InvalidSignatureException: bad"), "InvalidSignatureException: bad");
  // ... while the same word followed by a value is still masked.
  EXPECT_EQ(redact_text("password=hunter2"), "password=[REDACTED]");
  EXPECT_EQ(redact_text("{\"password\": \"hunter2\"}").find("hunter2"), std::string::npos);
}
