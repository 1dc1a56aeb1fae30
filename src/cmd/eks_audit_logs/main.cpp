// eks_audit_logs: Splunk modular input (--scheme, --validate-arguments, run mode) and the
// standalone `pull` mode. Logs go to stderr with the level first; stdout carries the protocol.

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "kubepriv/audit/event_time.hpp"
#include "kubepriv/aws/redact.hpp"
#include "kubepriv/common/ascii.hpp"
#include "kubepriv/ingest/modular_input.hpp"
#include "kubepriv/ingest/pull.hpp"
#include "kubepriv/ingest/signals.hpp"
#include "kubepriv/logging/stderr_sink.hpp"
#include "kubepriv/modinput/input_definition.hpp"

namespace {

// SIGTERM must be handled from the earliest instruction we control: splunkd may stop an input
// right after starting it. .preinit_array runs after the loader mapped the libraries and before
// any of their initialisers or ours.
void early_stop_signals(int /*argc*/, char** /*argv*/, char** /*envp*/) {
  kubepriv::ingest::install_stop_signals();
}
__attribute__((section(".preinit_array"),
               used)) void (*const kEarlyStopSignals)(int, char**, char**) = early_stop_signals;

// Reads stdin to EOF; gives up after 60 s without data so a stuck parent cannot hang us.
bool read_stdin(std::string& out) {
  char buf[65536];
  for (;;) {
    pollfd p{0, POLLIN, 0};
    const int rc = ::poll(&p, 1, 60000);
    if (rc < 0) {
      if (errno == EINTR) {
        if (kubepriv::ingest::process_stop_token().stop_requested()) return false;
        continue;
      }
      return false;
    }
    if (rc == 0) {
      spdlog::error("no input definition on stdin after 60 s");
      return false;
    }
    const ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > kubepriv::modinput::kMaxDefinitionBytes) {
      spdlog::error("input definition on stdin is larger than 16 MB");
      return false;
    }
  }
}

// The real world: the process environment, clocks, stdout, libcurl, and the audit event's own
// time as the event's <time> (props.conf, README); CloudWatch's time when the event has none.
template <typename Mode>
int with_runtime(Mode mode) {
  auto transports = kubepriv::ingest::curl_transports();
  if (!transports) {
    spdlog::error(transports.error().message);
    return 1;
  }
  const kubepriv::aws::ProcessEnvironment env;
  const kubepriv::common::SystemClock clock;
  const kubepriv::common::StopToken& stop = kubepriv::ingest::process_stop_token();
  kubepriv::common::RealSleeper sleeper(&stop);
  kubepriv::modinput::FdSink out(1);
  const kubepriv::ingest::Runtime rt{
      .env = env,
      .clock = clock,
      .sleeper = sleeper,
      .stop = stop,
      .out = out,
      .make_transport = std::move(*transports),
      .event_time = [](const kubepriv::aws::LogEvent& e) {
        return kubepriv::audit::request_received_ms(e.message).value_or(e.timestamp_ms);
      }};
  return mode(rt);
}

int real_main(int argc, char** argv) {
  kubepriv::ingest::install_stop_signals();  // again (cheap): a no-op after .preinit_array
  const auto& stop = kubepriv::ingest::process_stop_token();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::string doc;
    if (!read_stdin(doc)) return stop.stop_requested() ? 0 : 1;
    return with_runtime([&](const auto& rt) { return kubepriv::ingest::run_inputs(doc, rt); });
  }
  const std::string mode = kubepriv::common::ascii_lower(args[0]);
  if (mode == "--scheme" && args.size() == 1) {
    kubepriv::modinput::FdSink out(1);
    return kubepriv::ingest::run_scheme(out);
  }
  if (mode == "--validate-arguments" && args.size() == 1) {
    std::string doc;
    if (!read_stdin(doc)) return 1;
    return with_runtime(
        [&](const auto& rt) { return kubepriv::ingest::validate_arguments(doc, rt); });
  }
  if (mode == "pull") {
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    return with_runtime([&](const auto& rt) { return kubepriv::ingest::run_pull(rest, rt); });
  }
  if (mode == "--help" || mode == "-h") {
    std::fputs(
        "usage: eks_audit_logs --scheme | --validate-arguments | pull ... | (no argument: run "
        "mode, input definition XML on stdin)\n",
        stdout);
    return 0;
  }
  spdlog::error("Invalid arguments to modular input script: " + args[0] +
                " (expected --scheme, --validate-arguments, pull, or none)");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // "<LEVEL> <message>" lines on stderr; every line goes through the AWS secret scrubber.
  kubepriv::logging::init_stderr(&kubepriv::aws::redact_text);
  try {
    return real_main(argc, argv);
  } catch (const std::exception& e) {
    spdlog::error(std::string("internal error: ") + e.what());
  } catch (...) {
    spdlog::error("internal error (unknown exception)");
  }
  return 70;
}
