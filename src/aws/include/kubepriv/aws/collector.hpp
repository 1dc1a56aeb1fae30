#pragma once
/// @file
/// The loss-free, repeat-free collection loop (cloudwatch.md §7.2): windows on the event
/// timestamp `[start, end]` with `end = now - latency`, each window re-reading `overlap` before
/// the previous end and dropping repeats by (logStreamName, eventId).
///
/// Delivery contract with the caller (the modular input):
///  1. on_event() is called for every new event, in page order;
///  2. commit(state) is called after the events of a page (or a completed window) were handed
///     over: the caller must first make those events durable (write + flush), then persist
///     `state` atomically. A restart from the last persisted state never re-emits an event
///     emitted before that commit, and never misses one (late events are caught while they are
///     within `overlap` of the window end).
///  3. After a kill -9, the events handed over after the last commit are repeated on restart:
///     at most one FilterLogEvents page (≤ `page_limit` events, ≤ 1 MB of messages).
/// In-progress windows are checkpointed with their nextToken, so a large backlog progresses
/// across cycles; an expired/invalid token restarts the window and the seen-set absorbs repeats.

#include <array>          // std::array
#include <chrono>         // std::chrono
#include <cstdint>        // std::int64_t
#include <optional>       // std::optional
#include <string>         // std::string
#include <string_view>    // std::string_view
#include <unordered_map>  // std::unordered_map
#include <utility>        // std::pair

#include "kubepriv/aws/logs_client.hpp"
#include "kubepriv/aws/redact.hpp"
#include "kubepriv/common/clock.hpp"
#include "kubepriv/common/result.hpp"

namespace kubepriv::aws {

/// Where a collector without state starts.
struct StartPosition {
  enum class Kind {
    kNow,        ///< only events from now - latency on
    kBeginning,  ///< everything the log group still holds (found by probing the oldest event)
    kAbsolute,   ///< from `value_ms` (epoch ms)
    kRelative,   ///< from now - `value_ms` (e.g. "-1h")
  };
  Kind kind = Kind::kNow;
  std::int64_t value_ms = 0;
};

/// Parses "now" | "end", "beginning", an RFC 3339 time ("2024-05-01T00:00:00Z", offsets ok), or a
/// relative "-<n><s|m|h|d>" ("-90m", "-1h", "-7d"). kInvalidArgument with an explanation.
common::Result<StartPosition> parse_start_position(std::string_view text);

/// Receives the collector's output. See the delivery contract above.
class EventSink {
 public:
  virtual ~EventSink() = default;
  /// A new event (never one already emitted since the last committed state).
  virtual common::Result<void> on_event(const LogEvent& event) = 0;
  /// Make all events given so far durable, then persist `state_json` (atomically).
  virtual common::Result<void> commit(const std::string& state_json) = 0;
  /// Polled between pages: true stops the cycle early (after a commit).
  virtual bool stop_requested() const { return false; }
};

/// Collector settings.
struct CollectorConfig {
  std::string log_group_name;                            ///< exactly one of name / identifier
  std::string log_group_identifier;                      ///< name or ARN
  std::string stream_prefix{kDefaultAuditStreamPrefix};  ///< also checked client-side
  std::chrono::milliseconds latency{std::chrono::seconds(120)};
  std::chrono::milliseconds overlap{std::chrono::minutes(10)};
  /// Longest window span (beyond the overlap) while catching up; bounds the seen-set memory.
  std::chrono::milliseconds max_window{std::chrono::hours(1)};
  int max_pages_per_cycle = 200;  ///< bound of pages per run_cycle()
  std::chrono::milliseconds cycle_budget{std::chrono::minutes(5)};  ///< wall-time bound per cycle
  int page_limit = 10000;  ///< FilterLogEvents `limit` (1..10000)
  StartPosition start;     ///< used only when no state was restored
};

/// What one cycle did (for logs and metrics).
struct CycleStats {
  int pages = 0;
  int empty_pages = 0;
  int windows_completed = 0;
  std::uint64_t events_emitted = 0;
  std::uint64_t duplicates_dropped = 0;
  std::uint64_t foreign_stream_events = 0;  ///< stream name without the prefix (skipped)
  std::uint64_t late_events = 0;  ///< emitted although at or before the previous window end
  std::int64_t max_ingestion_delay_ms = 0;  ///< max(ingestionTime - timestamp)
  bool caught_up = false;       ///< the last window ends at now - latency and is complete
  bool token_restarts = false;  ///< a window was restarted after an invalid nextToken
  std::optional<std::int64_t> checkpoint_end_ms;  ///< end of the last completed window
};

/// The serialisable state (exposed for tests).
struct CollectorState {
  std::optional<std::int64_t> floor_ms;     ///< resolved start position
  std::optional<std::int64_t> ckpt_end_ms;  ///< end of the last fully delivered window
  /// The window in progress, if any.
  struct Window {
    std::int64_t start_ms = 0, end_ms = 0;
    std::string next_token;  ///< empty: restart from the window start
  };
  std::optional<Window> window;
  /// Dedup key: the first 16 bytes of SHA-256(logStreamName '\0' eventId). 128 bits make an
  /// accidental collision (which would drop an event) negligible (~1e-26 for 1e6 entries), at a
  /// third of the memory of the two strings.
  using SeenKey = std::array<std::uint8_t, 16>;
  /// Hash functor for SeenKey (its bytes are already uniformly distributed).
  struct SeenKeyHash {
    std::size_t operator()(const SeenKey& k) const noexcept {
      std::size_t h = 0;
      for (std::size_t i = 0; i < sizeof(std::size_t); ++i) h = (h << 8) | k[i];
      return h;
    }
  };
  /// The key of an event.
  static SeenKey key_of(std::string_view log_stream_name, std::string_view event_id);
  /// key → timestamp ms, for everything emitted within the overlap horizon and in the window
  /// in progress.
  std::unordered_map<SeenKey, std::int64_t, SeenKeyHash> seen;

  /// JSON text: {"version":2,"floor_ms":…,"ckpt_end_ms":…,"window":{…}|null,
  /// "seen":[["<32 hex>",ts],…]} (sorted, so equal states give equal text).
  std::string to_json() const;
  /// Parses to_json() output (version 1 with [stream, eventId, ts] entries is accepted too);
  /// kParse with a reason on anything else.
  static common::Result<CollectorState> from_json(std::string_view text);
};

/// Runs collection cycles over one log group.
class Collector {
 public:
  /// `api` and `clock` must outlive the collector.
  Collector(LogsApi& api, const common::Clock& clock, CollectorConfig config);
  /// Loads a checkpoint (the text given to a previous commit()). Empty text = fresh start.
  common::Result<void> restore(std::string_view state_json);
  /// Current state as JSON (same as the last commit unless a cycle failed midway).
  std::string state_json() const { return state_.to_json(); }
  const CollectorState& state() const { return state_; }
  /// One cycle: windows until caught up or a bound (pages, time, stop) is reached. On error,
  /// the state of the last commit stays valid; call again later (next poll).
  common::Result<CycleStats> run_cycle(EventSink& sink);

 private:
  /// A request for the configured group and stream prefix (no window yet).
  FilterLogEventsRequest group_request() const;
  common::Result<std::int64_t> probe_oldest(std::int64_t end_ms, int& pages);
  /// Resolves the start position into the floor and saves it at once.
  common::Result<void> resolve_floor(std::int64_t now_ms, std::int64_t target_end,
                                     CycleStats& stats, EventSink& sink);
  /// Opens the next window up to `target_end`; false when caught up (nothing to read).
  bool open_window(std::int64_t target_end);
  /// Hands a page's new events of the audit streams to the sink; the number handed over.
  common::Result<std::uint64_t> emit_page(const FilterLogEventsPage& page, EventSink& sink,
                                          CycleStats& stats);
  /// Moves the checkpoint to the end of the window read and forgets ids older than the overlap.
  void complete_window();
  LogsApi& api_;
  const common::Clock& clock_;
  CollectorConfig config_;
  CollectorState state_;
};

}  // namespace kubepriv::aws
