#include "kubepriv/ingest/modular_input.hpp"

#include <spdlog/spdlog.h>

#include <memory>  // std::unique_ptr
#include <vector>  // std::vector

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/ingest/aws_stack.hpp"
#include "kubepriv/ingest/config.hpp"
#include "kubepriv/ingest/loop.hpp"
#include "kubepriv/ingest/params.hpp"
#include "kubepriv/modinput/checkpoint.hpp"
#include "kubepriv/modinput/event_writer.hpp"
#include "kubepriv/modinput/scheme.hpp"

namespace kubepriv::ingest {

using common::fail;
using common::Result;

namespace {

// One configured input and what it owns.
struct Configured {
  InputConfig cfg;
  AwsStack stack;
  std::unique_ptr<aws::Collector> collector;
};

// Restores a collector from its checkpoint (none: a fresh start at start_position).
Result<void> restore_checkpoint(aws::Collector& collector, const InputConfig& c,
                                const modinput::CheckpointStore& store) {
  auto saved = store.load(c.checkpoint_key());
  if (!saved) return tl::unexpected(saved.error());
  if (!*saved) {
    spdlog::info("input " + c.stanza + ": no checkpoint, starting at start_position");
    return {};
  }
  if (auto r = collector.restore(**saved); !r) {
    return fail(common::ErrorCode::kInvalidArgument,
                "checkpoint " + store.path_for(c.checkpoint_key()) + " cannot be used: " +
                    r.error().message + "; move it aside to start again from start_position");
  }
  spdlog::info("input " + c.stanza + ": resuming from checkpoint");
  return {};
}

// Resolves one stanza, builds its AWS stack and restores its collector from the checkpoint.
Result<std::unique_ptr<Configured>> configure_input(const modinput::Stanza& stanza,
                                                    const modinput::InputDefinition& def,
                                                    const modinput::CheckpointStore& store,
                                                    const Runtime& rt) {
  auto cfg = resolve_config(stanza, def.server_host, rt.env);
  if (!cfg) return tl::unexpected(cfg.error());
  auto in = std::make_unique<Configured>();
  in->cfg = std::move(*cfg);
  const InputConfig& c = in->cfg;
  auto failed = [&](const std::string& why) {
    return fail(common::ErrorCode::kInvalidArgument, "input " + c.stanza + ": " + why);
  };
  StackOptions so = stack_options(c);
  if (!c.credential_name.empty()) {
    auto cred = stored_credentials(c, def, rt);
    if (!cred) return failed(cred.error().message);
    so.explicit_credentials = std::move(*cred);
  }
  auto stack = make_aws_stack(so, rt);
  if (!stack) return failed(stack.error().message);
  in->stack = std::move(*stack);
  in->collector = std::make_unique<aws::Collector>(
      *in->stack.client, rt.clock,
      aws::CollectorConfig{.log_group_name = c.log_group,
                           .log_group_identifier = c.log_group_identifier,
                           .stream_prefix = c.stream_prefix,
                           .latency = c.latency,
                           .overlap = c.overlap,
                           .max_pages_per_cycle = c.max_pages_per_cycle,
                           .start = c.start});
  if (auto r = restore_checkpoint(*in->collector, c, store); !r) return failed(r.error().message);
  spdlog::info("input " + c.stanza + ": log group " + c.group_display() + ", streams " +
               c.stream_prefix + "*, host " + c.host);
  return in;
}

// The loop's view of a configured input.
Input loop_input(const Configured& c) {
  const InputConfig& cfg = c.cfg;
  return {.options = {.stanza = cfg.stanza,
                      .host = cfg.host,
                      .source = cfg.source,
                      .sourcetype = cfg.sourcetype,
                      .index = cfg.index,
                      .checkpoint_key = cfg.checkpoint_key(),
                      .checkpoint_interval = cfg.checkpoint_interval},
          .collector = c.collector.get(),
          .poll_interval = cfg.poll_interval,
          .exit_when_caught_up = cfg.exit_when_caught_up,
          .client_stats = &c.stack.client->stats()};
}

}  // namespace

int run_scheme(modinput::ByteSink& out) {
  return out.write(modinput::scheme_xml(scheme_info(), param_table())) ? 0 : 1;
}

Result<void> check_stored_credential(const modinput::InputDefinition& def, const Runtime& rt) {
  auto cfg = resolve_config(def.stanzas.front(), def.server_host, rt.env);
  if (!cfg) return tl::unexpected(cfg.error());
  if (cfg->credential_name.empty()) return {};
  auto cred = stored_credentials(*cfg, def, rt);
  if (!cred) {
    return fail(common::ErrorCode::kAuth,
                "credential \"" + cfg->credential_name +
                    "\" cannot be read from storage/passwords: " + cred.error().message);
  }
  StackOptions so = stack_options(*cfg);
  so.explicit_credentials = std::move(*cred);  // first in the chain: the profile is never asked
  auto stack = make_aws_stack(so, rt);
  if (!stack) return tl::unexpected(stack.error());
  const std::int64_t now = common::to_epoch_ms(rt.clock.now());
  auto page = stack->client->filter_log_events({.log_group_name = cfg->log_group,
                                                .log_group_identifier = cfg->log_group_identifier,
                                                .log_stream_name_prefix = cfg->stream_prefix,
                                                .start_time_ms = now - 60'000,
                                                .end_time_ms = now,
                                                .next_token = {},
                                                .limit = 1});
  // A missing log group still proves the signature was accepted; the group may come later.
  if (!page && page.error().code != common::ErrorCode::kNotFound) {
    return fail(page.error().code, "credential \"" + cfg->credential_name +
                                       "\" cannot sign a FilterLogEvents call to " + cfg->region +
                                       ": " + page.error().message);
  }
  return {};
}

int validate_arguments(std::string_view document, const Runtime& rt) {
  auto def = modinput::parse_input_definition(document);
  std::string message;
  if (!def) {
    message = def.error().message;
  } else if (!def->validation) {
    message = "--validate-arguments expects an <items> document";
  } else {
    const auto issues = validate_stanza(def->stanzas.front().params, aws::region_from_env(rt.env));
    if (!issues.empty()) {
      message = "Invalid eks_audit_logs input \"" + def->stanzas.front().name +
                "\": " + modinput::describe_issues(issues);
    } else if (auto r = check_stored_credential(*def, rt); !r) {
      message = "Invalid eks_audit_logs input \"" + def->stanzas.front().name +
                "\": " + r.error().message;
    } else {
      return 0;
    }
  }
  common::ignore(rt.out.write(modinput::validation_error_xml(message)),
                 "splunkd may be gone; the message goes to stderr next and the exit status is 1");
  spdlog::error(message);
  return 1;
}

int run_inputs(std::string_view document, const Runtime& rt) {
  auto def = modinput::parse_input_definition(document);
  if (!def) {
    spdlog::error(def.error().message);
    return 1;
  }
  if (def->validation) {
    spdlog::error("run mode expects an <input> document, got <items>");
    return 1;
  }
  modinput::EventWriter writer(rt.out);
  if (def->stanzas.empty()) {
    spdlog::info("no eks_audit_logs inputs configured; nothing to do");
    return writer.close() ? kExitOk : kExitBroken;
  }
  auto store = modinput::CheckpointStore::open(def->checkpoint_dir);
  if (!store) {
    spdlog::error(store.error().message);
    return 1;
  }
  std::vector<std::unique_ptr<Configured>> configured;
  int config_errors = 0;
  for (const auto& stanza : def->stanzas) {
    if (rt.stop.stop_requested()) break;
    auto in = configure_input(stanza, *def, *store, rt);
    if (!in) {
      spdlog::error(in.error().message);
      ++config_errors;
      continue;
    }
    configured.push_back(std::move(*in));
  }
  if (rt.stop.stop_requested()) {
    spdlog::info("stopped by signal before collecting");
    return writer.close() ? kExitOk : kExitBroken;
  }
  if (configured.empty()) {
    spdlog::error("no usable eks_audit_logs input; exiting");
    common::ignore(writer.close(), "nothing was written; the exit status is 1 either way");
    return 1;
  }
  std::vector<Input> inputs;
  inputs.reserve(configured.size());
  for (const auto& c : configured) inputs.push_back(loop_input(*c));
  const LoopContext ctx{.writer = writer,
                        .store = *store,
                        .clock = rt.clock,
                        .sleeper = rt.sleeper,
                        .stop = rt.stop,
                        .event_time = rt.event_time};
  const int code = run_loop(inputs, ctx);
  return code == kExitOk && config_errors > 0 ? 1 : code;
}

}  // namespace kubepriv::ingest
