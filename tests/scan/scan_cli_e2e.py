#!/usr/bin/env python3
"""End-to-end tests of `kubepriv scan` as pipelines and people use it (issue 14): compressed
input, directories in rotation order, the progress line on a terminal (through `script`) and
nowhere else, and every exit status.

    scan_cli_e2e.py --kubepriv BIN --examples DIR [unittest args]

gzip streams come from Python's gzip module and zstd streams from the zstd program (those cases
skip visibly without it), never from our code. Every subprocess has a timeout.
"""
import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ARGS = None
TIMEOUT = 120


def run(args, input_bytes=None, env=None):
    p = subprocess.run([ARGS.kubepriv] + args, input=input_bytes, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT, env=env)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def scan_all(args, input_bytes=None):
    rc, out, err = run(["scan", "--all", "--format", "jsonl"] + args, input_bytes=input_bytes)
    return rc, [json.loads(l) for l in out.decode("utf-8").splitlines()], err


def without_file(recs):
    return [{k: v for k, v in r.items() if k != "file"} for r in recs]


def verdicts(recs):
    """Records without their location (file, line, index)."""
    return [{k: v for k, v in r.items() if k not in ("file", "line", "index")} for r in recs]


def parse(out):
    return [json.loads(l) for l in out.decode("utf-8").splitlines()]


def sample_bytes():
    with open(os.path.join(ARGS.examples, "sample-audit.jsonl"), "rb") as f:
        return f.read()


def sample_lines():
    return sample_bytes().splitlines(keepends=True)


def event(audit_id, ts):
    return json.dumps({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
                       "auditID": audit_id, "stage": "ResponseComplete", "verb": "get",
                       "requestReceivedTimestamp": ts}) + "\n"


class Tmp(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path


class Compressed(Tmp):
    def test_gzip_single_and_multi_member_match_the_plain_text(self):
        data = sample_bytes()
        rc, plain, _ = scan_all([self.write("plain.log", data)])
        self.assertEqual(rc, 0)
        single = self.write("single.log.gz", gzip.compress(data))
        cut = len(data) // 3  # members split inside an event, as `cat a.gz b.gz` may do
        multi = self.write("multi", gzip.compress(data[:cut]) + gzip.compress(data[cut:]))
        for path in (single, multi):
            rc, recs, err = scan_all([path])
            self.assertEqual(rc, 0, err)
            self.assertEqual(without_file(recs), without_file(plain), path)
            self.assertNotIn("not valid JSON: A string", err)
        # Two whole files concatenated: twice the events, indexes continue.
        twice = self.write("twice.gz", gzip.compress(data) * 2)
        rc, recs, err = scan_all([twice])
        self.assertEqual(rc, 0, err)
        self.assertEqual(verdicts(recs), verdicts(plain + plain))
        # Alerts (default mode) are the same as for the plain file, and stdin works too.
        self.assertEqual(without_file(parse(run(["scan", "--format", "jsonl", single])[1])),
                         without_file(parse(run(["scan", "--format", "jsonl", "-"],
                                                input_bytes=data)[1])))
        rc, recs, err = scan_all(["-"], input_bytes=gzip.compress(data))
        self.assertEqual((rc, without_file(recs)), (0, without_file(plain)), err)

    def test_zstd(self):
        if shutil.which("zstd") is None:
            self.skipTest("zstd program absent (Debian package zstd)")
        data = sample_bytes()
        plain = self.write("plain.log", data)
        z = subprocess.run(["zstd", "-q", "-c", plain], stdout=subprocess.PIPE, check=True,
                           timeout=TIMEOUT).stdout
        rc, recs, err = scan_all([self.write("a.zst", z + z)])
        self.assertEqual(rc, 0, err)
        _, want, _ = scan_all([plain])
        self.assertEqual(verdicts(recs), verdicts(want + want))
        rc, recs, err = scan_all([self.write("cut.zst", z[:-5])])
        self.assertEqual(rc, 2)
        self.assertIn("cut.zst: truncated zstd stream", err)

    def test_truncated_at_several_offsets(self):
        data = sample_bytes()
        _, plain, _ = scan_all([self.write("plain.log", data)])
        gz = gzip.compress(data)
        for cut in (5, 11, len(gz) // 4, len(gz) // 2, len(gz) - 9, len(gz) - 1):
            path = self.write(f"cut{cut}.log.gz", gz[:cut])
            rc, recs, err = scan_all([path])
            self.assertEqual(rc, 2, cut)
            self.assertIn(f"{path}: truncated gzip stream: the input ends at compressed byte "
                          f"offset {cut} inside a member", err)
            self.assertIn("1 input not read completely", err)
            # Every event before the damage, the same as in the plain text; an event cut by it
            # is an error record saying so.
            whole = [r for r in recs if "damaged" not in r.get("error", "")]
            self.assertLessEqual(len(recs) - len(whole), 1)
            self.assertEqual(without_file(whole), without_file(plain[:len(whole)]), cut)
            if cut >= len(gz) - 9:  # only the trailer is missing: every event came out
                self.assertEqual(len(whole), len(plain))

    def test_corrupt_at_several_offsets(self):
        data = sample_bytes()
        gz = gzip.compress(data)
        for at, why in ((3, "unknown header flags set"), (len(gz) - 8, "incorrect data check"),
                        (len(gz) - 3, "incorrect length check"),
                        (len(gz) // 2, None)):
            bad = bytearray(gz)
            bad[at] ^= 0xE0
            path = self.write(f"bad{at}.gz", bytes(bad) + gzip.compress(b"{}\n"))
            rc, recs, err = run(["scan", "--all", "--format", "jsonl", path])
            self.assertEqual(rc, 2, (at, err))
            self.assertRegex(err, rf"{path}: corrupt gzip data at compressed byte offset \d+")
            if why:
                self.assertIn(why, err)
            self.assertNotIn("not valid JSON: A string is opened", err)

    def test_damage_with_findings_and_fail_on_still_exits_2(self):
        gz = gzip.compress(sample_bytes())
        rc, _, err = run(["scan", "--fail-on", "privileged", self.write("x.gz", gz[:-4])])
        self.assertEqual(rc, 2, err)

    def test_empty_inputs(self):
        for name, data in (("empty.log", b""), ("empty.log.gz", b""),
                           ("empty-member.gz", gzip.compress(b""))):
            rc, recs, err = scan_all([self.write(name, data)])
            self.assertEqual((rc, recs), (0, []), name)
            self.assertIn("0 events in 1 input", err)

    def test_gz_name_on_plain_text_and_plain_json_named_gz(self):
        data = sample_bytes()
        _, plain, _ = scan_all([self.write("plain.log", data)])
        rc, recs, err = scan_all([self.write("really-plain.json.gz", data)])
        self.assertEqual(rc, 0, err)
        self.assertEqual(without_file(recs), without_file(plain))
        # Plain non-JSON text named .gz: read as the text it is (error records), not refused.
        rc, recs, err = scan_all([self.write("notes.txt.gz", b"hello\nworld\n")])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(recs), 2)
        self.assertTrue(all(r["error"] for r in recs))

    def test_other_compressors_are_refused(self):
        if shutil.which("xz") is None:
            self.skipTest("xz program absent")
        xz = subprocess.run(["xz", "-c"], input=sample_bytes(), stdout=subprocess.PIPE,
                            check=True, timeout=TIMEOUT).stdout
        rc, recs, err = scan_all([self.write("a.log.xz", xz)])
        self.assertEqual((rc, recs), (2, []))
        self.assertIn("xz-compressed input is not supported", err)


class Directories(Tmp):
    def rotation_dir(self):
        # kube-apiserver's log backend: audit.log is live, rotations carry their start time.
        self.write("logs/audit-2024-05-01T10-00-00.000.log.gz", gzip.compress(event("a1", "1").encode()))
        self.write("logs/audit-2024-05-02T10-00-00.000.log", event("a2", "2").encode())
        self.write("logs/audit-2024-04-30T10-00-00.000.log.gz",
                   gzip.compress(event("a0", "0").encode()))
        self.write("logs/audit.log", event("a3", "3").encode())
        self.write("logs/README.md", b"# what these are\n")
        self.write("logs/picture.png", b"\x89PNG\r\n\x1a\n\0\0\0")
        self.write("logs/old/audit.log.2.gz", gzip.compress(event("o1", "1").encode()))
        self.write("logs/old/audit.log.1", event("o2", "2").encode())
        self.write("logs/old/audit.log", event("o3", "3").encode())
        return os.path.join(self.tmp, "logs")

    def test_oldest_rotation_first_non_recursive_by_default(self):
        d = self.rotation_dir()
        rc, recs, err = scan_all([d])
        self.assertEqual(rc, 0, err)
        self.assertEqual([r["auditID"] for r in recs], ["a0", "a1", "a2", "a3"])
        self.assertEqual(recs[-1]["file"], os.path.join(d, "audit.log"))
        self.assertIn("README.md: skipped, not an audit log", err)
        self.assertIn("picture.png: skipped, not an audit log (binary data)", err)
        self.assertIn("old: skipped (a directory; use --recursive)", err)
        self.assertIn("4 events in 4 inputs", err)

    def test_recursive(self):
        d = self.rotation_dir()
        for flag in ("--recursive", "-r"):
            rc, recs, err = scan_all([flag, d])
            self.assertEqual(rc, 0, err)
            self.assertEqual([r["auditID"] for r in recs],
                             ["a0", "a1", "a2", "a3", "o1", "o2", "o3"])

    def test_a_directory_without_logs_says_so(self):
        d = os.path.dirname(self.write("empty/notes.txt", b"nothing here\n"))
        rc, recs, err = scan_all([d])
        self.assertEqual((rc, recs), (0, []), err)
        self.assertIn(f"{d}: no log files to read", err)

    def test_table_names_the_file_for_a_directory(self):
        d = self.write("one/audit.log", sample_bytes())
        rc, out, err = run(["scan", os.path.dirname(d)])
        self.assertEqual(rc, 0, err)
        self.assertIn(b"audit.log", out)


class Progress(Tmp):
    def big_input(self):
        # Enough work for several progress updates would need a slow run; one update suffices:
        # the first is drawn as soon as the first bytes are read.
        return self.write("big.log.gz", gzip.compress(sample_bytes() * 200 + b"this is not json\n"))

    def pty(self, args):
        """Runs kubepriv under `script`, so stdout and stderr are a pseudo-terminal."""
        if shutil.which("script") is None:
            self.skipTest("script (util-linux) absent")
        cmd = " ".join("'" + a.replace("'", "'\\''") + "'" for a in [ARGS.kubepriv] + args)
        env = dict(os.environ, TERM="xterm")
        p = subprocess.run(["script", "-qefc", cmd + " >/dev/null", "/dev/null"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT,
                           env=env, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode("utf-8", "replace")

    def test_progress_on_a_terminal_erased_before_the_summary(self):
        rc, tty = self.pty(["scan", self.big_input()])
        self.assertEqual(rc, 0, tty)
        self.assertRegex(tty, r"\rkubepriv scan: [0-9.]+ [KMG]?i?B of [0-9.]+ [KMG]?i?B "
                              r"\(\d+%\), [0-9.kM]+ events")
        self.assertIn("flagged", tty)
        # Erased, then the summary on a clean line.
        self.assertRegex(tty, r"\r\x1b\[K(kubepriv scan: [^\r\n]*\r?\n)*"
                              r"kubepriv scan: 5601 events in 1 input")
        self.assertNotRegex(tty, r"kubepriv scan: 5601 events in 1 input[^\n]*\x1b")

    def test_quiet_on_a_terminal_shows_neither_progress_nor_summary(self):
        rc, tty = self.pty(["scan", "--quiet", self.big_input()])
        self.assertEqual(rc, 0, tty)
        self.assertNotIn("\x1b[K", tty)
        self.assertNotIn("events in 1 input", tty)

    def test_no_progress_in_a_pipe_unless_asked(self):
        path = self.big_input()
        rc, _, err = run(["scan", path])
        self.assertEqual(rc, 0)
        self.assertNotIn("\r", err)
        self.assertNotIn("\x1b", err)
        self.assertIn("5601 events in 1 input", err)
        rc, _, err = run(["scan", "--progress", path])
        self.assertEqual(rc, 0)
        self.assertIn("\rkubepriv scan: ", err)
        self.assertRegex(err, r"\r\x1b\[K(kubepriv scan: [^\r\n]*\n)*kubepriv scan: 5601 events")
        rc, _, err = run(["scan", "--progress", "--quiet", path])
        self.assertEqual(rc, 0)
        self.assertNotIn("\r", err)
        self.assertNotIn("events in 1 input", err)
        self.assertIn("big.log.gz:5601: not valid JSON", err)  # errors still show


class ExitStatus(Tmp):
    def lines(self, numbers):
        src = sample_lines()
        return self.write("pick-" + "-".join(map(str, numbers)) + ".log",
                          b"".join(src[n - 1] for n in numbers))

    def test_every_exit_status(self):
        # Lines of examples/sample-audit.jsonl: 8 privileged (success); 17 hostPID + hostPath
        # (success, not privileged); 15 privileged but denied, 16 dry run, 21 failed.
        priv, risky, tame = self.lines([1, 8]), self.lines([17]), self.lines([15, 16, 21])
        cases = [
            ([tame], 0), ([priv], 0), ([risky, priv, tame], 0),
            (["--fail-on", "privileged", tame], 0), (["--fail-on", "risky", tame], 0),
            (["--fail-on", "privileged", risky], 0), (["--fail-on=risky", risky], 1),
            (["--fail-on", "privileged", priv], 1), (["--fail-on", "risky", priv], 1),
            (["--all", "--fail-on", "privileged", tame, priv], 1),
            (["--format", "csv", "--fail-on", "risky", tame, risky], 1),
            (["--fail-on", "bogus", priv], 2), (["--fail-on"], 2), (["--nope"], 2),
            (["--fail-on", "privileged", priv, os.path.join(self.tmp, "missing")], 2),
        ]
        for args, want in cases:
            rc, _, err = run(["scan"] + args)
            self.assertEqual(rc, want, (args, err))

    def test_help_documents_the_table(self):
        rc, out, _ = run(["scan", "--help"])
        self.assertEqual(rc, 0)
        text = out.decode()
        for needle in ("--fail-on LEVEL", "Exit status:", "  0  ", "  1  ", "  2  ",
                       "--recursive", "--progress", "--quiet", "gzip"):
            self.assertIn(needle, text)


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubepriv", required=True)
    parser.add_argument("--examples", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
