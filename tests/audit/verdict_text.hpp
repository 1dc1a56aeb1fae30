#pragma once
// A verdict as the text of every output field (core::kFields, the table every front end
// renders), plus requestURI: two verdicts with the same text are the same to every consumer.
// Shared by the reading differential test and the `audit_paths` fuzz target.

#include <string>  // std::string

#include "kubepriv/core/fields.hpp"
#include "kubepriv/core/verdict.hpp"

namespace kubepriv::test {

inline std::string verdict_text(const core::Verdict& v) {
  std::string out;
  std::string scratch;
  core::FieldValues values;
  for (std::size_t i = 0; i < core::kFields.size(); ++i) {
    values.clear();
    core::field_values(v, i, values, scratch);
    out += core::kFields[i].name;
    out += '=';
    for (const auto s : values) {
      out += s;
      out += '\x1f';
    }
    out += '\n';
  }
  out += "request_uri=";
  out += v.request_uri;
  out += '\n';
  return out;
}

}  // namespace kubepriv::test
