"""SIGTERM at many points: while the input waits for its rate limiter, sleeps in a retry backoff,
has a request in flight, sleeps between polls or starts up (right after exec, with and without
SIGTERM blocked by the parent), with exit_when_caught_up true and false. Every SIGTERM that
lands after the program's first instruction ends the process with exit 0 and no ERROR line, no
log line promises a retry, and over all runs no event is lost or repeated (docs/input-loop.md).
"""

import os
import random
import re
import signal
import tempfile
import time
import unittest

import fakeaws
import harness as H

SEED = int(os.environ.get("KUBEPRIV_STOP_SEED", "20261202"))
RUNS = int(os.environ.get("KUBEPRIV_STOP_RUNS", "30"))
EARLY_RUNS = int(os.environ.get("KUBEPRIV_EARLY_STOP_RUNS", "100"))


def fault_schedule(fake):
    """Transient failures on a schedule: every 4th call a 503, every 9th a throttle (never three
    in a row, so the retries succeed and only a SIGTERM ends a run early), every 23rd a request
    that stays in flight for 0.4 s."""
    for n in range(1, 20000):
        if n % 9 == 0:
            fake.faults[n] = "throttle"
        elif n % 4 == 0:
            fake.faults[n] = "503"
        elif n % 23 == 0:
            fake.faults[n] = "slow:0.4"


class StopTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws(max_requests=60000, max_seconds=500).start()
        self.addCleanup(self.fake.stop)
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        self.fake.page_limit = 20
        fault_schedule(self.fake)
        self.ckdir = tempfile.mkdtemp()
        self.env = H.base_env(self.fake)
        self.feed = H.EventFeed(self.fake)
        now = int(time.time() * 1000)
        for i in range(600):
            self.feed.add(now - 3600000 + i * 5000)
        self.feed.live(0.2, lambda: [1000])

    def doc(self, exit_when_caught_up, rate_limit="1"):
        return H.definition({"s": H.params(start_position="-2h", latency="2s", overlap="600s",
                                           poll_interval="1s", rate_limit=rate_limit,
                                           exit_when_caught_up=exit_when_caught_up)}, self.ckdir)

    def term(self, r, delay, blocked=False):
        """Run r (exit_when_caught_up on even runs) stopped by SIGTERM after `delay` s. A clean
        stop: exit 0, no ERROR line, no promised retry, a complete stream (or none at all).
        Returns (the delivered events' data or None when killed before start, stderr). Started
        with SIGTERM blocked (`blocked`), it may never be killed before start."""
        exit_when_caught_up = "true" if r % 2 == 0 else "false"
        rc, out, err = H.signal_after(self.doc(exit_when_caught_up), self.env, delay, signal.SIGTERM,
                                      blocked=blocked)
        context = "run %d (exit_when_caught_up=%s, SIGTERM after %.4fs%s):\n%s" % (
            r, exit_when_caught_up, delay, ", blocked at exec" if blocked else "", err[-3000:])
        if H.killed_before_start(rc, out, err) and not blocked:
            return None, err
        self.assertEqual(rc, 0, context)
        self.assertNotRegex(err, r"(?m)^ERROR ", context)
        self.assertNotIn("next try", err, context)
        H.check_log_lines(self, err, ["SECRETTEST"])
        if not out:
            return [], err  # stopped before the stream opened
        self.assertTrue(out.endswith(b"</stream>\n"), out[-200:])
        return [e["data"] for e in H.stream_events(out)], err

    def final_run(self, runs):
        """Collects the rest without faults and checks each event came exactly once."""
        self.feed.stop()
        time.sleep(3)  # past the latency
        self.fake.faults.clear()
        rc, out, err = H.run(self.doc("true", rate_limit="25"), self.env, timeout=120)
        self.assertEqual(rc, 0, err[-2000:])
        self.assertNotRegex(err, r"(?m)^ERROR ")
        runs.append([e["data"] for e in H.stream_events(out)])
        H.assert_each_event_once(self, runs, self.feed.messages())

    def test_sigterm_anywhere_is_a_clean_stop(self):
        rng = random.Random(SEED)
        phases = {"rate limiter": 0, "retry backoff": 0, "other": 0, "before start": 0, "finished": 0}
        runs = []
        for r in range(RUNS):
            # Mostly within the first seconds (limiter waits, backoffs); a few at start-up.
            delay = rng.choice([0.0, 0.003, 0.02]) if r % 7 == 3 else rng.uniform(0.05, 3.0)
            data, err = self.term(r, delay)
            runs.append(data or [])
            if data is None:
                phases["before start"] += 1
                continue
            m = re.search(r"(?m)^INFO input \S+: stopping \((.*)\)", err)
            if m and "rate limiter" in m.group(1):
                phases["rate limiter"] += 1
            elif m and "backoff" in m.group(1):
                phases["retry backoff"] += 1
            elif "stopped by signal" in err:
                phases["other"] += 1
            else:
                phases["finished"] += 1
        self.final_run(runs)
        # The storm did reach the waits the issue is about.
        self.assertGreater(phases["rate limiter"], 0, phases)
        self.assertGreater(phases["retry backoff"], 0, phases)
        print("\nstop test: seed=%d runs=%d events=%d, SIGTERM landed in: %s" % (
            SEED, RUNS, len(self.feed.messages()), phases))

    def test_sigterm_right_after_exec(self):
        """Spawn and SIGTERM at once, or within the first milliseconds, many times; half of the
        tries start with SIGTERM blocked, so a signal that lands before the program's first
        instruction waits for the handler: those must all end cleanly."""
        delays = [0.0, 0.0, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.008, 0.012, 0.02, 0.04, 0.08]
        outcomes = {"before start": 0, "clean": 0, "clean (blocked at exec)": 0}
        runs = []
        for r in range(EARLY_RUNS):
            # Each delay with both exit_when_caught_up values (r % 2), blocked at exec or not.
            blocked = r % 4 >= 2
            data, _ = self.term(r, delays[(r // 4) % len(delays)], blocked=blocked)
            runs.append(data or [])
            if data is None:
                outcomes["before start"] += 1
            else:
                outcomes["clean (blocked at exec)" if blocked else "clean"] += 1
        self.final_run(runs)
        print("\nearly stop test: tries=%d, %s" % (EARLY_RUNS, outcomes))


if __name__ == "__main__":
    unittest.main()
