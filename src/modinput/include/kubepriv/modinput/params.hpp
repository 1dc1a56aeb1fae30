#pragma once
/// @file
/// The parameter table of a modular input: one table generates the `--scheme` XML, applies
/// defaults and validates values (`--validate-arguments` and run mode alike).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kubepriv/common/result.hpp"

namespace kubepriv::modinput {

/// Splunk's scheme data types.
enum class DataType { kString, kNumber, kBoolean };

/// Checks one (non-empty) value; returns an explanation for a person when it is bad.
using Validator = std::function<std::optional<std::string>(std::string_view value)>;

/// One argument of the scheme.
struct Param {
  std::string name;         ///< key in inputs.conf
  std::string title;        ///< shown in Settings > Data inputs
  std::string description;  ///< one sentence
  DataType type = DataType::kString;
  bool required_on_create = false;  ///< must be given when the input is created
  std::string default_value;        ///< applied when absent or empty; "" = no default
  Validator validate;               ///< optional
};

/// The scheme header.
struct SchemeInfo {
  std::string title;
  std::string description;
  bool use_external_validation = true;
  bool use_single_instance = false;
};

/// One problem found in a stanza.
struct ValidationIssue {
  std::string param;
  std::string message;
};

/// Values by parameter name.
using ParamValues = std::map<std::string, std::string, std::less<>>;

/// Validates `values` against `table`: required parameters present, each non-empty value
/// accepted by its validator. Unknown keys are ignored (Splunk adds index, host, interval...).
std::vector<ValidationIssue> validate_params(std::span<const Param> table,
                                             const ParamValues& values);

/// `values` plus the table's defaults for every parameter that is absent or empty.
ParamValues with_defaults(std::span<const Param> table, ParamValues values);

/// One line explaining all issues ("log_group: ...; latency: ...").
std::string describe_issues(const std::vector<ValidationIssue>& issues);

// ---- reusable value parsers and validators (no AWS or Kubernetes knowledge) ----

/// "120", "120s", "10m", "2h", "1d" -> seconds (>= 0).
common::Result<std::int64_t> parse_duration_seconds(std::string_view text);
/// Splunk booleans: 1/0, true/false, t/f, yes/no, y/n, on/off (any case).
common::Result<bool> parse_bool(std::string_view text);
/// A finite number > 0.
common::Result<double> parse_positive_number(std::string_view text);
/// A non-negative integer.
common::Result<std::int64_t> parse_non_negative_int(std::string_view text);

/// Validator accepting durations in [min_s, max_s].
Validator duration_between(std::int64_t min_s, std::int64_t max_s);
/// Validator accepting booleans.
Validator boolean();
/// Validator accepting numbers in (0, max].
Validator positive_number_up_to(double max);
/// Validator accepting integers in [min, max].
Validator integer_between(std::int64_t min, std::int64_t max);
/// Validator accepting exactly one of `choices`.
Validator one_of(std::vector<std::string> choices);

}  // namespace kubepriv::modinput
