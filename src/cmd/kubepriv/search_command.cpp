// `kubepriv` with no subcommand: the SCP v2 streaming search command. Thin: the protocol,
// options and CSV live in kubepriv::scp, the judging in kubepriv::audit; this file adapts the
// detection's verdict (core::kFields, core::field_values) to scp::Annotator.
#include <unistd.h>  // STDIN_FILENO, STDOUT_FILENO

#include <array>        // std::array
#include <csignal>      // std::signal, SIGPIPE
#include <cstdio>       // std::fputs
#include <optional>     // std::optional
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "entry.hpp"
#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/core/fields.hpp"
#include "kubepriv/scp/annotate.hpp"
#include "kubepriv/scp/session.hpp"

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

/// One audit event in, the verdict's fields out.
class VerdictAnnotator final : public scp::Annotator {
 public:
  [[nodiscard]] std::span<const scp::OutputField> fields() const override { return kOutputFields; }
  [[nodiscard]] std::size_t error_field() const override { return kErrorIndex; }

  scp::Annotation annotate(std::string_view value) override {
    // Built on first use, not at start-up: a getinfo-only probe run never pays for it.
    if (!evaluator_) evaluator_.emplace();
    verdict_ = &evaluator_->evaluate(value);
    return {.failed = !verdict_->error.empty(), .flagged = !verdict_->reasons.empty()};
  }

  void values(std::size_t index, std::vector<std::string_view>& out) override {
    scratch_.clear();  // the previous field's views are already written out
    core::field_values(*verdict_, index, out, scratch_);
  }

 private:
  std::optional<audit::Evaluator> evaluator_;
  const core::Verdict* verdict_ = nullptr;
  std::string scratch_;
};

}  // namespace

int run_search_command(int argc, char** /*argv*/) {
  if (argc > 1) {
    // splunkd passes only commands.conf's command.arg.N here, and kubepriv declares none; SPL
    // arguments arrive in getinfo.
    std::fputs("kubepriv: unexpected command-line arguments (try 'kubepriv --help')\n", stderr);
    return 2;
  }
  // A closed stdout must become a write error we can report, not a silent death by signal.
  std::signal(SIGPIPE, SIG_IGN);
  VerdictAnnotator annotator;
  scp::AnnotateCommand command(annotator);
  return scp::run_session(STDIN_FILENO, STDOUT_FILENO, command);
}

}  // namespace kubepriv::cmd
