// FilterLogEvents response bodies -> Splunk XML event stream, on one core:
//   parse (aws::parse_filter_log_events_response) + escape + write (modinput::EventWriter).
// Prints MB/s of response bytes for the whole path and for each half.
// Usage: bench_modinput [--seconds S] [--check]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/modinput/event_writer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace mi = kubepriv::modinput;

// Counts bytes, keeps nothing (stdout to splunkd costs a pipe write, measured elsewhere).
class NullSink final : public mi::ByteSink {
 public:
  kubepriv::common::Result<void> write(std::string_view bytes) override {
    bytes_ += bytes.size();
    if (!bytes.empty()) last_ = bytes.back();
    return {};
  }
  std::size_t bytes_ = 0;
  char last_ = 0;
};

// An EKS-like audit event (RequestResponse pod create ~1.5 KB, lease update ~0.7 KB).
std::string audit_event(int i) {
  nlohmann::json e = {
      {"kind", "Event"},
      {"apiVersion", "audit.k8s.io/v1"},
      {"level", i % 4 == 0 ? "RequestResponse" : "Metadata"},
      {"auditID", "6f1f7c8a-2b7e-4c1e-9d3a-" + std::to_string(100000000000LL + i)},
      {"stage", "ResponseComplete"},
      {"requestURI", "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/ip-10-0-1-" +
                         std::to_string(i % 250)},
      {"verb", i % 4 == 0 ? "create" : "update"},
      {"user",
       {{"username", "system:node:ip-10-0-1-23.eu-west-1.compute.internal"},
        {"groups", {"system:nodes", "system:authenticated"}}}},
      {"sourceIPs", {"10.0.1.23"}},
      {"userAgent", "kubelet/v1.29.3 (linux/amd64) kubernetes/6813625"},
      {"objectRef",
       {{"resource", "leases"},
        {"namespace", "kube-node-lease"},
        {"name", "ip-10-0-1-23"},
        {"apiGroup", "coordination.k8s.io"},
        {"apiVersion", "v1"}}},
      {"responseStatus", {{"metadata", nlohmann::json::object()}, {"code", 200}}},
      {"requestReceivedTimestamp", "2026-11-28T15:00:00.123456Z"},
      {"stageTimestamp", "2026-11-28T15:00:00.130000Z"},
      {"annotations",
       {{"authorization.k8s.io/decision", "allow"}, {"authorization.k8s.io/reason", ""}}}};
  if (i % 4 == 0) {
    e["requestObject"] = {{"kind", "Pod"},
                          {"apiVersion", "v1"},
                          {"metadata",
                           {{"name", "web-" + std::to_string(i)},
                            {"namespace", "default"},
                            {"labels", {{"app", "web"}, {"tier", "frontend & <edge>"}}}}},
                          {"spec",
                           {{"containers",
                             {{{"name", "nginx"},
                               {"image", "nginx:1.25"},
                               {"securityContext", {{"privileged", i % 8 == 0}}}}}},
                            {"hostNetwork", false}}}};
  }
  return e.dump();
}

// Pages of at most 1 MB of messages, like CloudWatch.
std::vector<std::string> make_pages(int events_total, std::size_t& total_events) {
  std::vector<std::string> pages;
  nlohmann::json page = {{"events", nlohmann::json::array()}};
  std::size_t msg_bytes = 0;
  total_events = 0;
  for (int i = 0; i < events_total; ++i) {
    std::string m = audit_event(i);
    if (msg_bytes + m.size() > 1048576) {
      page["nextToken"] = "token-" + std::to_string(pages.size());
      pages.push_back(page.dump());
      page = {{"events", nlohmann::json::array()}};
      msg_bytes = 0;
    }
    msg_bytes += m.size();
    page["events"].push_back(
        {{"logStreamName", "kube-apiserver-audit-0123456789abcdef0123456789abcdef"},
         {"timestamp", 1795870000000LL + i},
         {"message", std::move(m)},
         {"ingestionTime", 1795870001000LL + i},
         {"eventId",
          "3700000000000000000000000000000000000000000000" + std::to_string(1000000000 + i)}});
    ++total_events;
  }
  pages.push_back(page.dump());
  return pages;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  double budget = 3.0;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      budget = std::atof(argv[++i]);
    else if (std::strcmp(argv[i], "--check") == 0)
      check = true;
  }
  std::size_t n_events = 0;
  const auto pages = make_pages(20000, n_events);
  std::size_t in_bytes = 0;
  for (const auto& p : pages) in_bytes += p.size();

  // Parsed pages once, for the writer-only figure.
  std::vector<kubepriv::aws::FilterLogEventsPage> parsed;
  for (const auto& p : pages) {
    auto r = kubepriv::aws::parse_filter_log_events_response(p);
    if (!r) {
      std::fprintf(stderr, "ERROR parse failed: %s\n", r.error().message.c_str());
      return 1;
    }
    parsed.push_back(std::move(*r));
  }

  // 1. The whole path.
  NullSink sink;
  std::size_t rounds = 0, events_written = 0;
  auto t0 = Clock::now();
  do {
    mi::EventWriter w(sink);
    for (const auto& p : pages) {
      auto r = kubepriv::aws::parse_filter_log_events_response(p);
      if (!r) return 1;
      for (const auto& e : r->events) {
        (void)w.write({"eks_audit_logs://prod", e.timestamp_ms, "prod-cluster", "kubernetes",
                       "aws:cloudwatchlogs:eks", "main", e.message});
      }
      (void)w.flush();
    }
    (void)w.close();
    events_written += w.events_written();
    ++rounds;
  } while (seconds_since(t0) < budget);
  const double full_s = seconds_since(t0);
  const double full_mb = static_cast<double>(in_bytes * rounds) / 1e6;

  // 2. Parse only.
  rounds = 0;
  std::size_t parsed_events = 0;
  t0 = Clock::now();
  do {
    for (const auto& p : pages)
      parsed_events += kubepriv::aws::parse_filter_log_events_response(p)->events.size();
    ++rounds;
  } while (seconds_since(t0) < budget / 2);
  const double parse_mbps = static_cast<double>(in_bytes * rounds) / 1e6 / seconds_since(t0);

  // 3. Escape + write only.
  NullSink sink2;
  rounds = 0;
  t0 = Clock::now();
  do {
    mi::EventWriter w(sink2);
    for (const auto& p : parsed) {
      for (const auto& e : p.events) {
        (void)w.write({"eks_audit_logs://prod", e.timestamp_ms, "prod-cluster", "kubernetes",
                       "aws:cloudwatchlogs:eks", "main", e.message});
      }
    }
    (void)w.close();
    ++rounds;
  } while (seconds_since(t0) < budget / 2);
  const double write_mbps = static_cast<double>(in_bytes * rounds) / 1e6 / seconds_since(t0);

  std::printf(
      "input: %zu pages, %zu events, %.1f MB of FilterLogEvents responses (avg message %.0f B)\n",
      pages.size(), n_events, static_cast<double>(in_bytes) / 1e6,
      static_cast<double>(in_bytes) / static_cast<double>(n_events));
  std::printf("parse+escape+write: %.1f MB/s (%.0f events/s, output %.1f MB/s)\n", full_mb / full_s,
              static_cast<double>(events_written) / full_s,
              static_cast<double>(sink.bytes_) / 1e6 / full_s);
  std::printf("parse only:         %.1f MB/s\n", parse_mbps);
  std::printf("escape+write only:  %.1f MB/s\n", write_mbps);
  if (check) {
    const bool ok = events_written % n_events == 0 && events_written > 0 && sink.last_ == '\n' &&
                    parsed_events % n_events == 0;
    std::printf("check: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
  }
  return 0;
}
