// kubepriv: the Splunk search command (default) and the offline `kubepriv scan` CLI.
#include <spdlog/spdlog.h>

#include <cstdio>   // std::fputs
#include <cstring>  // std::strcmp
#include <exception>

#include "entry.hpp"
#include "kubepriv/common/version.hpp"
#include "kubepriv/logging/stderr_sink.hpp"

namespace {
constexpr const char* kUsage =
    "usage: kubepriv scan [--all] [--format table|jsonl|csv] [FILE ... | -]\n"
    "       kubepriv --version\n"
    "       kubepriv            (no arguments: Splunk custom search command, SCP v2 on stdin)\n";
}  // namespace

int main(int argc, char** argv) {
  kubepriv::logging::init_stderr();  // "<LEVEL> <message>" on stderr; stdout carries SCP
  try {
    if (argc >= 2 && std::strcmp(argv[1], "scan") == 0) {
      return kubepriv::cmd::run_scan(argc - 1, argv + 1);
    }
    if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
      std::printf("kubepriv %s\n", kubepriv::kVersion);
      return 0;
    }
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    return kubepriv::cmd::run_search_command(argc, argv);
  } catch (const std::exception& e) {
    spdlog::critical(std::string("kubepriv: ") + e.what());
  } catch (...) {
    spdlog::critical("kubepriv: unknown exception");
  }
  return 70;  // EX_SOFTWARE
}
