"""Scripted CloudWatch faults (cloudwatch.md §13.4): the input retries, keeps its checkpoint on a
failed cycle, and still delivers every event exactly once."""

import signal
import tempfile
import time
import unittest

import fakeaws
import harness as H

N = 40


class FaultTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws(max_requests=2000, max_seconds=240).start()
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        self.dir = tempfile.mkdtemp()
        now = int(time.time() * 1000)
        self.expected = []
        for i in range(N):
            m = '{"n":%d}' % i
            self.fake.store.add(H.GROUP, H.AUDIT, now - 1200000 + i * 1000, m)
            self.expected.append(m)
        self.fake.page_limit = 5

    def tearDown(self):
        self.fake.stop()

    def collect(self, env=None, timeout=60, **params):
        """Runs the input (polling) until every expected event was served and a little longer,
        then SIGTERM; returns (data list, stderr)."""
        doc = H.definition({"prod": H.params(**params)}, self.dir)
        p = H.start(doc, env or H.base_env(self.fake))
        try:
            ids = {e.eid for e in self.fake.store.events}
            served = lambda: ids <= {i for r in self.fake.calls() for i in r.get("event_ids", [])}
            self.assertTrue(H.wait_for(served, timeout), "not every event was served in time")
            time.sleep(1.0)
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        err = err.decode()
        self.assertEqual(p.returncode, 0, err)
        H.check_log_lines(self, err, ["SECRETTEST"])
        return [e["data"] for e in H.stream_events(out)], err

    def assert_exactly_once(self, data):
        self.assertEqual(sorted(data), sorted(self.expected))
        self.assertEqual(len(data), len(set(data)), "duplicates delivered")

    def test_throttling_burst_and_namespaced_code(self):
        for n in (2, 3, 4, 5, 6):
            self.fake.faults[n] = "throttle"
        self.fake.faults[9] = "throttle_ns"
        data, err = self.collect()
        self.assert_exactly_once(data)
        throttled = [r for r in self.fake.calls() if r.get("error") == "ThrottlingException" or r.get("fault") == "throttle_ns"]
        self.assertEqual(len(throttled), 6)
        self.assertRegex(err, r"throttles=[1-9]")

    def test_server_errors_reset_and_slow_response(self):
        self.fake.faults.update({2: "500", 3: "503", 5: "reset", 7: "html502", 8: "slow:2"})
        data, err = self.collect()
        self.assert_exactly_once(data)
        self.assertRegex(err, r"retries=[1-9]")

    def test_malformed_json_fails_the_cycle_not_the_data(self):
        self.fake.faults.update({3: "malformed"})
        data, err = self.collect()
        self.assert_exactly_once(data)
        self.assertRegex(err, r"(?m)^(ERROR|WARN) .*(parse|JSON|json)")

    def test_expired_token_refreshes_and_retries(self):
        self.fake.faults.update({2: "expired"})
        data, err = self.collect()
        self.assert_exactly_once(data)
        calls = self.fake.calls()
        i = next(k for k, r in enumerate(calls) if r.get("error") == "ExpiredTokenException")
        self.assertEqual(calls[i + 1]["status"], 200, "the retry after refreshing must succeed")

    def test_clock_skew_is_corrected_from_the_date_header(self):
        self.fake.skew_seconds = 900  # the fake's clock runs 15 min ahead: every signature is stale
        data, err = self.collect()
        self.assert_exactly_once(data)
        calls = self.fake.calls()
        self.assertEqual(calls[0]["error"], "InvalidSignatureException")
        skewed = [r for r in calls if r.get("error") == "InvalidSignatureException"]
        self.assertLessEqual(len(skewed), 2, "the offset must be applied once learnt")

    def test_wrong_secret_and_wrong_region_fail_clearly(self):
        for env, params, needle in (
                (H.base_env(self.fake, secret="WRONGSECRET"), {}, "InvalidSignature"),
                (H.base_env(self.fake, akid="AKIDUNKNOWN", secret="X"), {}, "UnrecognizedClient"),
                (H.base_env(self.fake), {"region": "us-east-2"}, "InvalidSignature")):
            before = len(self.fake.calls())
            doc = H.definition({"prod": H.params(exit_when_caught_up="true", **params)}, self.dir)
            rc, out, err = H.run(doc, env)
            self.assertEqual(rc, 1, err)
            self.assertEqual(H.stream_events(out), [])
            self.assertRegex(err, r"(?m)^ERROR .*" + needle)
            H.check_log_lines(self, err, ["WRONGSECRET"])
            self.assertLessEqual(len(self.fake.calls()) - before, 6, "auth failures must not be hammered")

    def test_access_denied_is_reported(self):
        self.fake.faults.update({1: "denied"})
        doc = H.definition({"prod": H.params(exit_when_caught_up="true")}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"(?m)^ERROR .*AccessDenied")
        self.assertEqual(len(self.fake.calls()), 1)


if __name__ == "__main__":
    unittest.main()
