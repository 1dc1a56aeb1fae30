// The real audit events in tests/fixtures/k8s-audit (third-party data, see
// tests/fixtures/SOURCES.md). Expected verdicts were read off each file; a missing fixture is a
// failure, not a skip.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "event_builder.hpp"
#include "kubepriv/audit/evaluator.hpp"

namespace kubepriv::test {
namespace {

using core::Evidence;
using core::Outcome;

std::filesystem::path fixtures_dir() {
  return std::filesystem::path(KUBEPRIV_FIXTURES) / "k8s-audit";
}

std::vector<std::string> lines_of(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures_dir();
    ASSERT_TRUE(std::filesystem::is_directory(dir_ / "falco-trace-files"))
        << "fixtures not found in " << dir_;
  }
  core::Verdict falco(const std::string& file) {
    const auto lines = lines_of(dir_ / "falco-trace-files" / file);
    EXPECT_EQ(lines.size(), 1U) << file;
    if (lines.empty()) return {};
    return ev_.evaluate(lines.front());
  }
  std::filesystem::path dir_;
  audit::Evaluator ev_;
};

TEST_F(FixtureTest, PrivilegedPodByReplicasetController) {
  const auto v = falco("create_nginx_pod_privileged.json");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container");
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.evidence, Evidence::kSpec);
  EXPECT_EQ(v.containers, std::vector<std::string>{"nginx"});
  EXPECT_EQ(v.images, std::vector<std::string>{"nginx"});
  EXPECT_EQ(v.user, "system:serviceaccount:kube-system:replicaset-controller");
  EXPECT_EQ(v.name, "nginx-deployment-5cdcc99dbf-rgw6z");  // generated, from responseObject
  EXPECT_EQ(v.workload_kind, "Pod");
  EXPECT_EQ(v.src_ip, "::1");
  EXPECT_EQ(v.response_code, 201);
}

TEST_F(FixtureTest, PrivilegedSecondContainer) {
  for (const char* file :
       {"create_nginx_pod_privileged_2nd_container.json",
        "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json"}) {
    const auto v = falco(file);
    EXPECT_TRUE(v.privileged) << file;
    EXPECT_EQ(reasons_of(v), "privileged_container") << file;
    EXPECT_EQ(v.containers, std::vector<std::string>{"mysql"}) << file;
    EXPECT_EQ(v.images, std::vector<std::string>{"mysql:latest"}) << file;
    EXPECT_EQ(v.details, std::vector<std::string>{"privileged_container: containers[1] \"mysql\""});
  }
}

TEST_F(FixtureTest, HostNetwork) {
  const auto v = falco("create_nginx_pod_hostnetwork.json");
  EXPECT_FALSE(v.privileged);
  EXPECT_EQ(reasons_of(v), "host_network");
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.containers, std::vector<std::string>{"nginx1"});
}

TEST_F(FixtureTest, SensitiveMounts) {
  auto v = falco("create_nginx_pod_sensitive_mount.json");
  EXPECT_FALSE(v.privileged);
  EXPECT_EQ(reasons_of(v), "host_path");
  EXPECT_EQ(v.details, std::vector<std::string>{"host_path: volumes[0] \"/etc\" (sensitive)"});
  EXPECT_EQ(v.containers, std::vector<std::string>{"nginx"});
  v = falco("create_nginx_pod_sensitive_mount_2nd_container.json");
  EXPECT_EQ(reasons_of(v), "host_path");
  EXPECT_EQ(v.containers, std::vector<std::string>{"mysql"});  // only mysql mounts it
}

TEST_F(FixtureTest, Negatives) {
  for (const char* file :
       {"create_nginx_pod_unprivileged.json", "create_nginx_pod_nohostnetwork.json",
        "create_pod_kube_system_namespace.json"}) {
    const auto v = falco(file);
    EXPECT_TRUE(v.error.empty()) << file << ": " << v.error;
    EXPECT_FALSE(v.privileged) << file;
    EXPECT_TRUE(v.reasons.empty()) << file;
    EXPECT_EQ(v.outcome, Outcome::kSuccess) << file;
    EXPECT_EQ(v.evidence, Evidence::kSpec) << file;
  }
  EXPECT_EQ(falco("create_pod_kube_system_namespace.json").namespace_, "kube-system");
}

TEST_F(FixtureTest, GetOfPodWithHostPathIsNotAWrite) {
  const auto v = falco("create_nginx_pod_unsensitive_mount.json");
  EXPECT_TRUE(v.error.empty());
  EXPECT_EQ(v.verb, "get");
  EXPECT_EQ(v.outcome, Outcome::kNone);
  EXPECT_TRUE(v.reasons.empty());
}

TEST_F(FixtureTest, DeploymentAtRequestLevel) {
  const auto v = falco("create_deployment.json");
  EXPECT_TRUE(v.error.empty());
  EXPECT_EQ(v.workload_kind, "Deployment");
  EXPECT_EQ(v.name, "nginx-deployment");
  EXPECT_EQ(v.outcome, Outcome::kSuccess);
  EXPECT_EQ(v.evidence, Evidence::kSpec);
  EXPECT_FALSE(v.privileged);
  EXPECT_TRUE(v.reasons.empty());
}

TEST_F(FixtureTest, ExecAndAttachAreNone) {
  for (const char* file : {"exec_pod.json", "attach_pod.json"}) {
    const auto v = falco(file);
    EXPECT_TRUE(v.error.empty()) << file;
    EXPECT_EQ(v.outcome, Outcome::kNone) << file;
    EXPECT_EQ(v.stage, "ResponseStarted");
    EXPECT_EQ(v.response_code, 101);
  }
}

TEST_F(FixtureTest, ConfigMapsAreNone) {
  const auto lines =
      lines_of(dir_ / "falco-trace-files" / "create_configmap_sensitive_values.json");
  ASSERT_EQ(lines.size(), 6U);
  for (const auto& line : lines) {
    const auto& v = ev_.evaluate(line);
    EXPECT_TRUE(v.error.empty()) << v.error;
    EXPECT_EQ(v.outcome, Outcome::kNone);
    EXPECT_EQ(v.resource, "configmaps");
    EXPECT_FALSE(v.audit_id.empty());
  }
}

TEST_F(FixtureTest, MalformedFal01003) {
  const auto v = falco("fal_01_003.json");
  EXPECT_EQ(v.error, "field kind is not a string");
  EXPECT_FALSE(v.privileged);
}

// The example_log of Splunk's data source YAML: a YAML single-quoted scalar folded over lines.
std::string yaml_single_quoted(const std::string& text, const std::string& key) {
  const auto start = text.find(key + ": '");
  if (start == std::string::npos) return {};
  std::string out;
  std::size_t i = start + key.size() + 3;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        out += '\'';
        i += 2;
        continue;
      }
      break;
    }
    if (c == '\n') {  // folding: a line break and the next line's indentation become one space
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += ' ';
      ++i;
      while (i < text.size() && text[i] == ' ') ++i;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

TEST_F(FixtureTest, SplunkExampleLogRbacDenied) {
  std::ifstream in(dir_ / "splunk-security-content" / "kubernetes_audit.yml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string event = yaml_single_quoted(ss.str(), "example_log");
  ASSERT_FALSE(event.empty());
  const auto& v = ev_.evaluate(event);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(v.outcome, Outcome::kDenied);
  EXPECT_EQ(v.evidence, Evidence::kNoBody);
  EXPECT_FALSE(v.privileged);
  EXPECT_EQ(v.response_code, 403);
  EXPECT_EQ(v.resource, "jobs");
  EXPECT_EQ(v.workload_kind, "Job");
  EXPECT_EQ(v.namespace_, "test2");
  EXPECT_EQ(v.user, "k8s-test-user");
  EXPECT_EQ(v.src_ip, "176.95.188.101");
  EXPECT_EQ(v.user_agent, "kubectl/v1.27.2 (darwin/arm64) kubernetes/7f6f68f");
  EXPECT_EQ(v.audit_id, "582c31ab-4906-49bb-9ff9-872f980ccb84");
  EXPECT_FALSE(v.dry_run);
}

}  // namespace
}  // namespace kubepriv::test
