"""Runs a real kubepriv binary on bytes over pipes, bounded in time and memory.

Shared by the bad-input catalogue (tests/badinput) and the security tests (tests/security).
Each run: stdin fed from a thread (so a binary that stops reading cannot deadlock us), stdout and
stderr captured to temporary files (a binary that floods cannot fill a pipe), a wall-clock
timeout (a hang is a failure, never a stuck ctest), an address-space limit when the binary is not
built with a sanitizer (ASan needs terabytes of virtual space), and the child's peak RSS measured
with wait4(2).
"""

import json
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time

# Set by the test registration (CMake) when the binaries are built with ASan/UBSan.
SANITIZED = os.environ.get("KUBEPRIV_SANITIZED", "0") == "1"


class Run:
    """The observable result of one process run."""

    def __init__(self, rc, sig, stdout, stderr, seconds, max_rss_kb, timed_out):
        self.rc = rc  # exit status, or None when killed by a signal
        self.sig = sig  # terminating signal number, or None
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.max_rss_kb = max_rss_kb
        self.timed_out = timed_out

    def crashed(self):
        return self.sig is not None and not self.timed_out

    def describe(self):
        what = f"exit {self.rc}" if self.sig is None else f"signal {self.sig}"
        if self.timed_out:
            what = "TIMEOUT (killed)"
        return (f"{what}, {self.seconds:.2f}s, peak RSS {self.max_rss_kb // 1024} MB, "
                f"stdout {len(self.stdout)} B, stderr {len(self.stderr)} B")


def run(argv, stdin=b"", timeout=20.0, as_limit_mb=1024, env=None, cwd=None):
    """Runs argv with `stdin` bytes; returns a Run. Never raises on the child's behaviour."""
    def limits():
        os.setsid()  # own process group: a timeout kills grandchildren too
        if not SANITIZED and as_limit_mb:
            lim = as_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    full_env = dict(os.environ)
    full_env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=1")
    full_env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if env:
        full_env.update(env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                env=full_env, cwd=cwd, preexec_fn=limits)

        def feed():
            try:
                view = memoryview(stdin)
                step = 1 << 20
                for off in range(0, len(view), step):
                    proc.stdin.write(view[off:off + step])
                proc.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the binary stopped reading; what it did is judged from its output

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        timed_out = False
        status = None
        rusage = None
        while True:
            pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status, rusage = st, ru
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        proc.returncode = 0  # reaped by wait4; keep Popen from waiting again
        seconds = time.monotonic() - start
        feeder.join(timeout=5)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    return Run(rc, sig, stdout, stderr, seconds, rusage.ru_maxrss if rusage else 0, timed_out)


# --- SCP v2 byte streams -------------------------------------------------------------------

def chunk(meta, body=b""):
    """One SCP v2 chunk; meta is a dict (JSON-encoded) or raw bytes."""
    if isinstance(meta, dict):
        meta = json.dumps(meta, separators=(",", ":")).encode()
    return b"chunked 1.0,%d,%d\n" % (len(meta), len(body)) + meta + body


def getinfo(args=(), session_key="0123456789abcdef-session-key"):
    return chunk({
        "action": "getinfo", "preview": False, "streaming_command_will_restart": False,
        "searchinfo": {
            "args": list(args), "raw_args": list(args), "dispatch_dir": "", "sid": "1.1",
            "app": "kubepriv", "owner": "admin", "username": "admin",
            "session_key": session_key, "splunkd_uri": "https://127.0.0.1:8089",
            "splunk_version": "8.2.1", "search": "search%20%7C%20kubepriv", "command": "kubepriv",
            "maxresultrows": 50000, "earliest_time": "0", "latest_time": "0"}})


def execute(body=b"", finished=True):
    return chunk({"action": "execute", "finished": finished}, body)


def csv_field(value):
    """Quotes a CSV field the way splunkd does (eagerly); value is bytes."""
    return b'"' + value.replace(b'"', b'""') + b'"'


def csv_body(header, rows):
    """A CSV body (LF records) from a header list and rows of bytes values."""
    lines = [b",".join(csv_field(h.encode()) for h in header)]
    for row in rows:
        lines.append(b",".join(csv_field(v) for v in row))
    return b"\n".join(lines) + b"\n"


class Reply:
    def __init__(self, meta_raw, body):
        self.meta_raw = meta_raw
        self.body = body
        try:
            self.meta = json.loads(meta_raw)
        except ValueError:
            self.meta = None


def parse_replies(stdout):
    """Strictly parses the command's stdout into chunks; raises ValueError on bad framing."""
    replies = []
    pos = 0
    while pos < len(stdout):
        nl = stdout.find(b"\n", pos)
        if nl < 0:
            raise ValueError(f"reply framing: no header newline at offset {pos}")
        line = stdout[pos:nl].decode("ascii", "replace")
        parts = line.split(",")
        if len(parts) != 3 or parts[0] != "chunked 1.0" or not parts[1].isdigit() or \
                not parts[2].isdigit():
            raise ValueError(f"reply framing: bad header {line!r} at offset {pos}")
        m, b = int(parts[1]), int(parts[2])
        start = nl + 1
        if start + m + b > len(stdout):
            raise ValueError(f"reply framing: chunk at {pos} announces {m}+{b} bytes, "
                             f"only {len(stdout) - start} follow")
        replies.append(Reply(stdout[start:start + m], stdout[start + m:start + m + b]))
        pos = start + m + b
    return replies


def parse_csv(body):
    """Parses an SCP CSV body (bytes) into a header and rows of str (surrogateescape)."""
    import csv
    import io
    csv.field_size_limit(2**31 - 1)  # the 100 MB field case
    text = body.decode("utf-8", "surrogateescape")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return [], []
    return rows[0], rows[1:]
