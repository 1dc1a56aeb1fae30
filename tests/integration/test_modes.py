"""--scheme, --validate-arguments, argument handling and the run-mode input definition."""

import os
import re
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET

import fakeaws
import harness as H

SRC = os.environ.get("KUBEPRIV_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def run_mode(args, stdin=b"", env=None, timeout=30):
    p = subprocess.run([H.BINARY, *args], input=stdin, capture_output=True, timeout=timeout,
                       env=env if env is not None else {k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def spec_args(path):
    """{name: default or None} of the [eks_audit_logs://<name>] stanza."""
    args, current = {}, None
    in_stanza = False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("["):
            in_stanza = line.strip() == "[eks_audit_logs://<name>]"
            continue
        if not in_stanza or not line or line.startswith("#"):
            continue
        m = re.match(r"^([0-9A-Za-z][0-9A-Za-z_-]*)\s*=\s*<", line)
        if m:
            current = m.group(1)
            args[current] = None
            continue
        m = re.match(r"^\* Default: (.*)$", line)
        if m and current:
            args[current] = m.group(1).strip()
    return args


class SchemeTest(unittest.TestCase):
    def test_scheme_is_valid_xml_and_matches_the_spec_file(self):
        rc, out, err = run_mode(["--scheme"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        root = ET.fromstring(out)
        self.assertEqual(root.tag, "scheme")
        self.assertEqual(root.findtext("streaming_mode"), "xml")
        self.assertEqual(root.findtext("use_external_validation"), "true")
        self.assertEqual(root.findtext("use_single_instance"), "false")
        self.assertTrue(root.findtext("title"))
        scheme = {}
        for arg in root.iter("arg"):
            desc = arg.findtext("description")
            m = re.search(r"Default: (.*)\.$", desc)
            scheme[arg.get("name")] = m.group(1) if m else None
            self.assertIn(arg.findtext("data_type"), ("string", "number", "boolean"))
            self.assertIn(arg.findtext("required_on_create"), ("true", "false"))
        spec = spec_args(os.path.join(SRC, "app", "README", "inputs.conf.spec"))
        self.assertEqual(sorted(scheme), sorted(spec), "scheme args and inputs.conf.spec differ")
        self.assertEqual(scheme, spec, "defaults in the scheme and inputs.conf.spec differ")
        for implicit in ("host", "index", "source", "sourcetype", "disabled"):
            self.assertNotIn(implicit, spec)

    def test_default_inputs_conf_sets_the_documented_metadata(self):
        text = open(os.path.join(SRC, "default", "inputs.conf"), encoding="utf-8").read()
        self.assertIn("[eks_audit_logs]", text)
        self.assertRegex(text, r"(?m)^sourcetype = aws:cloudwatchlogs:eks$")
        self.assertRegex(text, r"(?m)^source = kubernetes$")

    def test_scheme_is_case_insensitive_and_bad_arguments_fail(self):
        rc, out, _ = run_mode(["--SCHEME"])
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith(b"<scheme>"))
        rc, out, err = run_mode(["--frobnicate"])
        self.assertEqual(rc, 1)
        self.assertEqual(out, b"")
        self.assertRegex(err, r"^ERROR Invalid arguments to modular input script: --frobnicate")


class ValidateTest(unittest.TestCase):
    def items(self, params, encoding=None):
        body = "".join('<param name="%s">%s</param>' % kv for kv in params.items())
        doc = ("<items><server_host>h</server_host><server_uri>https://127.0.0.1:8089</server_uri>"
               "<session_key>k</session_key><checkpoint_dir>/tmp</checkpoint_dir>"
               '<item name="prod">%s</item></items>' % body)
        if encoding:
            return ('<?xml version="1.0" encoding="%s"?>' % encoding + doc).encode("utf-16")
        return doc.encode()

    def test_good_stanza_passes_silently(self):
        rc, out, err = run_mode(["--validate-arguments"], self.items(
            {"region": "eu-west-1", "cluster_name": "prod", "latency": "2m", "rate_limit": "1.5",
             "index": "k8s", "disabled": "0"}))
        self.assertEqual((rc, out), (0, b""), err)

    def test_each_bad_value_is_explained(self):
        rc, out, err = run_mode(["--validate-arguments"], self.items(
            {"region": "Europe", "latency": "soon", "overlap": "-5m", "rate_limit": "fast",
             "use_fips": "perhaps", "endpoint_url": "http://logs.example.com",
             "role_arn": "admin", "start_position": "yesterday"}, encoding="utf-16"))
        self.assertEqual(rc, 1)
        root = ET.fromstring(out)
        self.assertEqual(root.tag, "error")
        msg = root.findtext("message")
        for needle in ("region:", "latency: \"soon\"", "overlap:", "rate_limit: \"fast\"",
                       "use_fips: \"perhaps\"", "endpoint_url:", "role_arn: \"admin\"",
                       "start_position:", "log_group: is required"):
            self.assertIn(needle, msg)
        H.check_log_lines(self, err)

    def test_region_may_come_from_the_environment(self):
        env = dict(os.environ, AWS_REGION="us-west-2")
        rc, out, err = run_mode(["--validate-arguments"], self.items({"log_group": "/aws/eks/x/cluster"}), env=env)
        self.assertEqual((rc, out), (0, b""), err)

    def test_not_xml_is_rejected_with_a_message(self):
        rc, out, _ = run_mode(["--validate-arguments"], b"<items><item name='a'>")
        self.assertEqual(rc, 1)
        self.assertIn(b"<error><message>", out)


class RunModeDefinitionTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws().start()
        self.fake.add_key("AKIDTEST", "SECRETTEST")
        self.dir = tempfile.mkdtemp()

    def tearDown(self):
        self.fake.stop()

    def test_utf16_definition_with_two_stanzas(self):
        import time
        now = int(time.time() * 1000)
        for i in range(5):
            self.fake.store.add(H.GROUP, H.AUDIT, now - 3600000 + i, '{"n":%d}' % i)
            self.fake.store.add("/aws/eks/other/cluster", H.AUDIT, now - 3600000 + i, '{"o":%d}' % i)
        doc = H.definition({"one": H.params(exit_when_caught_up="true"),
                            "two": H.params(exit_when_caught_up="true", log_group="", cluster_name="other")},
                           self.dir, encoding="utf-16")
        self.assertTrue(doc.startswith(b"\xff\xfe"))  # UTF-16 LE with BOM, like the SDK fixtures
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 0, err)
        events = H.stream_events(out)
        by = {}
        for e in events:
            by.setdefault(e["stanza"], []).append(e)
        self.assertEqual(sorted(by), ["eks_audit_logs://one", "eks_audit_logs://two"])
        self.assertEqual([e["data"] for e in by["eks_audit_logs://one"]], ['{"n":%d}' % i for i in range(5)])
        self.assertEqual([e["host"] for e in by["eks_audit_logs://two"]], ["other"] * 5)
        H.check_log_lines(self, err, ["SECRETTEST", "sess-KEY-123"])

    def test_empty_configuration_exits_cleanly(self):
        doc = H.definition({}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 0, err)
        self.assertEqual(H.stream_events(out), [])

    def test_malformed_definition_and_xxe_are_refused(self):
        for doc in (b"<input><configuration>", b"",
                    b'<!DOCTYPE input [<!ENTITY x SYSTEM "file:///etc/passwd">]><input><session_key>&x;</session_key></input>'):
            rc, out, err = H.run(doc, H.base_env(self.fake))
            self.assertEqual(rc, 1, doc)
            self.assertEqual(out, b"")
            self.assertRegex(err, r"(?m)^ERROR input definition")
            self.assertNotIn("root:", err)
        self.assertEqual(self.fake.calls(), [])

    def test_bad_parameter_in_run_mode_is_explained(self):
        doc = H.definition({"bad": H.params(latency="forever", exit_when_caught_up="true")}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 1)
        self.assertIn('latency: "forever" is not a duration', err)
        self.assertEqual(self.fake.calls(), [])

    def test_corrupt_checkpoint_stops_the_input_and_is_kept(self):
        import time
        now = int(time.time() * 1000)
        self.fake.store.add(H.GROUP, H.AUDIT, now - 3600000, '{"n":1}')
        doc = H.definition({"c": H.params(exit_when_caught_up="true")}, self.dir)
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 0, err)
        files = [f for f in os.listdir(self.dir) if f.endswith(".ckpt")]
        self.assertEqual(len(files), 1)
        path = os.path.join(self.dir, files[0])
        data = bytearray(open(path, "rb").read())
        data[-3] ^= 0x01
        open(path, "wb").write(bytes(data))
        calls = len(self.fake.calls())
        rc, out, err = H.run(doc, H.base_env(self.fake))
        self.assertEqual(rc, 1)
        self.assertIn("corrupt", err)
        self.assertIn("Move the file aside", err)
        self.assertEqual(open(path, "rb").read(), bytes(data))  # left for the admin to inspect
        self.assertEqual(len(self.fake.calls()), calls)  # no collection without a trusted state


if __name__ == "__main__":
    unittest.main()
