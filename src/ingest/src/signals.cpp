#include "kubepriv/ingest/signals.hpp"

#include <pthread.h>

#include <csignal>

namespace kubepriv::ingest {

namespace {
common::StopToken g_stop;

extern "C" void on_stop_signal(int /*sig*/) {
  g_stop.request_stop();
}
}  // namespace

common::StopToken& process_stop_token() {
  return g_stop;
}

void install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: blocking reads and sleeps should notice quickly
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);
  // A parent may start us with SIGTERM/SIGINT blocked (the mask survives exec): unblocked now,
  // one that arrived in the meantime, even before our first instruction, reaches the handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
}

}  // namespace kubepriv::ingest
