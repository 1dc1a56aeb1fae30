#pragma once
// The search command's adapter from the detection's verdict (core::kFields, core::field_values)
// to scp::Annotator. A library of its own so bench/scp times the product's annotator, not a copy.

#include <array>        // std::array
#include <optional>     // std::optional
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/core/fields.hpp"
#include "kubepriv/core/verdict.hpp"
#include "kubepriv/scp/annotate.hpp"

namespace kubepriv::cmd {

/// One audit event in, the verdict's fields out (`error` is called kubepriv_error).
class VerdictAnnotator final : public scp::Annotator {
 public:
  [[nodiscard]] std::span<const scp::OutputField> fields() const override;
  [[nodiscard]] std::size_t error_field() const override;
  scp::Annotation annotate(std::string_view value) override;
  void values(scp::RowValues& out) override;

 private:
  std::optional<audit::Evaluator> evaluator_;
  const core::Verdict* verdict_ = nullptr;
  std::array<std::string, core::kFields.size()> scratch_;  ///< one per field: all views live
};

}  // namespace kubepriv::cmd
