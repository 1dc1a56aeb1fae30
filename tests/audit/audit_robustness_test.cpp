// Malformed input: never a crash, never an exception, always an error verdict with a message.
#include <gtest/gtest.h>

#include <random>

#include "event_builder.hpp"
#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/core/rules.hpp"

namespace kubepriv::test {
namespace {

class RobustnessTest : public ::testing::Test {
 protected:
  std::string error_of(std::string_view text) { return ev_.evaluate(text).error; }
  audit::Evaluator ev_;
};

TEST_F(RobustnessTest, NotJson) {
  EXPECT_EQ(error_of(""), "empty event");
  EXPECT_EQ(error_of(" \n\t"), "empty event");
  EXPECT_NE(error_of("nope").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("{\"kind\":\"Event\",").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"kind":"Event","verb":"get"} {"kind":"Event"})").find("trailing"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"kind":"Event","verb":"get"} x)").find("JSON"), std::string::npos);
}

TEST_F(RobustnessTest, NotAnAuditEvent) {
  EXPECT_EQ(error_of(R"({"kind": 0})"), "field kind is not a string");
  EXPECT_EQ(error_of("[1,2]"), "not an audit event: not a JSON object");
  EXPECT_EQ(error_of("42"), "not an audit event: not a JSON object");
  EXPECT_EQ(error_of(R"({"kind":"ConfigMap","verb":"get"})"),
            "not an audit event: kind is \"ConfigMap\"");
  EXPECT_EQ(error_of(R"({"a":1})"), "not an audit event: no kind, apiVersion or auditID");
  EXPECT_EQ(error_of(R"({"kind":"Event","apiVersion":"v1","verb":"get"})"),
            "not an audit event: apiVersion is \"v1\"");
  EXPECT_EQ(error_of(R"({"kind":"Event"})"), "audit event without a verb");
}

TEST_F(RobustnessTest, WrongTypes) {
  EXPECT_EQ(error_of(R"({"kind":"Event","verb":"create","objectRef":5})"),
            "field objectRef is not an object");
  EXPECT_EQ(error_of(R"({"kind":"Event","verb":7})"), "field verb is not a string");
  EXPECT_EQ(error_of(R"({"kind":"Event","verb":"create","responseStatus":{"code":"201"}})"),
            "field responseStatus.code is not an integer");
  EXPECT_EQ(error_of(R"({"kind":"Event","verb":"create","objectRef":{"resource":["pods"]}})"),
            "field objectRef.resource is not a string");
  EXPECT_EQ(error_of(R"({"kind":"Event","verb":"create","sourceIPs":"1.2.3.4"})"),
            "field sourceIPs is not an array");
  // Wrong types inside a body are not the envelope's problem: they are simply not privileged.
  Ev e;
  e.request = R"({"spec":{"containers":{"name":"a"},"volumes":"x","hostPID":"yes"}})";
  const auto& v = ev_.evaluate(e.str());
  EXPECT_TRUE(v.error.empty());
  EXPECT_TRUE(v.reasons.empty());
  // A body that is a string (e.g. a YAML apply body) is no body.
  e.request = R"("apiVersion: v1\nkind: Pod")";
  EXPECT_EQ(ev_.evaluate(e.str()).evidence, core::Evidence::kNoBody);
}

TEST_F(RobustnessTest, Truncated) {
  Ev e;
  e.request = pod(kPrivSpec);
  const std::string full = e.str();
  // A cut event is an error record until its verb survived, then it is judged and marked
  // (the full contract is in audit_cut_test.cpp).
  const std::size_t verb_end = full.find(R"("verb":"create",)") + 16;
  for (std::size_t cut = 1; cut < full.size(); cut += 7) {
    const auto& v = ev_.evaluate(std::string_view(full).substr(0, cut));
    if (cut < verb_end) {
      EXPECT_FALSE(v.error.empty()) << cut;
    } else {
      EXPECT_TRUE(v.error.empty()) << cut << ": " << v.error;
      EXPECT_EQ(v.evidence, core::Evidence::kTruncated) << cut;
    }
    EXPECT_EQ(v.privileged, full.find(R"("privileged":true})") + 18 <= cut) << cut;
  }
  const std::string early = full.substr(0, verb_end - 3) + "[Truncated...]";
  EXPECT_EQ(error_of(early), "event truncated upstream (ends with [Truncated...]), not valid JSON");
  const auto& cw = ev_.evaluate(full.substr(0, 300) + "[Truncated...]");
  EXPECT_TRUE(cw.error.empty()) << cw.error;
  EXPECT_EQ(cw.evidence, core::Evidence::kTruncated);
  EXPECT_EQ(cw.details.front().rfind("truncated: event cut at byte 300 (it ends with", 0), 0U);
}

TEST_F(RobustnessTest, BinaryGarbage) {
  std::mt19937 rng(42);
  std::string junk;
  for (int round = 0; round < 200; ++round) {
    junk.resize(static_cast<std::size_t>(rng() % 512));
    for (auto& c : junk) c = static_cast<char>(rng() & 0xff);
    const auto& v = ev_.evaluate(junk);
    if (!junk.empty()) {
      EXPECT_FALSE(v.error.empty());
    }
  }
  EXPECT_NE(error_of(std::string("{\"kind\":\"Ev\xff\xfe\"}")).find("not valid JSON"),
            std::string::npos);
  EXPECT_FALSE(error_of(std::string("{\"kind\":\"Event\"\0}", 17)).empty());
}

TEST_F(RobustnessTest, MutatedEventsNeverCrash) {
  Ev e;
  e.verb = "patch";
  e.request =
      R"([{"op":"add","path":"/spec/containers/-","value":{"name":"a","securityContext":{"privileged":true}}}])";
  const std::string base = e.str();
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string m = base;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t pos = rng() % m.size();
      switch (rng() % 3) {
        case 0: m[pos] = "{}[]\",:\\0tfn"[rng() % 13]; break;
        case 1: m.erase(pos, 1); break;
        default: m.insert(pos, 1, "{}[]\",:"[rng() % 7]); break;
      }
    }
    const auto& v = ev_.evaluate(m);
    if (!v.error.empty()) {
      EXPECT_FALSE(v.privileged);
    }
  }
}

TEST_F(RobustnessTest, DeepNesting) {
  const std::string deep_array = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(error_of(deep_array).empty());
  Ev e;
  e.request = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_FALSE(ev_.evaluate(e.str()).error.empty());
  std::string nested;
  for (int i = 0; i < 3000; ++i) nested += R"({"a":)";
  nested += "1" + std::string(3000, '}');
  e.request = R"({"spec":)" + nested + "}";
  EXPECT_FALSE(ev_.evaluate(e.str()).error.empty());
  // Deep but legal (< 1024) inside a JSON patch value: judged, no crash.
  std::string value;
  for (int i = 0; i < 900; ++i) value += R"({"a":)";
  value += "1";
  value += std::string(900, '}');
  e.verb = "patch";
  e.request =
      R"([{"op":"add","path":"/spec/containers/0/securityContext/x","value":)" + value +
      R"(},{"op":"add","path":"/spec/containers/0/securityContext/privileged","value":true}])";
  const auto& v = ev_.evaluate(e.str());
  EXPECT_TRUE(v.error.empty()) << v.error;
}

TEST_F(RobustnessTest, FiveMegabyteEvents) {
  // A pod create with a huge env list, and a list response of many pods.
  std::string env;
  for (int i = 0; i < 75000; ++i) {
    if (i) env += ',';
    env += R"({"name":"VAR_)" + std::to_string(i) +
           R"(","value":"0123456789abcdefghij0123456789abcdefghij"})";
  }
  Ev e;
  e.request = pod(R"({"containers":[{"name":"big","image":"x","env":[)" + env +
                  R"(],"securityContext":{"privileged":true}}]})");
  const std::string big = e.str();
  ASSERT_GT(big.size(), 5U * 1000 * 1000);
  auto v = ev_.evaluate(big);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);

  std::string items;
  for (int i = 0; i < 3000; ++i) {
    if (i) items += ',';
    items += pod(kPrivSpec);
    items += std::string(1500, ' ');
  }
  Ev l;
  l.verb = "list";
  l.code = 200;
  l.response = R"({"kind":"PodList","items":[)" + items + "]}";
  const std::string list = l.str();
  ASSERT_GT(list.size(), 5U * 1000 * 1000);
  v = ev_.evaluate(list);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(v.outcome, core::Outcome::kNone);
  EXPECT_FALSE(v.privileged);
}

// Hostile bodies (a raw patch can hold up to the API server's 3 MB request limit, and is logged
// even when rejected): each must stay linear, and the privileged write at the end still counts.
class HostileTest : public RobustnessTest {
 protected:
  const core::Verdict& patch(const std::string& body) {
    Ev e;
    e.verb = "patch";
    e.code = 200;
    e.request = body;
    text_ = e.str();
    return ev_.evaluate(text_);
  }
  std::string text_;
};

constexpr const char* kPrivOp =
    R"({"op":"add","path":"/spec/containers/0/securityContext/privileged","value":true})";

TEST_F(HostileTest, ManyInsertsAtTheFront) {
  std::string ops = "[";
  for (int i = 0; i < 40000; ++i) ops += R"({"op":"add","path":"/spec/containers/0","value":{}},)";
  ops += std::string(kPrivOp) + "]";
  const auto& v = patch(ops);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
}

TEST_F(HostileTest, CopyDoublingIsBudgeted) {
  std::string ops = R"([{"op":"add","path":"/a","value":[1,2,3,4,5,6,7,8]})";
  for (int i = 0; i < 60; ++i) {
    ops += R"(,{"op":"copy","from":"","path":"/c)" + std::to_string(i) + R"("})";
  }
  ops += std::string(",") + kPrivOp + "]";
  const auto& v = patch(ops);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
}

TEST_F(HostileTest, PlaceholderFloodIsBudgeted) {
  std::string ops = "[";
  for (int i = 0; i < 3000; ++i) {
    ops += R"({"op":"add","path":"/spec/x)" + std::to_string(i) + R"(/999999","value":1},)";
  }
  ops += std::string(kPrivOp) + "]";
  const auto& v = patch(ops);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
}

TEST_F(HostileTest, ManyDistinctKeys) {
  std::string ops = "[";
  for (int i = 0; i < 50000; ++i) {
    ops +=
        R"({"op":"add","path":"/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1c)" +
        std::to_string(i) + R"(","value":"unconfined"},)";
  }
  ops += std::string(kPrivOp) + "]";
  const auto& v = patch(ops);
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_TRUE(v.reasons.has(core::Reason::kUnconfinedApparmor));
  EXPECT_LE(v.details.size(), core::kMaxListed + 1);
  EXPECT_EQ(v.details.back(), "more findings not listed (lists are cut at 256)");
}

TEST_F(HostileTest, ManyPrivilegedContainersAreListedUpToTheCap) {
  std::string containers;
  for (int i = 0; i < 5000; ++i) {
    if (i) containers += ',';
    containers += R"({"name":"c)" + std::to_string(i) + R"(","image":"i)" + std::to_string(i) +
                  R"(","securityContext":{"privileged":true},"volumeMounts":[{"name":"h"}]})";
  }
  std::string annotations;
  for (int i = 0; i < 5000; ++i) {
    annotations += R"("container.apparmor.security.beta.kubernetes.io/c)" + std::to_string(i) +
                   R"(":"unconfined",)";
  }
  const auto& v =
      patch(R"({"metadata":{"annotations":{)" + annotations +
            R"("x":"y"}},"spec":{"volumes":[{"name":"h","hostPath":{"path":"/"}}],"containers":[)" +
            containers + "]}}");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_TRUE(v.privileged);
  EXPECT_EQ(reasons_of(v), "privileged_container,host_path,unconfined_apparmor");
  EXPECT_EQ(v.containers.size(), core::kMaxListed);
  EXPECT_EQ(v.images.size(), core::kMaxListed);
  EXPECT_EQ(v.details.size(), core::kMaxListed + 1);
}

}  // namespace
}  // namespace kubepriv::test
