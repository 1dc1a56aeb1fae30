// bench_aws [--quick]: throughput of the aws layer's hot paths on synthetic EKS-like data.
//  1. parse_filter_log_events_response on ~1 MB pages of audit-event messages (MB/s of body);
//  2. sign_request of a FilterLogEvents request (signatures/s, with the key cache);
//  3. Collector::run_cycle over an in-memory API (events/s through dedup + sink);
//  4. memory of the seen-set (bytes per entry, from the checkpoint-size and RSS growth).

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/credentials.hpp"
#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/aws/sigv4.hpp"
#include "kubepriv/testing/fake_clock.hpp"

using namespace kubepriv;
using Clock = std::chrono::steady_clock;

namespace {

std::string audit_message(int i) {
  nlohmann::json ev = {
      {"kind", "Event"},
      {"apiVersion", "audit.k8s.io/v1"},
      {"level", "Metadata"},
      {"auditID", "c2a4b6f0-0000-4000-8000-" + std::to_string(100000000000 + i)},
      {"stage", "ResponseComplete"},
      {"requestURI", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/ip-10-0-1-" +
                         std::to_string(i % 250)},
      {"verb", "update"},
      {"user",
       {{"username", "system:node:ip-10-0-1-23.ec2.internal"},
        {"groups", {"system:nodes", "system:authenticated"}}}},
      {"sourceIPs", {"10.0.1.23"}},
      {"userAgent", "kubelet/v1.29.0 (linux/amd64) kubernetes/abcdef"},
      {"objectRef",
       {{"resource", "leases"},
        {"namespace", "kube-node-lease"},
        {"name", "ip-10-0-1-23"},
        {"apiGroup", "coordination.k8s.io"},
        {"apiVersion", "v1"}}},
      {"responseStatus", {{"metadata", nlohmann::json::object()}, {"code", 200}}},
      {"requestReceivedTimestamp", "2026-11-28T12:00:00.000000Z"},
      {"stageTimestamp", "2026-11-28T12:00:00.004000Z"},
      {"annotations",
       {{"authorization.k8s.io/decision", "allow"}, {"authorization.k8s.io/reason", ""}}}};
  return ev.dump();
}

std::string make_page(int first, std::size_t target_bytes, int& count) {
  nlohmann::json page;
  page["events"] = nlohmann::json::array();
  std::size_t bytes = 0;
  count = 0;
  while (bytes < target_bytes) {
    const int i = first + count++;
    std::string msg = audit_message(i);
    bytes += msg.size();
    page["events"].push_back(
        {{"logStreamName", "kube-apiserver-audit-0123456789abcdef0123456789abcdef"},
         {"timestamp", 1'764'000'000'000 + i},
         {"message", std::move(msg)},
         {"ingestionTime", 1'764'000'001'000 + i},
         {"eventId",
          "3792" + std::to_string(1000000000000 + i) + "0000000000000000000000000000000000000"}});
  }
  page["searchedLogStreams"] = nlohmann::json::array();
  page["nextToken"] = "f/3792000000000000000000000000000000000000000000000000";
  return page.dump();
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

long rss_kb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// Serves pre-built pages of N events each, then ends pagination.
class PagedApi final : public aws::LogsApi {
 public:
  PagedApi(int pages, int per_page) : pages_(pages), per_page_(per_page) {}
  common::Result<aws::FilterLogEventsPage> filter_log_events(
      const aws::FilterLogEventsRequest& r) override {
    const int index = r.next_token.empty() ? 0 : std::stoi(r.next_token);
    aws::FilterLogEventsPage p;
    p.events.reserve(static_cast<std::size_t>(per_page_));
    for (int k = 0; k < per_page_; ++k) {
      aws::LogEvent e;
      const int i = index * per_page_ + k;
      e.event_id =
          "3792" + std::to_string(1000000000000 + i) + "0000000000000000000000000000000000000";
      e.log_stream_name = "kube-apiserver-audit-0123456789abcdef0123456789abcdef";
      e.timestamp_ms = *r.start_time_ms + (i % 1000);
      e.ingestion_time_ms = e.timestamp_ms + 1000;
      e.message = "{}";
      p.events.push_back(std::move(e));
    }
    if (index + 1 < pages_) p.next_token = std::to_string(index + 1);
    return p;
  }
  std::optional<aws::ApiError> last_error() const override { return std::nullopt; }

 private:
  int pages_, per_page_;
};

struct CountingSink final : aws::EventSink {
  std::size_t events = 0, commits = 0, state_bytes = 0;
  common::Result<void> on_event(const aws::LogEvent&) override {
    ++events;
    return {};
  }
  common::Result<void> commit(const std::string& s) override {
    ++commits;
    state_bytes = s.size();
    return {};
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int rounds = quick ? 3 : 40;

  // 1. Parse.
  int per_page = 0;
  const std::string body = make_page(0, 1 << 20, per_page);
  std::size_t parsed_events = 0;
  auto t = Clock::now();
  for (int r = 0; r < rounds; ++r) {
    auto p = aws::parse_filter_log_events_response(body);
    if (!p || static_cast<int>(p->events.size()) != per_page) {
      std::fprintf(stderr, "parse failed\n");
      return 1;
    }
    parsed_events += p->events.size();
  }
  const double parse_s = seconds_since(t);
  std::printf(
      "parse_filter_log_events_response: %.1f MB/s, %.0f events/s (page %zu bytes, %d events)\n",
      static_cast<double>(body.size()) * rounds / parse_s / 1e6,
      static_cast<double>(parsed_events) / parse_s, body.size(), per_page);

  // 2. Sign.
  aws::Credentials creds{
      "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token", {}, "bench"};
  aws::SigningKeyCache cache;
  aws::SigningParams params;
  params.region = "us-east-1";
  params.service = "logs";
  params.time = std::chrono::system_clock::now();
  const int signs = quick ? 1000 : 100000;
  t = Clock::now();
  for (int i = 0; i < signs; ++i) {
    common::HttpRequest req;
    req.method = "POST";
    req.url = "https://logs.us-east-1.amazonaws.com/";
    req.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "Logs_20140328.FilterLogEvents"}};
    req.body =
        R"({"logGroupName":"/aws/eks/demo/cluster","logStreamNamePrefix":"kube-apiserver-audit-","startTime":1,"endTime":2})";
    if (!aws::sign_request(req, creds, params, cache)) return 1;
  }
  std::printf("sign_request (cached key): %.0f signatures/s\n", signs / seconds_since(t));

  // 3 + 4. Collector over an in-memory API: one window of pages, every event new.
  const int pages = quick ? 10 : 200;
  const int page_events = 1000;  // ~1 MB pages of 1 KB events
  PagedApi api(pages, page_events);
  common::FakeClock fclock;
  aws::CollectorConfig cfg;
  cfg.log_group_name = "/aws/eks/demo/cluster";
  cfg.start.kind = aws::StartPosition::Kind::kRelative;
  cfg.start.value_ms = 600'000;
  cfg.max_pages_per_cycle = pages + 1;
  aws::Collector col(api, fclock, cfg);
  CountingSink sink;
  const long rss_before = rss_kb();
  t = Clock::now();
  auto stats = col.run_cycle(sink);
  const double col_s = seconds_since(t);
  if (!stats || sink.events != static_cast<std::size_t>(pages * page_events)) {
    std::fprintf(stderr, "collector run failed\n");
    return 1;
  }
  const long rss_after = rss_kb();
  std::printf(
      "collector (dedup + per-page checkpoint JSON): %.0f events/s over %zu events, %zu commits\n",
      static_cast<double>(sink.events) / col_s, sink.events, sink.commits);
  std::printf("seen-set: %zu entries, checkpoint %.1f bytes/entry, RSS growth %.1f bytes/entry\n",
              col.state().seen.size(),
              static_cast<double>(sink.state_bytes) / static_cast<double>(col.state().seen.size()),
              static_cast<double>(rss_after - rss_before) * 1024.0 /
                  static_cast<double>(col.state().seen.size()));
  return 0;
}
