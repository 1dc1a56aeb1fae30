#!/bin/sh
# ctest bench.scp.smoke: the scp benchmark's pieces run end to end on a small stream (no timing).
#   smoke.sh KUBEPRIV SCP_BENCH SIMDJSON_PARSE GETINFO_LATENCY
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 "$(dirname "$0")/gen_stream.py" "$dir" --events 3000
"$1" < "$dir/stream-10k.scp" > "$dir/out.scp"
# one reply per request: getinfo + 1 data chunk + the header-only finish
test "$(grep -ao 'chunked 1\.0,[0-9]*,[0-9]*' "$dir/out.scp" | wc -l)" -eq 3
"$2" decode "$dir/stream-10k.scp"
"$2" session "$dir/stream-50k.scp"
"$2" session "$dir/stream-10k.scp" echo
"$3" "$dir/events.jsonl" 1
"$4" "$1" "$dir/getinfo.scp" 5
# issue 13's one-run report on small streams of both mixes, with the floor (the peer is left
# out here)
for mix in write typical; do
  python3 "$(dirname "$0")/gen_stream.py" "$dir/$mix" --events 500 --mix "$mix" --rows 10000
done
python3 "$(dirname "$0")/cpu_bench.py" "$dir" "$1" "$3" --runs 1 --baseline "$1" --floor "$2" >"$dir/report"
grep -q "typical mix" "$dir/report"
grep -q "^  floor (read + CSV decode + stage 1 + reply bytes) " "$dir/report"
