#pragma once
/// @file
/// One alert per request: the stages (RequestReceived, ResponseStarted, ResponseComplete, Panic)
/// and redeliveries of one request collapse into a single alert, in bounded memory.
///
/// Which records are one request. Clients choose the auditID (kube-apiserver takes it from the
/// `Audit-ID` request header), so an equal auditID alone proves nothing. Two records are one
/// request only when the auditID AND the request identity agree: verb, requestURI, objectRef
/// (resource, subresource, namespace, name) and the user (and impersonated user). Anything else
/// is another request and gets its own alert, whatever the order of arrival.
///
/// Which verdict is kept. Records of one request that disagree are ranked by severity:
/// privileged first, then the stage (a final stage, ResponseComplete, Panic or a missing/unknown
/// stage, over ResponseStarted over RequestReceived), then the outcome (success, denied,
/// dry_run, failure, incomplete, none); among equals the first seen is kept. The kept alert also
/// gets every reason, container, image, detail and PSA violation the other records found, so no
/// reason is ever dropped.
///
/// Order of events. Only flagged events (any reason) take part. A final record closes its
/// request: the alert is emitted at once. A non-final record opens or upgrades a pending alert;
/// pending alerts are emitted when their final stage arrives, when more than `max_open` are
/// pending (oldest first), or at flush(). Closed requests are remembered (the last `max_closed`)
/// with the severity and reasons they were reported with: a later record of one of them is
/// counted as collapsed when it adds nothing, and reported as an alert of its own when it is
/// more severe or brings a new reason (an alert already emitted cannot be changed). An event
/// without auditID is its own alert. Memory: at most max_open verdicts + max_closed keys.

#include <compare>      // operator<=>
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

/// The collapse key of a verdict: its auditID and request identity (see above); empty when the
/// verdict has no auditID (never collapsed).
std::string request_key(const core::Verdict& verdict);

/// How severe a verdict is, for choosing among records of one request (higher wins).
struct Severity {
  bool privileged = false;
  int rank = 0;     ///< stage_rank
  int outcome = 0;  ///< none < incomplete < failure < dry_run < denied < success
  friend constexpr auto operator<=>(const Severity&, const Severity&) = default;
};
Severity severity(const core::Verdict& verdict) noexcept;

/// Adds to `into` what `from` found that `into` lacks: reasons, containers, images, details,
/// PSA violations.
void merge_findings(core::Verdict& into, const core::Verdict& from);

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
  /// Flagged events folded into an existing alert (stages, redeliveries of one request).
  [[nodiscard]] std::uint64_t collapsed() const noexcept { return collapsed_; }
  [[nodiscard]] std::size_t open() const noexcept { return open_.size(); }

 private:
  void emit(const Alert& alert);
  struct Closed {
    Severity severity;
    core::ReasonSet reasons;
  };
  void close(const std::string& key, const core::Verdict& verdict);

  Emit emit_;
  std::size_t max_open_;
  std::size_t max_closed_;
  std::list<Alert> order_;  // pending alerts, first seen first
  std::unordered_map<std::string, std::list<Alert>::iterator> open_;  // request_key -> pending
  std::unordered_map<std::string, Closed> closed_;  // request_key -> what was reported
  std::deque<std::string> closed_fifo_;
  std::uint64_t alerts_ = 0;
  std::uint64_t collapsed_ = 0;
};

}  // namespace kubepriv::scan
