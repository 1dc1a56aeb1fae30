// The modular input's run mode and --validate-arguments over a fake world: per-stanza
// configuration errors, a stop at start-up, where the credentials come from and which transport
// options the environment sets. HTTP goes to one scripted fake that plays both CloudWatch Logs
// and splunkd's storage/passwords.

#include "kubepriv/ingest/modular_input.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kubepriv/testing/capture_logs.hpp"
#include "kubepriv/testing/fake_clock.hpp"
#include "kubepriv/testing/fake_http.hpp"
#include "kubepriv/testing/map_environment.hpp"
#include "kubepriv/testing/test_dir.hpp"

using namespace kubepriv;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kNowMs = 1'700'000'000'000;
constexpr const char* kStream = "kube-apiserver-audit-0123";

std::string joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

// "eks_audit_logs://<name>" stanzas of an <input> document.
std::string input_document(const std::string& checkpoint_dir,
                           const std::map<std::string, std::map<std::string, std::string>>& in) {
  std::string doc =
      "<input><server_host>sh1</server_host><server_uri>https://127.0.0.1:8089</server_uri>"
      "<session_key>sess-KEY-1</session_key><checkpoint_dir>" +
      checkpoint_dir + "</checkpoint_dir><configuration>";
  for (const auto& [name, params] : in) {
    doc += "<stanza name=\"eks_audit_logs://" + name + "\" app=\"kubepriv\">";
    for (const auto& [k, v] : params) doc += "<param name=\"" + k + "\">" + v + "</param>";
    doc += "</stanza>";
  }
  return doc + "</configuration></input>";
}

std::string items_document(const std::map<std::string, std::string>& params) {
  std::string doc =
      "<items><server_host>sh1</server_host><server_uri>https://127.0.0.1:8089</server_uri>"
      "<session_key>sess-KEY-1</session_key><checkpoint_dir>/tmp</checkpoint_dir>"
      "<item name=\"v\">";
  for (const auto& [k, v] : params) doc += "<param name=\"" + k + "\">" + v + "</param>";
  return doc + "</item></items>";
}

// A stanza that collects the past two hours of a cluster's group once and exits.
std::map<std::string, std::string> stanza(const std::string& cluster) {
  return {{"region", "eu-west-1"},
          {"cluster_name", cluster},
          {"start_position", "-2h"},
          {"exit_when_caught_up", "true"},
          {"rate_limit", "25"}};
}

// The access key id of a SigV4 Authorization header ("" when unsigned).
std::string access_key_of(const common::HttpRequest& r) {
  const auto auth = common::find_header(r.headers, "Authorization").value_or("");
  const auto at = auth.find("Credential=");
  if (at == std::string::npos) return {};
  return auth.substr(at + 11, auth.find('/', at) - at - 11);
}

class ModularInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = kubepriv::testing::fresh_test_dir("modinput");
    env.vars = {{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:4566"},
                {"AWS_EC2_METADATA_DISABLED", "true"},
                {"AWS_CONFIG_FILE", "/cfg/config"},
                {"AWS_SHARED_CREDENTIALS_FILE", "/cfg/credentials"},
                {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                {"AWS_SECRET_ACCESS_KEY", "SECRETENV"}};
    http.handler = [this](const common::HttpRequest& r) { return answer(r); };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // splunkd knows one credential, aws:AKIDSTORED; CloudWatch Logs serves one event per group.
  common::Result<common::HttpResponse> answer(const common::HttpRequest& r) {
    if (on_request) on_request(r);
    common::HttpResponse resp;
    if (r.url.find("/storage/passwords/") != std::string::npos) {
      splunkd_requests.push_back(r);
      if (r.url.find("AKIDSTORED") == std::string::npos) {
        resp.status = 404;
        resp.body = R"({"messages":[{"type":"ERROR","text":"Could not find object"}]})";
        return resp;
      }
      resp.status = 200;
      resp.body = R"({"entry":[{"name":"aws:AKIDSTORED:","content":{"clear_password":)"
                  R"("SECRETSTORED","password":"********","realm":"aws",)"
                  R"("username":"AKIDSTORED","eai:acl":{}}}]})";
      return resp;
    }
    logs_requests.push_back(r);
    keys_used.insert(access_key_of(r));
    if (logs_status != 200) {
      resp.status = logs_status;
      resp.body = R"({"__type":"AccessDeniedException","message":"not authorized"})";
      return resp;
    }
    resp.status = 200;
    const auto at = r.body.find("/aws/eks/");
    const std::string group =
        at == std::string::npos ? "" : r.body.substr(at, r.body.find('"', at) - at);
    if (!group.empty() && served_groups.insert(group).second) {
      resp.body = R"({"events":[{"eventId":"1","logStreamName":")" + std::string(kStream) +
                  R"(","timestamp":)" + std::to_string(kNowMs - 1'800'000) +
                  R"(,"ingestionTime":1,"message":"{\"group\":\")" + group + R"(\"}"}]})";
    } else {
      resp.body = R"({"events":[]})";
    }
    return resp;
  }

  ingest::Runtime runtime() {
    return {.env = env,
            .clock = clock,
            .sleeper = sleeper,
            .stop = stop,
            .out = out,
            .make_transport =
                [this](const net::CurlOptions& o) {
                  transport_options.push_back(o);
                  return std::unique_ptr<common::HttpTransport>(
                      std::make_unique<aws::testing::ForwardingHttp>(http));
                },
            .event_time = {}};
  }

  int run(const std::map<std::string, std::map<std::string, std::string>>& stanzas) {
    logging::CaptureLogs capture;
    const int code = ingest::run_inputs(input_document(dir_.string(), stanzas), runtime());
    logs = capture.lines;
    return code;
  }

  int validate(const std::map<std::string, std::string>& params) {
    logging::CaptureLogs capture;
    const int code = ingest::validate_arguments(items_document(params), runtime());
    logs = capture.lines;
    return code;
  }

  bool logged(const std::string& text) const {
    return joined(logs).find(text) != std::string::npos;
  }

  common::FakeClock clock{common::from_epoch_ms(kNowMs)};
  common::StopToken stop;
  common::FakeSleeper sleeper{&clock, &stop};
  aws::MapEnvironment env;
  modinput::StringSink out;
  aws::testing::FakeHttp http;
  std::function<void(const common::HttpRequest&)> on_request;
  int logs_status = 200;
  std::vector<common::HttpRequest> splunkd_requests, logs_requests;
  std::set<std::string> keys_used, served_groups;
  std::vector<net::CurlOptions> transport_options;
  std::vector<std::string> logs;
  std::filesystem::path dir_;
};

TEST_F(ModularInputTest, ABadStanzaIsNamedAndTheOthersStillRun) {
  auto bad_value = stanza("b");
  bad_value["latency"] = "soon";
  auto missing_credential = stanza("c");
  missing_credential["credential_name"] = "aws:AKIDMISSING";
  const int code =
      run({{"a", stanza("a")}, {"b", bad_value}, {"c", missing_credential}, {"d", stanza("d")}});
  EXPECT_EQ(code, 1) << "a configuration error is reported in the exit code\n" << joined(logs);
  EXPECT_TRUE(logged("ERROR input eks_audit_logs://b: latency:")) << joined(logs);
  EXPECT_TRUE(logged("ERROR input eks_audit_logs://c: splunkd has no credential")) << joined(logs);
  // The good stanzas collected their events and the stream is complete.
  EXPECT_EQ(served_groups, (std::set<std::string>{"/aws/eks/a/cluster", "/aws/eks/d/cluster"}));
  EXPECT_NE(out.data.find(R"({"group":"/aws/eks/a/cluster"})"), std::string::npos) << out.data;
  EXPECT_NE(out.data.find(R"({"group":"/aws/eks/d/cluster"})"), std::string::npos) << out.data;
  EXPECT_NE(out.data.find("</stream>"), std::string::npos);
  EXPECT_TRUE(logged("INFO finished after 2 events")) << joined(logs);
}

TEST_F(ModularInputTest, NoUsableStanzaExitsOneWithoutCollecting) {
  auto no_group = stanza("x");
  no_group.erase("cluster_name");
  EXPECT_EQ(run({{"x", no_group}}), 1);
  EXPECT_TRUE(logged("log_group: is required")) << joined(logs);
  EXPECT_TRUE(logged("ERROR no usable eks_audit_logs input; exiting")) << joined(logs);
  EXPECT_TRUE(logs_requests.empty());
}

TEST_F(ModularInputTest, AnUnusableCheckpointIsAConfigurationErrorOfItsStanza) {
  ASSERT_EQ(run({{"a", stanza("a")}}), 0) << joined(logs);
  for (const auto& f : std::filesystem::directory_iterator(dir_)) {
    std::ofstream(f.path()) << "{not json";
  }
  served_groups.clear();
  out.data.clear();
  EXPECT_EQ(run({{"a", stanza("a")}, {"d", stanza("d")}}), 1);
  EXPECT_TRUE(logged("ERROR input eks_audit_logs://a: checkpoint ")) << joined(logs);
  EXPECT_TRUE(logged("Move the file aside")) << joined(logs);
  EXPECT_EQ(served_groups, (std::set<std::string>{"/aws/eks/d/cluster"}));
}

TEST_F(ModularInputTest, AStopAtStartUpEndsQuietlyBeforeAnyCall) {
  stop.request_stop();  // SIGTERM before the definition was even parsed
  EXPECT_EQ(run({{"a", stanza("a")}, {"b", stanza("b")}}), 0);
  EXPECT_TRUE(http.requests.empty());
  EXPECT_FALSE(logged("ERROR")) << joined(logs);
  EXPECT_TRUE(logged("INFO stopped by signal before collecting")) << joined(logs);
  EXPECT_EQ(out.data, "<stream>\n</stream>\n");
}

TEST_F(ModularInputTest, AStopWhileSettingUpSkipsTheRestQuietly) {
  auto a = stanza("a");
  a["credential_name"] = "aws:AKIDSTORED";
  on_request = [this](const common::HttpRequest&) { stop.request_stop(); };  // SIGTERM
  EXPECT_EQ(run({{"a", a}, {"b", stanza("b")}}), 0);
  EXPECT_EQ(splunkd_requests.size(), 1u);
  EXPECT_TRUE(logs_requests.empty()) << "nothing collected after the stop";
  EXPECT_FALSE(logged("ERROR")) << joined(logs);
  EXPECT_FALSE(logged("input eks_audit_logs://b")) << "stanza b was not set up\n" << joined(logs);
  EXPECT_EQ(out.data, "<stream>\n</stream>\n");
}

TEST_F(ModularInputTest, AStoredCredentialComesBeforeTheEnvironment) {
  auto a = stanza("a");
  a["credential_name"] = "aws:AKIDSTORED";
  EXPECT_EQ(run({{"a", a}}), 0) << joined(logs);
  ASSERT_EQ(splunkd_requests.size(), 1u);
  const auto& s = splunkd_requests.front();
  EXPECT_EQ(s.url.rfind("https://127.0.0.1:8089/servicesNS/nobody/kubepriv/storage/passwords/", 0),
            0u)
      << s.url;
  EXPECT_EQ(common::find_header(s.headers, "Authorization"), "Splunk sess-KEY-1");
  EXPECT_EQ(keys_used, (std::set<std::string>{"AKIDSTORED"}));
  EXPECT_FALSE(logs_requests.empty());
  EXPECT_EQ(joined(logs).find("SECRETSTORED"), std::string::npos) << "a secret was logged";
}

TEST_F(ModularInputTest, WithoutACredentialNameTheChainAsksTheEnvironmentThenTheProfile) {
  EXPECT_EQ(run({{"a", stanza("a")}}), 0) << joined(logs);
  EXPECT_TRUE(splunkd_requests.empty());
  EXPECT_EQ(keys_used, (std::set<std::string>{"AKIDENV"}));

  env.vars.erase("AWS_ACCESS_KEY_ID");
  env.vars.erase("AWS_SECRET_ACCESS_KEY");
  env.files["/cfg/credentials"] =
      "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = S1\n"
      "[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = S2\n";
  keys_used.clear();
  EXPECT_EQ(run({{"b", stanza("b")}}), 0) << joined(logs);
  EXPECT_EQ(keys_used, (std::set<std::string>{"AKIDDEFAULT"}));

  auto team = stanza("c");
  team["profile"] = "team";
  keys_used.clear();
  EXPECT_EQ(run({{"c", team}}), 0) << joined(logs);
  EXPECT_EQ(keys_used, (std::set<std::string>{"AKIDTEAM"}));
}

TEST_F(ModularInputTest, TransportsFollowTheEnvironmentUnlessTheStanzaSaysOtherwise) {
  env.vars["HTTPS_PROXY"] = "http://user:pw@proxy.example:3128";
  env.vars["NO_PROXY"] = "169.254.169.254";
  env.vars["AWS_CA_BUNDLE"] = "/etc/corp-ca.pem";
  env.vars["SPLUNK_HOME"] = "/opt/splunk";
  env.files["/opt/splunk/etc/auth/cacert.pem"] = "PEM";
  auto a = stanza("a");
  a["credential_name"] = "aws:AKIDSTORED";
  auto b = stanza("b");
  b["proxy_url"] = "http://other.example:8080";
  b["ca_bundle"] = "/etc/other-ca.pem";
  EXPECT_EQ(run({{"a", a}, {"b", b}}), 0) << joined(logs);
  ASSERT_EQ(transport_options.size(), 3u);  // splunkd for a, CloudWatch for a and b
  const auto& splunkd = transport_options[0];
  EXPECT_EQ(splunkd.ca_bundle, "/opt/splunk/etc/auth/cacert.pem");
  EXPECT_TRUE(splunkd.loopback_skip_hostname_check);
  EXPECT_EQ(transport_options[1].proxy, "http://user:pw@proxy.example:3128");
  EXPECT_EQ(transport_options[1].no_proxy, "169.254.169.254");
  EXPECT_EQ(transport_options[1].ca_bundle, "/etc/corp-ca.pem");
  EXPECT_FALSE(transport_options[1].loopback_skip_hostname_check);
  EXPECT_EQ(transport_options[2].proxy, "http://other.example:8080");
  EXPECT_EQ(transport_options[2].ca_bundle, "/etc/other-ca.pem");
  EXPECT_EQ(joined(logs).find("pw@"), std::string::npos) << "proxy password logged";
}

TEST_F(ModularInputTest, ValidationChecksTheStoredCredentialAgainstTheEndpoint) {
  auto v = stanza("a");
  v["credential_name"] = "aws:AKIDSTORED";
  EXPECT_EQ(validate(v), 0) << joined(logs) << out.data;
  EXPECT_EQ(out.data, "");
  ASSERT_EQ(logs_requests.size(), 1u);
  EXPECT_EQ(access_key_of(logs_requests.front()), "AKIDSTORED");
  EXPECT_NE(logs_requests.front().body.find("\"limit\":1"), std::string::npos);

  logs_status = 403;
  EXPECT_EQ(validate(v), 1);
  EXPECT_NE(out.data.find("cannot sign a FilterLogEvents call to eu-west-1"), std::string::npos)
      << out.data;
  EXPECT_NE(out.data.find("<error><message>"), std::string::npos) << out.data;

  out.data.clear();
  v["credential_name"] = "aws:AKIDMISSING";
  EXPECT_EQ(validate(v), 1);
  EXPECT_NE(out.data.find("cannot be read from storage/passwords"), std::string::npos) << out.data;
  EXPECT_EQ(out.data.find("SECRETSTORED"), std::string::npos);
}

}  // namespace
