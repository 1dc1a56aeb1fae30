#include <gtest/gtest.h>

#include "kubepriv/splunkd/passwords.hpp"

namespace sp = kubepriv::splunkd;
namespace cm = kubepriv::common;

namespace {

// Answers with a canned response and remembers the request.
class CannedTransport final : public cm::HttpTransport {
 public:
  cm::Result<cm::HttpResponse> send(const cm::HttpRequest& r) override {
    last = r;
    ++calls;
    if (fail_transport) return cm::fail(cm::ErrorCode::kUnavailable, "connection refused");
    return response;
  }
  cm::HttpResponse response;
  cm::HttpRequest last;
  int calls = 0;
  bool fail_transport = false;
};

const char* const kBody = R"({"entry":[{"name":"aws:AKIDEXAMPLE:","content":{
  "clear_password":"wJalr/secret+key","password":"********","realm":"aws",
  "username":"AKIDEXAMPLE","eai:acl":{}}}]})";

}  // namespace

TEST(Splunkd, ParsesCredentialName) {
  auto n = sp::parse_credential_name("aws:AKID");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->realm, "aws");
  EXPECT_EQ(n->username, "AKID");
  n = sp::parse_credential_name("AKID");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->realm, "");
  n = sp::parse_credential_name("my\\:realm:user");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->realm, "my:realm");
  EXPECT_EQ(sp::password_entity_name(*n), "my\\:realm:user:");
  EXPECT_FALSE(sp::parse_credential_name("a:b:c"));
  EXPECT_FALSE(sp::parse_credential_name("realm:"));
}

TEST(Splunkd, RequestShape) {
  const auto req =
      sp::password_request({"https://127.0.0.1:8089/", "KEY123", "kubepriv"}, {"aws", "AKID"});
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.url,
            "https://127.0.0.1:8089/servicesNS/nobody/kubepriv/storage/passwords/"
            "aws%3AAKID%3A?output_mode=json");
  ASSERT_EQ(req.headers.size(), 1u);
  EXPECT_EQ(req.headers[0].name, "Authorization");
  EXPECT_EQ(req.headers[0].value, "Splunk KEY123");
}

TEST(Splunkd, ReadsClearPassword) {
  CannedTransport t;
  t.response = {200, {}, kBody};
  auto c =
      sp::read_password(t, {"https://127.0.0.1:8089", "KEY", "kubepriv"}, {"aws", "AKIDEXAMPLE"});
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->password, "wJalr/secret+key");
  EXPECT_EQ(c->username, "AKIDEXAMPLE");
}

TEST(Splunkd, ErrorsAreClassifiedAndNeverLeakSecrets) {
  CannedTransport t;
  const sp::Session s{"https://127.0.0.1:8089", "SESSIONKEY", "kubepriv"};
  t.response = {404, {}, "{}"};
  auto c = sp::read_password(t, s, {"aws", "AKID"});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, cm::ErrorCode::kNotFound);
  t.response = {401, {}, "{}"};
  c = sp::read_password(t, s, {"aws", "AKID"});
  EXPECT_EQ(c.error().code, cm::ErrorCode::kAuth);
  EXPECT_EQ(c.error().message.find("SESSIONKEY"), std::string::npos);
  t.response = {200, {}, "<html>"};
  EXPECT_EQ(sp::read_password(t, s, {"aws", "AKID"}).error().code, cm::ErrorCode::kParse);
  t.response = {200, {}, kBody};  // entry for a different user
  EXPECT_EQ(sp::read_password(t, s, {"aws", "OTHER"}).error().code, cm::ErrorCode::kNotFound);
  t.response = {503, {}, ""};
  EXPECT_EQ(sp::read_password(t, s, {"aws", "AKID"}).error().code, cm::ErrorCode::kUnavailable);
  t.fail_transport = true;
  EXPECT_EQ(sp::read_password(t, s, {"aws", "AKID"}).error().code, cm::ErrorCode::kUnavailable);
  const int before = t.calls;
  EXPECT_EQ(sp::read_password(t, {"https://h:8089", "", "a"}, {"aws", "AKID"}).error().code,
            cm::ErrorCode::kAuth);
  EXPECT_EQ(t.calls, before);  // no request without a session key
}
