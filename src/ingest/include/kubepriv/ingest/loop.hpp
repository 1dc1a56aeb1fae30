#pragma once
/// @file
/// The modular input's loop: runs each input's collector on its schedule, writes the events to
/// Splunk's XML stream and saves checkpoints, with these guarantees:
///  1. the events a checkpoint covers are flushed to stdout before the checkpoint is saved;
///  2. a stop request (SIGTERM) at any point finishes the page in hand, saves its checkpoint and
///     ends the loop with exit code 0 and no ERROR line: a stop is not a failure;
///  3. a log line never promises a retry the process will not make.
/// Time, sleeping and the stop request come in through interfaces, so the guarantees have unit
/// tests (tests/ingest) that use a fake clock.

#include <chrono>      // std::chrono
#include <cstdint>     // std::int64_t
#include <functional>  // std::function
#include <optional>    // std::optional
#include <string>      // std::string
#include <vector>      // std::vector

#include "kubepriv/aws/collector.hpp"
#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/result.hpp"
#include "kubepriv/common/stop.hpp"
#include "kubepriv/modinput/checkpoint.hpp"
#include "kubepriv/modinput/event_writer.hpp"

namespace kubepriv::ingest {

/// The `<time>` of an event in epoch ms (the entry point injects the audit event's own time);
/// empty: CloudWatch's timestamp.
using EventTime = std::function<std::int64_t(const aws::LogEvent&)>;

/// What the loop needs of the world (it logs through spdlog's default logger).
struct LoopContext {
  modinput::EventWriter& writer;
  const modinput::CheckpointStore& store;
  const common::Clock& clock;
  common::Sleeper& sleeper;  ///< should end early once `stop` is requested
  const common::StopToken& stop;
  EventTime event_time;
};

/// How one stanza's events are labelled and checkpointed.
struct StanzaOptions {
  std::string stanza;  ///< "eks_audit_logs://name"
  std::string host, source, sourcetype, index;
  std::string checkpoint_key;
  /// Least time between checkpoint saves; 0: after every page.
  std::chrono::milliseconds checkpoint_interval{0};
};

/// Writes a stanza's events and saves its checkpoint only after they are flushed.
class StanzaSink final : public aws::EventSink {
 public:
  StanzaSink(StanzaOptions options, const LoopContext& ctx);
  common::Result<void> on_event(const aws::LogEvent& event) override;
  common::Result<void> commit(const std::string& state_json) override;
  bool stop_requested() const override { return ctx_.stop.stop_requested(); }
  /// Saves a checkpoint held back by checkpoint_interval (after flushing the events).
  common::Result<void> save_pending();
  std::uint64_t saves() const { return saves_; }
  /// True once stdout or the checkpoint file failed: nothing sensible is left to do.
  bool broken() const { return broken_; }

 private:
  common::Result<void> note(common::Result<void> r);
  StanzaOptions options_;
  const LoopContext& ctx_;
  common::SteadyTime last_save_;
  std::optional<std::string> pending_;
  std::uint64_t saves_ = 0;
  bool broken_ = false;
};

/// One input the loop drives; the collector (restored from its checkpoint) is owned elsewhere.
struct Input {
  StanzaOptions options;
  aws::Collector* collector = nullptr;
  std::chrono::milliseconds poll_interval{std::chrono::seconds(60)};
  bool exit_when_caught_up = false;
  /// The client's counters, for the cycle log line (may be null).
  const aws::LogsClientStats* client_stats = nullptr;
};

/// Exit codes of the loop.
inline constexpr int kExitOk = 0;      ///< finished or stopped on request
inline constexpr int kExitFailed = 1;  ///< an exit_when_caught_up input failed
inline constexpr int kExitBroken = 2;  ///< stdout or the checkpoint directory failed

/// Runs the inputs until each one finished (exit_when_caught_up), a stop is requested, or
/// stdout / a checkpoint write fails; then saves what is pending and closes the stream.
/// Returns kExitOk, kExitFailed or kExitBroken.
int run_loop(const std::vector<Input>& inputs, const LoopContext& ctx);

}  // namespace kubepriv::ingest
