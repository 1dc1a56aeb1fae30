#pragma once
/// @file
/// The process-wide stop token that SIGTERM and SIGINT set.

#include "kubepriv/common/stop.hpp"

namespace kubepriv::ingest {

/// The token SIGTERM/SIGINT set once install_stop_signals() ran.
common::StopToken& process_stop_token();

/// SIGTERM and SIGINT request a stop on process_stop_token() (no SA_RESTART, so blocking
/// calls return early) and are unblocked in the calling thread (one that was blocked and is
/// pending arrives at once); SIGPIPE is ignored (write errors are reported instead). Idempotent
/// and cheap: call it first thing, before anything that could take time or start a thread.
void install_stop_signals();

}  // namespace kubepriv::ingest
