#!/bin/sh
# The scp benchmark (issues 3 and 13): records SCP v2 streams of generated audit events the way
# splunkd sends them after getinfo (selected fields: `_raw`, `_chunked_idx` and their `__mv_`
# twins, 10,000-row chunks, splunkd's quoting) in issue 13's two mixes, and reports in one run the
# CPU time of the real `kubepriv` binary, simdjson's DOM parse of the same events, their ratio,
# `cat`, the Python SDK peer, the floor (`scp_bench floor`: what any exact verdict costs at least,
# with the best ratios it leaves), peak RSS against the largest chunk and the getinfo latency.
#
#   bench/scp/run.sh [BUILD_DIR] [EVENTS]
#
# BUILD_DIR: a Release build with the targets kubepriv scp_bench scp_simdjson_parse
# scp_getinfo_latency (default build/scp-release; configured and built here, -j2, if missing).
# EVENTS: events per mix (default 20000: about 100 MB of write-heavy and 30 MB of typical stream).
# Environment: RUNS (default 11) runs per command, interleaved, medians quoted; PEER (default
# ../shared/peers/py_peer_command.py next to the repository) the splunklib StreamingCommand peer,
# skipped visibly when absent; BASELINE another kubepriv binary to time (and byte-compare) next to
# this one, for before/after figures; GETINFO_RUNS (default 200); PEER_RUNS (default 3).
# Needs python3 and /usr/bin/time (peak RSS); figures go to stdout, copy them to bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/../.."
BUILD="${1:-build/scp-release}"
EVENTS="${2:-20000}"
DATA="${SCP_BENCH_DATA:-/tmp/kubepriv-scp-bench}"
PEER="${PEER:-$(pwd)/../shared/peers/py_peer_command.py}"
if [ ! -x "$BUILD/src/cmd/kubepriv/kubepriv" ] || [ ! -x "$BUILD/bench/scp/scp_bench" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKUBEPRIV_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target kubepriv scp_bench scp_simdjson_parse scp_getinfo_latency
fi
KP="$BUILD/src/cmd/kubepriv/kubepriv"
B="$BUILD/bench/scp"
for mix in write typical; do
  python3 bench/scp/gen_stream.py "$DATA/$mix" --events "$EVENTS" --mix "$mix" --rows 10000
done
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
set -- "$DATA" "$KP" "$B/scp_simdjson_parse" --runs "${RUNS:-11}" --peer "$PEER" \
  --peer-runs "${PEER_RUNS:-3}" --floor "$B/scp_bench"
if [ -n "${BASELINE:-}" ]; then set -- "$@" --baseline "$BASELINE"; fi
python3 bench/scp/cpu_bench.py "$@"

echo "== in-process CPU split (scp_bench)"
for mix in write typical; do
  "$B/scp_bench" evaluate "$DATA/$mix/events.jsonl"
  "$B/scp_bench" decode "$DATA/$mix/stream-10k.scp"
  "$B/scp_bench" session "$DATA/$mix/stream-10k.scp"
done

echo "== echoing _raw in the reply (the question of issue 3), typical mix"
"$B/scp_bench" session "$DATA/typical/stream-10k.scp" echo

echo "== start-up: process start to getinfo reply"
"$B/scp_getinfo_latency" "$KP" "$DATA/typical/getinfo.scp" "${GETINFO_RUNS:-200}"
echo "== load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
