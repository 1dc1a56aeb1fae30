#include "kubepriv/scp/annotate.hpp"

#include "doubling.hpp"
#include "kubepriv/scp/csv.hpp"
#include "kubepriv/scp/multivalue.hpp"
#include "kubepriv/scp/options.hpp"

namespace kubepriv::scp {

using common::ErrorCode;
using common::fail;

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::string_view kChunkedIdx = "_chunked_idx";

/// Appends values as the plain column of a field: one value as is, several joined with `\n`
/// (always quoted then, because of the newline).
void append_plain(std::string& out, std::span<const std::string_view> values) {
  if (values.empty()) return;
  if (values.size() == 1) {
    csv_append_field(out, values[0]);
    return;
  }
  out.push_back('"');
  bool first = true;
  for (std::string_view v : values) {
    if (!first) out.push_back('\n');
    first = false;
    detail::append_doubling(out, v, '"');
  }
  out.push_back('"');
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

common::Result<void> AnnotateCommand::execute(ExecuteRequest& request, std::string& out) {
  const std::span<const std::string_view> cols = request.columns;
  const std::size_t n = cols.size();
  const std::string& field = options_.field;
  const std::size_t field_idx = find_column(cols, field);
  if (field_idx == n) {
    std::string names;
    for (std::size_t i = 0; i < n && i < 12; ++i) {
      names += i == 0 ? "" : ", ";
      names += cols[i];
    }
    if (n > 12) names += ", ...";
    return fail(ErrorCode::kInvalidArgument,
                "the events have no field '" + field + "' (columns: " + names + ")");
  }
  std::string twin_name(kMvPrefix);
  twin_name += field;
  const std::size_t twin_idx = find_column(cols, twin_name);
  const std::size_t idx_col = find_column(cols, kChunkedIdx);
  const bool selected = idx_col != n;

  const std::span<const OutputField> fields = annotator_.fields();
  const std::size_t error_field = annotator_.error_field();

  // Column plan and header.
  header_.clear();
  echo_.clear();
  in_plain_.assign(fields.size(), kNone);
  in_twin_.assign(fields.size(), kNone);
  bool first_col = true;
  auto add_name = [&](std::string_view name) {
    if (!first_col) header_.push_back(',');
    first_col = false;
    csv_append_field(header_, name);
  };
  if (selected) {
    add_name(kChunkedIdx);
    if (echo_field_) {
      add_name(field);
      if (twin_idx != n) add_name(twin_name);
    }
  } else {
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
      add_name(cols[j]);
    }
  }
  for (const OutputField& f : fields) {
    add_name(f.name);
    if (f.multivalue || !selected) {
      std::string twin(kMvPrefix);
      twin += f.name;
      add_name(twin);
    }
  }
  header_.push_back('\n');

  std::size_t kept = 0;
  out.append(header_);
  for (;;) {
    auto more = request.rows.next(row_);
    if (!more) return tl::unexpected(more.error());
    if (!*more) break;
    if (row_.size() != n) {
      return fail(ErrorCode::kParse, "CSV record " + std::to_string(request.rows.record_number()) +
                                         " has " + std::to_string(row_.size()) +
                                         " fields, the header has " + std::to_string(n));
    }
    // The value to judge: the twin is authoritative when it is non-empty (§1.9).
    std::string_view value = row_[field_idx];
    std::string_view own_error;
    if (twin_idx != n && !row_[twin_idx].empty()) {
      // Decode a copy: the input cell may still be echoed verbatim.
      mv_buf_.assign(row_[twin_idx]);
      auto ok = mv_decode(mv_buf_, mv_);
      if (!ok) {
        return fail(ErrorCode::kParse, "CSV record " +
                                           std::to_string(request.rows.record_number()) +
                                           ", column " + twin_name + ": " + ok.error().message);
      }
      if (mv_.size() == 1) {
        value = mv_[0];
      } else {
        scratch_ =
            "field " + field + " has " + std::to_string(mv_.size()) + " values; expected one event";
        own_error = scratch_;
      }
    }
    if (own_error.empty() && value.empty()) {
      scratch_ = "field " + field + " is empty";
      own_error = scratch_;
    }
    Annotation a;
    if (own_error.empty()) {
      a = annotator_.annotate(value);
    } else {
      a.failed = true;
    }
    if (options_.only_flagged && (a.failed || !a.flagged)) continue;
    ++kept;

    // Write the row.
    bool row_start = true;
    auto cell = [&](std::string_view v) {
      if (!row_start) out.push_back(',');
      row_start = false;
      csv_append_field(out, v);
    };
    if (selected) {
      cell(row_[idx_col]);
      if (echo_field_) {
        cell(row_[field_idx]);
        if (twin_idx != n) cell(row_[twin_idx]);
      }
    } else {
      for (std::size_t j : echo_) cell(row_[j]);
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const bool twin_col = fields[i].multivalue || !selected;
      if (a.failed && i != error_field) {
        // Pass-through: keep what the event had under that name (full-record mode only).
        cell(!selected && in_plain_[i] != kNone ? row_[in_plain_[i]] : std::string_view());
        if (twin_col) {
          cell(!selected && in_twin_[i] != kNone ? row_[in_twin_[i]] : std::string_view());
        }
        continue;
      }
      vals_.clear();
      if (a.failed && !own_error.empty()) {
        vals_.push_back(own_error);
      } else {
        annotator_.values(i, vals_);
      }
      if (!row_start) out.push_back(',');
      row_start = false;
      append_plain(out, vals_);
      if (twin_col) {
        enc_buf_.clear();
        if (vals_.size() > 1) mv_append_encoded(enc_buf_, vals_);
        cell(enc_buf_);
      }
    }
    out.push_back('\n');
  }
  if (kept == 0) out.clear();  // no records: a 0-byte body
  return {};
}

}  // namespace kubepriv::scp
