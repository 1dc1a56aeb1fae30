#pragma once
/// @file
/// The output field table: one list of names, in output order, used by every front end
/// (`kubepriv scan`, the SCP search command) so they can never disagree on names or values.

#include <array>        // std::array
#include <cstddef>      // std::size_t
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/core/verdict.hpp"

namespace kubepriv::core {

/// One output field.
struct FieldDef {
  std::string_view name;  ///< the field name users see
  bool multivalue;        ///< may carry several values (Splunk multivalue, JSON array)
};

/// All verdict fields in output order. `error` is last; front ends may rename it
/// (the search command calls it `kubepriv_error`, because `error` is too common a field name).
inline constexpr std::array<FieldDef, 24> kFields{{
    {"privileged", false},
    {"reasons", true},
    {"outcome", false},
    {"evidence", false},
    {"containers", true},
    {"images", true},
    {"details", true},
    {"psa_violations", true},
    {"workload_kind", false},
    {"namespace", false},
    {"name", false},
    {"user", false},
    {"impersonated_user", false},
    {"user_groups", true},
    {"src_ip", false},
    {"user_agent", false},
    {"auditID", false},
    {"stage", false},
    {"verb", false},
    {"resource", false},
    {"subresource", false},
    {"response_code", false},
    {"dry_run", false},
    {"error", false},
}};

/// Index of a field by name, or kFields.size() when unknown.
std::size_t field_index(std::string_view name) noexcept;

/// Appends the values of field `index` of `v` to `out` (nothing for an empty single value).
/// Numbers and booleans are rendered as decimal text ("0"/"1" for booleans);
/// `response_code` is empty when absent. Values point into `v` or into static storage,
/// except numbers, which are written into `scratch` (so `scratch` must outlive `out`'s use).
void field_values(const Verdict& v, std::size_t index, std::vector<std::string_view>& out,
                  std::string& scratch);

}  // namespace kubepriv::core
