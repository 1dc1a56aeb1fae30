#pragma once
/// @file
/// The audit adapter: one Kubernetes audit event (JSON text) in, one core::Verdict out.
/// This is the hot path of both `kubepriv scan` and the search command.

#include <memory>       // std::unique_ptr
#include <string_view>  // std::string_view

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::audit {

/// Parses and judges audit events. Reuses its buffers between calls: keep one per thread.
/// Never throws on bad input: an event that is not JSON, or not an audit event, yields a
/// verdict whose `error` is set. Also accepts, off the hot path (only once the plain reading
/// failed): an event cut by CloudWatch or Splunk's TRUNCATE, judged on what survived
/// (`evidence=truncated`), and an audit event inside an AKS (Azure Monitor) or GKE (Cloud
/// Audit Logs) record (`source_format`). Rules: src/core/RULES.md.
class Evaluator {
 public:
  /// How an event is read. Every reading gives the same verdict (tests/audit and the fuzz
  /// target `audit_paths` check it); they differ in speed only.
  enum class Reading : unsigned char {
    /// The default: kDom, except for large events that do not look like pod-spec writes
    /// (e.g. a `list` with a big responseObject), which kOnDemand skips faster.
    kAuto,
    /// One DOM parse of the whole event, envelope and bodies read from the same tape. Anything
    /// it cannot read cleanly (an error, a cut event, a cloud wrapper) is read again with
    /// kOnDemand, which decides those cases.
    kDom,
    /// The envelope with On-Demand (bodies skipped), then a DOM parse of each body of a
    /// pod-spec write: such a body is indexed twice. The reference for the differential tests.
    kOnDemand,
  };

  Evaluator();
  explicit Evaluator(Reading reading);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;

  /// Judges one event. The reference stays valid until the next call on this object.
  const core::Verdict& evaluate(std::string_view event_json);

  /// The reading that produced the last verdict, kDom or kOnDemand (for tests).
  [[nodiscard]] Reading last_reading() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepriv::audit
