#include "verdict_annotator.hpp"

#include <type_traits>  // std::integral_constant
#include <utility>      // std::index_sequence, std::make_index_sequence

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

// VerdictAnnotator::values for every field, unrolled: each accessor is a constant here, so the
// compiler can inline it (one call per row instead of one indirect call per field). Flattened:
// the vectors' push_back/emplace_back inlined too (measured: GCC left each one a call, about
// a third of this function's time).
template <std::size_t... I>
[[gnu::flatten]] void append_all_values(const core::Verdict& v, scp::RowValues& out,
                                        std::array<std::string, core::kFields.size()>& scratch,
                                        std::index_sequence<I...> /*fields*/) {
  ((scratch[I].clear(),
    std::integral_constant<core::FieldAccessor, core::kFields[I].values>()(v, out.values,
                                                                           scratch[I]),
    out.ends.push_back(out.values.size())),
   ...);
}
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

void VerdictAnnotator::values(scp::RowValues& out) {
  // Every field's views must live until the row is written: each field has its own scratch.
  append_all_values(*verdict_, out, scratch_, std::make_index_sequence<core::kFields.size()>());
}

}  // namespace kubepriv::cmd
