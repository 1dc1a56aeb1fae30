#!/usr/bin/env python3
"""Whole-process CPU time of the search command on issue 13's two streams, in one run.

usage: cpu_bench.py DATA KUBEPRIV SIMDJSON_PARSE [--runs N] [--peer PEER_COMMAND] [--peer-runs N]
                    [--baseline OTHER_KUBEPRIV] [--floor SCP_BENCH]

DATA holds one folder per mix (write/, typical/) written by gen_stream.py (events.jsonl,
stream-10k.scp). Every figure is CPU time (user + sys) of a finished child process, as the
kernel accounts it (wait4's rusage), so neighbours on a busy machine change it little; each
command runs RUNS times, interleaved (A B A B ...), and the median is quoted. MB/s are over the
bytes of the events' JSON, the same bytes for the command and for simdjson, so their ratio is
the ratio of CPU times. `cat` and the Python SDK peer (splunklib StreamingCommand) are timed on
the same stream; --baseline times a second build of the command too and checks that its reply
bytes are identical. --floor times `scp_bench floor` with the other commands, interleaved: the
least any exact verdict costs on this protocol (the stream read from stdin through the command's
own session, chunk reader and CSV decoder, simdjson's stage 1 alone over every `_raw`, a reply of
kubepriv's exact byte size written to stdout), the same without stage 1 (the floor's split), and
the best ratios the floor leaves for issue 13's goals.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

HEADER = re.compile(rb"chunked 1\.0,(\d+),(\d+)\n")
# Issue 13's goals: kubepriv/simdjson (speed ratio, same run) per mix, and the SDK peer on writes.
DOM_GOAL = {"write": 0.5, "typical": 1.0}
PEER_GOAL = {"write": 100}


def run(cmd, stdin_path, stdout=subprocess.DEVNULL, env=None):
    """Runs cmd with stdin from a file; returns (cpu seconds, ru_maxrss in KiB, exit status)."""
    with open(stdin_path, "rb") as f:
        p = subprocess.Popen(cmd, stdin=f, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss, p.returncode


def peak_rss_kib(cmd, stdin_path):
    """Peak RSS of cmd alone, from /usr/bin/time (a fork of this Python process would count
    Python's own pages as the child's until exec)."""
    with open(stdin_path, "rb") as f:
        r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdin=f, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, check=True, text=True)
    return int(r.stderr.strip().splitlines()[-1])


def chunk_sizes(d):
    """(metadata, body) lengths of every chunk of an SCP stream held in memory."""
    pos = 0
    sizes = []
    while pos < len(d):
        m = HEADER.match(d, pos)
        a, b = int(m.group(1)), int(m.group(2))
        sizes.append((a, b))
        pos = m.end() + a + b
    return sizes


def largest_chunk(path):
    return max(a + b for a, b in chunk_sizes(open(path, "rb").read()))


def simdjson_cpu(tool, events, runs):
    out = subprocess.run([tool, events, str(runs)], check=True, capture_output=True, text=True).stdout
    m = re.search(r"median of \d+: ([0-9.]+) s CPU", out)
    return float(m.group(1))


def reply(cmd, stream):
    return subprocess.run(cmd, stdin=open(stream, "rb"), check=True, capture_output=True).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("kubepriv")
    ap.add_argument("simdjson_parse")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--peer", help="py_peer_command.py (skipped when absent)")
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--baseline", help="another kubepriv build to compare with (before/after)")
    ap.add_argument("--floor", help="scp_bench, for its floor mode (skipped when absent)")
    a = ap.parse_args()

    rows = []
    for mix in ("write", "typical"):
        d = os.path.join(a.data, mix)
        stream = os.path.join(d, "stream-10k.scp")
        events = os.path.join(d, "events.jsonl")
        jbytes = os.path.getsize(events)
        nev = sum(1 for _ in open(events, "rb"))
        cmds = {"kubepriv": [a.kubepriv], "cat": ["cat"]}
        if a.baseline:
            cmds["baseline"] = [a.baseline]
            same = reply([a.kubepriv], stream) == reply([a.baseline], stream)
            print("%s: reply bytes of kubepriv and baseline %s" % (mix, "IDENTICAL" if same else "DIFFER"))
            if not same:
                return 1
        if a.floor and os.access(a.floor, os.X_OK):
            # The reply bodies after getinfo's, in order: the floor writes as many bytes.
            want = reply([a.kubepriv], stream)
            bodies = [str(b) for _, b in chunk_sizes(want)[1:]]
            cmds["floor"] = [a.floor, "floor"] + bodies
            cmds["floor-io"] = [a.floor, "floor", "--no-stage1"] + bodies  # its split
            for k in ("floor", "floor-io"):
                got = reply(cmds[k], stream)
                if len(got) != len(want):
                    print("%s: %s reply %d bytes, kubepriv's %d" % (mix, k, len(got), len(want)), file=sys.stderr)
                    return 1
        elif a.floor:
            print("%s: floor SKIPPED (%s not found)" % (mix, a.floor))
        cpu = {k: [] for k in cmds}
        for _ in range(a.runs):
            for k, c in cmds.items():
                t, _, rc = run(c, stream)
                if rc != 0:
                    print("%s exited %d on %s" % (c[0], rc, stream), file=sys.stderr)
                    return 1
                cpu[k].append(t)
        med = {k: statistics.median(v) for k, v in cpu.items()}
        sj = simdjson_cpu(a.simdjson_parse, events, a.runs)
        peer = None
        if a.peer and os.path.exists(a.peer):
            ts = [run([sys.executable, a.peer], stream)[0] for _ in range(a.peer_runs)]
            peer = statistics.median(ts)
        elif a.peer:
            print("%s: Python SDK peer SKIPPED (%s not found)" % (mix, a.peer))
        big = largest_chunk(stream)
        r = {"mix": mix, "events": nev, "json_mb": jbytes / 1e6, "stream_mb": os.path.getsize(stream) / 1e6,
             "kp": med["kubepriv"], "kp_minmax": (min(cpu["kubepriv"]), max(cpu["kubepriv"])), "sj": sj,
             "cat": med["cat"], "peer": peer, "base": med.get("baseline"),
             "floor": med.get("floor"), "floor_io": med.get("floor-io"),
             "rss_mb": statistics.median(peak_rss_kib([a.kubepriv], stream) for _ in range(3)) / 1024, "chunk_mb": big / 2 ** 20}
        rows.append(r)

    print("\nCPU time (user+sys), median of %d interleaved runs; MB/s over the events' JSON bytes" % a.runs)
    for r in rows:
        mbs = lambda t: r["json_mb"] / t if t else float("nan")
        print("== %s mix: %d events, %.1f MB JSON, %.1f MB stream" % (r["mix"], r["events"], r["json_mb"], r["stream_mb"]))
        print("  kubepriv            %.3f s  %6.0f MB/s  (min %.3f max %.3f)" % (r["kp"], mbs(r["kp"]), *r["kp_minmax"]))
        if r["base"] is not None:
            print("  baseline kubepriv   %.3f s  %6.0f MB/s  after/before CPU %.3f" % (r["base"], mbs(r["base"]), r["kp"] / r["base"]))
        print("  simdjson DOM parse  %.3f s  %6.0f MB/s  kubepriv/simdjson %.2fx" % (r["sj"], mbs(r["sj"]), r["sj"] / r["kp"]))
        print("  cat                 %.3f s  %6.0f MB/s" % (r["cat"], mbs(r["cat"])))
        if r["peer"] is not None:
            print("  Python SDK peer     %.3f s  %6.1f MB/s  kubepriv %.0fx faster" % (r["peer"], mbs(r["peer"]), r["peer"] / r["kp"]))
        if r["floor"] is not None:
            fl = r["floor"]
            best = r["sj"] / fl if fl else float("nan")
            print("  floor (read + CSV decode + stage 1 + reply bytes) %.3f s  %6.0f MB/s  floor/simdjson %.2fx" % (
                fl, mbs(fl), best))
            print("    without stage 1 (read + CSV decode + reply bytes) %.3f s = %.2fx simdjson's DOM time" % (
                r["floor_io"], r["floor_io"] / r["sj"] if r["sj"] else float("nan")))
            goal = DOM_GOAL[r["mix"]]
            print("    best kubepriv/simdjson possible %.2fx, goal %.2fx: %s" % (best, goal, reach(best, goal)))
            if r["peer"] is not None:
                best = r["peer"] / fl if fl else float("nan")
                goal = PEER_GOAL.get(r["mix"])
                print("    best peer ratio possible %.0fx%s" % (
                    best, ", goal %dx: %s" % (goal, reach(best, goal)) if goal else ""))
        limit = 2 * r["chunk_mb"] + 32
        print("  peak RSS %.0f MB, largest chunk %.1f MB, limit 2x+32 = %.0f MB: %s" % (
            r["rss_mb"], r["chunk_mb"], limit, "ok" if r["rss_mb"] <= limit else "OVER"))
    return 0


def reach(best, goal):
    """Whether a goal lies within the floor's best ratio, and by how much it does not."""
    if not best > 0:
        return "not measurable (too short a run)"
    return "within the floor" if best >= goal else "BEYOND the floor (needs %.2fx the floor's speed)" % (goal / best)


if __name__ == "__main__":
    sys.exit(main())
