// The process's stop signals, each case in a child process (gtest death tests) since it changes
// process-wide signal state.

#include "kubepriv/ingest/signals.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

namespace {

void block(int sig) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Exit status 0 when the stop token is set, 3 when not.
[[noreturn]] void exit_with_token_state() {
  std::_Exit(kubepriv::ingest::process_stop_token().stop_requested() ? 0 : 3);
}

class StopSignals : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(StopSignals, SigtermAndSigintRequestAStopInsteadOfEndingTheProcess) {
  for (int sig : {SIGTERM, SIGINT}) {
    EXPECT_EXIT(
        {
          kubepriv::ingest::install_stop_signals();
          ::kill(::getpid(), sig);
          exit_with_token_state();
        },
        ::testing::ExitedWithCode(0), "")
        << sig;
  }
}

TEST_F(StopSignals, ASignalPendingWhileBlockedAtStartReachesTheHandler) {
  // A parent that starts the input with SIGTERM blocked: a SIGTERM sent before the handler
  // exists waits, and must not be lost or left blocked once the handler is installed.
  for (int sig : {SIGTERM, SIGINT}) {
    EXPECT_EXIT(
        {
          block(sig);
          ::kill(::getpid(), sig);
          kubepriv::ingest::install_stop_signals();
          exit_with_token_state();
        },
        ::testing::ExitedWithCode(0), "")
        << sig;
  }
}

TEST_F(StopSignals, SigpipeIsIgnored) {
  EXPECT_EXIT(
      {
        kubepriv::ingest::install_stop_signals();
        ::kill(::getpid(), SIGPIPE);
        exit_with_token_state();
      },
      ::testing::ExitedWithCode(3), "");
}

}  // namespace
