#include "kubepriv/scan/output.hpp"

#include <array>     // std::array
#include <charconv>  // std::to_chars
#include <utility>   // std::move
#include <vector>    // std::vector

#include "kubepriv/core/fields.hpp"
#include "kubepriv/scan/json_text.hpp"

namespace kubepriv::scan {

BufferedWriter::BufferedWriter(ByteSink& sink, std::size_t capacity)
    : sink_(sink), capacity_(capacity) {
  buf_.reserve(capacity + (capacity / 4));
}

bool BufferedWriter::flush() {
  if (failed_) {
    buf_.clear();
    return false;
  }
  if (!buf_.empty()) {
    auto written = sink_.write(buf_);
    buf_.clear();
    if (!written) {
      failed_ = true;
      error_ = written.error();
    }
  }
  return !failed_;
}

void append_csv_field(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (const char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::size_t append_table_cell(std::string& out, std::string_view text, std::size_t max_chars) {
  // Count code points first, so a cut never splits a UTF-8 sequence.
  std::size_t width = 0;
  std::size_t i = 0;
  const std::size_t keep = max_chars > 3 ? max_chars - 3 : max_chars;
  std::size_t cut = text.size();
  while (i < text.size()) {
    std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) len = 1;
    if (width == keep) cut = i;
    ++width;
    i += len;
  }
  const bool truncated = width > max_chars;
  if (!truncated) cut = text.size();
  std::size_t shown = 0;
  i = 0;
  while (i < cut) {
    std::size_t len = utf8_sequence_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (len == 0) {
      out.push_back('?');  // invalid UTF-8
      len = 1;
    } else if (c < 0x20 || c == 0x7F) {
      out.push_back('?');  // control character: never let audit data drive the terminal
    } else {
      out.append(text.substr(i, len));
    }
    ++shown;
    i += len;
  }
  if (truncated) {
    out.append("...");
    shown += 3;
  }
  return shown;
}

namespace {

constexpr std::array<std::string_view, 3> kLeadColumns{"file", "line", "index"};

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, res.ptr);
}

class JsonlWriter final : public RecordWriter {
 public:
  JsonlWriter(Mode mode, BufferedWriter& out) : mode_(mode), out_(out) {}
  void write(const Record& r) override {
    std::string& b = out_.buffer();
    b.append("{\"file\":");
    append_json_string(b, r.file);
    b.append(",\"line\":");
    append_number(b, r.line);
    b.append(",\"index\":");
    append_number(b, r.index);
    if (mode_ == Mode::kAlerts) {
      b.append(",\"time\":");
      append_json_string(b, r.time);
    }
    for (std::size_t f = 0; f < core::kFields.size(); ++f) {
      values_.clear();
      core::field_values(*r.verdict, f, values_, scratch_);
      b.push_back(',');
      append_json_string(b, core::kFields[f].name);
      b.push_back(':');
      if (core::kFields[f].multivalue) {
        b.push_back('[');
        for (std::size_t k = 0; k < values_.size(); ++k) {
          if (k != 0) b.push_back(',');
          append_json_string(b, values_[k]);
        }
        b.push_back(']');
      } else if (core::kFields[f].numeric()) {
        if (values_.empty()) {
          b.append("null");
        } else {
          b.append(values_.front());
        }
      } else {
        append_json_string(b, values_.empty() ? std::string_view{} : values_.front());
      }
    }
    b.append("}\n");
    out_.maybe_flush();
  }
  void finish() override { out_.flush(); }

 private:
  Mode mode_;
  BufferedWriter& out_;
  std::vector<std::string_view> values_;
  std::string scratch_;
};

class CsvWriter final : public RecordWriter {
 public:
  CsvWriter(Mode mode, BufferedWriter& out) : mode_(mode), out_(out) {
    std::string& b = out_.buffer();
    for (const auto name : kLeadColumns) {
      b.append(name);
      b.push_back(',');
    }
    if (mode_ == Mode::kAlerts) b.append("time,");
    for (std::size_t f = 0; f < core::kFields.size(); ++f) {
      if (f != 0) b.push_back(',');
      b.append(core::kFields[f].name);
    }
    b.append("\r\n");
  }
  void write(const Record& r) override {
    std::string& b = out_.buffer();
    append_csv_field(b, r.file);
    b.push_back(',');
    append_number(b, r.line);
    b.push_back(',');
    append_number(b, r.index);
    b.push_back(',');
    if (mode_ == Mode::kAlerts) {
      append_csv_field(b, r.time);
      b.push_back(',');
    }
    for (std::size_t f = 0; f < core::kFields.size(); ++f) {
      if (f != 0) b.push_back(',');
      values_.clear();
      core::field_values(*r.verdict, f, values_, scratch_);
      if (values_.size() == 1) {
        append_csv_field(b, values_.front());
      } else if (values_.size() > 1) {
        // Multivalue: the values joined with LF inside one quoted field (Splunk's convention).
        joined_.clear();
        for (std::size_t k = 0; k < values_.size(); ++k) {
          if (k != 0) joined_.push_back('\n');
          joined_.append(values_[k]);
        }
        append_csv_field(b, joined_);
      }
    }
    b.append("\r\n");
    out_.maybe_flush();
  }
  void finish() override { out_.flush(); }

 private:
  Mode mode_;
  BufferedWriter& out_;
  std::vector<std::string_view> values_;
  std::string scratch_;
  std::string joined_;
};

// The human table: rows are held back per block to size the columns.
class TableWriter final : public RecordWriter {
 public:
  TableWriter(const WriterOptions& options, BufferedWriter& out)
      : mode_(options.mode),
        show_file_(options.show_file),
        block_rows_(options.table_block_rows == 0 ? 1 : options.table_block_rows),
        out_(out) {
    if (mode_ == Mode::kAlerts) {
      columns_ = {{{"TIME", 24},
                   {"USER", 64},
                   {"VERB", 8},
                   {"WORKLOAD", 56},
                   {"OUTCOME", 10},
                   {"PRIV", 4},
                   {"REASONS", 64},
                   {"CONTAINERS", 40},
                   {"IMAGES", 56},
                   {"AUDIT_ID", 40},
                   {show_file_ ? "FILE:LINE" : "LINE", 48}}};
    } else {
      columns_ = {{{show_file_ ? "FILE:LINE" : "LINE", 48},
                   {"STAGE", 16},
                   {"USER", 64},
                   {"VERB", 8},
                   {"RESOURCE", 32},
                   {"WORKLOAD", 56},
                   {"OUTCOME", 10},
                   {"PRIV", 4},
                   {"REASONS", 64},
                   {"AUDIT_ID", 40},
                   {"ERROR", 80}}};
    }
  }

  void write(const Record& r) override {
    const core::Verdict& v = *r.verdict;
    Row row;
    std::string location;
    if (show_file_) {
      location.append(r.file);
      location.push_back(':');
    }
    append_number(location, r.line);
    location = tail_cut(std::move(location), kLocationMax);
    std::string workload = v.workload_kind;
    if (!v.namespace_.empty() || !v.name.empty()) {
      if (!workload.empty()) workload.push_back(' ');
      workload.append(v.namespace_);
      if (!v.namespace_.empty() && !v.name.empty()) workload.push_back('/');
      workload.append(v.name);
    }
    std::string user = v.user;
    if (!v.impersonated_user.empty()) user.append(" as ").append(v.impersonated_user);
    const std::string privileged = v.privileged ? "yes" : "no";
    if (mode_ == Mode::kAlerts) {
      row = {short_time(r.time),
             user,
             v.verb,
             workload,
             std::string(core::to_string(v.outcome)),
             privileged,
             joined(v, "reasons"),
             joined(v, "containers"),
             joined(v, "images"),
             v.audit_id,
             location};
    } else {
      std::string resource = v.resource;
      if (!v.subresource.empty()) resource.append("/").append(v.subresource);
      const bool judged = v.error.empty();
      row = {location,
             v.stage,
             user,
             v.verb,
             resource,
             workload,
             judged ? std::string(core::to_string(v.outcome)) : std::string(),
             judged ? privileged : std::string(),
             joined(v, "reasons"),
             v.audit_id,
             v.error};
    }
    rows_.push_back(std::move(row));
    if (rows_.size() >= block_rows_) print_block();
  }

  void finish() override {
    print_block();
    out_.flush();
  }

 private:
  static constexpr std::size_t kColumns = 11;
  static constexpr std::size_t kLocationMax = 48;
  struct Column {
    std::string_view title;
    std::size_t max;
  };
  using Row = std::array<std::string, kColumns>;

  // 2024-05-02T09:14:03.512733Z -> 2024-05-02T09:14:03Z: seconds are enough to read a table.
  static std::string short_time(std::string_view t) {
    if (t.size() > 20 && t[19] == '.' && t.back() == 'Z') return std::string(t.substr(0, 19)) + "Z";
    return std::string(t);
  }

  // Long locations keep their end (file name and line), not their start.
  static std::string tail_cut(std::string s, std::size_t max) {
    if (s.size() <= max || max < 4) return s;
    std::size_t from = s.size() - (max - 3);
    while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0U) == 0x80U) ++from;
    return "..." + s.substr(from);
  }

  std::string joined(const core::Verdict& v, std::string_view field) {
    values_.clear();
    core::field_values(v, core::field_index(field), values_, scratch_);
    std::string s;
    for (std::size_t k = 0; k < values_.size(); ++k) {
      if (k != 0) s.push_back(',');
      s.append(values_[k]);
    }
    return s;
  }

  void print_block() {
    if (rows_.empty()) return;
    // Render each cell once to learn its width, then pad.
    std::vector<std::array<std::string, kColumns>> cells(rows_.size());
    std::vector<std::array<std::size_t, kColumns>> widths(rows_.size());
    std::array<std::size_t, kColumns> col{};
    for (std::size_t c = 0; c < kColumns; ++c) col[c] = columns_[c].title.size();
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      for (std::size_t c = 0; c < kColumns; ++c) {
        const std::string_view text = rows_[r][c].empty() ? "-" : std::string_view(rows_[r][c]);
        widths[r][c] = append_table_cell(cells[r][c], text, columns_[c].max);
        if (widths[r][c] > col[c]) col[c] = widths[r][c];
      }
    }
    std::string& b = out_.buffer();
    for (std::size_t c = 0; c < kColumns; ++c) {
      b.append(columns_[c].title);
      if (c + 1 < kColumns) b.append(col[c] - columns_[c].title.size() + 2, ' ');
    }
    b.push_back('\n');
    for (std::size_t r = 0; r < rows_.size(); ++r) {
      for (std::size_t c = 0; c < kColumns; ++c) {
        b.append(cells[r][c]);
        if (c + 1 < kColumns) b.append(col[c] - widths[r][c] + 2, ' ');
      }
      b.push_back('\n');
      out_.maybe_flush();
    }
    rows_.clear();
  }

  Mode mode_;
  bool show_file_;
  std::size_t block_rows_;
  BufferedWriter& out_;
  std::array<Column, kColumns> columns_{};
  std::vector<Row> rows_;
  std::vector<std::string_view> values_;
  std::string scratch_;
};

}  // namespace

std::unique_ptr<RecordWriter> make_writer(const WriterOptions& options, BufferedWriter& out) {
  switch (options.format) {
    case Format::kJsonl: return std::make_unique<JsonlWriter>(options.mode, out);
    case Format::kCsv: return std::make_unique<CsvWriter>(options.mode, out);
    case Format::kTable: break;
  }
  return std::make_unique<TableWriter>(options, out);
}

}  // namespace kubepriv::scan
