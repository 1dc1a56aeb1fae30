#pragma once
/// @file
/// `eks_audit_logs pull`: the audit events of one time range as JSON lines on stdout, for
/// `kubepriv scan -` and for people without Splunk.

#include <cstdint>  // std::int64_t
#include <string>   // std::string
#include <vector>   // std::vector

#include "kubepriv/common/result.hpp"
#include "kubepriv/ingest/aws_stack.hpp"
#include "kubepriv/ingest/runtime.hpp"

namespace kubepriv::ingest {

/// What `pull`'s arguments ask for.
struct PullOptions {
  StackOptions stack;
  std::string group;   ///< log group name or ARN (--log-group, or derived from --cluster)
  std::string prefix;  ///< stream prefix
  std::int64_t since_ms = 0, until_ms = 0;
  bool progress = false;  ///< --progress: draw the progress line even when stderr is no terminal
  bool debug = false;     ///< --debug
  bool help = false;      ///< --help: print the usage, nothing else
};

/// Parses `pull`'s arguments (those after "pull"); times relative to `now_ms`, the region
/// defaults to region_from_env(env). kInvalidArgument with a message naming the bad option.
common::Result<PullOptions> parse_pull_args(const std::vector<std::string>& args,
                                            const aws::Environment& env, std::int64_t now_ms);

/// The whole mode: parse, pull, summary. Exit status: 0 done, 1 AWS or output error, 2 usage
/// error, 130 stopped (the page in hand is written first).
int run_pull(const std::vector<std::string>& args, const Runtime& rt);

}  // namespace kubepriv::ingest
