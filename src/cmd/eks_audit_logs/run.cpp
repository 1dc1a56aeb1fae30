#include "run.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/rate_limiter.hpp"
#include "kubepriv/modinput/checkpoint.hpp"
#include "kubepriv/modinput/event_writer.hpp"
#include "kubepriv/modinput/input_definition.hpp"
#include "kubepriv/modinput/scheme.hpp"
#include "kubepriv/splunkd/passwords.hpp"
#include "logging.hpp"
#include "params.hpp"

namespace kubepriv::eks {

using aws::LogLevel;
using common::fail;
using common::Result;

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int /*sig*/) {
  g_stop.store(true);
}

void write_stdout(std::string_view s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

std::string env_or(const aws::Environment& env, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (auto v = env.get(n)) return *v;
  }
  return {};
}

// Writes a stanza's events and saves its checkpoint after they are flushed.
class StanzaSink final : public aws::EventSink {
 public:
  StanzaSink(const InputConfig& cfg, modinput::EventWriter& writer,
             const modinput::CheckpointStore& store, const common::Clock& clock)
      : cfg_(cfg), writer_(writer), store_(store), clock_(clock), last_save_(clock.monotonic()) {}

  Result<void> on_event(const aws::LogEvent& e) override {
    return note(writer_.write({cfg_.stanza, e.timestamp_ms, cfg_.host, cfg_.source, cfg_.sourcetype,
                               cfg_.index, e.message}));
  }

  Result<void> commit(const std::string& state_json) override {
    // The events come first: a checkpoint must never cover an event still in our buffer.
    if (auto r = note(writer_.flush()); !r) return r;
    pending_ = state_json;
    if (cfg_.checkpoint_interval.count() == 0 || g_stop.load() ||
        clock_.monotonic() - last_save_ >= cfg_.checkpoint_interval) {
      return save_pending();
    }
    return {};
  }

  bool stop_requested() const override { return g_stop.load(); }

  Result<void> save_pending() {
    if (!pending_) return {};
    if (auto r = note(writer_.flush()); !r) return r;
    if (auto r = note(store_.save(cfg_.checkpoint_key(), *pending_)); !r) return r;
    pending_.reset();
    last_save_ = clock_.monotonic();
    ++saves_;
    return {};
  }

  std::uint64_t saves() const { return saves_; }
  /// True once stdout or the checkpoint file failed: nothing sensible is left to do.
  bool broken() const { return broken_; }

 private:
  Result<void> note(Result<void> r) {
    if (!r) broken_ = true;
    return r;
  }
  bool broken_ = false;
  const InputConfig& cfg_;
  modinput::EventWriter& writer_;
  const modinput::CheckpointStore& store_;
  const common::Clock& clock_;
  common::SteadyTime last_save_;
  std::optional<std::string> pending_;
  std::uint64_t saves_ = 0;
};

struct Input {
  InputConfig cfg;
  AwsStack stack;
  std::unique_ptr<aws::Collector> collector;
  std::unique_ptr<StanzaSink> sink;
  common::SteadyTime next_due{};
  bool finished = false;  // exit_when_caught_up and caught up (or failed)
  bool failed = false;
};

Result<aws::Credentials> stored_credentials(const InputConfig& cfg,
                                            const modinput::InputDefinition& def,
                                            const aws::Environment& env) {
  auto name = splunkd::parse_credential_name(cfg.credential_name);
  if (!name) return tl::unexpected(name.error());
  net::CurlOptions opts;
  // splunkd's certificate is usually signed by $SPLUNK_HOME/etc/auth/cacert.pem.
  if (auto home = env.get("SPLUNK_HOME")) {
    const std::string ca = *home + "/etc/auth/cacert.pem";
    if (env.read_file(ca)) opts.ca_bundle = ca;
  }
  // The chain is still verified; only the name check is waived, and only for loopback.
  opts.loopback_skip_hostname_check = true;
  net::CurlTransport http(opts);
  auto cred = splunkd::read_password(http, {def.server_uri, def.session_key, cfg.app}, *name);
  if (!cred) return tl::unexpected(cred.error());
  aws::Credentials c;
  c.access_key_id = cred->username;
  c.secret_access_key = cred->password;
  c.provider = "splunk:" + cfg.credential_name;
  return c;
}

}  // namespace

std::atomic<bool>& stop_flag() {
  return g_stop;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking reads/sleeps should notice quickly
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

Result<AwsStack> make_aws_stack(const StackOptions& o, const aws::Environment& env,
                                const common::Clock& clock, common::Sleeper& sleeper) {
  auto endpoint = aws::resolve_logs_endpoint({o.region, o.endpoint_url, o.use_fips, false}, env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  net::CurlOptions copts;
  copts.proxy = !o.proxy_url.empty() ? o.proxy_url : env_or(env, {"HTTPS_PROXY", "https_proxy"});
  copts.no_proxy = env_or(env, {"NO_PROXY", "no_proxy"});
  copts.ca_bundle = !o.ca_bundle.empty() ? o.ca_bundle : env_or(env, {"AWS_CA_BUNDLE"});
  copts.user_agent = "kubepriv-eks_audit_logs";
  AwsStack s;
  s.http = std::make_unique<net::CurlTransport>(copts);
  aws::ChainOptions chain;
  chain.explicit_credentials = o.explicit_credentials;
  chain.profile = o.profile;
  chain.region = o.region;
  chain.sts_endpoint = o.sts_endpoint_url;
  chain.assume_role.role_arn = o.role_arn;
  chain.assume_role.external_id = o.external_id;
  chain.assume_role.session_name = "kubepriv-eks-audit";
  s.credentials =
      std::make_unique<aws::DefaultCredentialsChain>(chain, env, *s.http, clock, stderr_logger());
  aws::LogsClientConfig lc;
  lc.endpoint = *endpoint;
  auto bucket = aws::shared_token_bucket(o.region + "|" + endpoint->url, o.rate_limit, clock);
  s.client = std::make_unique<aws::CloudWatchLogsClient>(
      lc, *s.http, *s.credentials, clock, sleeper, bucket, aws::default_rng(), stderr_logger());
  log(LogLevel::kInfo,
      "CloudWatch Logs endpoint " + endpoint->url + " (" + endpoint->source + "), region " +
          o.region + ", rate limit " + std::to_string(o.rate_limit) + " calls/s" +
          (copts.proxy.empty() ? "" : ", proxy " + net::redact_proxy(copts.proxy)));
  return s;
}

int run_scheme() {
  write_stdout(modinput::scheme_xml(scheme_info(), param_table()));
  return 0;
}

int run_validate(std::string_view document) {
  auto def = modinput::parse_input_definition(document);
  std::string message;
  if (!def) {
    message = def.error().message;
  } else if (!def->validation) {
    message = "--validate-arguments expects an <items> document";
  } else {
    aws::ProcessEnvironment env;
    const std::string env_region = env_or(env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
    const auto issues = validate_stanza(def->stanzas.front().params, env_region);
    if (issues.empty()) return 0;
    message = "Invalid eks_audit_logs input \"" + def->stanzas.front().name +
              "\": " + modinput::describe_issues(issues);
  }
  write_stdout(modinput::validation_error_xml(message));
  log(LogLevel::kError, message);
  return 1;
}

int run_inputs(std::string_view document) {
  auto def = modinput::parse_input_definition(document);
  if (!def) {
    log(LogLevel::kError, def.error().message);
    return 1;
  }
  if (def->validation) {
    log(LogLevel::kError, "run mode expects an <input> document, got <items>");
    return 1;
  }
  modinput::FdSink out(1);
  modinput::EventWriter writer(out);
  if (def->stanzas.empty()) {
    log(LogLevel::kInfo, "no eks_audit_logs inputs configured; nothing to do");
    return writer.close() ? 0 : 2;
  }
  auto store = modinput::CheckpointStore::open(def->checkpoint_dir);
  if (!store) {
    log(LogLevel::kError, store.error().message);
    return 1;
  }
  if (auto r = net::curl_global_setup(); !r) {
    log(LogLevel::kError, r.error().message);
    return 1;
  }
  aws::ProcessEnvironment env;
  common::SystemClock clock;
  common::RealSleeper sleeper(&g_stop);

  std::vector<std::unique_ptr<Input>> inputs;
  int config_errors = 0;
  for (const auto& stanza : def->stanzas) {
    auto cfg = resolve_config(stanza, def->server_host, env);
    if (!cfg) {
      log(LogLevel::kError, cfg.error().message);
      ++config_errors;
      continue;
    }
    auto in = std::make_unique<Input>();
    in->cfg = std::move(*cfg);
    const InputConfig& c = in->cfg;
    StackOptions so{c.region,     c.endpoint_url, c.sts_endpoint_url, c.proxy_url,
                    c.profile,    c.role_arn,     c.external_id,      c.use_fips,
                    c.rate_limit, std::nullopt,   c.ca_bundle};
    if (!c.credential_name.empty()) {
      auto cred = stored_credentials(c, *def, env);
      if (!cred) {
        log(LogLevel::kError, "input " + c.stanza + ": " + cred.error().message);
        ++config_errors;
        continue;
      }
      so.explicit_credentials = std::move(*cred);
    }
    auto stack = make_aws_stack(so, env, clock, sleeper);
    if (!stack) {
      log(LogLevel::kError, "input " + c.stanza + ": " + stack.error().message);
      ++config_errors;
      continue;
    }
    in->stack = std::move(*stack);
    aws::CollectorConfig cc;
    cc.log_group_name = c.log_group;
    cc.log_group_identifier = c.log_group_identifier;
    cc.stream_prefix = c.stream_prefix;
    cc.latency = c.latency;
    cc.overlap = c.overlap;
    cc.max_pages_per_cycle = c.max_pages_per_cycle;
    cc.start = c.start;
    in->collector = std::make_unique<aws::Collector>(*in->stack.client, clock, cc, stderr_logger());
    auto saved = store->load(c.checkpoint_key());
    if (!saved) {
      log(LogLevel::kError, "input " + c.stanza + ": " + saved.error().message);
      ++config_errors;
      continue;
    }
    if (*saved) {
      if (auto r = in->collector->restore(**saved); !r) {
        log(LogLevel::kError, "input " + c.stanza + ": checkpoint " +
                                  store->path_for(c.checkpoint_key()) +
                                  " cannot be used: " + r.error().message +
                                  "; move it aside to start again from start_position");
        ++config_errors;
        continue;
      }
      log(LogLevel::kInfo, "input " + c.stanza + ": resuming from checkpoint");
    } else {
      log(LogLevel::kInfo, "input " + c.stanza + ": no checkpoint, starting at start_position");
    }
    in->sink = std::make_unique<StanzaSink>(in->cfg, writer, *store, clock);
    log(LogLevel::kInfo, "input " + c.stanza + ": log group " + c.group_display() + ", streams " +
                             c.stream_prefix + "*, host " + c.host);
    inputs.push_back(std::move(in));
  }
  if (inputs.empty()) {
    log(LogLevel::kError, "no usable eks_audit_logs input; exiting");
    (void)writer.close();
    return 1;
  }

  int exit_code = config_errors > 0 ? 1 : 0;
  while (!g_stop.load()) {
    bool all_finished = true;
    common::SteadyTime next_wake = clock.monotonic() + std::chrono::hours(1);
    for (auto& in : inputs) {
      if (in->finished) continue;
      all_finished = false;
      if (clock.monotonic() < in->next_due) {
        next_wake = std::min(next_wake, in->next_due);
        continue;
      }
      auto stats = in->collector->run_cycle(*in->sink);
      if (auto r = in->sink->save_pending(); !r) {
        log(LogLevel::kError, "input " + in->cfg.stanza + ": " + r.error().message);
        g_stop = true;
        exit_code = 2;
        break;
      }
      if (!stats) {
        const bool io = in->sink->broken();
        log(LogLevel::kError,
            "input " + in->cfg.stanza + ": cycle failed (" +
                std::string(common::to_string(stats.error().code)) + "): " + stats.error().message +
                (io ? ""
                    : "; the checkpoint stays where it was, next try in " +
                          std::to_string(in->cfg.poll_interval.count() / 1000) + "s"));
        if (io) {  // stdout or the checkpoint is broken: nothing sensible is left to do
          g_stop = true;
          exit_code = 2;
          break;
        }
        if (in->cfg.exit_when_caught_up) {
          in->finished = true;
          exit_code = 1;
        }
        in->next_due = clock.monotonic() + in->cfg.poll_interval;
      } else {
        log(LogLevel::kInfo,
            "input " + in->cfg.stanza + ": cycle pages=" + std::to_string(stats->pages) +
                " empty_pages=" + std::to_string(stats->empty_pages) +
                " events=" + std::to_string(stats->events_emitted) +
                " duplicates_dropped=" + std::to_string(stats->duplicates_dropped) +
                " late_events=" + std::to_string(stats->late_events) +
                " foreign_stream_events=" + std::to_string(stats->foreign_stream_events) +
                " max_ingestion_delay_ms=" + std::to_string(stats->max_ingestion_delay_ms) +
                " api_calls=" + std::to_string(in->stack.client->stats().calls) +
                " retries=" + std::to_string(in->stack.client->stats().retries) +
                " throttles=" + std::to_string(in->stack.client->stats().throttles) +
                " caught_up=" + (stats->caught_up ? "true" : "false"));
        if (stats->caught_up) {
          if (in->cfg.exit_when_caught_up) in->finished = true;
          in->next_due = clock.monotonic() + in->cfg.poll_interval;
        } else {
          in->next_due = clock.monotonic();  // backlog: go on at once
        }
      }
      if (!in->finished) next_wake = std::min(next_wake, in->next_due);
      if (g_stop.load()) break;
    }
    // Inputs that just finished (exit_when_caught_up) must not make the process sleep a
    // poll_interval before it exits.
    if (all_finished || g_stop.load() ||
        std::all_of(inputs.begin(), inputs.end(), [](const auto& i) { return i->finished; })) {
      break;
    }
    const auto now = clock.monotonic();
    if (next_wake > now) {
      sleeper.sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - now));
    }
  }
  for (auto& in : inputs) {
    if (auto r = in->sink->save_pending(); !r) {
      log(LogLevel::kError, "input " + in->cfg.stanza + ": " + r.error().message);
      exit_code = 2;
    }
  }
  if (auto r = writer.close(); !r) {
    log(LogLevel::kError, r.error().message);
    return 2;
  }
  log(LogLevel::kInfo, std::string(g_stop.load() ? "stopped by signal" : "finished") + " after " +
                           std::to_string(writer.events_written()) + " events");
  return exit_code;
}

}  // namespace kubepriv::eks
