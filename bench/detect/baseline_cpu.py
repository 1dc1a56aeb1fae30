#!/usr/bin/env python3
"""The detection runs on any x86-64 CPU and picks a SIMD kernel where there is one (issue 13).

kubepriv is built for baseline x86-64; simdjson chooses its kernel at run time (DOM and the
On-Demand stage 1 alike, see bench/RESULTS.md "issue 13: one pass"). This runs bench_detect's
self-checking corpus and `kubepriv scan --all` natively and under qemu-user emulating CPUs
without AVX2 (qemu64: SSE2 only; Nehalem: SSE4.2, no PCLMUL), and checks:
  * natively, on a CPU with AVX2, the kernel is a SIMD one (haswell or icelake), not fallback;
  * under each emulated CPU the kernel is one that CPU can run (fallback or westmere), nothing
    faults (an AVX2 instruction would be SIGILL), and every verdict is identical to the native
    run, field by field; except the wording of a JSON error, which simdjson's kernels choose
    differently for some invalid inputs (fallback says "improper structure" where icelake says
    "not valid UTF-8", already before issue 13): there both runs must be errors.
Exits 77 (skipped) when not on x86-64 or without qemu-x86_64-static (tools/setup installs it).
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys

SKIP = 77


def run(cmd, what):
    p = subprocess.run(cmd, capture_output=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"FAIL: {what}: exit {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}")
    return p


def detect(cmd):
    p = run(cmd + ["--size-mb", "2", "--runs", "1", "--check", "--seed", "13"], " ".join(cmd))
    err = p.stderr.decode()
    m = re.search(r"simdjson kernel (\w+)", err)
    if not m:
        sys.exit(f"FAIL: no kernel line in bench_detect's output:\n{err}")
    counts = [l for l in p.stdout.decode().splitlines() if l.startswith("events ")]
    return m.group(1), counts


def scan(cmd, f):
    """`scan --all --format jsonl` records, an error's wording replaced by "error"."""
    out = run(cmd + ["scan", "--all", "--format", "jsonl", f], f"{cmd} scan {f}").stdout
    records = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    for r in records:
        if r.get("error"):
            r["error"] = "error"
    return records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-detect", required=True)
    ap.add_argument("--kubepriv", required=True)
    ap.add_argument("corpus", nargs="+", help="files for `kubepriv scan --all`")
    a = ap.parse_args()
    if platform.machine() not in ("x86_64", "AMD64"):
        print(f"SKIPPED: not an x86-64 host ({platform.machine()})")
        return SKIP
    qemu = shutil.which("qemu-x86_64-static") or shutil.which("qemu-x86_64")
    if not qemu:
        print("SKIPPED: qemu-x86_64-static is not installed (tools/setup installs it)")
        return SKIP
    files = [f for f in a.corpus if os.path.exists(f)]
    if not files:
        sys.exit("FAIL: no corpus file found")

    kernel, counts = detect([a.bench_detect])
    flags = open("/proc/cpuinfo").read()
    print(f"native: kernel {kernel}; {counts}")
    if re.search(r"\bavx2\b", flags) and kernel not in ("haswell", "icelake"):
        sys.exit(f"FAIL: this CPU has AVX2 but simdjson picked {kernel}")
    native_scan = [scan([a.kubepriv], f) for f in files]

    for cpu, allowed in (("qemu64", {"fallback"}), ("Nehalem", {"fallback", "westmere"})):
        emu = [qemu, "-cpu", cpu]
        k, c = detect(emu + [a.bench_detect])
        print(f"{cpu}: kernel {k}; {c}")
        if k not in allowed:
            sys.exit(f"FAIL: under -cpu {cpu} simdjson picked {k}, expected one of {allowed}")
        if c != counts:
            sys.exit(f"FAIL: under -cpu {cpu} bench_detect counted {c}, natively {counts}")
        for f, expected in zip(files, native_scan):
            out = scan(emu + [a.kubepriv], f)
            if len(out) != len(expected):
                sys.exit(f"FAIL: under -cpu {cpu} `scan --all {f}`: {len(out)} records, not {len(expected)}")
            for got, want in zip(out, expected):
                if got != want:
                    sys.exit(f"FAIL: under -cpu {cpu} `scan --all {f}` differs:\n{got}\n{want}")
        print(f"{cpu}: {len(files)} inputs, {sum(map(len, native_scan))} records identical")
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
