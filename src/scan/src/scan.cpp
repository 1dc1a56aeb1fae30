#include "kubepriv/scan/scan.hpp"

#include <utility>  // std::move

#include "kubepriv/common/decimal.hpp"
#include "kubepriv/scan/json_text.hpp"

namespace kubepriv::scan {

namespace {

constexpr std::uint64_t kMaxLoggedErrors = 10;

common::Result<std::size_t> parse_size(std::string_view text) {
  const auto number = common::parse_decimal_prefix<std::uint64_t>(text);
  if (!number) {
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "--max-event-bytes: not a number: '" + std::string(text) + "'");
  }
  const auto [value, suffix] = *number;
  unsigned shift = 0;
  if (suffix == "K" || suffix == "k" || suffix == "KiB") {
    shift = 10;
  } else if (suffix == "M" || suffix == "m" || suffix == "MiB") {
    shift = 20;
  } else if (suffix == "G" || suffix == "g" || suffix == "GiB") {
    shift = 30;
  } else if (!suffix.empty()) {
    return common::fail(
        common::ErrorCode::kInvalidArgument,
        "--max-event-bytes: unknown unit '" + std::string(suffix) + "' (use K, M or G)");
  }
  constexpr std::uint64_t kLimit = std::uint64_t{4} << 30U;  // 4 GiB
  if (value == 0 || value > (kLimit >> shift)) {
    return common::fail(common::ErrorCode::kInvalidArgument,
                        "--max-event-bytes: must be between 1 and 4G");
  }
  return static_cast<std::size_t>(value << shift);
}

common::Result<Format> parse_format(std::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "jsonl" || text == "json") return Format::kJsonl;
  if (text == "csv") return Format::kCsv;
  return common::fail(
      common::ErrorCode::kInvalidArgument,
      "--format: unknown format '" + std::string(text) + "' (choose table, jsonl or csv)");
}

common::Result<FailOn> parse_fail_on(std::string_view text) {
  if (text == "privileged") return FailOn::kPrivileged;
  if (text == "risky") return FailOn::kRisky;
  return common::fail(
      common::ErrorCode::kInvalidArgument,
      "--fail-on: unknown level '" + std::string(text) + "' (choose privileged or risky)");
}

}  // namespace

bool reaches(const core::Verdict& verdict, FailOn level) noexcept {
  switch (level) {
    case FailOn::kNever: return false;
    case FailOn::kPrivileged: return verdict.error.empty() && verdict.privileged;
    case FailOn::kRisky:
      return verdict.error.empty() && !verdict.reasons.empty() &&
             verdict.outcome == core::Outcome::kSuccess;
  }
  return false;
}

int exit_status(const Options& options, const Summary& summary) noexcept {
  if (summary.unreadable != 0) return kExitError;
  if (options.fail_on != FailOn::kNever && summary.failing != 0) return kExitFindings;
  return kExitOk;
}

std::string_view usage_text() noexcept {
  return "usage: kubepriv scan [--all] [--format table|jsonl|csv] [--max-event-bytes N]\n"
         "                     [--fail-on privileged|risky] [--recursive] [--progress]\n"
         "                     [--quiet] [FILE | DIR ... | -]\n"
         "\n"
         "Reads Kubernetes audit events and reports privileged or otherwise risky pod specs.\n"
         "Inputs (detected per file; no FILE or '-' reads stdin): JSON lines as kube-apiserver\n"
         "and EKS (CloudWatch) write them, pretty-printed JSON documents or arrays of events,\n"
         "and the JSON printed by 'aws logs filter-log-events' (several pages may follow each\n"
         "other). gzip (also several concatenated members) and zstd input is decompressed,\n"
         "told by its first bytes, not by its name. A directory is read file by file, oldest\n"
         "rotation first (audit-<time>.log[.gz] and audit.log.N before audit.log); files that\n"
         "are clearly not logs are skipped with a note.\n"
         "\n"
         "Output (stdout): by default one alert per request (auditID and request identity) for "
         "events with any reason;\n"
         "with --all one record per input event, in input order, incl. unparseable ones.\n"
         "  --all                  every event, with line, index, error and all verdict fields\n"
         "  --format table         aligned columns for people (default)\n"
         "  --format jsonl         one JSON object per record; multivalue fields are arrays\n"
         "  --format csv           RFC 4180 with a header; multivalue values joined by LF\n"
         "  --max-event-bytes N    larger events become error records (default 64M; K/M/G)\n"
         "  --fail-on LEVEL        exit 1 when a reported record reaches LEVEL: privileged\n"
         "                         (privileged=1) or risky (any reason, outcome success)\n"
         "  -r, --recursive        descend into the subdirectories of a DIR\n"
         "  --progress             progress line on stderr even when it is not a terminal\n"
         "  -q, --quiet            no progress line and no summary on stderr\n"
         "  -h, --help             this text\n"
         "\n"
         "A summary goes to stderr; a progress line too while stderr is a terminal.\n"
         "Exit status:\n"
         "  0  every input was read completely; no record reached the --fail-on level\n"
         "  1  every input was read completely; a reported record reached the --fail-on level\n"
         "  2  usage error, or an input could not be read completely (missing, unreadable,\n"
         "     damaged or truncated compressed stream); wins over 1\n";
}

common::Result<Options> parse_options(std::span<const std::string_view> args) {
  Options options;
  bool only_files = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (only_files || arg == "-" || arg.empty() || arg.front() != '-') {
      options.inputs.emplace_back(arg);
      continue;
    }
    // `--name VALUE` or `--name=VALUE`: true when `arg` is option `name`; its value goes to
    // `value` (the next argument is consumed), or an error when it has none.
    std::string_view value;
    common::Result<void> missing;
    auto takes_value = [&](std::string_view name) {
      if (arg == name) {
        if (i + 1 >= args.size()) {
          missing = common::fail(common::ErrorCode::kInvalidArgument,
                                 std::string(name) + " needs a value");
        } else {
          value = args[++i];
        }
        return true;
      }
      if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
        value = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (arg == "--") {
      only_files = true;
    } else if (arg == "--all") {
      options.all = true;
    } else if (arg == "-r" || arg == "--recursive") {
      options.recursive = true;
    } else if (arg == "--progress") {
      options.progress = ProgressMode::kAlways;
    } else if (arg == "-q" || arg == "--quiet") {
      options.quiet = true;
    } else if (arg == "-h" || arg == "--help") {
      options.help = true;
    } else if (takes_value("--fail-on")) {
      if (!missing) return tl::unexpected(missing.error());
      auto level = parse_fail_on(value);
      if (!level) return tl::unexpected(level.error());
      options.fail_on = *level;
    } else if (takes_value("--format")) {
      if (!missing) return tl::unexpected(missing.error());
      auto format = parse_format(value);
      if (!format) return tl::unexpected(format.error());
      options.format = *format;
    } else if (takes_value("--max-event-bytes")) {
      if (!missing) return tl::unexpected(missing.error());
      auto size = parse_size(value);
      if (!size) return tl::unexpected(size.error());
      options.max_event_bytes = *size;
    } else {
      return common::fail(common::ErrorCode::kInvalidArgument,
                          "unknown option '" + std::string(arg) + "'");
    }
  }
  if (options.quiet) options.progress = ProgressMode::kNever;
  return options;
}

std::string format_summary(const Summary& s) {
  auto plural = [](std::uint64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
  };
  std::string text = "kubepriv scan: " + plural(s.events, "event", "events") + " in " +
                     plural(s.files, "input", "inputs") + ": " + std::to_string(s.flagged) +
                     " flagged, " + plural(s.errors, "error", "errors") + ", " +
                     plural(s.alerts, "alert", "alerts");
  if (s.collapsed != 0) {
    text += " (" + std::to_string(s.collapsed) +
            " flagged events collapsed as stages or repeats of one request)";
  }
  if (s.unreadable != 0) {
    text += "; " + plural(s.unreadable, "input", "inputs") + " not read completely";
  }
  return text;
}

std::string event_time(std::string_view event_json) {
  for (const std::string_view key :
       {"requestReceivedTimestamp", "stageTimestamp", "timestamp", "time"}) {
    const auto member = find_member(event_json, key);
    if (member && member->is_string) {
      std::string out;
      if (unescape_json_string(member->raw, out)) return out;
    }
  }
  return {};
}

Scanner::Scanner(const Options& options, Evaluate evaluate, BufferedWriter& out, Log log)
    : options_(options),
      evaluate_(std::move(evaluate)),
      out_(out),
      log_(std::move(log)),
      writer_(make_writer(WriterOptions{options.format, options.all ? Mode::kAll : Mode::kAlerts,
                                        options.name_files || options.inputs.size() > 1, 10000},
                          out)),
      collapser_([this](const Alert& alert) {
        if (options_.all) return;
        if (reaches(alert.verdict, options_.fail_on))
          ++summary_.failing;  // --all prints every event; alerts are only counted
        writer_->write(Record{alert.file, alert.line, alert.index, alert.time, &alert.verdict});
      }) {}

Scanner::~Scanner() = default;

void Scanner::begin_file(std::string_view name) {
  file_.assign(name);
  ++summary_.files;
  reader_ = std::make_unique<EventReader>(*this, options_.max_event_bytes);
  decoder_ = std::make_unique<Decoder>([this](std::string_view plain) { reader_->feed(plain); });
}

bool Scanner::feed(std::string_view bytes) {
  if (!reader_) return false;
  if (decoder_->feed(bytes)) return true;
  decode_failed();
  return false;
}

void Scanner::decode_failed() {
  // The events decoded before the damage are scanned; one cut by it is an error record.
  reader_->finish_cut("truncated: the compressed input is damaged inside this event");
  const std::uint64_t n = reader_->events();
  input_error(decoder_->error() + "; " + std::to_string(n) +
              (n == 1 ? " event was" : " events were") + " read before it");
  reader_.reset();
  decoder_.reset();
}

void Scanner::input_error(std::string_view message) {
  ++summary_.unreadable;
  log_("kubepriv scan: " + file_ + ": " + std::string(message));
}

void Scanner::end_file() {
  if (!reader_) return;
  if (!decoder_->finish()) {
    decode_failed();
    return;
  }
  reader_->finish();
  reader_.reset();
  decoder_.reset();
}

void Scanner::finish() {
  end_file();
  collapser_.flush();
  writer_->finish();
  summary_.alerts = collapser_.alerts();
  summary_.collapsed = collapser_.collapsed();
  if (!options_.all && logged_errors_ < summary_.errors) {
    log_("kubepriv scan: " + std::to_string(summary_.errors - logged_errors_) +
         " more event errors not shown (use --all to list every event)");
  }
}

void Scanner::log_event_error(const RawEvent& event, std::string_view error) {
  if (options_.all || logged_errors_ >= kMaxLoggedErrors) return;
  ++logged_errors_;
  log_("kubepriv scan: " + file_ + ":" + std::to_string(event.line) + ": " + std::string(error));
}

void Scanner::on_event(const RawEvent& event) {
  ++summary_.events;
  const core::Verdict* verdict = nullptr;
  if (!event.error.empty()) {
    error_verdict_.clear();
    error_verdict_.error.assign(event.error);
    verdict = &error_verdict_;
  } else {
    verdict = &evaluate_(event.text);
  }
  const bool error = !verdict->error.empty();
  const bool flagged = !error && !verdict->reasons.empty();
  if (error) {
    ++summary_.errors;
    log_event_error(event, verdict->error);
  }
  if (options_.all) {
    writer_->write(Record{file_, event.line, event.index, {}, verdict});
    if (reaches(*verdict, options_.fail_on)) ++summary_.failing;
  }
  if (flagged) {
    ++summary_.flagged;
    collapser_.add(*verdict, [&](Alert& alert) {
      alert.file = file_;
      alert.line = event.line;
      alert.index = event.index;
      alert.time = event_time(event.text);
    });
  }
}

void Scanner::on_notice(std::uint64_t line, std::string_view message) {
  log_("kubepriv scan: " + file_ + ":" + std::to_string(line) + ": " + std::string(message));
}

}  // namespace kubepriv::scan
