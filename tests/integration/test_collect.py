"""Delivery through the real binary: exactly once, metadata, late events, big and odd messages."""

import json
import signal
import tempfile
import time
import unittest

import fakeaws
import harness as H


class CollectTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws().start()
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        self.dir = tempfile.mkdtemp()
        self.now = int(time.time() * 1000)

    def tearDown(self):
        self.fake.stop()

    def run_once(self, **params):
        doc = H.definition({"prod": H.params(exit_when_caught_up="true", **params)}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake))
        H.check_log_lines(self, err, ["SECRETTEST", "sess-KEY-123"])
        return rc, out, err

    def test_exit_when_caught_up_does_not_wait_a_poll_interval(self):
        """One bounded pass for interval/cron schedules: once caught up the input exits at
        once, not after sleeping its poll_interval (here 300 s)."""
        self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000, '{"n":1}')
        t0 = time.monotonic()
        rc, out, err = self.run_once(poll_interval="300s")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 1)
        self.assertLess(time.monotonic() - t0, 30, err)

    def test_time_is_request_received_timestamp(self):
        """<time> (hence _time) is the audit event's requestReceivedTimestamp, as props.conf and
        the README say; CloudWatch's timestamp only when the event has none or a bad one."""
        cw = self.now - 600000
        rrt = cw - 4321  # the API server received the request before CloudWatch stamped it
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(rrt // 1000)) + ".%03d789Z" % (rrt % 1000)
        cases = {
            "with": (json.dumps({"kind": "Event", "auditID": "a1",
                                 "requestObject": {"requestReceivedTimestamp": "1999-01-01T00:00:00Z"},
                                 "requestReceivedTimestamp": iso,
                                 "stageTimestamp": iso}), rrt),
            "without": (json.dumps({"kind": "Event", "auditID": "a2"}), cw + 1),
            "bad": (json.dumps({"kind": "Event", "auditID": "a3",
                                "requestReceivedTimestamp": "yesterday"}), cw + 2),
            "cut": ('{"kind":"Event","auditID":"a4","requestReceivedTimestamp":"%s' % iso, cw + 3),
        }
        for i, (_, (msg, _)) in enumerate(cases.items()):
            self.fake.store.add(H.GROUP, H.AUDIT, cw + i, msg)
        rc, out, err = self.run_once()
        self.assertEqual(rc, 0, err)
        got = {e["data"]: e["time"] for e in H.stream_events(out)}
        for name, (msg, want_ms) in cases.items():
            self.assertEqual(got[msg], "%d.%03d" % (want_ms // 1000, want_ms % 1000), name)

    def test_every_event_once_with_metadata(self):
        msgs = []
        for i in range(120):
            ts = self.now - 3600000 + i * 7000
            m = json.dumps({"kind": "Event", "auditID": "id-%d" % i, "x": "<&>'\"]]>"})
            self.fake.store.add(H.GROUP, H.AUDIT if i % 2 else H.AUDIT.replace("0123", "fedc"), ts, m)
            msgs.append((ts, m))
        # Same-millisecond events and an api stream with a look-alike prefix.
        for k in range(3):
            self.fake.store.add(H.GROUP, H.AUDIT, self.now - 1800000, '{"same":%d}' % k)
            msgs.append((self.now - 1800000, '{"same":%d}' % k))
        self.fake.store.add(H.GROUP, "kube-apiserver-0123", self.now - 1800000, "api stream, not audit")
        self.fake.page_limit = 7
        rc, out, err = self.run_once()
        self.assertEqual(rc, 0, err)
        events = H.stream_events(out)
        got = sorted((round(float(e["time"]) * 1000), e["data"]) for e in events)
        self.assertEqual(got, sorted(msgs))
        for e in events:
            self.assertEqual(e["stanza"], "eks_audit_logs://prod")
            self.assertEqual(e["unbroken"], "1")
            self.assertEqual(e["host"], "demo")  # derived from /aws/eks/demo/cluster
            self.assertEqual(e["source"], "kubernetes")
            self.assertEqual(e["sourcetype"], "aws:cloudwatchlogs:eks")
            self.assertEqual(e["index"], "main")
            self.assertRegex(e["time"], r"^\d{10}\.\d{3}$")
        self.assertNotIn("api stream", out.decode())
        logs = self.fake.calls()
        self.assertTrue(all(r["status"] == 200 for r in logs), [r["error"] for r in logs])
        for r in logs:
            self.assertEqual(r["request"]["logStreamNamePrefix"], "kube-apiserver-audit-")
            self.assertEqual(r["request"]["logGroupName"], H.GROUP)

    def test_overrides_and_cluster_name(self):
        self.fake.store.add("/aws/eks/blue/cluster", H.AUDIT, self.now - 60000, '{"a":1}')
        rc, out, err = self.run_once(log_group="", cluster_name="blue", host="k8s-blue-host",
                                     sourcetype="custom:st", source="eks-audit", index="default")
        self.assertEqual(rc, 0, err)
        [e] = H.stream_events(out)
        self.assertEqual((e["host"], e["sourcetype"], e["source"]), ("k8s-blue-host", "custom:st", "eks-audit"))
        self.assertNotIn("index", e)  # "default" means Splunk's default index: not written

    def test_late_events_inside_the_overlap_arrive_exactly_once(self):
        for i in range(10):
            self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000 + i, '{"early":%d}' % i)
        late_ts = self.now - 50000
        for i in range(5):  # timestamps in the first window, visible only 4 s later
            self.fake.store.add(H.GROUP, H.AUDIT, late_ts + i, '{"late":%d}' % i, ingest=self.now + 4000)
        doc = H.definition({"prod": H.params(start_position="-5m")}, self.dir)
        p = H.start(doc, H.base_env(self.fake))
        try:
            late_ids = {e.eid for e in self.fake.store.events if '"late"' in e.message}
            ok = H.wait_for(lambda: any(late_ids & set(r.get("event_ids", [])) for r in self.fake.calls()), 30)
            self.assertTrue(ok, "late events never served")
            time.sleep(1.5)  # at least one more cycle that re-reads the overlap
            p.send_signal(signal.SIGTERM)
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0, err.decode())
        data = [e["data"] for e in H.stream_events(out)]
        self.assertEqual(sorted(data), sorted(['{"early":%d}' % i for i in range(10)] + ['{"late":%d}' % i for i in range(5)]))
        calls = self.fake.calls()
        first_early = min(i for i, r in enumerate(calls) if r.get("events"))
        first_late = min(i for i, r in enumerate(calls) if late_ids & set(r.get("event_ids", [])))
        self.assertGreater(first_late, first_early, "late events must come from a later window")
        served = sum(r.get("events", 0) for r in self.fake.calls())
        self.assertGreater(served, 15, "overlap re-reads should have served repeats")
        self.assertRegex(err.decode(), r"late_events=[1-9]")

    def test_one_megabyte_events_and_odd_bytes_are_forwarded(self):
        big = '{"kind":"Event","requestObject":"' + "A" * (1048576 - 60) + '"}'
        odd = '{"ctl":"\x01\x07\x1b","utf8":"caf\u00e9 \u20ac \U0001F600","lt":"</data>"}'
        trunc = '{"kind":"Event","requestObject":{"spec":"cut here[Truncated...]'
        self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000, big)
        self.fake.store.add(H.GROUP, H.AUDIT, self.now - 59000, odd)
        self.fake.store.add(H.GROUP, H.AUDIT, self.now - 58000, trunc)
        rc, out, err = self.run_once()
        self.assertEqual(rc, 0, err)
        data = [e["data"] for e in H.stream_events(out)]
        self.assertEqual(len(data), 3)
        self.assertEqual(data[0], big)
        self.assertEqual(data[1], odd.replace("\x01", "\ufffd").replace("\x07", "\ufffd").replace("\x1b", "\ufffd"))
        self.assertEqual(data[2], trunc)

    def test_empty_pages_with_tokens_and_null_token(self):
        for i in range(6):
            self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000 + i, '{"n":%d}' % i)
        self.fake.empty_pages = 4
        self.fake.null_token_at_end = True
        self.fake.page_limit = 4
        rc, out, err = self.run_once()
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 6)
        empties = [r for r in self.fake.calls() if r.get("events") == 0]
        self.assertGreaterEqual(len(empties), 4)

    def test_rate_limit_is_respected(self):
        for i in range(12):
            self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000 + i, '{"n":%d}' % i)
        self.fake.page_limit = 1
        rc, out, err = self.run_once(rate_limit="2")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 12)
        t = [r["t"] for r in self.fake.calls()]
        self.assertGreaterEqual(len(t), 12)
        # A token bucket at 2/s may start with a small burst; after that, 2 calls per second.
        self.assertGreaterEqual(t[-1] - t[0], (len(t) - 3) / 2.0 - 0.1)

    def test_endpoint_precedence_and_https_proxy(self):
        self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000, '{"a":1}')
        dead = "http://127.0.0.1:9"  # discard port: nothing answers there
        # endpoint_url (stanza) beats AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.
        doc = H.definition({"p": H.params(exit_when_caught_up="true", endpoint_url=self.fake.url)}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=dead))
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 1)
        # AWS_ENDPOINT_URL alone is honoured.
        env = H.base_env(self.fake, AWS_ENDPOINT_URL=self.fake.url)
        del env["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"]
        rc, out, err = H.run(H.definition({"q": H.params(exit_when_caught_up="true")}, self.dir), env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 1)
        self.assertFalse(any(r["proxied"] for r in self.fake.calls()))

    def test_https_through_proxy_with_ca_bundle_and_verified_tls(self):
        """HTTPS_PROXY + AWS_CA_BUNDLE + the region's default https endpoint: the input connects
        through the proxy (CONNECT logs.eu-west-1.amazonaws.com:443), which tunnels to a local
        TLS fake whose certificate is for that name. Without the CA bundle, TLS verification
        must fail."""
        import os
        import subprocess
        d = tempfile.mkdtemp()
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "1", "-subj", "/CN=logs.eu-west-1.amazonaws.com",
                        "-addext", "subjectAltName=DNS:logs.eu-west-1.amazonaws.com"],
                       check=True, capture_output=True, timeout=60)
        tls = fakeaws.FakeAws(max_requests=200, max_seconds=120, tls=(cert, key)).start()
        self.addCleanup(tls.stop)
        tls.add_key("AKIDTEST", "SECRETTEST")
        tls.store.add(H.GROUP, H.AUDIT, self.now - 60000, '{"via":"proxy"}')
        proxy = fakeaws.ConnectProxy(tls.port).start()
        self.addCleanup(proxy.stop)
        env = H.base_env(tls, HTTPS_PROXY=proxy.url, AWS_CA_BUNDLE=cert)
        del env["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"]  # the region's real https endpoint name
        doc = H.definition({"t": H.params(exit_when_caught_up="true")}, self.dir)
        rc, out, err = H.run(doc, env)
        self.assertEqual(rc, 0, err)
        self.assertEqual([e["data"] for e in H.stream_events(out)], ['{"via":"proxy"}'])
        self.assertTrue(proxy.connects)
        self.assertTrue(all(c.startswith("CONNECT logs.eu-west-1.amazonaws.com:443 ") for c in proxy.connects),
                        proxy.connects)
        self.assertTrue(all(r["status"] == 200 for r in tls.calls()))
        # The same without the CA bundle: the peer cannot be verified, nothing is read.
        del env["AWS_CA_BUNDLE"]
        served = len(tls.calls())
        rc, out, err = H.run(H.definition({"u": H.params(exit_when_caught_up="true")}, self.dir), env)
        self.assertEqual(rc, 1)
        self.assertEqual(H.stream_events(out), [])
        self.assertRegex(err, r"(?mi)^ERROR .*(certificate|TLS|SSL|verif)")
        self.assertEqual(len(tls.calls()), served)

    def test_closed_stdout_stops_without_checkpointing_unwritten_events(self):
        import subprocess
        for i in range(30):
            self.fake.store.add(H.GROUP, H.AUDIT, self.now - 60000 + i, '{"n":%d}' % i)
        self.fake.page_limit = 5
        doc = H.definition({"prod": H.params(exit_when_caught_up="true")}, self.dir)
        p = subprocess.Popen([H.BINARY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=H.base_env(self.fake))
        p.stdout.close()  # splunkd went away: every write fails with EPIPE
        _, err = p.communicate(doc, timeout=60)
        self.assertEqual(p.returncode, 2, err.decode())
        self.assertRegex(err.decode(), r"(?m)^ERROR .*writing the event stream failed")
        rc, out, err = self.run_once()  # nothing was checkpointed past what was written: all 30 come
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 30)

    def test_missing_log_group_is_reported(self):
        rc, out, err = self.run_once(log_group="/aws/eks/nothere/cluster")
        self.assertEqual(rc, 1)
        self.assertEqual(H.stream_events(out), [])
        self.assertRegex(err, r"(?m)^ERROR .*ResourceNotFound")


if __name__ == "__main__":
    unittest.main()
