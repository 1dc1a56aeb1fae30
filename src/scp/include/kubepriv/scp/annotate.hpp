#pragma once
/// @file
/// A distributable streaming command that judges one field of every event and adds output
/// columns: the generic part of `kubepriv` (SPL options, selected-fields mode, `_chunked_idx`,
/// multivalue columns, pass-through of events that cannot be judged). The judging itself
/// plugs in through Annotator, so this layer knows nothing of what it judges.

#include <cstddef>      // std::size_t
#include <memory>       // std::unique_ptr
#include <span>         // std::span
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "kubepriv/common/result.hpp"
#include "kubepriv/scp/session.hpp"

namespace kubepriv::scp {

/// One output column.
struct OutputField {
  std::string_view name;
  bool multivalue = false;  ///< written with an `__mv_` twin
};

/// What an annotator concluded about one value.
struct Annotation {
  bool failed = false;   ///< could not be judged: only the error column is written
  bool flagged = false;  ///< kept when only_flagged=true
};

/// The values of every output field of one judged value, filled by Annotator::values.
struct RowValues {
  std::vector<std::string_view> values;  ///< every value, field after field, in fields() order
  std::vector<std::size_t> ends;         ///< ends[i]: one past field i's last value in `values`
  void clear() noexcept {
    values.clear();
    ends.clear();
  }
  /// The values of field `i` (once `ends` has an entry for it).
  [[nodiscard]] std::span<const std::string_view> field(std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : ends[i - 1];
    return {values.data() + begin, ends[i] - begin};
  }
};

/// Judges one value at a time. Views it hands out stay valid until the next call.
class Annotator {
 public:
  virtual ~Annotator() = default;
  /// The output columns, in order. Must stay valid for the annotator's lifetime.
  [[nodiscard]] virtual std::span<const OutputField> fields() const = 0;
  /// Index into fields() of the column that carries an error text.
  [[nodiscard]] virtual std::size_t error_field() const = 0;
  /// Judges one value.
  virtual Annotation annotate(std::string_view value) = 0;
  /// After annotate(): the values of every output field, in fields() order, in one call per
  /// row (`out` arrives cleared): for each field, append its values (none when absent) to
  /// `out.values`, then push `out.values.size()` to `out.ends`. The views stay valid until the
  /// next values() or annotate() call.
  virtual void values(RowValues& out) = 0;
};

/// Options from SPL: `field=<name>` (default `_raw`), `only_flagged=<bool>` (default false).
struct AnnotateOptions {
  std::string field = "_raw";
  bool only_flagged = false;
};

/// Parses the SPL arguments; a clear error for unknown options, bad values, positional words.
common::Result<AnnotateOptions> parse_annotate_options(std::span<const std::string> args);

/// The Handler that runs an Annotator over every event.
///
/// Selected-fields mode (the header has `_chunked_idx`): the reply holds `_chunked_idx` and the
/// output columns only (plus the judged field when `echo_field`); splunkd merges them back.
/// Otherwise (full records): every input column is echoed, then the output columns; an input
/// column that shares a name with an output column is replaced, except on rows that could not be
/// judged, which keep their input value (the event passes through untouched).
class AnnotateCommand final : public Handler {
 public:
  /// `echo_field` repeats the judged field in selected-fields replies (measured: not worth it).
  explicit AnnotateCommand(Annotator& annotator, bool echo_field = false) noexcept
      : annotator_(annotator), echo_field_(echo_field) {}

  common::Result<GetinfoReply> getinfo(const RequestMetadata& request) override;
  common::Result<void> execute(ExecuteRequest& request, ReplyBuffer& out) override;

  [[nodiscard]] const AnnotateOptions& options() const noexcept { return options_; }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  /// Where the columns of one request are (indices into its header; kNone when absent).
  struct ColumnPlan {
    std::size_t width = 0;            ///< columns in the header
    std::size_t field = 0;            ///< the judged field
    std::size_t twin = kNone;         ///< its `__mv_` twin
    std::size_t chunked_idx = kNone;  ///< `_chunked_idx`
    bool selected = false;            ///< selected-fields mode (`_chunked_idx` present)
  };

  /// Finds the columns, plans the echoed ones and builds the reply header (header_).
  common::Result<ColumnPlan> plan_columns(std::span<const std::string_view> cols);
  /// The error for a request without the judged field, naming the first columns it has.
  [[nodiscard]] tl::unexpected<common::Error> missing_field(
      std::span<const std::string_view> cols) const;
  /// Full-record mode: which input columns are echoed, which ones output columns replace.
  void plan_full_record_echo(std::span<const std::string_view> cols);
  void add_header_name(std::string_view name);
  /// Judges the record in row_ (its own error, if any, goes to own_error_).
  common::Result<Annotation> judge_row(const ColumnPlan& plan, std::size_t record);
  /// Appends the reply record for row_.
  void write_row(const ColumnPlan& plan, const Annotation& a, ReplyBuffer& out);
  /// write_row's output columns of a judged row, from cells_ (`row_start`: nothing written yet).
  void write_cells(ReplyBuffer& out, bool row_start);

  Annotator& annotator_;
  bool echo_field_;
  AnnotateOptions options_;
  // Reused between rows and chunks (no allocation per row once warmed up).
  std::vector<std::string_view> row_;
  std::vector<std::string_view> mv_;
  RowValues cells_;                    ///< the annotator's values for the current row
  std::unique_ptr<bool[]> twin_cols_;  ///< per output field: written with an `__mv_` twin
  std::vector<std::size_t> echo_;      ///< input columns echoed (full-record mode)
  std::vector<std::size_t> in_plain_;  ///< per output field: colliding input column or npos
  std::vector<std::size_t> in_twin_;   ///< per output field: its input __mv_ twin or npos
  std::string scratch_;
  std::string_view own_error_;  ///< the current row's own error (in scratch_), or empty
  std::string twin_name_;       ///< `__mv_` + the judged field
  std::size_t header_cols_ = 0;
  std::string mv_buf_;  ///< copy of a twin cell, decoded in place
  std::string header_;
};

}  // namespace kubepriv::scp
