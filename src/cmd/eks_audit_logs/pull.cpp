// `eks_audit_logs pull`: the audit events of one time range as JSON lines on stdout, for
// `kubepriv scan -` and for people without Splunk.

#include <spdlog/spdlog.h>
#include <unistd.h>  // STDERR_FILENO

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/common/progress.hpp"
#include "kubepriv/ingest/signals.hpp"
#include "kubepriv/logging/stderr_sink.hpp"
#include "kubepriv/modinput/event_writer.hpp"
#include "kubepriv/modinput/params.hpp"
#include "kubepriv/modinput/time.hpp"
#include "run.hpp"

namespace kubepriv::eks {

namespace {

constexpr const char* kUsage =
    "usage: eks_audit_logs pull (--log-group G | --cluster C) [--region R] [--since T]\n"
    "         [--until T] [--prefix P] [--profile P] [--endpoint URL] [--role-arn ARN]\n"
    "         [--external-id ID] [--rate-limit TPS] [--proxy URL] [--ca-bundle FILE]\n"
    "         [--progress] [--debug]\n"
    "  Prints the messages of the log group's audit streams (one JSON object per line).\n"
    "  T: now, -24h / -30m / -7d, RFC 3339 (2026-11-28T15:00:00Z) or epoch seconds.\n"
    "  Defaults: --since -1h, --until now, --prefix kube-apiserver-audit-,\n"
    "  --region from AWS_REGION, endpoint from AWS_ENDPOINT_URL[_CLOUDWATCH_LOGS].\n"
    "  A progress line (time reached, events, API calls, throttles) goes to stderr when it\n"
    "  is a terminal, or with --progress. Ctrl-C finishes the page in hand, prints the\n"
    "  summary and exits 130. Exit status: 0 done, 1 AWS error, 2 usage error.\n";

int usage_error(const std::string& why) {
  spdlog::error(why);
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int run_pull(const std::vector<std::string>& args) {
  StackOptions so;
  bool progress_forced = false;
  std::string group, cluster, since = "-1h", until = "now";
  std::string prefix(aws::kDefaultAuditStreamPrefix);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (a == "--debug") {
      logging::set_debug(true);
      continue;
    }
    if (a == "--progress") {
      progress_forced = true;
      continue;
    }
    if (i + 1 >= args.size()) return usage_error("option " + a + " needs a value (or is unknown)");
    const std::string& v = args[++i];
    if (a == "--region")
      so.region = v;
    else if (a == "--log-group")
      group = v;
    else if (a == "--cluster")
      cluster = v;
    else if (a == "--since")
      since = v;
    else if (a == "--until")
      until = v;
    else if (a == "--prefix")
      prefix = v;
    else if (a == "--profile")
      so.profile = v;
    else if (a == "--endpoint")
      so.endpoint_url = v;
    else if (a == "--sts-endpoint")
      so.sts_endpoint_url = v;
    else if (a == "--role-arn")
      so.role_arn = v;
    else if (a == "--external-id")
      so.external_id = v;
    else if (a == "--proxy")
      so.proxy_url = v;
    else if (a == "--ca-bundle")
      so.ca_bundle = v;
    else if (a == "--rate-limit") {
      auto r = modinput::parse_positive_number(v);
      if (!r) return usage_error("--rate-limit: " + r.error().message);
      so.rate_limit = *r;
    } else {
      return usage_error("unknown option " + a);
    }
  }
  aws::ProcessEnvironment env;
  if (so.region.empty()) {
    so.region = aws::region_from_env(env);
  }
  if (so.region.empty()) return usage_error("no region: give --region or set AWS_REGION");
  if (!aws::is_valid_region(so.region)) return usage_error("\"" + so.region + "\" is not a region");
  if (group.empty() == cluster.empty())
    return usage_error("give exactly one of --log-group, --cluster");
  if (group.empty()) group = "/aws/eks/" + cluster + "/cluster";
  common::SystemClock clock;
  const std::int64_t now = common::to_epoch_ms(clock.now());
  auto since_ms = modinput::parse_time_spec_ms(since, now);
  if (!since_ms) return usage_error("--since: " + since_ms.error().message);
  auto until_ms = modinput::parse_time_spec_ms(until, now);
  if (!until_ms) return usage_error("--until: " + until_ms.error().message);
  if (*until_ms < *since_ms) return usage_error("--until is before --since");

  if (auto r = net::curl_global_setup(); !r) {
    spdlog::error(r.error().message);
    return 1;
  }
  common::RealSleeper sleeper(&ingest::process_stop_token());
  auto stack = make_aws_stack(so, env, clock, sleeper);
  if (!stack) {
    spdlog::error(stack.error().message);
    return 1;
  }
  aws::FilterLogEventsRequest req;
  if (group.rfind("arn:", 0) == 0) {
    req.log_group_identifier = group;
  } else {
    req.log_group_name = group;
  }
  req.log_stream_name_prefix = prefix;
  req.start_time_ms = *since_ms;
  req.end_time_ms = *until_ms;
  req.limit = 10000;
  spdlog::info("pulling " + group + " streams " + prefix + "* from " +
               modinput::format_rfc3339_ms(*since_ms) + " to " +
               modinput::format_rfc3339_ms(*until_ms));
  modinput::FdSink out(1);
  common::ProgressLine line(STDERR_FILENO,
                            common::progress_wanted(STDERR_FILENO, progress_forced, false));
  const auto started = std::chrono::steady_clock::now();
  std::int64_t reached = *since_ms;  // latest event time written so far
  std::string buf;
  std::uint64_t events = 0, pages = 0;
  auto show_progress = [&] {
    if (!line.due()) return;
    const auto& st = stack->client->stats();
    const auto span = std::max<std::int64_t>(1, *until_ms - *since_ms);
    const auto pct = std::clamp<std::int64_t>((reached - *since_ms) * 100 / span, 0, 100);
    line.show("eks_audit_logs pull: at " + modinput::format_rfc3339_ms(reached) + " (" +
              std::to_string(pct) + "% of the window), " +
              common::format_count(static_cast<double>(events)) + " events, " +
              std::to_string(st.calls) + " API calls, " + std::to_string(st.throttles) +
              " throttled, " +
              common::format_duration(std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::steady_clock::now() - started)));
  };
  bool stopped = false;
  while (!(stopped = stop_requested())) {
    auto page = stack->client->filter_log_events(req);
    if (!page) {
      if (stop_requested()) {  // the signal cut a retry wait short: nothing in hand
        stopped = true;
        break;
      }
      spdlog::error("FilterLogEvents failed after " + std::to_string(events) +
                    " events: " + page.error().message);
      return 1;
    }
    ++pages;
    buf.clear();
    for (const auto& e : page->events) {
      if (e.log_stream_name.rfind(prefix, 0) != 0) continue;  // defence in depth
      std::string_view m = e.message;
      while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
      const std::size_t at = buf.size();
      buf.append(m);
      // One event per line: a raw line break can only sit between JSON tokens, where a space
      // means the same.
      for (std::size_t k = at; k < buf.size(); ++k) {
        if (buf[k] == '\n' || buf[k] == '\r') buf[k] = ' ';
      }
      buf += '\n';
      ++events;
      reached = std::max(reached, e.timestamp_ms);
    }
    if (auto r = out.write(buf); !r) {
      spdlog::error(r.error().message);
      return 1;
    }
    show_progress();
    if (!page->next_token) break;
    req.next_token = *page->next_token;
  }
  line.clear();
  const auto& st = stack->client->stats();
  spdlog::info(std::string(stopped ? "interrupted: " : "done: ") + std::to_string(events) +
               " events, " + std::to_string(pages) + " pages, " + std::to_string(st.calls) +
               " API calls, " + std::to_string(st.throttles) + " throttled" +
               (stopped ? ", reached " + modinput::format_rfc3339_ms(reached) : ""));
  return stopped ? 130 : 0;
}

}  // namespace kubepriv::eks
