#include "kubepriv/ingest/config.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "kubepriv/ingest/params.hpp"
#include "kubepriv/modinput/scheme.hpp"
#include "kubepriv/testing/map_environment.hpp"

namespace eks = kubepriv::ingest;
namespace mi = kubepriv::modinput;

namespace {

mi::Stanza stanza(mi::ParamValues params) {
  return mi::Stanza{"eks_audit_logs://prod", "kubepriv", std::move(params), {}};
}

}  // namespace

TEST(EksConfig, ClusterFromLogGroup) {
  EXPECT_EQ(eks::cluster_from_log_group("/aws/eks/prod-1/cluster"), "prod-1");
  EXPECT_EQ(eks::cluster_from_log_group(
                "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/eks/b/cluster:*"),
            "b");
  EXPECT_EQ(eks::cluster_from_log_group("/aws/eks/a/b/cluster"), "");
  EXPECT_EQ(eks::cluster_from_log_group("/custom/group"), "");
  EXPECT_EQ(eks::cluster_from_log_group("/aws/eks//cluster"), "");
}

TEST(EksConfig, DefaultsAndDerivedMetadata) {
  kubepriv::aws::MapEnvironment env;
  auto c = eks::resolve_config(stanza({{"region", "eu-west-1"},
                                       {"cluster_name", "prod"},
                                       {"host", "splunk-sh1"},
                                       {"index", "k8s"}}),
                               "splunk-sh1", env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->log_group, "/aws/eks/prod/cluster");
  EXPECT_EQ(c->host, "prod");  // the inherited host equals splunkd's: not an override
  EXPECT_EQ(c->source, "kubernetes");
  EXPECT_EQ(c->sourcetype, "aws:cloudwatchlogs:eks");
  EXPECT_EQ(c->index, "k8s");
  EXPECT_EQ(c->stream_prefix, "kube-apiserver-audit-");
  EXPECT_EQ(c->latency.count(), 120000);
  EXPECT_EQ(c->overlap.count(), 600000);
  EXPECT_DOUBLE_EQ(c->rate_limit, 2.0);
  EXPECT_FALSE(c->exit_when_caught_up);
  EXPECT_NE(c->checkpoint_key().find("/aws/eks/prod/cluster"), std::string::npos);
}

TEST(EksConfig, ExplicitHostAndArnAndEnvRegion) {
  kubepriv::aws::MapEnvironment env;
  env.vars["AWS_REGION"] = "us-west-2";
  auto c = eks::resolve_config(
      stanza({{"log_group", "arn:aws:logs:us-west-2:123456789012:log-group:/aws/eks/x/cluster"},
              {"host", "my-host"},
              {"latency", "5m"}}),
      "splunk-sh1", env);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->region, "us-west-2");
  EXPECT_TRUE(c->log_group.empty());
  EXPECT_EQ(c->cluster, "x");
  EXPECT_EQ(c->host, "my-host");
  EXPECT_EQ(c->latency.count(), 300000);
}

TEST(EksConfig, ErrorsNameEveryBadParameter) {
  kubepriv::aws::MapEnvironment env;
  auto c = eks::resolve_config(stanza({{"latency", "x"}, {"external_id", "ab"}}), "h", env);
  ASSERT_FALSE(c);
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("eks_audit_logs://prod"), std::string::npos) << m;
  EXPECT_NE(m.find("latency:"), std::string::npos) << m;
  EXPECT_NE(m.find("log_group: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("region: is required"), std::string::npos) << m;
  EXPECT_NE(m.find("external_id: is set but role_arn is not"), std::string::npos) << m;
}

TEST(EksConfig, EndpointMustBeHttpsUnlessLoopback) {
  EXPECT_TRUE(eks::validate_stanza(
                  {{"cluster_name", "a"}, {"endpoint_url", "http://127.0.0.1:4566"}}, "eu-west-1")
                  .empty());
  EXPECT_TRUE(
      eks::validate_stanza({{"cluster_name", "a"},
                            {"endpoint_url", "https://vpce-1.logs.eu-west-1.vpce.amazonaws.com"}},
                           "eu-west-1")
          .empty());
  EXPECT_EQ(eks::validate_stanza(
                {{"cluster_name", "a"}, {"endpoint_url", "http://logs.example.com"}}, "eu-west-1")
                .size(),
            1u);
}

TEST(EksConfig, TableNamesAreSplunkSafeAndUnique) {
  std::set<std::string> seen;
  for (const auto& p : eks::param_table()) {
    EXPECT_TRUE(seen.insert(p.name).second) << p.name;
    EXPECT_NE(p.name, "host");
    EXPECT_NE(p.name, "index");
    for (char ch : p.name)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_') << p.name;
    if (!p.default_value.empty() && p.validate) {
      EXPECT_FALSE(p.validate(p.default_value)) << p.name << " default is invalid";
    }
  }
}
