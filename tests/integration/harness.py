"""Helpers shared by the integration tests: input definitions, running the real binary,
parsing its XML event stream."""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

BINARY = os.environ.get("EKS_AUDIT_LOGS", "eks_audit_logs")
GROUP = "/aws/eks/demo/cluster"
AUDIT = "kube-apiserver-audit-0123456789abcdef0123456789abcdef"

EVENT_RE = re.compile(rb"<event[^>]*>.*?</event>\n", re.S)


def definition(stanzas, checkpoint_dir, session_key="sess-KEY-123", server_uri="https://127.0.0.1:8089",
               server_host="splunk-sh1", encoding=None):
    """An <input> document; `stanzas` maps a stanza name to its params."""
    parts = []
    for name, params in stanzas.items():
        ps = "".join("<param name=%s>%s</param>" % (quoteattr(k), escape(str(v))) for k, v in params.items())
        parts.append('<stanza name="eks_audit_logs://%s" app="kubepriv">%s</stanza>' % (name, ps))
    doc = ("<input><server_host>%s</server_host><server_uri>%s</server_uri><session_key>%s</session_key>"
           "<checkpoint_dir>%s</checkpoint_dir><configuration>%s</configuration></input>") % (
        server_host, server_uri, session_key, escape(checkpoint_dir), "".join(parts))
    if encoding:
        return ('<?xml version="1.0" encoding="%s"?>' % encoding + doc).encode(
            "utf-16" if encoding.lower() == "utf-16" else encoding)
    return doc.encode()


def base_env(fake, akid="AKIDTEST", secret="SECRETTEST", **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k.lower() not in ("https_proxy", "http_proxy", "no_proxy")}
    env.update({"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": fake.url, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                "HOME": tempfile.gettempdir()})
    if akid:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = akid, secret
    env.update(extra)
    return env


def params(**kw):
    p = {"region": "eu-west-1", "log_group": GROUP, "start_position": "-2h", "latency": "5s",
         "overlap": "600s", "poll_interval": "1s", "rate_limit": "25", "index": "main",
         "host": "splunk-sh1"}
    p.update({k: str(v) for k, v in kw.items()})
    return p


def block_stop_signals():
    """preexec_fn: start the child with SIGTERM and SIGINT blocked, as some supervisors do."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})


def start(doc, env, args=(), preexec_fn=None):
    p = subprocess.Popen([BINARY, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, preexec_fn=preexec_fn)
    p.stdin.write(doc)
    p.stdin.close()
    p.stdin = None  # so communicate() does not touch it again
    return p


def run(doc, env, timeout=60, args=()):
    """Runs to completion; returns (rc, stdout bytes, stderr text)."""
    p = subprocess.Popen([BINARY, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    try:
        out, err = p.communicate(doc, timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise AssertionError("eks_audit_logs did not finish in %ss; stderr:\n%s" % (timeout, err.decode()[-3000:]))
    return p.returncode, out, err.decode(errors="replace")


def complete_events(stdout):
    """The complete <event> elements (a kill -9 may leave a truncated last one, which Splunk
    discards), parsed: list of dicts."""
    out = []
    for m in EVENT_RE.finditer(stdout):
        el = ET.fromstring(m.group(0))
        d = {c.tag: (c.text or "") for c in el}
        d["stanza"] = el.get("stanza")
        d["unbroken"] = el.get("unbroken")
        out.append(d)
    return out


def stream_events(stdout):
    """Parses a complete stream (must be well-formed XML) and returns its events."""
    root = ET.fromstring(stdout)
    assert root.tag == "stream", root.tag
    out = []
    for el in root:
        d = {c.tag: (c.text or "") for c in el}
        d["stanza"] = el.get("stanza")
        d["unbroken"] = el.get("unbroken")
        out.append(d)
    return out


def wait_for(pred, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return False


def check_log_lines(testcase, stderr, secrets=()):
    """Every stderr line starts with a level word; no secret appears."""
    for line in stderr.splitlines():
        if not line:
            continue
        testcase.assertRegex(line, r"^(DEBUG|INFO|WARN|ERROR|FATAL) ", "bad log line: %r" % line)
    for s in secrets:
        testcase.assertNotIn(s, stderr, "a secret leaked into the log")


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


class EventFeed:
    """The events of the audit stream of GROUP in a fake server's store, numbered as they are
    added ({"kind":"Event","seq":N}); live() adds more from a background thread until stopped."""

    def __init__(self, fake):
        self.fake = fake
        self.count = 0
        self._stop = threading.Event()
        self._thread = None

    def add(self, ts, ingest=None):
        self.count += 1
        self.fake.store.add(GROUP, AUDIT, ts, '{"kind":"Event","seq":%d}' % self.count, ingest=ingest)

    def live(self, every, lags):
        """Every `every` seconds, one event per value of lags() (ms in the past), ingested now."""

        def run():
            while not self._stop.is_set():
                t = int(time.time() * 1000)
                for lag in lags():
                    self.add(t - lag, ingest=t)
                time.sleep(every)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread:
            self._thread.join()

    def messages(self):
        return {e.message for e in self.fake.store.events}


def signal_after(doc, env, delay, sig, timeout=60, blocked=False):
    """Starts the binary on `doc` (with the stop signals blocked at exec when `blocked`), sends
    `sig` after `delay` s; returns (rc, stdout, stderr text)."""
    p = start(doc, env, preexec_fn=block_stop_signals if blocked else None)
    if delay:
        time.sleep(delay)
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=timeout)
    except Exception:
        p.kill()
        raise
    return p.returncode, out, err.decode(errors="replace")


def killed_before_start(rc, out, err):
    """True when a SIGTERM ended the process with the default action before it read or wrote
    anything: it landed before the program's first instruction (see docs/input-loop.md)."""
    return rc == -signal.SIGTERM and out == b"" and err == ""


def assert_each_event_once(testcase, runs, messages):
    """`runs`: the event data of each run in order. No event repeats; all of `messages` came."""
    seen = {}
    for r, data in enumerate(runs):
        for d in data:
            testcase.assertNotIn(d, seen, "event %s repeated by run %d after run %s" % (d, r, seen.get(d)))
            seen[d] = r
    missing = set(messages) - set(seen)
    testcase.assertEqual(missing, set(), "%d events never delivered" % len(missing))
