"""`eks_audit_logs pull`: JSON lines for `kubepriv scan -`."""

import json
import subprocess
import time
import unittest

import fakeaws
import harness as H


class PullTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws(max_requests=200, max_seconds=60).start()
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        self.t0 = int(time.time()) * 1000 - 7200000

    def tearDown(self):
        self.fake.stop()

    def pull(self, *args, env=None):
        p = subprocess.run([H.BINARY, "pull", *args], capture_output=True, timeout=60,
                           env=env or H.base_env(self.fake))
        return p.returncode, p.stdout.decode(), p.stderr.decode()

    def test_prints_one_message_per_line_in_range(self):
        msgs = []
        for i in range(30):
            m = json.dumps({"kind": "Event", "auditID": "a%d" % i, "verb": "create"})
            if i == 5:
                m = '{"kind":"Event",\n"auditID":"a5"}\n'  # pretty-printed: still one line out
            self.fake.store.add(H.GROUP, H.AUDIT, self.t0 + i * 60000, m)
            msgs.append(m)
        self.fake.store.add(H.GROUP, "kube-apiserver-0000", self.t0 + 60000, '{"api":1}')
        self.fake.page_limit = 4
        since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((self.t0 + 10 * 60000) / 1000))
        until = str((self.t0 + 19 * 60000) // 1000)
        rc, out, err = self.pull("--region", "eu-west-1", "--cluster", "demo", "--since", since, "--until", until)
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines, [json.dumps({"kind": "Event", "auditID": "a%d" % i, "verb": "create"})
                                 for i in range(10, 20)])
        rc, out, err = self.pull("--region", "eu-west-1", "--log-group", H.GROUP, "--since", "-3h")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(len(lines), 30)
        self.assertEqual(lines[5], '{"kind":"Event", "auditID":"a5"}')
        for line in lines:
            json.loads(line)
        H.check_log_lines(self, err, ["SECRETTEST"])

    def test_bad_arguments_are_explained(self):
        for args, needle in ((["--region", "eu-west-1"], "exactly one of --log-group, --cluster"),
                             (["--log-group", "g", "--region", "EU West"], "not a region"),
                             (["--cluster", "c", "--region", "eu-west-1", "--since", "last tuesday"], "--since"),
                             (["--cluster", "c", "--region", "eu-west-1", "--bogus", "1"], "unknown option"),
                             (["--cluster", "c", "--region", "eu-west-1", "--since", "-1h", "--until", "-2h"], "before")):
            rc, out, err = self.pull(*args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, "")
            self.assertIn(needle, err)
        self.assertEqual(self.fake.calls(), [])

    def test_api_failure_exits_non_zero(self):
        rc, out, err = self.pull("--region", "eu-west-1", "--log-group", "/aws/eks/none/cluster")
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"(?m)^ERROR FilterLogEvents failed")


if __name__ == "__main__":
    unittest.main()
