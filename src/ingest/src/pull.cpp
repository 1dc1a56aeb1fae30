#include "kubepriv/ingest/pull.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>  // STDERR_FILENO

#include <algorithm>  // std::clamp, std::max
#include <chrono>     // std::chrono
#include <cstdio>     // std::fputs
#include <string_view>

#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/common/progress.hpp"
#include "kubepriv/logging/stderr_sink.hpp"
#include "kubepriv/modinput/params.hpp"
#include "kubepriv/modinput/time.hpp"

namespace kubepriv::ingest {

using common::ErrorCode;
using common::fail;
using common::Result;

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

Result<PullOptions> usage(std::string why) {
  return fail(ErrorCode::kInvalidArgument, std::move(why));
}

// The string a value option fills; null for an option that is no string (or unknown).
std::string* string_option(PullOptions& o, std::string& cluster, std::string& since,
                           std::string& until, const std::string& name) {
  if (name == "--region") return &o.stack.region;
  if (name == "--log-group") return &o.group;
  if (name == "--cluster") return &cluster;
  if (name == "--since") return &since;
  if (name == "--until") return &until;
  if (name == "--prefix") return &o.prefix;
  if (name == "--profile") return &o.stack.profile;
  if (name == "--endpoint") return &o.stack.endpoint_url;
  if (name == "--sts-endpoint") return &o.stack.sts_endpoint_url;
  if (name == "--role-arn") return &o.stack.role_arn;
  if (name == "--external-id") return &o.stack.external_id;
  if (name == "--proxy") return &o.stack.proxy_url;
  if (name == "--ca-bundle") return &o.stack.ca_bundle;
  return nullptr;
}

// The request for the whole range (the client follows nextToken page by page).
aws::FilterLogEventsRequest range_request(const PullOptions& o) {
  const bool arn = o.group.rfind("arn:", 0) == 0;
  return {.log_group_name = arn ? std::string() : o.group,
          .log_group_identifier = arn ? o.group : std::string(),
          .log_stream_name_prefix = o.prefix,
          .start_time_ms = o.since_ms,
          .end_time_ms = o.until_ms,
          .next_token = {},
          .limit = 10000};
}

// What has been pulled so far, for the progress line and the summary.
struct Tally {
  std::int64_t reached = 0;  ///< latest event time written so far
  std::uint64_t events = 0, pages = 0;
};

// Appends a page's audit-stream messages to `buf`, one per line: a raw line break can only sit
// between JSON tokens, where a space means the same.
void append_lines(const aws::FilterLogEventsPage& page, const std::string& prefix, std::string& buf,
                  Tally& tally) {
  for (const auto& e : page.events) {
    if (e.log_stream_name.rfind(prefix, 0) != 0) continue;  // defence in depth
    std::string_view m = e.message;
    while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
    const std::size_t at = buf.size();
    buf.append(m);
    for (std::size_t k = at; k < buf.size(); ++k) {
      if (buf[k] == '\n' || buf[k] == '\r') buf[k] = ' ';
    }
    buf += '\n';
    ++tally.events;
    tally.reached = std::max(tally.reached, e.timestamp_ms);
  }
}

// The progress line: time reached, share of the window, events, calls, throttles, elapsed.
std::string progress_text(const PullOptions& o, const Tally& t, const aws::LogsClientStats& st,
                          std::chrono::steady_clock::time_point started) {
  const auto span = std::max<std::int64_t>(1, o.until_ms - o.since_ms);
  const auto pct = std::clamp<std::int64_t>((t.reached - o.since_ms) * 100 / span, 0, 100);
  return "eks_audit_logs pull: at " + modinput::format_rfc3339_ms(t.reached) + " (" +
         std::to_string(pct) + "% of the window), " +
         common::format_count(static_cast<double>(t.events)) + " events, " +
         std::to_string(st.calls) + " API calls, " + std::to_string(st.throttles) + " throttled, " +
         common::format_duration(std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now() - started));
}

// Pulls the range page by page onto rt.out until done or stopped; 0, 1 or 130.
int pull_range(const PullOptions& o, AwsStack& stack, const Runtime& rt) {
  aws::FilterLogEventsRequest req = range_request(o);
  common::ProgressLine line(STDERR_FILENO,
                            common::progress_wanted(STDERR_FILENO, o.progress, false));
  const auto started = std::chrono::steady_clock::now();
  Tally tally{.reached = o.since_ms};
  std::string buf;
  bool stopped = false;
  while (!(stopped = rt.stop.stop_requested())) {
    auto page = stack.client->filter_log_events(req);
    if (!page) {
      if (rt.stop.stop_requested()) {  // the signal cut a retry wait short: nothing in hand
        stopped = true;
        break;
      }
      spdlog::error("FilterLogEvents failed after " + std::to_string(tally.events) +
                    " events: " + page.error().message);
      return 1;
    }
    ++tally.pages;
    buf.clear();
    append_lines(*page, o.prefix, buf, tally);
    if (auto r = rt.out.write(buf); !r) {
      spdlog::error(r.error().message);
      return 1;
    }
    if (line.due()) line.show(progress_text(o, tally, stack.client->stats(), started));
    if (!page->next_token) break;
    req.next_token = *page->next_token;
  }
  line.clear();
  const auto& st = stack.client->stats();
  spdlog::info(std::string(stopped ? "interrupted: " : "done: ") + std::to_string(tally.events) +
               " events, " + std::to_string(tally.pages) + " pages, " + std::to_string(st.calls) +
               " API calls, " + std::to_string(st.throttles) + " throttled" +
               (stopped ? ", reached " + modinput::format_rfc3339_ms(tally.reached) : ""));
  return stopped ? 130 : 0;
}

}  // namespace

Result<PullOptions> parse_pull_args(const std::vector<std::string>& args,
                                    const aws::Environment& env, std::int64_t now_ms) {
  PullOptions o;
  o.prefix = std::string(aws::kDefaultAuditStreamPrefix);
  std::string cluster, since = "-1h", until = "now";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      return o;
    }
    if (a == "--debug" || a == "--progress") {
      (a == "--debug" ? o.debug : o.progress) = true;
      continue;
    }
    if (i + 1 >= args.size()) return usage("option " + a + " needs a value (or is unknown)");
    const std::string& v = args[++i];
    if (std::string* field = string_option(o, cluster, since, until, a)) {
      *field = v;
    } else if (a == "--rate-limit") {
      auto r = modinput::parse_positive_number(v);
      if (!r) return usage("--rate-limit: " + r.error().message);
      o.stack.rate_limit = *r;
    } else {
      return usage("unknown option " + a);
    }
  }
  if (o.stack.region.empty()) o.stack.region = aws::region_from_env(env);
  if (o.stack.region.empty()) return usage("no region: give --region or set AWS_REGION");
  if (!aws::is_valid_region(o.stack.region)) {
    return usage("\"" + o.stack.region + "\" is not a region");
  }
  if (o.group.empty() == cluster.empty())
    return usage("give exactly one of --log-group, --cluster");
  if (o.group.empty()) o.group = "/aws/eks/" + cluster + "/cluster";
  auto since_ms = modinput::parse_time_spec_ms(since, now_ms);
  if (!since_ms) return usage("--since: " + since_ms.error().message);
  auto until_ms = modinput::parse_time_spec_ms(until, now_ms);
  if (!until_ms) return usage("--until: " + until_ms.error().message);
  if (*until_ms < *since_ms) return usage("--until is before --since");
  o.since_ms = *since_ms;
  o.until_ms = *until_ms;
  return o;
}

int run_pull(const std::vector<std::string>& args, const Runtime& rt) {
  auto o = parse_pull_args(args, rt.env, common::to_epoch_ms(rt.clock.now()));
  if (!o) {
    spdlog::error(o.error().message);
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (o->help) {
    return rt.out.write(kUsage) ? 0 : 1;
  }
  if (o->debug) logging::set_debug(true);
  auto stack = make_aws_stack(o->stack, rt);
  if (!stack) {
    spdlog::error(stack.error().message);
    return 1;
  }
  spdlog::info("pulling " + o->group + " streams " + o->prefix + "* from " +
               modinput::format_rfc3339_ms(o->since_ms) + " to " +
               modinput::format_rfc3339_ms(o->until_ms));
  return pull_range(*o, *stack, rt);
}

}  // namespace kubepriv::ingest
