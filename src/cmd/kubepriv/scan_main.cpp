// `kubepriv scan`: expands directory arguments, opens the inputs, feeds their bytes to
// scan::Scanner, draws the progress line, maps the outcome to the exit status (see
// scan::exit_status). The logic lives in src/scan; the progress line in src/common.
#include <fcntl.h>     // open, posix_fadvise
#include <sys/stat.h>  // fstat
#include <unistd.h>    // read, write, close

#include <algorithm>     // std::sort
#include <cerrno>        // errno
#include <chrono>        // std::chrono
#include <cstdio>        // std::fwrite
#include <cstring>       // std::strerror
#include <filesystem>    // std::filesystem
#include <string>        // std::string
#include <string_view>   // std::string_view
#include <system_error>  // std::error_code
#include <vector>        // std::vector

#include "entry.hpp"
#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/common/progress.hpp"
#include "kubepriv/scan/inputs.hpp"
#include "kubepriv/scan/scan.hpp"

namespace kubepriv::cmd {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kReadSize = std::size_t{1} << 20U;  // large reads: few syscalls

class FdSink final : public scan::ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  common::Result<void> write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return common::fail(common::ErrorCode::kIo, std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

 private:
  int fd_;
};

// Every stderr line goes through here: the progress line (if drawn) is erased first.
void log_line(std::string_view text) {
  common::erase_progress_line();
  std::string line(text);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void log_io(const std::string& name, std::string_view what, int err) {
  log_line("kubepriv scan: " + name + ": " + std::string(what) + ": " + std::strerror(err));
}

std::string join(const std::string& dir, const std::string& name) {
  return (!dir.empty() && dir.back() == '/') ? dir + name : dir + "/" + name;
}

// Why the file is clearly not an audit log, or empty (also when it cannot be read: then the
// scan itself reports the error).
std::string sniff(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string head(scan::kSniffBytes, '\0');
  const ssize_t n = ::pread(fd, head.data(), head.size(), 0);
  ::close(fd);
  if (n < 0) return {};
  head.resize(static_cast<std::size_t>(n));
  return scan::not_a_log_reason(head);
}

// Appends the files of `dir` to `out`, oldest rotation first; then, with `recursive`, those of
// its subdirectories (by name; symbolic links to directories are not followed).
bool expand_dir(const std::string& dir, bool recursive, std::vector<std::string>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    log_line("kubepriv scan: " + dir + ": cannot list directory: " + ec.message());
    return false;
  }
  std::vector<std::string> files;
  std::vector<std::string> dirs;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    const std::string path = join(dir, name);
    std::error_code sec;
    const auto link = it->symlink_status(sec);
    const auto target = it->status(sec);
    if (fs::is_directory(link)) {
      if (recursive) {
        dirs.push_back(name);
      } else {
        log_line("kubepriv scan: " + path + ": skipped (a directory; use --recursive)");
      }
    } else if (fs::is_directory(target)) {
      log_line("kubepriv scan: " + path + ": skipped (a link to a directory)");
    } else if (!fs::is_regular_file(target)) {
      log_line("kubepriv scan: " + path + ": skipped (not a regular file)");
    } else if (const std::string why = sniff(path); !why.empty()) {
      log_line("kubepriv scan: " + path + ": skipped, not an audit log (" + why + ")");
    } else {
      files.push_back(name);
    }
  }
  if (ec) {
    log_line("kubepriv scan: " + dir + ": cannot list directory: " + ec.message());
    return false;
  }
  scan::sort_by_rotation(files);
  for (const auto& f : files) out.push_back(join(dir, f));
  std::sort(dirs.begin(), dirs.end());
  bool ok = true;
  for (const auto& d : dirs) ok = expand_dir(join(dir, d), recursive, out) && ok;
  return ok;
}

// What the progress line counts.
struct Progress {
  common::ProgressLine& line;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::uint64_t total = 0;  // bytes of all inputs; 0 when unknown (stdin, a pipe)
  std::uint64_t done = 0;   // bytes read so far (compressed bytes for compressed input)
  std::size_t file = 0;     // 1-based ordinal of the current input
  std::size_t files = 0;

  void update(const scan::Summary& s) {
    const auto now = std::chrono::steady_clock::now();
    if (!line.due(now)) return;
    const double secs = std::chrono::duration<double>(now - start).count();
    std::string text = "kubepriv scan: ";
    if (files > 1) text += "[" + std::to_string(file) + "/" + std::to_string(files) + "] ";
    text += common::format_bytes(done);
    if (total != 0) {
      const std::uint64_t pct = done >= total ? 100 : done * 100 / total;
      text += " of " + common::format_bytes(total) + " (" + std::to_string(pct) + "%)";
    }
    text += ", " + common::format_count(static_cast<double>(s.events)) + " events";
    if (secs > 0.0) {
      text += " (" + common::format_count(static_cast<double>(s.events) / secs) + "/s)";
    }
    text += ", " + std::to_string(s.flagged) + " flagged, " +
            common::format_duration(std::chrono::seconds(static_cast<long long>(secs)));
    if (total != 0 && done != 0 && done < total) {
      const double left = secs * static_cast<double>(total - done) / static_cast<double>(done);
      text += ", ~" + common::format_duration(std::chrono::seconds(static_cast<long long>(left))) +
              " left";
    }
    line.show(text, now);
  }
};

// Feeds one open file to the scanner.
void scan_fd(scan::Scanner& scanner, int fd, const std::string& name, std::vector<char>& buf,
             const scan::BufferedWriter& out, Progress& progress) {
  scanner.begin_file(name);
  while (!out.failed()) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      scanner.input_error(std::string("read error: ") + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    progress.done += static_cast<std::uint64_t>(n);
    const bool more = scanner.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    progress.update(scanner.summary());
    if (!more) break;
  }
  scanner.end_file();
}

}  // namespace

int run_scan(int argc, char** argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  auto options = scan::parse_options(args);
  if (!options) {
    log_line("kubepriv scan: " + options.error().message);
    log_line("Try 'kubepriv scan --help'.");
    return scan::kExitError;
  }
  if (options->help) {
    const std::string_view usage = scan::usage_text();
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return scan::kExitOk;
  }
  if (options->inputs.empty()) options->inputs.emplace_back("-");

  // Directories become their files; sizes give the progress line its total.
  bool io_error = false;
  bool total_known = true;
  std::uint64_t total = 0;
  std::vector<std::string> inputs;
  for (const std::string& name : options->inputs) {
    struct stat st {};
    if (name != "-" && ::stat(name.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      options->name_files = true;
      const std::size_t before = inputs.size();
      if (!expand_dir(name, options->recursive, inputs)) io_error = true;
      if (inputs.size() == before) log_line("kubepriv scan: " + name + ": no log files to read");
      continue;
    }
    inputs.push_back(name);
  }
  for (const std::string& name : inputs) {
    struct stat st {};
    if (name != "-" && ::stat(name.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      total += static_cast<std::uint64_t>(st.st_size);
    } else {
      total_known = false;
    }
  }
  options->inputs = inputs;

  common::ProgressLine line(
      STDERR_FILENO,
      common::progress_wanted(STDERR_FILENO, options->progress == scan::ProgressMode::kAlways,
                              options->progress == scan::ProgressMode::kNever));
  Progress progress{line};
  progress.total = total_known ? total : 0;
  progress.files = inputs.size();

  audit::Evaluator evaluator;
  FdSink sink(STDOUT_FILENO);
  scan::BufferedWriter out(sink);
  scan::Scanner scanner(
      *options,
      [&evaluator](std::string_view event) -> const core::Verdict& {
        return evaluator.evaluate(event);
      },
      out, log_line);

  std::vector<char> buf(kReadSize);
  for (const std::string& name : inputs) {
    if (out.failed()) break;
    ++progress.file;
    const bool is_stdin = (name == "-");
    const int fd = is_stdin ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      log_io(name, "cannot open", errno);
      io_error = true;
      continue;
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      log_io(name, "cannot read", EISDIR);
      io_error = true;
    } else {
      (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      scan_fd(scanner, fd, name, buf, out, progress);
    }
    if (!is_stdin) ::close(fd);
  }
  scanner.finish();
  line.clear();
  if (out.failed()) {
    log_line("kubepriv scan: cannot write output: " + out.error().message);
    return scan::kExitError;
  }
  if (!options->quiet) log_line(scan::format_summary(scanner.summary()));
  return io_error ? scan::kExitError : scan::exit_status(*options, scanner.summary());
}

}  // namespace kubepriv::cmd
