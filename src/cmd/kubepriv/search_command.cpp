// `kubepriv` with no subcommand: the SCP v2 streaming search command. Thin: the protocol,
// options and CSV live in kubepriv::scp, the judging in kubepriv::audit; verdict_annotator.cpp
// adapts the detection's verdict to scp::Annotator.
#include <unistd.h>  // STDIN_FILENO, STDOUT_FILENO

#include <csignal>  // std::signal, SIGPIPE
#include <cstdio>   // std::fputs

#include "entry.hpp"
#include "kubepriv/scp/session.hpp"
#include "verdict_annotator.hpp"

namespace kubepriv::cmd {

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
