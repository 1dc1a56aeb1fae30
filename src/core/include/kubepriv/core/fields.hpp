#pragma once
/// @file
/// The output field table: the one list of fields, in output order, used by every front end
/// (`kubepriv scan`, the SCP search command). Each row binds the name users see, the field's
/// shape and the accessor that reads it from a Verdict, so the front ends can never disagree on
/// names, values or how a value is written. Adding a field = one row here + filling it in the
/// evaluator + the docs (searchbnf.conf, app/README.md); tests/core checks the docs.

#include <array>        // std::array, std::to_array
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::core {

/// How a field's value is written.
enum class Shape : std::uint8_t {
  kText,        ///< one text value, absent when empty
  kNumber,      ///< one decimal number, absent when the verdict has none (JSON: null)
  kFlag,        ///< always "0" or "1" (a JSON number, as Splunk booleans are)
  kMultivalue,  ///< zero or more text values (Splunk multivalue, JSON array)
};

/// Where a field's values go: views into the verdict or static storage, except numbers, which
/// are written into `scratch` (so `scratch` must outlive the use of the views).
using FieldValues = std::vector<std::string_view>;
using FieldAccessor = void (*)(const Verdict& v, FieldValues& out, std::string& scratch);

/// One output field.
struct FieldDef {
  constexpr FieldDef(std::string_view field_name, Shape field_shape,
                     FieldAccessor accessor) noexcept
      : name(field_name),
        shape(field_shape),
        multivalue(field_shape == Shape::kMultivalue),
        values(accessor) {}
  std::string_view name;  ///< the field name users see
  Shape shape;
  bool multivalue;       ///< shape == kMultivalue
  FieldAccessor values;  ///< appends the field's values (nothing when absent)
  /// Written as a number in typed formats (JSON): numbers and 0/1 flags.
  [[nodiscard]] constexpr bool numeric() const noexcept {
    return shape == Shape::kNumber || shape == Shape::kFlag;
  }
};

namespace field_access {
template <auto Member>
void text(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  if (!(v.*Member).empty()) out.emplace_back(v.*Member);
}
template <auto Member>
void list(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  for (const auto& value : v.*Member) out.emplace_back(value);
}
template <auto Member>
void flag(const Verdict& v, FieldValues& out, std::string& /*scratch*/) {
  out.emplace_back(v.*Member ? std::string_view("1") : std::string_view("0"));
}
void reasons(const Verdict& v, FieldValues& out, std::string& scratch);
void outcome(const Verdict& v, FieldValues& out, std::string& scratch);
void evidence(const Verdict& v, FieldValues& out, std::string& scratch);
void actor_kind(const Verdict& v, FieldValues& out, std::string& scratch);  ///< absent for kNone
void source_format(const Verdict& v, FieldValues& out, std::string& scratch);
void response_code(const Verdict& v, FieldValues& out, std::string& scratch);  ///< absent when 0
}  // namespace field_access

/// All verdict fields in output order. `error` is last; front ends may rename it
/// (the search command calls it `kubepriv_error`, because `error` is too common a field name).
inline constexpr auto kFields = std::to_array<FieldDef>({
    {"privileged", Shape::kFlag, field_access::flag<&Verdict::privileged>},
    {"reasons", Shape::kMultivalue, field_access::reasons},
    {"outcome", Shape::kText, field_access::outcome},
    {"evidence", Shape::kText, field_access::evidence},
    {"containers", Shape::kMultivalue, field_access::list<&Verdict::containers>},
    {"images", Shape::kMultivalue, field_access::list<&Verdict::images>},
    {"details", Shape::kMultivalue, field_access::list<&Verdict::details>},
    {"psa_violations", Shape::kMultivalue, field_access::list<&Verdict::psa_violations>},
    {"workload_kind", Shape::kText, field_access::text<&Verdict::workload_kind>},
    {"namespace", Shape::kText, field_access::text<&Verdict::namespace_>},
    {"name", Shape::kText, field_access::text<&Verdict::name>},
    {"user", Shape::kText, field_access::text<&Verdict::user>},
    {"impersonated_user", Shape::kText, field_access::text<&Verdict::impersonated_user>},
    {"user_groups", Shape::kMultivalue, field_access::list<&Verdict::user_groups>},
    {"src_ip", Shape::kText, field_access::text<&Verdict::src_ip>},
    {"user_agent", Shape::kText, field_access::text<&Verdict::user_agent>},
    {"auditID", Shape::kText, field_access::text<&Verdict::audit_id>},
    {"stage", Shape::kText, field_access::text<&Verdict::stage>},
    {"verb", Shape::kText, field_access::text<&Verdict::verb>},
    {"resource", Shape::kText, field_access::text<&Verdict::resource>},
    {"subresource", Shape::kText, field_access::text<&Verdict::subresource>},
    {"response_code", Shape::kNumber, field_access::response_code},
    {"dry_run", Shape::kFlag, field_access::flag<&Verdict::dry_run>},
    {"owner_kind", Shape::kText, field_access::text<&Verdict::owner_kind>},
    {"owner_name", Shape::kText, field_access::text<&Verdict::owner_name>},
    {"actor_kind", Shape::kText, field_access::actor_kind},
    {"source_format", Shape::kText, field_access::source_format},
    {"error", Shape::kText, field_access::text<&Verdict::error>},
});

/// Index of a field by name, or kFields.size() when unknown (usable in constant expressions).
constexpr std::size_t field_index(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (kFields[i].name == name) return i;
  }
  return kFields.size();
}

namespace field_checks {
constexpr bool names_unique() noexcept {
  for (std::size_t i = 0; i < kFields.size(); ++i) {
    if (field_index(kFields[i].name) != i) return false;
  }
  return true;
}
}  // namespace field_checks

// The contract's fixed points: the count and order users and the SPL rely on.
static_assert(kFields.size() == 28, "a field was added or removed: update the docs and this count");
static_assert(field_checks::names_unique(), "field names must be unique");
static_assert(field_index("privileged") == 0 && field_index("reasons") == 1,
              "privileged and reasons lead the table");
static_assert(field_index("dry_run") + 1 == field_index("owner_kind") &&
                  field_index("owner_kind") + 1 == field_index("owner_name") &&
                  field_index("owner_name") + 1 == field_index("actor_kind") &&
                  field_index("actor_kind") + 1 == field_index("source_format") &&
                  field_index("source_format") + 1 == field_index("error"),
              "dry_run, owner_kind, owner_name, actor_kind, source_format, error close the table");
static_assert(field_index("error") == kFields.size() - 1, "error stays the last field");

/// Appends the values of field `index` of `v` to `out` (nothing for an absent value, nothing for
/// an unknown index). See FieldValues for the lifetime of the views.
inline void field_values(const Verdict& v, std::size_t index, FieldValues& out,
                         std::string& scratch) {
  if (index < kFields.size()) kFields[index].values(v, out, scratch);
}

}  // namespace kubepriv::core
