"""Restart tests: the input is killed with SIGKILL and SIGTERM at random (seeded) points over one
growing stream of events. Afterwards every event was delivered; SIGTERM never causes a
duplicate; a SIGKILL repeats at most one page (the events written after the last checkpoint).
"""

import os
import random
import signal
import tempfile
import time
import unittest

import fakeaws
import harness as H

SEED = int(os.environ.get("KUBEPRIV_RESTART_SEED", "20261128"))
RUNS = int(os.environ.get("KUBEPRIV_RESTART_RUNS", "24"))
PAGE = 25  # events per FilterLogEvents page (server side): the kill -9 bound


class RestartTest(unittest.TestCase):
    def test_kill_and_term_at_random_points(self):
        rng = random.Random(SEED)
        fake = fakeaws.FakeAws(max_requests=60000, max_seconds=500).start()
        self.addCleanup(fake.stop)
        fake.add_key("AKIDTEST", "SECRETTEST")
        fake.page_limit = PAGE
        ckdir = tempfile.mkdtemp()
        now = int(time.time() * 1000)
        feed = H.EventFeed(fake)
        for i in range(2000):  # backlog; some share a millisecond
            feed.add(now - 7200000 + (i // 3) * 3000)
        frng = random.Random(SEED + 1)
        # Live events, many of them late (timestamp up to 60 s in the past).
        feed.live(0.1, lambda: [frng.randint(0, 60000) for _ in range(3)])
        env = H.base_env(fake)
        doc = H.definition({"r": H.params(start_position="-3h", latency="3s", overlap="600s",
                                          poll_interval="1s")}, ckdir)
        kinds = ["KILL", "TERM"] * (RUNS // 2)
        rng.shuffle(kinds)
        runs = []
        for kind in kinds:
            rc, out, err = H.signal_after(doc, env, rng.uniform(0.15, 2.5),
                                          signal.SIGKILL if kind == "KILL" else signal.SIGTERM,
                                          timeout=30)
            if kind == "TERM" and H.killed_before_start(rc, out, err):
                # The signal came before the program's first instruction (slow start, e.g. under
                # ASan): nothing was read or written, so nothing can repeat.
                runs.append((kind, []))
                continue
            if kind == "TERM":
                self.assertEqual(rc, 0, err[-2000:])
                self.assertTrue(out.endswith(b"</stream>\n"), out[-200:])
                events = H.stream_events(out)  # well-formed as a whole
                self.assertRegex(err, r"(?m)^INFO stopped by signal")
            else:
                self.assertEqual(rc, -signal.SIGKILL)
                events = H.complete_events(out)
            H.check_log_lines(self, err, ["SECRETTEST"])
            runs.append((kind, [e["data"] for e in events]))
        feed.stop()
        time.sleep(4)  # past the latency: the last live events are now collectable
        final = H.definition({"r": H.params(start_position="-3h", latency="3s", overlap="600s",
                                            exit_when_caught_up="true")}, ckdir)
        rc, out, err = H.run(final, env, timeout=120)
        self.assertEqual(rc, 0, err[-2000:])
        runs.append(("FINAL", [e["data"] for e in H.stream_events(out)]))

        # Every event delivered; repeats only after a SIGKILL, at most one page per kill.
        last_run = {}
        repeats_after = [0] * len(runs)
        for r, (kind, data) in enumerate(runs):
            self.assertEqual(len(data), len(set(data)), "a run repeated an event within itself")
            for d in data:
                if d in last_run:
                    prev = last_run[d]
                    self.assertEqual(runs[prev][0], "KILL",
                                     "event %s repeated by run %d after %s run %d" % (d, r, runs[prev][0], prev))
                    repeats_after[prev] += 1
                last_run[d] = r
        all_msgs = feed.messages()
        missing = all_msgs - set(last_run)
        self.assertEqual(missing, set(), "%d events never delivered" % len(missing))
        for r, (kind, _) in enumerate(runs):
            if kind == "KILL":
                self.assertLessEqual(repeats_after[r], PAGE, "kill -9 in run %d repeated more than a page" % r)
        kills = [repeats_after[r] for r, (k, _) in enumerate(runs) if k == "KILL"]
        print("\nrestart test: seed=%d runs=%d events=%d delivered=%d repeats after kill -9: %s (bound %d), "
              "repeats after SIGTERM: 0" % (SEED, len(runs), len(all_msgs), sum(len(d) for _, d in runs),
                                           kills, PAGE))


if __name__ == "__main__":
    unittest.main()
