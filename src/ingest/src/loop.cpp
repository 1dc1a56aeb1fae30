#include "kubepriv/ingest/loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>  // std::min, std::all_of
#include <memory>     // std::unique_ptr

namespace kubepriv::ingest {

using common::ErrorCode;
using common::Result;

StanzaSink::StanzaSink(StanzaOptions options, const LoopContext& ctx)
    : options_(std::move(options)), ctx_(ctx), last_save_(ctx.clock.monotonic()) {}

Result<void> StanzaSink::note(Result<void> r) {
  if (!r) broken_ = true;
  return r;
}

Result<void> StanzaSink::on_event(const aws::LogEvent& e) {
  const std::int64_t time_ms = ctx_.event_time ? ctx_.event_time(e) : e.timestamp_ms;
  return note(ctx_.writer.write({.stanza = options_.stanza,
                                 .time_ms = time_ms,
                                 .host = options_.host,
                                 .source = options_.source,
                                 .sourcetype = options_.sourcetype,
                                 .index = options_.index,
                                 .data = e.message}));
}

Result<void> StanzaSink::commit(const std::string& state_json) {
  // The events come first: a checkpoint must never cover an event still in our buffer.
  if (auto r = note(ctx_.writer.flush()); !r) return r;
  pending_ = state_json;
  if (options_.checkpoint_interval.count() == 0 || ctx_.stop.stop_requested() ||
      ctx_.clock.monotonic() - last_save_ >= options_.checkpoint_interval) {
    return save_pending();
  }
  return {};
}

Result<void> StanzaSink::save_pending() {
  if (!pending_) return {};
  if (auto r = note(ctx_.writer.flush()); !r) return r;
  if (auto r = note(ctx_.store.save(options_.checkpoint_key, *pending_)); !r) return r;
  pending_.reset();
  last_save_ = ctx_.clock.monotonic();
  ++saves_;
  return {};
}

namespace {

struct State {
  const Input* input;
  std::unique_ptr<StanzaSink> sink;
  common::SteadyTime next_due{};
  bool finished = false;  // exit_when_caught_up and caught up (or failed)
};

std::string cycle_line(const State& s, const aws::CycleStats& stats) {
  std::string line = "input " + s.input->options.stanza +
                     ": cycle pages=" + std::to_string(stats.pages) +
                     " empty_pages=" + std::to_string(stats.empty_pages) +
                     " events=" + std::to_string(stats.events_emitted) +
                     " duplicates_dropped=" + std::to_string(stats.duplicates_dropped) +
                     " late_events=" + std::to_string(stats.late_events) +
                     " foreign_stream_events=" + std::to_string(stats.foreign_stream_events) +
                     " max_ingestion_delay_ms=" + std::to_string(stats.max_ingestion_delay_ms);
  if (const auto* c = s.input->client_stats) {
    line += " api_calls=" + std::to_string(c->calls) + " retries=" + std::to_string(c->retries) +
            " throttles=" + std::to_string(c->throttles);
  }
  line += std::string(" caught_up=") + (stats.caught_up ? "true" : "false");
  return line;
}

}  // namespace

int run_loop(const std::vector<Input>& inputs, const LoopContext& ctx) {
  const auto& clock = ctx.clock;
  std::vector<State> states;
  states.reserve(inputs.size());
  for (const auto& in : inputs) {
    states.push_back({.input = &in, .sink = std::make_unique<StanzaSink>(in.options, ctx)});
  }
  int exit_code = kExitOk;
  bool broken = false;
  auto all_finished = [&] {
    return std::all_of(states.begin(), states.end(), [](const State& s) { return s.finished; });
  };
  while (!ctx.stop.stop_requested() && !broken && !all_finished()) {
    common::SteadyTime next_wake = clock.monotonic() + std::chrono::hours(1);
    for (auto& s : states) {
      if (s.finished) continue;
      const Input& in = *s.input;
      const std::string& name = in.options.stanza;
      if (clock.monotonic() < s.next_due) {
        next_wake = std::min(next_wake, s.next_due);
        continue;
      }
      auto stats = in.collector->run_cycle(*s.sink);
      if (auto r = s.sink->save_pending(); !r) {
        spdlog::error("input " + name + ": " + r.error().message);
        broken = true;
        break;
      }
      if (!stats && s.sink->broken()) {  // stdout or the checkpoint is broken
        spdlog::error("input " + name + ": " + stats.error().message + "; exiting");
        broken = true;
        break;
      }
      if (!stats && (stats.error().code == ErrorCode::kCancelled || ctx.stop.stop_requested())) {
        // A stop request, not a failure: what was delivered is checkpointed, the rest is read
        // by the next run.
        spdlog::info("input " + name + ": stopping (" + stats.error().message +
                     "); the next run resumes from the checkpoint");
        break;
      }
      if (!stats) {
        const bool retry = !in.exit_when_caught_up;
        spdlog::error(
            "input " + name + ": cycle failed (" +
            std::string(common::to_string(stats.error().code)) + "): " + stats.error().message +
            "; the checkpoint stays where it was" +
            (retry ? ", next try in " + std::to_string(in.poll_interval.count() / 1000) + "s"
                   : "; not retried (exit_when_caught_up = true)"));
        if (!retry) {
          s.finished = true;
          exit_code = kExitFailed;
        }
        s.next_due = clock.monotonic() + in.poll_interval;
      } else {
        spdlog::info(cycle_line(s, *stats));
        if (stats->caught_up) {
          if (in.exit_when_caught_up) s.finished = true;
          s.next_due = clock.monotonic() + in.poll_interval;
        } else {
          s.next_due = clock.monotonic();  // backlog: go on at once
        }
      }
      if (!s.finished) next_wake = std::min(next_wake, s.next_due);
      if (ctx.stop.stop_requested()) break;
    }
    // Inputs that just finished must not make the process sleep a poll_interval first.
    if (ctx.stop.stop_requested() || broken || all_finished()) break;
    const auto now = clock.monotonic();
    if (next_wake > now) {
      ctx.sleeper.sleep_for(std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - now));
    }
  }
  for (auto& s : states) {
    if (auto r = s.sink->save_pending(); !r) {
      spdlog::error("input " + s.input->options.stanza + ": " + r.error().message);
      broken = true;
    }
  }
  if (auto r = ctx.writer.close(); !r) {
    spdlog::error(r.error().message);
    return kExitBroken;
  }
  spdlog::info(std::string(ctx.stop.stop_requested() ? "stopped by signal" : "finished") +
               " after " + std::to_string(ctx.writer.events_written()) + " events");
  return broken ? kExitBroken : exit_code;
}

}  // namespace kubepriv::ingest
