#include "kubepriv/scp/annotate.hpp"

#include "csv_write.hpp"
#include "doubling.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/multivalue.hpp"
#include "kubepriv/scp/options.hpp"

namespace kubepriv::scp {

using common::ErrorCode;
using common::fail;

namespace {

constexpr std::string_view kChunkedIdx = "_chunked_idx";

/// The room one output column of `values` needs with its `__mv_` twin (`twin`), each with its
/// leading comma: put_plain's and put_twin's worst cases, plus csv_write_field's 16-byte store.
std::size_t cells_bound(std::span<const std::string_view> values, bool twin) noexcept {
  std::size_t bytes = 0;
  for (std::string_view v : values) bytes += v.size();
  // Plain: a comma, every byte doubled, a separator per value, two quotes. Twin: a comma, every
  // byte doubled (`$$` or `""`), `$`, `$` and `;` per value, two quotes.
  const std::size_t plain = 3 + 2 * bytes + values.size() + 16;
  return twin ? plain + 3 + 2 * bytes + 3 * values.size() : plain;
}

/// Writes `values` as the plain column of a field: one value as is, several joined with `\n`
/// (always quoted then, because of the newline).
char* put_plain(char* p, std::span<const std::string_view> values) noexcept {
  if (values.empty()) return p;
  if (values.size() == 1) return csv_write_field(p, values[0]);
  *p++ = '"';
  bool first = true;
  for (std::string_view v : values) {
    if (!first) *p++ = '\n';
    first = false;
    p = detail::put_doubling(p, v, '"');
  }
  *p++ = '"';
  return p;
}

/// Writes the `__mv_` twin of several values: mv_append_encoded's text as one CSV field. The
/// encoding adds only `$` and `;`, so the field needs quotes exactly when a value does.
char* put_twin(char* p, std::span<const std::string_view> values) noexcept {
  bool quoted = false;
  for (std::string_view v : values) quoted = quoted || csv_needs_quotes(v);
  if (quoted) *p++ = '"';
  bool first = true;
  for (std::string_view v : values) {
    if (!first) *p++ = ';';
    first = false;
    *p++ = '$';
    if (!quoted) {
      p = detail::put_doubling(p, v, '$');
    } else {
      for (const char c : v) {  // `$` doubled by the encoding, `"` by CSV
        *p++ = c;
        if (c == '$' || c == '"') *p++ = c;
      }
    }
    *p++ = '$';
  }
  if (quoted) *p++ = '"';
  return p;
}

}  // namespace

common::Result<AnnotateOptions> parse_annotate_options(std::span<const std::string> args) {
  auto opts = split_options(args);
  if (!opts) return tl::unexpected(opts.error());
  AnnotateOptions out;
  bool seen_field = false;
  bool seen_flagged = false;
  for (const Option& o : *opts) {
    if (o.name == "field") {
      if (seen_field) return fail(ErrorCode::kInvalidArgument, "option 'field' given twice");
      seen_field = true;
      if (o.value.empty()) {
        return fail(ErrorCode::kInvalidArgument, "option 'field' needs a field name");
      }
      out.field = o.value;
    } else if (o.name == "only_flagged") {
      if (seen_flagged) {
        return fail(ErrorCode::kInvalidArgument, "option 'only_flagged' given twice");
      }
      seen_flagged = true;
      auto b = parse_splunk_bool(o.value);
      if (!b) {
        return fail(ErrorCode::kInvalidArgument, "option 'only_flagged': " + b.error().message);
      }
      out.only_flagged = *b;
    } else {
      return fail(ErrorCode::kInvalidArgument,
                  "unknown option '" + o.name + "' (valid: field=<name>, only_flagged=<bool>)");
    }
  }
  return out;
}

common::Result<GetinfoReply> AnnotateCommand::getinfo(const RequestMetadata& request) {
  auto opts = parse_annotate_options(request.args);
  if (!opts) return tl::unexpected(opts.error());
  options_ = std::move(*opts);
  GetinfoReply reply;
  reply.type = "streaming";
  reply.required_fields.push_back(options_.field);
  return reply;
}

common::Result<void> AnnotateCommand::execute(ExecuteRequest& request, ReplyBuffer& out) {
  auto plan = plan_columns(request.columns);
  if (!plan) return tl::unexpected(plan.error());
  std::size_t kept = 0;
  out.append(header_);
  for (;;) {
    auto more = request.rows.next(row_);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    auto judged = judge_row(*plan, request.rows.record_number());
    if (!judged) return tl::unexpected(judged.error());
    if (options_.only_flagged && (judged->failed || !judged->flagged)) continue;
    ++kept;
    write_row(*plan, *judged, out);
  }
  if (kept == 0) out.clear();  // no records: a 0-byte body
  return {};
}

common::Result<AnnotateCommand::ColumnPlan> AnnotateCommand::plan_columns(
    std::span<const std::string_view> cols) {
  const std::size_t n = cols.size();
  ColumnPlan plan;
  plan.width = n;
  plan.field = find_column(cols, options_.field);
  if (plan.field == n) return missing_field(cols);
  twin_name_.assign(kMvPrefix);
  twin_name_ += options_.field;
  const std::size_t twin = find_column(cols, twin_name_);
  const std::size_t idx = find_column(cols, kChunkedIdx);
  plan.twin = twin == n ? kNone : twin;
  plan.chunked_idx = idx == n ? kNone : idx;
  plan.selected = idx != n;

  header_.clear();
  header_cols_ = 0;
  echo_.clear();
  in_plain_.assign(annotator_.fields().size(), kNone);
  in_twin_.assign(annotator_.fields().size(), kNone);
  if (plan.selected) {
    add_header_name(kChunkedIdx);
    if (echo_field_) {
      add_header_name(options_.field);
      if (plan.twin != kNone) add_header_name(twin_name_);
    }
  } else {
    plan_full_record_echo(cols);
  }
  twin_cols_ = std::make_unique<bool[]>(annotator_.fields().size());
  for (std::size_t i = 0; i < annotator_.fields().size(); ++i) {
    const OutputField& f = annotator_.fields()[i];
    add_header_name(f.name);
    twin_cols_[i] = f.multivalue || !plan.selected;
    if (twin_cols_[i]) {
      std::string twin_col(kMvPrefix);
      twin_col += f.name;
      add_header_name(twin_col);
    }
  }
  header_.push_back('\n');
  return plan;
}

tl::unexpected<common::Error> AnnotateCommand::missing_field(
    std::span<const std::string_view> cols) const {
  std::string names;
  for (std::size_t i = 0; i < cols.size() && i < 12; ++i) {
    names += i == 0 ? "" : ", ";
    names += cols[i];
  }
  if (cols.size() > 12) names += ", ...";
  return fail(ErrorCode::kInvalidArgument,
              "the events have no field '" + options_.field + "' (columns: " + names + ")");
}

void AnnotateCommand::plan_full_record_echo(std::span<const std::string_view> cols) {
  const std::size_t n = cols.size();
  const std::span<const OutputField> fields = annotator_.fields();
  std::string probe;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t p = find_column(cols, fields[i].name);
    probe.assign(kMvPrefix);
    probe += fields[i].name;
    const std::size_t t = find_column(cols, probe);
    in_plain_[i] = p == n ? kNone : p;
    in_twin_[i] = t == n ? kNone : t;
  }
  for (std::size_t j = 0; j < n; ++j) {
    bool collides = false;
    for (std::size_t i = 0; i < fields.size() && !collides; ++i) {
      collides = (in_plain_[i] != kNone && cols[j] == cols[in_plain_[i]]) ||
                 (in_twin_[i] != kNone && cols[j] == cols[in_twin_[i]]);
    }
    if (collides) continue;
    echo_.push_back(j);
    add_header_name(cols[j]);
  }
}

void AnnotateCommand::add_header_name(std::string_view name) {
  if (header_cols_++ != 0) header_.push_back(',');
  csv_append_field(header_, name);
}

common::Result<Annotation> AnnotateCommand::judge_row(const ColumnPlan& plan, std::size_t record) {
  if (row_.size() != plan.width) {
    return fail(ErrorCode::kParse, "CSV record " + std::to_string(record) + " has " +
                                       std::to_string(row_.size()) + " fields, the header has " +
                                       std::to_string(plan.width));
  }
  // The value to judge: the twin is authoritative when it is non-empty (§1.9).
  std::string_view value = row_[plan.field];
  own_error_ = {};
  if (plan.twin != kNone && !row_[plan.twin].empty()) {
    // Decode a copy: the input cell may still be echoed verbatim.
    mv_buf_.assign(row_[plan.twin]);
    auto ok = mv_decode(mv_buf_, mv_);
    if (!ok) {
      return fail(ErrorCode::kParse, "CSV record " + std::to_string(record) + ", column " +
                                         twin_name_ + ": " + ok.error().message);
    }
    if (mv_.size() == 1) {
      value = mv_[0];
    } else {
      scratch_ = "field " + options_.field + " has " + std::to_string(mv_.size()) +
                 " values; expected one event";
      own_error_ = scratch_;
    }
  }
  if (own_error_.empty() && value.empty()) {
    scratch_ = "field " + options_.field + " is empty";
    own_error_ = scratch_;
  }
  if (!own_error_.empty()) return Annotation{.failed = true};
  return annotator_.annotate(value);
}

void AnnotateCommand::write_row(const ColumnPlan& plan, const Annotation& a, ReplyBuffer& out) {
  bool row_start = true;
  auto cell = [&](std::string_view v) {
    char* p = out.room(1 + csv_field_bound(v.size()));
    if (!row_start) *p++ = ',';
    row_start = false;
    out.commit(csv_write_field(p, v));
  };
  if (plan.selected) {
    cell(row_[plan.chunked_idx]);
    if (echo_field_) {
      cell(row_[plan.field]);
      if (plan.twin != kNone) cell(row_[plan.twin]);
    }
  } else {
    for (std::size_t j : echo_) cell(row_[j]);
  }
  cells_.clear();
  if (!a.failed) {
    annotator_.values(cells_);
    write_cells(out, row_start);
    return;
  }
  if (own_error_.empty()) annotator_.values(cells_);
  const std::span<const OutputField> fields = annotator_.fields();
  const std::size_t error_field = annotator_.error_field();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const bool twin_col = twin_cols_[i];
    if (i != error_field) {
      // Pass-through: keep what the event had under that name (full-record mode only).
      cell(!plan.selected && in_plain_[i] != kNone ? row_[in_plain_[i]] : std::string_view());
      if (twin_col) {
        cell(!plan.selected && in_twin_[i] != kNone ? row_[in_twin_[i]] : std::string_view());
      }
      continue;
    }
    const std::span<const std::string_view> values =
        !own_error_.empty() ? std::span<const std::string_view>(&own_error_, 1) : cells_.field(i);
    char* p = out.room(cells_bound(values, twin_col));
    if (!row_start) *p++ = ',';
    row_start = false;
    p = put_plain(p, values);
    if (twin_col) {
      *p++ = ',';
      if (values.size() > 1) p = put_twin(p, values);  // the twin is empty for 0 or 1 value
    }
    out.commit(p);
  }
  char* p = out.room(1);
  *p = '\n';
  out.commit(p + 1);
}

void AnnotateCommand::write_cells(ReplyBuffer& out, bool row_start) {
  // The hot path (every judged row): one room() for the whole row, everything in locals (the
  // char stores would otherwise make the compiler reload members after each byte).
  const std::string_view* const values = cells_.values.data();
  const std::size_t* const ends = cells_.ends.data();
  const bool* const twin = twin_cols_.get();
  const std::size_t n_fields = cells_.ends.size();
  const std::size_t n_values = cells_.values.size();
  std::size_t bytes = 0;
  for (std::size_t k = 0; k < n_values; ++k) bytes += values[k].size();
  // cells_bound's worst case summed over the row, the newline, and the 16 bytes that
  // csv_write_field may store past the end of a short value (csv_field_bound).
  char* p = out.room(6 * n_fields + 4 * bytes + 4 * n_values + 1 + 16);
  std::size_t begin = 0;
  for (std::size_t i = 0; i < n_fields; ++i) {
    const std::size_t end = ends[i];
    if (!row_start) *p++ = ',';
    row_start = false;
    if (end - begin == 1) {
      p = detail::write_field_inline(p, values[begin]);
    } else if (end != begin) {
      const std::span<const std::string_view> several(values + begin, end - begin);
      p = put_plain(p, several);
      if (twin[i]) {
        *p++ = ',';
        p = put_twin(p, several);
      }
      begin = end;
      continue;
    }
    if (twin[i]) *p++ = ',';  // the twin is empty for 0 or 1 value
    begin = end;
  }
  *p++ = '\n';
  out.commit(p);
}

}  // namespace kubepriv::scp
