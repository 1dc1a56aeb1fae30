#!/usr/bin/env python3
"""Peak memory of eks_audit_logs while it drains a large backlog from the fake CloudWatch Logs
server (tests/integration/fakeaws.py, SyntheticStore: pages generated on demand, SigV4 verified
with botocore on every request).

usage: drain_backlog.py BINARY [--mb 1024] [--event-bytes 2000] [--span-hours 24] [--rate 25]
Prints events, bytes, wall time, API calls (and per 100,000 events), peak RSS from
/usr/bin/time -v and RSS samples over the run (to show it is flat).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import fakeaws  # noqa: E402
import harness as H  # noqa: E402


def child_pid(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--mb", type=float, default=1024)
    ap.add_argument("--event-bytes", type=int, default=2000)
    ap.add_argument("--span-hours", type=float, default=24)
    ap.add_argument("--rate", default="25")
    a = ap.parse_args()

    count = int(a.mb * 1e6 / a.event_bytes)
    now = int(time.time() * 1000)
    span = int(a.span_hours * 3600000)
    step = max(1, span // count)
    base = now - 3600000 - step * count
    fake = fakeaws.FakeAws(max_requests=10 ** 7, max_seconds=10 ** 5)
    fake.add_key("AKIDTEST", "SECRETTEST")
    fake.store = fakeaws.SyntheticStore(H.GROUP, H.AUDIT, count, base, step, a.event_bytes)
    fake.start()
    ck = tempfile.mkdtemp()
    start_iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base / 1000 - 1))
    doc = H.definition({"bench": H.params(start_position=start_iso, latency="1s", rate_limit=a.rate,
                                          exit_when_caught_up="true", max_pages_per_cycle="100000")}, ck)
    env = H.base_env(fake)
    t0 = time.time()
    p = subprocess.Popen(["/usr/bin/time", "-v", a.binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    p.stdin.write(doc)
    p.stdin.close()
    err_chunks = []
    threading.Thread(target=lambda: err_chunks.append(p.stderr.read()), daemon=True).start()
    samples = []
    stop = threading.Event()

    def sampler():
        kid = None
        while not stop.is_set():
            kid = kid or child_pid(p.pid)
            if kid:
                r = rss_kb(kid)
                if r:
                    samples.append((time.time() - t0, r))
            time.sleep(0.5)

    threading.Thread(target=sampler, daemon=True).start()
    nbytes = newlines = 0
    while True:
        chunk = p.stdout.read(1 << 20)
        if not chunk:
            break
        nbytes += len(chunk)
        newlines += chunk.count(b"\n")
    p.wait()
    stop.set()
    wall = time.time() - t0
    time.sleep(0.2)
    err = b"".join(err_chunks).decode(errors="replace")
    fake.stop()
    events = newlines - 2  # "<stream>\n" and "</stream>\n"
    calls = len(fake.calls())
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    print("backlog: %d events x ~%d B = %.0f MB over %.1f h (exit %d)" % (count, a.event_bytes, count * a.event_bytes / 1e6,
                                                                          a.span_hours, p.returncode))
    print("delivered: %d events, %.0f MB of XML in %.1f s (%.1f MB/s, %.0f events/s)" % (
        events, nbytes / 1e6, wall, nbytes / 1e6 / wall, events / wall))
    print("API calls: %d (%.1f per 100,000 events)" % (calls, calls * 1e5 / max(events, 1)))
    print("peak RSS (/usr/bin/time -v): %s kB" % (peak.group(1) if peak else "?"))
    if samples:
        n = len(samples)
        pick = [samples[min(n - 1, int(n * f))] for f in (0.1, 0.25, 0.5, 0.75, 0.95)]
        print("RSS samples (s, kB) at 10/25/50/75/95%% of the run: %s" % ", ".join("(%.0f, %d)" % s for s in pick))
    if events != count or p.returncode != 0:
        print("FAILED: expected %d events, exit 0; stderr tail:\n%s" % (count, err[-3000:]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
