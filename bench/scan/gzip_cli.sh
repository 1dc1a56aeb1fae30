#!/bin/sh
# `kubepriv scan` over gzip input, the real CLI three ways in one run, CPU time (user+sys) of
# all processes of each pipeline (the machine is shared: wall time measures the neighbours).
#   bench/scan/gzip_cli.sh BUILD_DIR [SIZE_MB] [RUNS]
# BUILD_DIR holds bench/scan/bench_scan (writes the corpus) and src/cmd/kubepriv/kubepriv.
set -eu
build="$1"
size="${2:-256}"
runs="${3:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$build/bench/scan/bench_scan" --size-mb "$size" --runs 1 --write-gz "$work/audit.log.gz" >/dev/null
kp="$build/src/cmd/kubepriv/kubepriv"
bytes=$(zcat "$work/audit.log.gz" | wc -c)
echo "corpus: $(stat -c %s "$work/audit.log.gz") bytes gzip, $bytes bytes of JSON lines"
measure() {  # label command...
  label="$1"
  shift
  best=""
  for _ in $(seq "$runs"); do
    # GNU time: %U/%S include the waited-for children (every process of the pipeline).
    t=$(/usr/bin/time -f "%U %S" sh -c "$*" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}')
    best="$best $t"
  done
  med=$(echo "$best" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v l="$label" -v s="$med" -v b="$bytes" \
    'BEGIN {printf "%-44s %7.2f s CPU  %8.1f MB/s of JSON lines\n", l, s, b / 1e6 / s}'
}
measure "kubepriv scan audit.log.gz" "'$kp' scan --quiet '$work/audit.log.gz'"
measure "zcat audit.log.gz | kubepriv scan -" "zcat '$work/audit.log.gz' | '$kp' scan --quiet -"
measure "zcat audit.log.gz > /dev/null" "zcat '$work/audit.log.gz' > /dev/null"
zcat "$work/audit.log.gz" > "$work/audit.log"
measure "kubepriv scan audit.log (plain, for scale)" "'$kp' scan --quiet '$work/audit.log'"
