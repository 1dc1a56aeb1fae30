#include "run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "kubepriv/audit/event_time.hpp"
#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/endpoints.hpp"
#include "kubepriv/aws/rate_limiter.hpp"
#include "kubepriv/ingest/loop.hpp"
#include "kubepriv/ingest/signals.hpp"
#include "kubepriv/modinput/checkpoint.hpp"
#include "kubepriv/modinput/event_writer.hpp"
#include "kubepriv/modinput/input_definition.hpp"
#include "kubepriv/modinput/scheme.hpp"
#include "kubepriv/splunkd/passwords.hpp"
#include "params.hpp"

namespace kubepriv::eks {

using common::fail;
using common::Result;

namespace {

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

// One configured input and what it owns.
struct Configured {
  InputConfig cfg;
  AwsStack stack;
  std::unique_ptr<aws::Collector> collector;
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

// The AWS stack an input's configuration asks for (credentials from the chain; a credential
// stored in splunkd is added by the caller).
StackOptions stack_options(const InputConfig& c) {
  return {.region = c.region,
          .endpoint_url = c.endpoint_url,
          .sts_endpoint_url = c.sts_endpoint_url,
          .proxy_url = c.proxy_url,
          .profile = c.profile,
          .role_arn = c.role_arn,
          .external_id = c.external_id,
          .use_fips = c.use_fips,
          .rate_limit = c.rate_limit,
          .explicit_credentials = std::nullopt,
          .ca_bundle = c.ca_bundle};
}

// Resolves one stanza, builds its AWS stack and restores its collector from the checkpoint.
Result<std::unique_ptr<Configured>> configure_input(const modinput::Stanza& stanza,
                                                    const modinput::InputDefinition& def,
                                                    const modinput::CheckpointStore& store,
                                                    const aws::Environment& env,
                                                    const common::Clock& clock,
                                                    common::Sleeper& sleeper) {
  auto cfg = resolve_config(stanza, def.server_host, env);
  if (!cfg) return tl::unexpected(cfg.error());
  auto in = std::make_unique<Configured>();
  in->cfg = std::move(*cfg);
  const InputConfig& c = in->cfg;
  auto failed = [&](const std::string& why) {
    return fail(common::ErrorCode::kInvalidArgument, "input " + c.stanza + ": " + why);
  };
  StackOptions so = stack_options(c);
  if (!c.credential_name.empty()) {
    auto cred = stored_credentials(c, def, env);
    if (!cred) return failed(cred.error().message);
    so.explicit_credentials = std::move(*cred);
  }
  auto stack = make_aws_stack(so, env, clock, sleeper);
  if (!stack) return failed(stack.error().message);
  in->stack = std::move(*stack);
  in->collector = std::make_unique<aws::Collector>(
      *in->stack.client, clock,
      aws::CollectorConfig{.log_group_name = c.log_group,
                           .log_group_identifier = c.log_group_identifier,
                           .stream_prefix = c.stream_prefix,
                           .latency = c.latency,
                           .overlap = c.overlap,
                           .max_pages_per_cycle = c.max_pages_per_cycle,
                           .start = c.start});
  auto saved = store.load(c.checkpoint_key());
  if (!saved) return failed(saved.error().message);
  if (*saved) {
    if (auto r = in->collector->restore(**saved); !r) {
      return failed("checkpoint " + store.path_for(c.checkpoint_key()) + " cannot be used: " +
                    r.error().message + "; move it aside to start again from start_position");
    }
    spdlog::info("input " + c.stanza + ": resuming from checkpoint");
  } else {
    spdlog::info("input " + c.stanza + ": no checkpoint, starting at start_position");
  }
  spdlog::info("input " + c.stanza + ": log group " + c.group_display() + ", streams " +
               c.stream_prefix + "*, host " + c.host);
  return in;
}

}  // namespace

bool stop_requested() {
  return ingest::process_stop_token().stop_requested();
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
  s.credentials = std::make_unique<aws::DefaultCredentialsChain>(chain, env, *s.http, clock);
  aws::LogsClientConfig lc;
  lc.endpoint = *endpoint;
  auto bucket = aws::shared_token_bucket(o.region + "|" + endpoint->url, o.rate_limit, clock);
  s.client = std::make_unique<aws::CloudWatchLogsClient>(lc, *s.http, *s.credentials, clock,
                                                         sleeper, bucket, aws::default_rng());
  spdlog::info("CloudWatch Logs endpoint " + endpoint->url + " (" + endpoint->source +
               "), region " + o.region + ", rate limit " + std::to_string(o.rate_limit) +
               " calls/s" +
               (copts.proxy.empty() ? "" : ", proxy " + net::redact_proxy(copts.proxy)));
  return s;
}

// With credential_name set: the credential exists in storage/passwords (read with the session
// key splunkd passed) and signs a FilterLogEvents call (limit 1) that the endpoint accepts.
Result<void> check_stored_credential(const modinput::InputDefinition& def,
                                     const aws::Environment& env) {
  auto cfg = resolve_config(def.stanzas.front(), def.server_host, env);
  if (!cfg) return tl::unexpected(cfg.error());
  if (cfg->credential_name.empty()) return {};
  auto cred = stored_credentials(*cfg, def, env);
  if (!cred) {
    return fail(common::ErrorCode::kAuth,
                "credential \"" + cfg->credential_name +
                    "\" cannot be read from storage/passwords: " + cred.error().message);
  }
  if (auto r = net::curl_global_setup(); !r) return tl::unexpected(r.error());
  common::SystemClock clock;
  common::RealSleeper sleeper(&ingest::process_stop_token());
  StackOptions so = stack_options(*cfg);
  so.explicit_credentials = std::move(*cred);  // first in the chain: the profile is never asked
  auto stack = make_aws_stack(so, env, clock, sleeper);
  if (!stack) return tl::unexpected(stack.error());
  const std::int64_t now = common::to_epoch_ms(clock.now());
  aws::FilterLogEventsRequest req;
  req.log_group_name = cfg->log_group;
  req.log_group_identifier = cfg->log_group_identifier;
  req.log_stream_name_prefix = cfg->stream_prefix;
  req.start_time_ms = now - 60'000;
  req.end_time_ms = now;
  req.limit = 1;
  auto page = stack->client->filter_log_events(req);
  // A missing log group still proves the signature was accepted; the group may come later.
  if (!page && page.error().code != common::ErrorCode::kNotFound) {
    return fail(page.error().code, "credential \"" + cfg->credential_name +
                                       "\" cannot sign a FilterLogEvents call to " + cfg->region +
                                       ": " + page.error().message);
  }
  return {};
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
    const auto issues = validate_stanza(def->stanzas.front().params, aws::region_from_env(env));
    if (!issues.empty()) {
      message = "Invalid eks_audit_logs input \"" + def->stanzas.front().name +
                "\": " + modinput::describe_issues(issues);
    } else if (auto r = check_stored_credential(*def, env); !r) {
      message = "Invalid eks_audit_logs input \"" + def->stanzas.front().name +
                "\": " + r.error().message;
    } else {
      return 0;
    }
  }
  write_stdout(modinput::validation_error_xml(message));
  spdlog::error(message);
  return 1;
}

int run_inputs(std::string_view document) {
  auto def = modinput::parse_input_definition(document);
  if (!def) {
    spdlog::error(def.error().message);
    return 1;
  }
  if (def->validation) {
    spdlog::error("run mode expects an <input> document, got <items>");
    return 1;
  }
  modinput::FdSink out(1);
  modinput::EventWriter writer(out);
  if (def->stanzas.empty()) {
    spdlog::info("no eks_audit_logs inputs configured; nothing to do");
    return writer.close() ? 0 : 2;
  }
  auto store = modinput::CheckpointStore::open(def->checkpoint_dir);
  if (!store) {
    spdlog::error(store.error().message);
    return 1;
  }
  if (auto r = net::curl_global_setup(); !r) {
    spdlog::error(r.error().message);
    return 1;
  }
  aws::ProcessEnvironment env;
  common::SystemClock clock;
  const common::StopToken& stop = ingest::process_stop_token();
  common::RealSleeper sleeper(&stop);

  std::vector<std::unique_ptr<Configured>> configured;
  int config_errors = 0;
  for (const auto& stanza : def->stanzas) {
    if (stop.stop_requested()) break;
    auto in = configure_input(stanza, *def, *store, env, clock, sleeper);
    if (!in) {
      spdlog::error(in.error().message);
      ++config_errors;
      continue;
    }
    configured.push_back(std::move(*in));
  }
  if (stop.stop_requested()) {
    spdlog::info("stopped by signal before collecting");
    return writer.close() ? 0 : 2;
  }
  if (configured.empty()) {
    spdlog::error("no usable eks_audit_logs input; exiting");
    (void)writer.close();
    return 1;
  }
  std::vector<ingest::Input> inputs;
  for (const auto& c : configured) {
    const InputConfig& cfg = c->cfg;
    inputs.push_back({.options = {.stanza = cfg.stanza,
                                  .host = cfg.host,
                                  .source = cfg.source,
                                  .sourcetype = cfg.sourcetype,
                                  .index = cfg.index,
                                  .checkpoint_key = cfg.checkpoint_key(),
                                  .checkpoint_interval = cfg.checkpoint_interval},
                      .collector = c->collector.get(),
                      .poll_interval = cfg.poll_interval,
                      .exit_when_caught_up = cfg.exit_when_caught_up,
                      .client_stats = &c->stack.client->stats()});
  }
  const ingest::LoopContext ctx{
      .writer = writer,
      .store = *store,
      .clock = clock,
      .sleeper = sleeper,
      .stop = stop,
      .event_time = [](const aws::LogEvent& e) {
        // _time = requestReceivedTimestamp (props.conf, README);
        // CloudWatch's time when the event has none.
        return audit::request_received_ms(e.message).value_or(e.timestamp_ms);
      }};
  const int code = ingest::run_loop(inputs, ctx);
  return code == ingest::kExitOk && config_errors > 0 ? 1 : code;
}

}  // namespace kubepriv::eks
