#pragma once
// Entry points of the `kubepriv` executable; main.cpp only dispatches on argv[1].

namespace kubepriv::cmd {

/// `kubepriv scan [...]`: the offline CLI over audit-log files. argv[0] is "scan".
int run_scan(int argc, char** argv);

/// No subcommand: the SCP v2 custom search command on stdin/stdout, as splunkd runs it.
/// argv holds only commands.conf's command.arg.N values; SPL arguments come in getinfo.
int run_search_command(int argc, char** argv);

}  // namespace kubepriv::cmd
