#!/usr/bin/env python3
"""End-to-end tests of `kubepriv scan`: the real binary over files and pipes.

    scan_e2e.py --kubepriv BIN --examples DIR --fixtures DIR [unittest args]

Fixture cases read DIR/k8s-audit (tests/fixtures, part of the repository). Every subprocess has a
timeout, so a hang fails the test instead of blocking the suite.
"""
import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import unittest

ARGS = None
TIMEOUT = 120


def run(args, stdin=None, input_bytes=None):
    """Runs kubepriv with args; returns (rc, stdout bytes, stderr text)."""
    p = subprocess.run([ARGS.kubepriv] + args, input=input_bytes, stdin=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def records(stdout):
    out = []
    for line in stdout.decode("utf-8").splitlines():
        out.append(json.loads(line))
    return out


def scan_all(args, input_bytes=None):
    rc, out, err = run(["scan", "--all", "--format", "jsonl"] + args, input_bytes=input_bytes)
    return rc, records(out), err


def verdict_view(rec):
    """A record without its location, to compare the same event read in different layouts."""
    return {k: v for k, v in rec.items() if k not in ("file", "line", "index")}


def fixture_dir():
    return os.path.join(ARGS.fixtures, "k8s-audit", "falco-trace-files")


def need_fixtures(test):
    def wrapper(self):
        if not os.path.isdir(fixture_dir()):
            self.fail(f"fixtures missing: {fixture_dir()}")
        return test(self)
    wrapper.__name__ = test.__name__
    return wrapper


def fixture_events():
    """(file, [event text]) for every fixture file, split the way a JSON-lines reader must."""
    out = []
    for name in sorted(os.listdir(fixture_dir())):
        path = os.path.join(fixture_dir(), name)
        with open(path, "rb") as f:
            lines = [l for l in f.read().decode("utf-8").split("\n") if l.strip()]
        out.append((path, lines))
    return out


class Fixtures(unittest.TestCase):
    @need_fixtures
    def test_every_fixture_file_one_record_per_event(self):
        total = 0
        for path, lines in fixture_events():
            rc, recs, err = scan_all([path])
            self.assertEqual(rc, 0, f"{path}: {err}")
            self.assertEqual(len(recs), len(lines), path)
            self.assertEqual([r["line"] for r in recs], list(range(1, len(lines) + 1)), path)
            for rec, text in zip(recs, lines):
                try:
                    ev = json.loads(text)
                except ValueError:
                    ev = None
                if isinstance(ev, dict) and isinstance(ev.get("auditID"), str):
                    self.assertEqual(rec["auditID"], ev["auditID"], path)
            self.assertIn("kubepriv scan: ", err)
            total += len(lines)
        # All files in one run: the same number of records, in argument order.
        paths = [p for p, _ in fixture_events()]
        rc, recs, _ = scan_all(paths)
        self.assertEqual(rc, 0)
        self.assertEqual(len(recs), total)
        self.assertEqual([r["file"] for r in recs],
                         [p for p, lines in fixture_events() for _ in lines])

    @need_fixtures
    def test_fixture_verdicts_that_matter(self):
        d = fixture_dir()
        expect_priv = {"create_nginx_pod_privileged.json": 1,
                       "create_nginx_pod_privileged_2nd_container.json": 1,
                       "create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json": 1,
                       "create_nginx_pod_unprivileged.json": 0,
                       "create_nginx_pod_hostnetwork.json": 0}
        for name, priv in expect_priv.items():
            _, recs, _ = scan_all([os.path.join(d, name)])
            self.assertEqual(recs[0]["privileged"], priv, name)
            self.assertEqual(recs[0]["error"], "", name)
        _, recs, _ = scan_all([os.path.join(d, "fal_01_003.json")])
        self.assertEqual(len(recs), 1)
        self.assertNotEqual(recs[0]["error"], "")

    @need_fixtures
    def test_stdin_gives_the_same_records(self):
        for path, _ in fixture_events():
            with open(path, "rb") as f:
                data = f.read()
            _, from_file, _ = scan_all([path])
            _, from_pipe, _ = scan_all(["-"], input_bytes=data)
            _, implicit, _ = scan_all([], input_bytes=data)
            self.assertEqual([verdict_view(r) for r in from_pipe],
                             [verdict_view(r) for r in from_file], path)
            self.assertEqual(from_pipe, implicit)
            self.assertTrue(all(r["file"] == "-" for r in from_pipe))

    @need_fixtures
    def test_aws_cli_output_and_pretty_json_give_the_same_verdicts(self):
        events = [text for _, lines in fixture_events() for text in lines]
        _, expected, _ = scan_all([p for p, _ in fixture_events()])
        pages = []
        for start in range(0, len(events), 7):  # paginated, saved back to back
            page = {"events": [{"logStreamName": "kube-apiserver-audit-0123",
                                "timestamp": 1714644000000 + i, "message": m,
                                "ingestionTime": 1714644000500, "eventId": str(i)}
                               for i, m in enumerate(events[start:start + 7], start)],
                    "searchedLogStreams": []}
            if start + 7 < len(events):
                page["nextToken"] = f"token-{start}"
            pages.append(json.dumps(page, indent=4))
        with tempfile.TemporaryDirectory() as tmp:
            aws = os.path.join(tmp, "filter-log-events.json")
            with open(aws, "w") as f:
                f.write("\n".join(pages) + "\n")
            rc, got, err = scan_all([aws])
            self.assertEqual(rc, 0, err)
            self.assertEqual([verdict_view(r) for r in got], [verdict_view(r) for r in expected])
            # One event pretty-printed, as `kubectl`/`jq .` would save it.
            one = os.path.join(tmp, "one.json")
            with open(one, "w") as f:
                f.write(json.dumps(json.loads(events[0]), indent=2) + "\n")
            _, got, _ = scan_all([one])
            self.assertEqual([verdict_view(r) for r in got], [verdict_view(expected[0])])


class Sample(unittest.TestCase):
    SAMPLE = None

    @classmethod
    def setUpClass(cls):
        cls.SAMPLE = os.path.join(ARGS.examples, "sample-audit.jsonl")

    def test_sample_is_generated_by_its_script(self):
        p = subprocess.run([sys.executable, os.path.join(ARGS.examples, "make-sample.py")],
                           stdout=subprocess.PIPE, timeout=TIMEOUT, check=True)
        with open(self.SAMPLE, "rb") as f:
            self.assertEqual(p.stdout, f.read(), "run: python3 examples/make-sample.py > examples/sample-audit.jsonl")

    def test_sample_alerts(self):
        rc, out, err = run(["scan", "--format", "jsonl", self.SAMPLE])
        self.assertEqual(rc, 0, err)
        got = {r["auditID"]: (sorted(r["reasons"]), r["outcome"], r["privileged"], r["line"])
               for r in records(out)}
        expected = {
            "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c08": (["privileged_container"], "success", 1, 8),
            "0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b09": (["host_path", "privileged_container"], "success", 1, 9),
            "0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b10": (["host_path", "privileged_container"], "success", 1, 10),
            "8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5f12": (["privileged_container"], "success", 1, 12),
            "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c13": (["privileged_container"], "success", 1, 13),
            "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c14": (["privileged_container"], "success", 1, 14),
            "c4b3a291-8f7e-4d6c-9b5a-4f3e2d1c0b15": (["privileged_container"], "denied", 0, 15),
            "e5d4c3b2-a190-4f8e-8d7c-6b5a4f3e2d16": (["privileged_container"], "dry_run", 0, 16),
            "f6e5d4c3-b2a1-4098-9e8d-7c6b5a4f3e17": (["host_path", "host_pid"], "success", 0, 17),
            "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d19": (["dangerous_capability", "privilege_escalation"], "success", 0, 20),
            "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e21": (["privileged_container"], "failure", 0, 21),
            # Cut by CloudWatch inside responseObject: judged on what survived (issue 10).
            "7b6c5d4e-3f2a-4b1c-9d8e-7f6a5b4c3d27": (["privileged_container"], "success", 1, 27),
        }
        self.assertEqual(got, expected)
        self.assertEqual(len(records(out)), len(expected))  # one alert per auditID
        self.assertIn("28 events in 1 input: 14 flagged, 0 errors, 12 alerts", err)
        cut = [r for r in records(out) if r["line"] == 27][0]
        self.assertEqual(cut["evidence"], "truncated")
        self.assertTrue(cut["details"][0].startswith("truncated: event cut at byte "), cut["details"])

    def test_sample_all_records(self):
        rc, recs, err = scan_all([self.SAMPLE])
        self.assertEqual(rc, 0, err)
        with open(self.SAMPLE, "rb") as f:
            n = sum(1 for l in f if l.strip())
        self.assertEqual(len(recs), n)
        self.assertEqual([r["line"] for r in recs], list(range(1, n + 1)))
        errors = [r["line"] for r in recs if r["error"]]
        self.assertEqual(errors, [])  # line 27, cut by CloudWatch, is judged (issue 10)
        decoy = [r for r in recs if r["name"] == "report-gen"]
        self.assertEqual(len(decoy), 1)
        self.assertEqual(decoy[0]["reasons"], [])
        self.assertEqual(recs[18]["stage"], "RequestReceived")
        self.assertEqual(recs[18]["outcome"], "incomplete")

    def test_table_and_csv(self):
        rc, out, err = run(["scan", self.SAMPLE])
        self.assertEqual(rc, 0, err)
        lines = out.decode().splitlines()
        self.assertEqual(len(lines), 13)  # header + 12 alerts
        self.assertTrue(lines[0].startswith("TIME"))
        self.assertIn("Pod default/node-debugger", out.decode())
        self.assertNotIn("kubepriv scan:", out.decode())  # summary only on stderr
        rc, out, err = run(["scan", "--all", "--format", "csv", self.SAMPLE])
        self.assertEqual(rc, 0)
        rows = list(csv.DictReader(io.StringIO(out.decode(), newline="")))
        self.assertEqual(len(rows), 28)
        by_id = {r["auditID"]: r for r in rows}
        self.assertEqual(by_id["0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b09"]["reasons"],
                         "privileged_container\nhost_path")
        self.assertEqual(rows[26]["error"], "")
        self.assertEqual(rows[26]["evidence"], "truncated")


def pod_create_event(audit_id, name, spec, stage="ResponseComplete"):
    """One successful pod create as kube-apiserver logs it (RequestResponse level)."""
    ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
          "auditID": audit_id, "stage": stage, "verb": "create",
          "requestURI": "/api/v1/namespaces/default/pods",
          "user": {"username": "mallory", "groups": ["system:authenticated"]},
          "sourceIPs": ["192.0.2.7"], "userAgent": "kubectl/v1.29.0",
          "objectRef": {"resource": "pods", "namespace": "default", "name": name, "apiVersion": "v1"},
          "requestObject": {"kind": "Pod", "apiVersion": "v1",
                            "metadata": {"name": name, "namespace": "default"}, "spec": spec},
          "requestReceivedTimestamp": "2024-05-02T09:14:03.000000Z"}
    if stage == "ResponseComplete":
        ev["responseStatus"] = {"metadata": {}, "code": 201}
    return (json.dumps(ev) + "\n").encode()


class Collisions(unittest.TestCase):
    """Issue 10 item 1: a client chooses the auditID, so an equal auditID is not one request."""
    HARMLESS = {"hostNetwork": True, "containers": [{"name": "web", "image": "nginx:1"}]}
    EVIL = {"containers": [{"name": "root", "image": "alpine:3",
                            "securityContext": {"privileged": True}}]}

    def alerts(self, data):
        rc, out, err = run(["scan", "--format", "jsonl", "-"], input_bytes=data)
        self.assertEqual(rc, 0, err)
        return records(out), err

    def test_two_requests_under_one_audit_id_are_two_alerts_in_either_order(self):
        web = pod_create_event("shared-id", "web", self.HARMLESS)
        evil = pod_create_event("shared-id", "evil", self.EVIL)
        for data in (web + evil, evil + web):
            recs, err = self.alerts(data)
            self.assertEqual(sorted((r["name"], r["privileged"]) for r in recs),
                             [("evil", 1), ("web", 0)], err)
            self.assertNotIn("collapsed", err)

    def test_an_early_stage_of_another_request_is_its_own_alert(self):
        early = pod_create_event("shared-id", "web", self.HARMLESS, stage="RequestReceived")
        evil = pod_create_event("shared-id", "evil", self.EVIL)
        recs, err = self.alerts(early + evil)
        self.assertEqual(sorted((r["name"], r["stage"]) for r in recs),
                         [("evil", "ResponseComplete"), ("web", "RequestReceived")], err)

    def test_true_redeliveries_still_collapse(self):
        evil = pod_create_event("one-id", "evil", self.EVIL)
        recs, err = self.alerts(evil + evil + evil)
        self.assertEqual(len(recs), 1, err)
        self.assertEqual(recs[0]["privileged"], 1)
        self.assertIn("2 flagged events collapsed", err)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def good_event(self, audit_id="00000000-0000-4000-8000-000000000001", pad=0):
        ev = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
              "auditID": audit_id, "stage": "ResponseComplete",
              "requestURI": "/api/v1/namespaces/default/pods", "verb": "create",
              "user": {"username": "u"}, "sourceIPs": ["192.0.2.1"],
              "objectRef": {"resource": "pods", "namespace": "default", "name": "p",
                            "apiVersion": "v1"},
              "responseStatus": {"metadata": {}, "code": 201},
              "requestObject": {"kind": "Pod", "apiVersion": "v1",
                                "metadata": {"name": "p", "namespace": "default",
                                             "annotations": {"pad": "x" * pad}},
                                "spec": {"containers": [{"name": "c", "image": "i",
                                                         "securityContext": {"privileged": True}}]}}}
        return json.dumps(ev, separators=(",", ":")).encode()

    def test_empty_and_blank_files(self):
        for data in (b"", b"\n\n", b"\xef\xbb\xbf", b"   \r\n"):
            rc, recs, err = scan_all([self.write("e.log", data)])
            self.assertEqual(rc, 0)
            self.assertEqual(recs, [])
            self.assertIn("0 events", err)

    def test_truncated_lines_and_garbage_are_error_records(self):
        ev = self.good_event()
        rng = random.Random(1234)
        garbage = bytes(rng.randrange(256) for _ in range(4000)).replace(b"\n", b"")
        data = b"\r\n".join([ev, ev[:len(ev) // 2], garbage, b"{", b"]]]", b"\x00" * 10, ev]) + b"\r\n"
        rc, recs, err = scan_all([self.write("bad.log", data)])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(recs), 7)
        # The event cut in half is judged on what survived the cut (issue 10), marked as such.
        self.assertEqual([bool(r["error"]) for r in recs], [False, False, True, True, True, True, False])
        self.assertEqual(recs[1]["evidence"], "truncated")
        self.assertEqual(recs[1]["privileged"], 0)
        self.assertEqual(recs[6]["privileged"], 1)

    def test_binary_garbage_file(self):
        rng = random.Random(99)
        data = bytes(rng.randrange(256) for _ in range(200000))
        path = self.write("bin.dat", data)
        rc, recs, err = scan_all([path])
        self.assertEqual(rc, 0, err)
        lines = sum(1 for l in data.split(b"\n") if l.strip(b" \t\r"))
        # At least one record per line (a line opening with '[' is read as an array of events).
        self.assertGreaterEqual(len(recs), lines)
        self.assertLess(len(recs), lines + 50)
        self.assertTrue(all(r["error"] for r in recs))

    def test_five_megabyte_event(self):
        big = self.good_event(pad=5 * 1024 * 1024)
        path = self.write("big.log", self.good_event("a") + b"\n" + big + b"\n" + self.good_event("c"))
        rc, recs, err = scan_all([path])
        self.assertEqual(rc, 0, err)
        self.assertEqual([r["auditID"] for r in recs], ["a", "00000000-0000-4000-8000-000000000001", "c"])
        self.assertEqual(recs[1]["privileged"], 1)
        rc, recs, err = scan_all(["--max-event-bytes", "1M", path])
        self.assertEqual(rc, 0)
        self.assertEqual(len(recs), 3)
        self.assertIn("--max-event-bytes", recs[1]["error"])
        self.assertEqual(recs[2]["auditID"], "c")

    def test_truncated_aws_output(self):
        page = json.dumps({"events": [{"message": self.good_event("a").decode()},
                                      {"message": self.good_event("b").decode()}]}, indent=4)
        path = self.write("aws.json", page[:page.rfind('"message"')].encode())
        rc, recs, err = scan_all([path])
        self.assertEqual(rc, 0)
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[0]["auditID"], "a")
        self.assertIn("truncated", recs[1]["error"])
        self.assertIn("unclosed", err)

    def test_bounded_memory_on_a_large_stream(self):
        line = self.good_event(pad=20000) + b"\n"
        benign = line.replace(b'"privileged":true', b'"privileged":false')
        chunk = benign * 99 + line
        total = 192 * 1024 * 1024
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        p = subprocess.Popen([ARGS.kubepriv, "scan", "--format", "jsonl", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        import threading
        out = []
        t = threading.Thread(target=lambda: out.append(p.stdout.read()))
        t.start()
        sent = 0
        while sent < total:
            p.stdin.write(chunk)
            sent += len(chunk)
        p.stdin.close()
        t.join(TIMEOUT)
        p.wait(TIMEOUT)
        err = p.stderr.read().decode()
        p.stdout.close()
        p.stderr.close()
        self.assertEqual(p.returncode, 0, err)
        n_events = (sent // len(chunk)) * 100
        self.assertIn(f"{n_events} events", err)
        self.assertEqual(len(out[0].splitlines()), 1)  # one auditID for all flagged: one alert
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if peak_kib > before:  # ru_maxrss is the largest child so far; only judge if this one was
            self.assertLess(peak_kib, 100 * 1024, "peak RSS must not grow with the input")


class Usage(unittest.TestCase):
    def test_help(self):
        rc, out, err = run(["scan", "--help"])
        self.assertEqual(rc, 0)
        self.assertIn(b"usage: kubepriv scan", out)

    def test_unknown_option_and_bad_values(self):
        for args in (["--bogus"], ["--format", "xml"], ["--format"], ["--max-event-bytes", "0"]):
            rc, out, err = run(["scan"] + args)
            self.assertEqual(rc, 2, args)
            self.assertEqual(out, b"")
            self.assertIn("kubepriv scan:", err)
            self.assertIn("--help", err)

    def test_unreadable_inputs_exit_2_but_other_files_are_read(self):
        with tempfile.TemporaryDirectory() as tmp:
            good = os.path.join(tmp, "good.log")
            with open(good, "w") as f:
                f.write('{"kind":"Event"}\n')
            missing = os.path.join(tmp, "missing.log")
            rc, recs, err = scan_all([missing, good])
            self.assertEqual(rc, 2)
            self.assertEqual(len(recs), 1)
            self.assertIn("missing.log: cannot open", err)
            if os.geteuid() != 0:  # root can read mode-000 files
                locked = os.path.join(tmp, "locked.log")
                with open(locked, "w") as f:
                    f.write("{}\n")
                os.chmod(locked, 0)
                rc, _, err = run(["scan", locked])
                self.assertEqual(rc, 2)
                self.assertIn("locked.log", err)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubepriv", required=True)
    parser.add_argument("--examples", required=True)
    parser.add_argument("--fixtures", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
