// `kubepriv scan`: opens the inputs, feeds their bytes to scan::Scanner, maps errors to exit
// status (0 read everything, 2 usage or I/O error). The logic lives in src/scan.
#include <fcntl.h>     // open, posix_fadvise
#include <sys/stat.h>  // fstat
#include <unistd.h>    // read, write, close

#include <cerrno>       // errno
#include <cstdio>       // std::fwrite
#include <cstring>      // std::strerror
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <vector>       // std::vector

#include "entry.hpp"
#include "kubepriv/audit/evaluator.hpp"
#include "kubepriv/scan/scan.hpp"

namespace kubepriv::cmd {
namespace {

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

void log_line(std::string_view text) {
  std::string line(text);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void log_io(const std::string& name, std::string_view what, int err) {
  log_line("kubepriv scan: " + name + ": " + std::string(what) + ": " + std::strerror(err));
}

// Feeds one open file to the scanner. Returns false on a read error.
bool scan_fd(scan::Scanner& scanner, int fd, const std::string& name, std::vector<char>& buf,
             const scan::BufferedWriter& out) {
  scanner.begin_file(name);
  bool ok = true;
  while (!out.failed()) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      log_io(name, "read error", errno);
      ok = false;
      break;
    }
    if (n == 0) break;
    scanner.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  scanner.end_file();
  return ok;
}

}  // namespace

int run_scan(int argc, char** argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  auto options = scan::parse_options(args);
  if (!options) {
    log_line("kubepriv scan: " + options.error().message);
    log_line("Try 'kubepriv scan --help'.");
    return 2;
  }
  if (options->help) {
    const std::string_view usage = scan::usage_text();
    std::fwrite(usage.data(), 1, usage.size(), stdout);
    return 0;
  }
  if (options->inputs.empty()) options->inputs.emplace_back("-");

  audit::Evaluator evaluator;
  FdSink sink(STDOUT_FILENO);
  scan::BufferedWriter out(sink);
  scan::Scanner scanner(
      *options,
      [&evaluator](std::string_view event) -> const core::Verdict& {
        return evaluator.evaluate(event);
      },
      out, log_line);

  bool io_error = false;
  std::vector<char> buf(kReadSize);
  for (const std::string& name : options->inputs) {
    if (out.failed()) break;
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
      if (!scan_fd(scanner, fd, name, buf, out)) io_error = true;
    }
    if (!is_stdin) ::close(fd);
  }
  scanner.finish();
  if (out.failed()) {
    log_line("kubepriv scan: cannot write output: " + out.error().message);
    return 2;
  }
  log_line(scan::format_summary(scanner.summary()));
  return io_error ? 2 : 0;
}

}  // namespace kubepriv::cmd
