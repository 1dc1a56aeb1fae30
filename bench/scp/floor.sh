#!/bin/sh
# ctest bench.scp.floor: `scp_bench floor` (issue 13's floor, which cpu_bench.py times next to
# `kubepriv`) reads a whole stream, hands every event's `_raw` to stage 1 and answers every
# request with a body of the size asked for. No timing.
#   floor.sh SCP_BENCH RECORDINGS_DIR
set -eu
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bodies() { grep -ao 'chunked 1\.0,[0-9]*,[0-9]*' "$1" | sed 's/.*,//' | tr '\n' ' '; }

# splunkd's own bytes: sum.map is one 16 MB execute chunk of 50,000 rows with `_raw`, many times
# the reader's window
gunzip -c "$2/sum.map.input.gz" | "$1" floor 7 >"$dir/out" 2>"$dir/err"
grep -q '^floor: 1 execute requests, 50000 events, [0-9]* bytes of _raw, stage 1 run: .*, exit 0$' "$dir/err"
test "$(bodies "$dir/out")" = "0 7 "

# generated events in several chunks (1,000 rows each, then the header-only finish): every
# event's JSON reaches stage 1 whole, its CSV quoting undone, and passes it
python3 "$(dirname "$0")/gen_stream.py" "$dir" --events 2500 --mix write --rows 1000
"$1" floor 3 4 5 0 <"$dir/stream-1k.scp" >"$dir/out" 2>"$dir/err"
json=$(($(wc -c <"$dir/events.jsonl") - 2500))
grep -qx "floor: 4 execute requests, 2500 events, $json bytes of _raw, stage 1 run: 0 rejected, exit 0" "$dir/err"
test "$(bodies "$dir/out")" = "0 3 4 5 0 "
# the split without stage 1 reads the same events and writes the same replies
"$1" floor --no-stage1 3 4 5 0 <"$dir/stream-1k.scp" >"$dir/out" 2>"$dir/err"
grep -qx "floor: 4 execute requests, 2500 events, $json bytes of _raw, stage 1 skipped: 0 rejected, exit 0" "$dir/err"
test "$(bodies "$dir/out")" = "0 3 4 5 0 "
