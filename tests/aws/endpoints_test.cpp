#include "kubepriv/aws/endpoints.hpp"

#include <gtest/gtest.h>

#include "kubepriv/testing/map_environment.hpp"

using namespace kubepriv;

namespace {
aws::EndpointOptions opts(std::string region, std::string url = "", bool fips = false,
                          bool dual = false) {
  aws::EndpointOptions o;
  o.region = std::move(region);
  o.explicit_url = std::move(url);
  o.use_fips = fips;
  o.use_dualstack = dual;
  return o;
}
}  // namespace

TEST(Endpoints, PartitionsFipsDualstack) {
  aws::MapEnvironment env;
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("us-east-1"), env)->url,
            "https://logs.us-east-1.amazonaws.com");
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("cn-north-1"), env)->url,
            "https://logs.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("us-east-2", "", true), env)->url,
            "https://logs-fips.us-east-2.amazonaws.com");
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("us-gov-west-1", "", true), env)->url,
            "https://logs.us-gov-west-1.amazonaws.com");
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("eu-west-1", "", false, true), env)->url,
            "https://logs.eu-west-1.api.aws");
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("cn-north-1", "", true), env));
  EXPECT_EQ(aws::resolve_sts_endpoint(opts("ap-south-1"), env)->url,
            "https://sts.ap-south-1.amazonaws.com");
  env.vars["AWS_USE_FIPS_ENDPOINT"] = "true";
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("us-west-2"), env)->url,
            "https://logs-fips.us-west-2.amazonaws.com");
}

TEST(Endpoints, PrecedenceExplicitThenServiceEnvThenGlobalEnv) {
  aws::MapEnvironment env;
  env.vars["AWS_ENDPOINT_URL"] = "https://global.example.com";
  auto e = aws::resolve_logs_endpoint(opts("eu-central-1"), env);
  EXPECT_EQ(e->url, "https://global.example.com");
  EXPECT_EQ(e->source, "AWS_ENDPOINT_URL");
  EXPECT_EQ(e->signing_region, "eu-central-1");  // never parsed from the host
  env.vars["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] =
      "https://vpce-0abc.logs.eu-central-1.vpce.amazonaws.com/";
  e = aws::resolve_logs_endpoint(opts("eu-central-1"), env);
  EXPECT_EQ(e->url, "https://vpce-0abc.logs.eu-central-1.vpce.amazonaws.com");
  EXPECT_EQ(e->service, "logs");
  e = aws::resolve_logs_endpoint(opts("eu-central-1", "https://explicit.example.com:8443"), env);
  EXPECT_EQ(e->url, "https://explicit.example.com:8443");
  EXPECT_EQ(e->source, "endpoint setting");
  env.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(aws::resolve_logs_endpoint(opts("eu-central-1"), env)->url,
            "https://logs.eu-central-1.amazonaws.com");
  // The STS override is separate from the logs one.
  env.vars.erase("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  env.vars["AWS_ENDPOINT_URL_STS"] = "https://sts.vpce.example.com";
  EXPECT_EQ(aws::resolve_sts_endpoint(opts("eu-central-1"), env)->url,
            "https://sts.vpce.example.com");
}

TEST(Endpoints, PlainHttpOnlyForLoopback) {
  aws::MapEnvironment env;
  EXPECT_TRUE(aws::resolve_logs_endpoint(opts("us-east-1", "http://127.0.0.1:5000"), env));
  EXPECT_TRUE(aws::resolve_logs_endpoint(opts("us-east-1", "http://localhost:5000"), env));
  EXPECT_TRUE(aws::resolve_logs_endpoint(opts("us-east-1", "http://[::1]:5000"), env));
  EXPECT_TRUE(aws::resolve_logs_endpoint(opts("us-east-1", "http://127.8.9.10"), env));
  auto bad = aws::resolve_logs_endpoint(opts("us-east-1", "http://10.0.0.5:5000"), env);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("https"), std::string::npos);
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("us-east-1", "http://127.0.0.1.evil.com"), env));
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("us-east-1", "ftp://127.0.0.1"), env));
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("us-east-1", "https://user:pw@host"), env));
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("US-EAST-1"), env));
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts(""), env));
  EXPECT_FALSE(aws::resolve_logs_endpoint(opts("us-east-1; rm -rf"), env));
}

TEST(Url, ParsingAndSecurityCheck) {
  auto u = common::parse_url("HTTPS://Example.COM:8443/a/b?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(u->authority(), "example.com:8443");
  auto v6 = common::parse_url("http://[fd00:ec2::254]/latest");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00:ec2::254");
  EXPECT_EQ(v6->authority(), "[fd00:ec2::254]");
  EXPECT_FALSE(common::parse_url("http://host:99999/"));
  EXPECT_FALSE(common::parse_url("http://host/#frag"));
  EXPECT_FALSE(common::parse_url("http:///path"));
  EXPECT_TRUE(common::check_url_security("http://169.254.169.254/latest/api/token"));
  EXPECT_TRUE(common::check_url_security("http://[fd00:ec2::23]/v1/credentials"));
  EXPECT_FALSE(common::check_url_security("http://169.254.169.253/"));
  EXPECT_FALSE(common::check_url_security("http://example.com/"));
  EXPECT_TRUE(common::check_url_security("https://example.com/"));
  EXPECT_TRUE(common::is_loopback_host("127.255.0.1"));
  EXPECT_FALSE(common::is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(common::is_loopback_host("127.0.0.256"));
}
