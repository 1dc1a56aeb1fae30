"""`eks_audit_logs pull` as people run it (issue 14): the progress line (time reached, events,
API calls, throttles) on a terminal or with --progress and nowhere else; Ctrl-C finishes the page
in hand, prints the summary and exits 130."""

import os
import shutil
import signal
import subprocess
import time
import unittest

import fakeaws
import harness as H


class PullProgressTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws(max_requests=200, max_seconds=60).start()
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        t0 = int(time.time()) * 1000 - 7200000
        for i in range(40):
            self.fake.store.add(H.GROUP, H.AUDIT, t0 + i * 60000,
                                '{"kind":"Event","auditID":"a%d"}' % i)
        self.fake.page_limit = 4  # 10 pages
        self.args = [H.BINARY, "pull", "--region", "eu-west-1", "--log-group", H.GROUP,
                     "--since", "-3h", "--rate-limit", "1000"]

    def tearDown(self):
        self.fake.stop()

    def run_pull(self, *extra):
        p = subprocess.run(self.args + list(extra), capture_output=True, timeout=60,
                           env=H.base_env(self.fake))
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_no_progress_in_a_pipe(self):
        rc, out, err = self.run_pull()
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 40)
        self.assertNotIn("\r", err)
        self.assertNotIn("\x1b", err)
        self.assertRegex(err, r"(?m)^INFO done: 40 events, 10 pages, 10 API calls, 0 throttled$")

    def test_progress_when_asked_counts_calls_and_throttles(self):
        self.fake.faults = {2: "throttle"}
        rc, out, err = self.run_pull("--progress")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 40)
        self.assertRegex(err, r"\reks_audit_logs pull: at \d{4}-\d\d-\d\dT[0-9:.]+Z \(\d+% of the "
                              r"window\), \d+ events, \d+ API calls, [01] throttled, \d+:\d\d")
        # Erased before the final summary, which counts the throttled call.
        self.assertRegex(err, r"\r\x1b\[KINFO done: 40 events, 10 pages, 10 API calls, "
                              r"1 throttled\n$")
        self.assertNotIn("SECRETTEST", err)

    def test_progress_on_a_terminal(self):
        if shutil.which("script") is None:
            self.skipTest("script (util-linux) absent")
        cmd = " ".join("'%s'" % a for a in self.args) + " >/dev/null"
        env = dict(H.base_env(self.fake), TERM="xterm")
        p = subprocess.run(["script", "-qefc", cmd, "/dev/null"], capture_output=True,
                           timeout=60, env=env, stdin=subprocess.DEVNULL)
        tty = p.stdout.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, tty)
        self.assertIn("\reks_audit_logs pull: at ", tty)
        self.assertIn("\r\x1b[KINFO done: 40 events", tty)

    def test_ctrl_c_finishes_the_page_in_hand_and_exits_130(self):
        self.fake.faults = {3: "slow:1.5"}  # page 3 is in hand when Ctrl-C comes
        p = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=H.base_env(self.fake))
        try:
            self.assertTrue(H.wait_for(lambda: self.fake.fle_calls >= 3, 30))
            time.sleep(0.3)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        err = err.decode()
        self.assertEqual(p.returncode, 130, err)
        self.assertEqual(out.decode().splitlines(),
                         ['{"kind":"Event","auditID":"a%d"}' % i for i in range(12)])
        self.assertRegex(err, r"(?m)^INFO interrupted: 12 events, 3 pages, 3 API calls, "
                              r"0 throttled, reached \d{4}-")
        self.assertEqual(self.fake.fle_calls, 3)


if __name__ == "__main__":
    unittest.main()
