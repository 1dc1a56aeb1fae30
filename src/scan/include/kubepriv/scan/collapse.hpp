#pragma once
/// @file
/// One alert per auditID: the stages (RequestReceived, ResponseStarted, ResponseComplete, Panic)
/// and redeliveries of one request collapse into a single alert, in bounded memory.
///
/// Rules. Only flagged events (any reason) take part. An event whose stage is final
/// (ResponseComplete, Panic, or a missing/unknown stage) closes its auditID: the alert is
/// emitted at once, with that event's verdict unless an earlier verdict ranks higher (none can:
/// final ranks highest; among equals the first seen wins). A non-final event (RequestReceived,
/// ResponseStarted) opens or upgrades a pending alert; pending alerts are emitted when their
/// final stage arrives, when more than `max_open` are pending (oldest first), or at flush().
/// Closed auditIDs are remembered (the last `max_closed` of them) so later redeliveries, or
/// earlier stages arriving late, are counted as collapsed instead of alerting again. An event
/// without auditID is its own alert. Memory: at most max_open verdicts + max_closed IDs.

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <deque>        // std::deque
#include <functional>   // std::function
#include <list>         // std::list
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <unordered_map>

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::scan {

/// A collapsed alert: the kept verdict and where its event was read.
struct Alert {
  std::string file;
  std::uint64_t line = 0;
  std::uint64_t index = 0;
  std::string time;
  core::Verdict verdict;
  int rank = 0;  ///< stage rank of the kept verdict (see stage_rank)
};

/// 0 RequestReceived, 1 ResponseStarted, 2 anything else (ResponseComplete, Panic, unknown).
int stage_rank(std::string_view stage) noexcept;

/// Collapses flagged events into alerts; emits each alert exactly once through the callback.
class AlertCollapser {
 public:
  using Emit = std::function<void(const Alert&)>;
  static constexpr std::size_t kDefaultMaxOpen = 16384;
  static constexpr std::size_t kDefaultMaxClosed = 262144;

  explicit AlertCollapser(Emit emit, std::size_t max_open = kDefaultMaxOpen,
                          std::size_t max_closed = kDefaultMaxClosed);

  /// Offers one flagged event. `make_alert` fills file/line/index/time lazily (only when the
  /// event is kept); the verdict is copied from `verdict` only if kept.
  void add(const core::Verdict& verdict, const std::function<void(Alert&)>& describe);
  /// Emits every pending alert in the order first seen.
  void flush();

  [[nodiscard]] std::uint64_t alerts() const noexcept { return alerts_; }
  /// Flagged events folded into an existing alert (stages, redeliveries).
  [[nodiscard]] std::uint64_t collapsed() const noexcept { return collapsed_; }
  [[nodiscard]] std::size_t open() const noexcept { return open_.size(); }

 private:
  void emit(const Alert& alert);
  void close(const std::string& id, int rank);

  Emit emit_;
  std::size_t max_open_;
  std::size_t max_closed_;
  std::list<Alert> order_;  // pending alerts, first seen first
  std::unordered_map<std::string, std::list<Alert>::iterator> open_;
  std::unordered_map<std::string, int> closed_;  // auditID -> rank of the emitted alert
  std::deque<std::string> closed_fifo_;
  std::uint64_t alerts_ = 0;
  std::uint64_t collapsed_ = 0;
};

}  // namespace kubepriv::scan
