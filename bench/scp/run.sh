#!/bin/sh
# The scp benchmark (issue 3 "Performance"): records SCP v2 streams of generated audit events and
# times the real `kubepriv` binary on them next to `cat` and simdjson's bare parse, all in one run.
#
#   bench/scp/run.sh [BUILD_DIR] [EVENTS]
#
# BUILD_DIR: a Release build with the targets kubepriv scp_bench scp_simdjson_parse
# scp_getinfo_latency (default build/scp-release; configured and built here if missing).
# EVENTS: how many audit events to generate (default 100000, about 250 MB of stream).
# Needs python3, hyperfine and /usr/bin/time. Figures go to stdout; copy them to bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/../.."
BUILD="${1:-build/scp-release}"
EVENTS="${2:-100000}"
DATA="${SCP_BENCH_DATA:-/tmp/kubepriv-scp-bench}"
if [ ! -x "$BUILD/src/cmd/kubepriv/kubepriv" ] || [ ! -x "$BUILD/bench/scp/scp_bench" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DKUBEPRIV_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target kubepriv scp_bench scp_simdjson_parse scp_getinfo_latency
fi
KP="$BUILD/src/cmd/kubepriv/kubepriv"
B="$BUILD/bench/scp"
mkdir -p "$DATA"
python3 bench/scp/gen_stream.py "$DATA" --events "$EVENTS"
ls -l "$DATA"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== wall time (hyperfine, medians are in the JSON export)"
hyperfine --warmup 2 --runs "${RUNS:-10}" --export-json "$DATA/hyperfine.json" \
  "cat $DATA/stream-10k.scp > /dev/null" \
  "$KP < $DATA/stream-10k.scp > /dev/null" \
  "$KP < $DATA/stream-50k.scp > /dev/null" \
  "$B/scp_simdjson_parse $DATA/events.jsonl 1 > /dev/null"
python3 - "$DATA" <<'PY'
import json, os, sys
d = sys.argv[1]
res = json.load(open(os.path.join(d, "hyperfine.json")))["results"]
size = {"10k": os.path.getsize(os.path.join(d, "stream-10k.scp")),
        "50k": os.path.getsize(os.path.join(d, "stream-50k.scp")),
        "json": os.path.getsize(os.path.join(d, "events.jsonl"))}
events = sum(1 for _ in open(os.path.join(d, "events.jsonl"), "rb"))
for r in res:
    cmd = r["command"]
    key = "json" if "simdjson" in cmd else ("50k" if "50k" in cmd else "10k")
    med = r["median"]
    cpu = r["user"] + r["system"]
    print("%-62s wall median %.3f s: %5.0f MB/s %7.0f ev/s | CPU (user+sys) %.3f s: %5.0f MB/s %7.0f ev/s" % (
        cmd[-62:], med, size[key] / 1e6 / med, events / med, cpu, size[key] / 1e6 / cpu, events / cpu))
PY

echo "== CPU time split (scp_bench: process CPU time, robust to a busy machine)"
"$B/scp_simdjson_parse" "$DATA/events.jsonl" 5
"$B/scp_bench" evaluate "$DATA/events.jsonl"
"$B/scp_bench" decode "$DATA/stream-10k.scp"
"$B/scp_bench" session "$DATA/stream-10k.scp"
"$B/scp_bench" session "$DATA/stream-50k.scp"
echo "== echoing _raw in the reply (the question of issue 3)"
"$B/scp_bench" session "$DATA/stream-10k.scp" echo

echo "== start-up: process start to getinfo reply"
"$B/scp_getinfo_latency" "$KP" "$DATA/getinfo.scp" "${GETINFO_RUNS:-200}"

echo "== peak RSS"
for s in 10k 50k; do
  largest=$(python3 -c "
import re,sys
d=open('$DATA/stream-$s.scp','rb').read(); pos=0; big=0
while pos < len(d):
    m=re.compile(rb'chunked 1\.0,(\d+),(\d+)\n').match(d,pos); a,b=int(m.group(1)),int(m.group(2)); big=max(big,a+b); pos=m.end()+a+b
print(big)")
  rss=$(/usr/bin/time -f %M "$KP" < "$DATA/stream-$s.scp" 2>&1 >/dev/null | tail -1)
  echo "stream-$s: peak RSS $((rss / 1024)) MB, largest chunk $((largest / 1048576)) MB, limit 2x+32 = $((2 * largest / 1048576 + 32)) MB"
done
