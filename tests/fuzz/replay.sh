#!/bin/sh
# replay.sh [--name GLOB] FUZZ_BINARY PATH...
# Runs a fuzz target once on every file under PATH... (files or directories, recursively). Works
# for both builds of a target: the replay main (gcc) and libFuzzer (which, given only files, runs
# each once and exits). Files ending in .gz (the SCP recordings) are decompressed first.
# --name GLOB: only files whose name matches (e.g. request.txt in the SigV4 suite).
set -eu
name='*'
if [ "${1:-}" = --name ]; then name="$2"; shift 2; fi
bin="$1"; shift
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT INT TERM
list="$tmp/list"
: >"$list"
found_path=0
for p in "$@"; do
  if [ -e "$p" ]; then
    found_path=1
    find "$p" -type f -name "$name" | LC_ALL=C sort >>"$list"
  else
    echo "replay.sh: $p does not exist" >&2
  fi
done
if [ "$found_path" = 0 ]; then
  echo "replay.sh: no corpus" >&2
  exit 1
fi
if [ ! -s "$list" ]; then
  echo "replay.sh: no input files under $*" >&2
  exit 1
fi
n=0
inputs="$tmp/inputs"
mkdir "$inputs"
while IFS= read -r f; do
  n=$((n + 1))
  case "$f" in
    *.gz) gzip -dc "$f" >"$inputs/$n-$(basename "$f" .gz)" ;;
    *) cp "$f" "$inputs/$n-$(basename "$f")" ;;
  esac
done <"$list"
echo "replay.sh: $n input(s) for $(basename "$bin")" >&2
# One process for all inputs; libFuzzer treats a list of files as "run each once".
set --
for f in "$inputs"/*; do set -- "$@" "$f"; done
rc=0
"$bin" "$@" || rc=$?
exit "$rc"
