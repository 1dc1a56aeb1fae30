#pragma once
/// @file
/// The rules: PodSpec -> reasons, details, containers and images. Table-driven: every rule is
/// one row of `rules()` (see src/core/RULES.md for how to add one). Pure and deterministic.

#include <initializer_list>  // std::initializer_list
#include <span>              // std::span
#include <string>            // std::string
#include <string_view>       // std::string_view
#include <vector>            // std::vector

#include "kubepriv/core/podspec.hpp"
#include "kubepriv/core/verdict.hpp"

namespace kubepriv::core {

/// At most this many details, containers and images are listed per verdict (a hostile body can
/// hold thousands of containers; reasons and `privileged` stay exact, the lists are cut).
inline constexpr std::size_t kMaxListed = 256;

/// What the rules found in one spec.
struct SpecFindings {
  ReasonSet reasons;
  bool truncated = false;               ///< some list hit kMaxListed
  bool privileged = false;              ///< some container in scope has privileged == true
  std::vector<std::string> details;     ///< one line per finding (deduplicated)
  std::vector<std::string> containers;  ///< containers that caused a reason (deduplicated)
  std::vector<std::string> images;      ///< their images (deduplicated, non-empty only)

  /// Records one finding; `c` is the container it is attributed to (may be null).
  void add(Reason reason, std::string detail, const Container* c);
  /// Attributes an already-recorded finding to one more container.
  void attribute(const Container& c);
  /// Adds everything of `other` (set union, keeping first-seen order).
  void merge(const SpecFindings& other);
  void clear() noexcept;
};

/// Which part of a spec a request writes.
enum class SpecScope : std::uint8_t {
  kWholePod,       ///< pod-level fields and every container
  kEphemeralOnly,  ///< pods/ephemeralcontainers: only the ephemeral containers' own settings
};

/// One rule: a reason and the checks that raise it. Either check may be null.
struct Rule {
  Reason reason;
  std::string_view summary;  ///< one line, for documentation and `--help`-style listings
  /// Pod-level check (skipped for SpecScope::kEphemeralOnly).
  void (*check_pod)(const PodSpec& spec, SpecFindings& out);
  /// Per-container check, called for every container in scope.
  void (*check_container)(const PodSpec& spec, const Container& c, SpecFindings& out);
};

/// The rule table, in Reason order.
std::span<const Rule> rules() noexcept;

/// Runs every rule over `spec` and adds the findings to `out`.
void evaluate_spec(const PodSpec& spec, SpecScope scope, SpecFindings& out);

/// True when `cap` may be added under the PSS baseline (exact, case-sensitive compare).
bool is_baseline_capability(std::string_view cap) noexcept;
/// True when `name` is in PSA's safe sysctl set (latest policy version).
bool is_safe_sysctl(std::string_view name) noexcept;
/// Lexical normalisation of a host path: collapses `//`, resolves `.` and `..`, strips a
/// trailing `/`. Used for comparing against the sensitive lists; reports keep the original.
std::string normalize_host_path(std::string_view path);
/// True when a normalised path is in Falco's or Elastic's sensitive hostPath list.
bool is_sensitive_host_path(std::string_view normalized) noexcept;
/// `"text"` with `"`, `\` and control bytes escaped, for details lines.
std::string quote(std::string_view text);
/// Joins pieces into one string (used instead of operator+ chains, which trip gcc 12's
/// -Wrestrict false positive at -O2/-O3).
std::string concat(std::initializer_list<std::string_view> pieces);

}  // namespace kubepriv::core
