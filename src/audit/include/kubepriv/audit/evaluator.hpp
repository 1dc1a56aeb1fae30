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
  Evaluator();
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  Evaluator(Evaluator&&) noexcept;
  Evaluator& operator=(Evaluator&&) noexcept;

  /// Judges one event. The reference stays valid until the next call on this object.
  const core::Verdict& evaluate(std::string_view event_json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepriv::audit
