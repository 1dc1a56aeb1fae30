#include "verdict_annotator.hpp"

#include <array>  // std::array

#include "kubepriv/core/fields.hpp"

namespace kubepriv::cmd {
namespace {

// `error` is too common a field name in Splunk; the command calls it kubepriv_error.
constexpr std::string_view kErrorField = "error";
constexpr std::string_view kErrorColumn = "kubepriv_error";

constexpr std::array<scp::OutputField, core::kFields.size()> make_output_fields() {
  std::array<scp::OutputField, core::kFields.size()> out{};
  for (std::size_t i = 0; i < core::kFields.size(); ++i) {
    const auto& f = core::kFields[i];
    out[i] = {f.name == kErrorField ? kErrorColumn : f.name, f.multivalue};
  }
  return out;
}

constexpr std::size_t find_error_index() {
  for (std::size_t i = 0; i < core::kFields.size(); ++i) {
    if (core::kFields[i].name == kErrorField) return i;
  }
  return core::kFields.size();
}

constexpr auto kOutputFields = make_output_fields();
constexpr std::size_t kErrorIndex = find_error_index();
static_assert(kErrorIndex < core::kFields.size(), "core::kFields lost its error field");

}  // namespace

std::span<const scp::OutputField> VerdictAnnotator::fields() const {
  return kOutputFields;
}

std::size_t VerdictAnnotator::error_field() const {
  return kErrorIndex;
}

scp::Annotation VerdictAnnotator::annotate(std::string_view value) {
  // Built on first use, not at start-up: a getinfo-only probe run never pays for it.
  if (!evaluator_) evaluator_.emplace();
  verdict_ = &evaluator_->evaluate(value);
  return {.failed = !verdict_->error.empty(), .flagged = !verdict_->reasons.empty()};
}

void VerdictAnnotator::values(std::size_t index, std::vector<std::string_view>& out) {
  scratch_.clear();  // the previous field's views are already written out
  core::field_values(*verdict_, index, out, scratch_);
}

}  // namespace kubepriv::cmd
