#!/usr/bin/env python3
"""Transcript tests: real SCP v2 byte streams piped through the real `kubepriv` binary.

usage: transcripts.py GROUP KUBEPRIV REPO FIXTURES
  GROUP: synthetic | recordings | falco | standin | scan
  FIXTURES: tests/fixtures (third-party data, see SOURCES.md there)
Exit 0 = all passed, 1 = a failure (a missing fixture included).
Every run of the binary has a timeout; every reply is checked for framing, exact byte lengths,
one reply per request, the `finished` echo and the `_chunked_idx` echo.
"""

import gzip
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scpwire as w  # noqa: E402

TIMEOUT = 120
FAILURES = []


def fail(case, msg):
    FAILURES.append("%s: %s" % (case, msg))
    print("FAIL %s: %s" % (case, msg))


def load_fields(repo):
    """Output columns from core::kFields (the single source of names), `error` renamed."""
    text = open(os.path.join(repo, "src/core/include/kubepriv/core/fields.hpp"), encoding="utf-8").read()
    table = text[text.index("kFields = "):]
    table = table[:table.index("});")]
    fields = re.findall(r'\{"([A-Za-z_]+)",\s*Shape::k(\w+),', table)
    assert fields, "could not read kFields"
    return [("kubepriv_error" if n == "error" else n, shape == "Multivalue") for n, shape in fields]


def run(binary, data, args=()):
    p = subprocess.run([binary, *args], input=data, capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


class Session:
    """The outcome of one run, with the replies split strictly."""

    def __init__(self, case, binary, requests, field="_raw"):
        self.case = case
        self.requests = requests  # list of (meta dict, body bytes)
        data = b"".join(w.chunk(m, b) for m, b in requests)
        self.status, self.out, self.err = run(binary, data)
        try:
            self.replies = [(json.loads(m.decode()), b) for m, b in w.split_chunks(self.out)]
        except ValueError as e:
            fail(case, "reply framing: %s" % e)
            self.replies = []
        self.field = field

    def check_ok(self, expect_field=None):
        """Normal path: exit 0, quiet stderr, one reply per request, finished echoed."""
        ok = True
        if self.status != 0:
            fail(self.case, "exit status %d, stderr %r" % (self.status, self.err[:300]))
            ok = False
        if self.err:
            fail(self.case, "stderr not quiet: %r" % self.err[:300])
            ok = False
        if len(self.replies) != len(self.requests):
            fail(self.case, "%d replies for %d requests" % (len(self.replies), len(self.requests)))
            return False
        info = self.replies[0][0]
        want = {"type": "streaming", "required_fields": [expect_field or self.field]}
        if info != want or self.replies[0][1]:
            fail(self.case, "getinfo reply %r" % (info,))
            ok = False
        for i, ((req, _), (rep, _)) in enumerate(zip(self.requests[1:], self.replies[1:]), 1):
            if rep != {"finished": req["finished"]}:
                fail(self.case, "reply %d metadata %r for finished=%r" % (i, rep, req["finished"]))
                ok = False
        return ok

    def check_error(self, needle):
        """Error path: non-zero exit, last reply {"finished":true,"error":...} with `needle`."""
        if self.status == 0:
            fail(self.case, "exit status 0 on bad input")
            return
        if not self.replies:
            fail(self.case, "no error reply (stderr %r)" % self.err[:200])
            return
        meta, body = self.replies[-1]
        if meta.get("finished") is not True or needle not in meta.get("error", "") or body:
            fail(self.case, "error reply %r lacks %r" % (meta, needle))
        if len(self.replies) > len(self.requests):
            fail(self.case, "more replies than requests")


def check_selected_body(case, body, n_rows, fields, only_flagged=False):
    """Selected-fields reply: _chunked_idx first and echoed, the kFields columns, twins for
    multivalue fields. Returns rows as dicts (multivalue fields decoded into lists)."""
    header, rows = w.parse_csv(body)
    if n_rows == 0 or (only_flagged and not rows):
        if body:
            fail(case, "expected an empty body, got %r" % body[:100])
        return []
    expect = ["_chunked_idx"]
    for name, mv in fields:
        expect.append(name)
        if mv:
            expect.append("__mv_" + name)
    if header != expect:
        fail(case, "reply header %r" % header)
        return []
    idx = [r[0] for r in rows]
    if only_flagged:
        if sorted(set(idx), key=int) != idx or any(int(i) >= n_rows for i in idx):
            fail(case, "_chunked_idx not a subset in order: %r" % idx[:10])
    elif idx != [str(i) for i in range(n_rows)]:
        fail(case, "_chunked_idx not echoed 0..%d: %r" % (n_rows - 1, idx[:10]))
    out = []
    for r in rows:
        if len(r) != len(header):
            fail(case, "row width %d vs header %d" % (len(r), len(header)))
            return []
        d = dict(zip(header, r))
        for name, mv in fields:
            if mv:
                twin = d.pop("__mv_" + name)
                d[name] = w.mv_decode(twin) if twin else ([d[name]] if d[name] else [])
        out.append(d)
    return out


# ------------------------------------------------------------------------------ synthetic

POD_PRIV = {
    "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
    "auditID": "a1", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/default/pods",
    "verb": "create", "user": {"username": "alice", "groups": ["dev", "system:authenticated"]},
    "sourceIPs": ["10.0.0.7"], "userAgent": "kubectl/v1.29",
    "objectRef": {"resource": "pods", "namespace": "default", "name": "p", "apiVersion": "v1"},
    "responseStatus": {"metadata": {}, "code": 201},
    "requestObject": {"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "p", "namespace": "default"},
                      "spec": {"hostPID": True, "containers": [
                          {"name": "c", "image": "busybox", "securityContext": {"privileged": True}}]}},
}
POD_PLAIN = json.loads(json.dumps(POD_PRIV))
POD_PLAIN["auditID"] = "a2"
POD_PLAIN["requestObject"]["spec"] = {"containers": [{"name": "c", "image": "nginx"}]}
GET_PODS = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": "a3",
            "stage": "ResponseComplete", "requestURI": "/api/v1/pods", "verb": "list",
            "user": {"username": "bob"}, "sourceIPs": ["10.0.0.8"],
            "objectRef": {"resource": "pods", "apiVersion": "v1"},
            "responseStatus": {"metadata": {}, "code": 200}}


def ev(obj):
    return json.dumps(obj, separators=(",", ":"))


def synthetic(binary, fields):
    names = [n for n, _ in fields]
    events = [ev(POD_PRIV), "this is not json", ev(POD_PLAIN), ev(GET_PODS), "", '{"kind": 0}',
              "日本語 🚀 \"quoted\", comma\nnewline"]
    body = w.selected_fields_body("_raw", events)

    # 1. getinfo only: silent exit 0
    s = Session("getinfo-only", binary, [(json.loads(w.getinfo()[w.getinfo().index(b"{"):]), b"")])
    s.check_ok()

    gi = json.loads(w.getinfo()[w.getinfo().index(b"{"):])

    def gi_args(*args):
        g = json.loads(json.dumps(gi))
        g["searchinfo"]["args"] = list(args)
        return g

    fin = lambda f: {"action": "execute", "finished": f}  # noqa: E731

    # 2. end-of-stream form (a): one data chunk finished:true
    s = Session("eos-a", binary, [(gi, b""), (fin(True), body)])
    if s.check_ok():
        rows = check_selected_body(s.case, s.replies[1][1], len(events), fields)
        if rows:
            if rows[0]["privileged"] != "1" or "privileged_container" not in rows[0]["reasons"]:
                fail(s.case, "privileged pod not flagged: %r" % rows[0])
            if rows[0]["kubepriv_error"]:
                fail(s.case, "privileged pod has an error: %r" % rows[0]["kubepriv_error"])
            if rows[0]["user_groups"] != ["dev", "system:authenticated"]:
                fail(s.case, "multivalue user_groups: %r" % rows[0]["user_groups"])
            for i in (1, 4, 5, 6):  # not audit events: error only, everything else empty
                r = rows[i]
                if not r["kubepriv_error"] or len(r["kubepriv_error"]) > 200:
                    fail(s.case, "row %d: kubepriv_error %r" % (i, r["kubepriv_error"]))
                busy = [n for n in names if n not in ("kubepriv_error",) and r[n] not in ("", [])]
                if busy:
                    fail(s.case, "row %d passes through with verdict fields set: %r" % (i, busy))
            if rows[2]["privileged"] != "0" or rows[2]["reasons"]:
                fail(s.case, "plain pod flagged: %r" % rows[2])
            if rows[3]["kubepriv_error"]:
                fail(s.case, "list request has an error: %r" % rows[3]["kubepriv_error"])

    # 3. form (b): data finished:false then header-only finished:true; (c) empty chunks inside
    hdr_only = w.selected_fields_body("_raw", [])
    s = Session("eos-b-c", binary, [(gi, b""), (fin(False), body), (fin(False), hdr_only),
                                     (fin(False), b""), (fin(False), body), (fin(True), hdr_only)])
    if s.check_ok():
        for i in (2, 3, 5):
            if s.replies[i][1]:
                fail(s.case, "reply %d to an empty chunk has a body" % i)
        check_selected_body(s.case, s.replies[4][1], len(events), fields)

    # 4. CRLF bodies
    crlf = w.selected_fields_body("_raw", events, eol="\r\n")
    s = Session("crlf", binary, [(gi, b""), (fin(True), crlf)])
    if s.check_ok():
        a = check_selected_body(s.case, s.replies[1][1], len(events), fields)
        s2 = Session("crlf-vs-lf", binary, [(gi, b""), (fin(True), body)])
        if s2.check_ok() and a != check_selected_body(s2.case, s2.replies[1][1], len(events), fields):
            fail("crlf", "CRLF and LF bodies give different answers")

    # 5. multivalue input: one-value twin is authoritative; several values is an error row
    mv = [w.mv_encode([events[0]]), w.mv_encode([events[0], events[2]]), "", "", "", "", ""]
    mvbody = w.selected_fields_body("_raw", ["flattened junk", "x", events[2], events[3], "", "", ""], mv=mv)
    s = Session("multivalue-input", binary, [(gi, b""), (fin(True), mvbody)])
    if s.check_ok():
        rows = check_selected_body(s.case, s.replies[1][1], 7, fields)
        if rows and (rows[0]["privileged"] != "1" or "values" not in rows[1]["kubepriv_error"]):
            fail(s.case, "twin not used: %r / %r" % (rows[0]["privileged"], rows[1]["kubepriv_error"]))

    # 6. only_flagged: keeps only events with a reason, in order; all booleans forms
    for val in ("true", "T", "1", "yes", "YES"):
        s = Session("only_flagged=" + val, binary,
                    [(gi_args("only_flagged=" + val), b""), (fin(False), body), (fin(True), b"")])
        if s.check_ok():
            rows = check_selected_body(s.case, s.replies[1][1], len(events), fields, only_flagged=True)
            if [r["_chunked_idx"] for r in rows] != ["0"]:
                fail(s.case, "kept %r" % [r["_chunked_idx"] for r in rows])
    for val in ("false", "f", "0", "no"):
        s = Session("only_flagged=" + val, binary, [(gi_args("only_flagged=" + val), b""), (fin(True), body)])
        if s.check_ok():
            check_selected_body(s.case, s.replies[1][1], len(events), fields)

    # 7. field=<other column>, the `name = value` token form
    obody = w.csv_body(["message", "_chunked_idx", "__mv_message", "__mv__chunked_idx"],
                       [[events[0], "0", "", ""], [events[3], "1", "", ""]])
    s = Session("field=message", binary, [(gi_args("field", "=", "message"), b""), (fin(True), obody)],
                field="message")
    if s.check_ok():
        rows = check_selected_body(s.case, s.replies[1][1], 2, fields)
        if rows and rows[0]["privileged"] != "1":
            fail(s.case, "message field not judged")

    # 8. bad options -> getinfo error, non-zero exit
    for args, needle in ((["colour=red"], "unknown option 'colour'"),
                         (["only_flagged=maybe"], "only_flagged"),
                         (["_raw"], "unexpected argument"), (["field="], "field"),
                         (["only_flagged=true", "only_flagged=false"], "twice")):
        s = Session("bad-args %r" % args, binary, [(gi_args(*args), b""), (fin(True), body)])
        s.check_error(needle)
        if len(s.replies) != 1:
            fail(s.case, "expected only the getinfo reply, got %d" % len(s.replies))

    # 9. missing field column in execute
    s = Session("missing-field", binary, [(gi_args("field=nosuch"), b""), (fin(True), body)])
    s.check_error("no field 'nosuch'")

    # 10. malformed streams (raw bytes, not built by Session)
    gib = w.getinfo()
    cases = [
        ("meta-not-json", gib + w.chunk(b"{not json", body), "not valid JSON"),
        ("meta-not-object", gib + w.chunk(b"[1,2]", body), "not a JSON object"),
        ("getinfo-not-json", w.chunk(b"garbage"), "not valid JSON"),
        ("execute-first", w.execute(True, body), "expected a getinfo"),
        ("bad-header", gib + b"chunked 1.0,abc,0\n", "bad chunk header"),
        ("negative-length", gib + b"chunked 1.0,-3,0\n", "bad chunk header"),
        ("overflow-length", gib + b"chunked 1.0,36,99999999999999999999999\n", "bad chunk header"),
        ("absurd-length", gib + b"chunked 1.0,36,999999999999\n", "bad chunk header"),
        ("not-a-header", gib + b"HELLO\n", "bad chunk header"),
        ("eof-mid-chunk", gib + w.execute(True, body)[:-10], "end of input inside a chunk"),
        ("eof-mid-meta", gib + w.execute(True, body)[:30], "end of input inside a chunk"),
        ("eof-mid-header", gib + b"chunked 1.0,3", "end of input inside a chunk header"),
        ("length-too-short", gib + w.execute(True, body).replace(b"chunked 1.0,36,", b"chunked 1.0,30,", 1),
         "not valid JSON"),
        ("unbalanced-quote", gib + w.execute(True, b'_raw,_chunked_idx\n"{oops,0\n'), "never closed"),
        ("ragged-row", gib + w.execute(True, b"_raw,_chunked_idx\nx,0,1\n"), "has 3 fields"),
        ("bad-mv", gib + w.execute(True, b"_raw,_chunked_idx,__mv__raw\nx,0,$open\n"), "__mv__raw"),
    ]
    for case, data, needle in cases:
        status, out, err = run(binary, data)
        try:
            replies = [(json.loads(m.decode()), b) for m, b in w.split_chunks(out)]
        except ValueError as e:
            fail(case, "reply framing: %s" % e)
            continue
        if status == 0:
            fail(case, "exit 0 on bad input")
        if not replies or replies[-1][0].get("finished") is not True or needle not in replies[-1][0].get("error", ""):
            fail(case, "want error reply containing %r, got %r" % (needle, replies[-1:] if replies else out[:200]))
    # empty stdin: nothing to answer, non-zero exit, no crash
    status, out, err = run(binary, b"")
    if status == 0 or out or status < 0:
        fail("empty-stdin", "status %d out %r" % (status, out[:50]))
    # extra argv (splunkd passes none to kubepriv): refused
    status, out, err = run(binary, gib, ["unexpected"])
    if status == 0:
        fail("argv", "extra argv accepted")


# ------------------------------------------------------------------------------ recordings

def read_recording(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return w.split_chunks(data, allow_stray_newlines=True)


def recordings(binary, fields, fixtures):
    base = os.path.join(fixtures, "scp-recordings/Splunk-6.3")
    if not os.path.isdir(base):
        fail("fixtures", "%s not found (tests/fixtures is part of the repository)" % base)
        return 1
    names = [n for n, _ in fields]
    for rec, field in (("countmatches", "text"), ("sum.map", "_raw")):
        chunks = read_recording(os.path.join(base, rec + ".input.gz"))
        meta0 = json.loads(chunks[0][0].decode())
        meta0["searchinfo"]["args"] = ["field=" + field]
        meta0["searchinfo"]["raw_args"] = ["field=" + field]
        requests = [(meta0, b"")] + [(json.loads(m.decode()), b) for m, b in chunks[1:]]
        in_header, in_rows = w.parse_csv(requests[1][1])

        # (1) as recorded: full records (6.3 had no required_fields, so no _chunked_idx)
        s = Session(rec + "-full", binary, requests, field=field)
        if s.check_ok():
            header, rows = w.parse_csv(s.replies[1][1])
            if len(rows) != len(in_rows):
                fail(s.case, "%d rows back for %d" % (len(rows), len(in_rows)))
            elif header[:len(in_header)] != in_header:
                fail(s.case, "input columns not echoed first: %r" % header[:8])
            else:
                extra = header[len(in_header):]
                want = []
                for n in names:
                    want += [n, "__mv_" + n]
                if extra != want:
                    fail(s.case, "added columns %r" % extra)
                ei = header.index("kubepriv_error")
                for k, (a, b) in enumerate(zip(in_rows, rows)):
                    if b[:len(in_header)] != a:
                        fail(s.case, "row %d changed (UTF-8 or quoting lost)" % k)
                        break
                    if not b[ei] or any(b[len(in_header):ei]) or any(b[ei + 1:]):
                        fail(s.case, "row %d: want only kubepriv_error, got %r" % (k, b[len(in_header):]))
                        break
                print("ok %s: %d rows, %d columns echoed, %d bytes in" %
                      (s.case, len(rows), len(in_header), len(requests[1][1])))

        # (2) the same events in selected-fields mode (field + _chunked_idx), as one chunk
        col = in_header.index(field)
        values = [r[col] for r in in_rows]
        body = w.selected_fields_body(field, values)
        s = Session(rec + "-selected", binary,
                    [(meta0, b""), ({"action": "execute", "finished": False}, body),
                     ({"action": "execute", "finished": True}, w.selected_fields_body(field, []))],
                    field=field)
        if s.check_ok():
            rows = check_selected_body(s.case, s.replies[1][1], len(values), fields)
            bad = [r["_chunked_idx"] for r in rows if not r["kubepriv_error"]]
            if bad:
                fail(s.case, "rows without kubepriv_error: %r" % bad[:5])
            print("ok %s: %d rows in one %d-byte chunk" % (s.case, len(rows), len(body)))
    return 0


# ------------------------------------------------------------------------------ falco

def falco(binary, fields, fixtures):
    base = os.path.join(fixtures, "k8s-audit/falco-trace-files")
    if not os.path.isdir(base):
        fail("fixtures", "%s not found (tests/fixtures is part of the repository)" % base)
        return 1
    events, origin = [], []
    for name in sorted(os.listdir(base)):
        with open(os.path.join(base, name), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    events.append(line.rstrip("\n"))
                    origin.append(name)
    gi = json.loads(w.getinfo()[w.getinfo().index(b"{"):])
    # three chunks of uneven size, then a header-only finish
    thirds = [events[:3], events[3:10], events[10:]]
    reqs = [(gi, b"")] + [({"action": "execute", "finished": False}, w.selected_fields_body("_raw", t))
                          for t in thirds]
    reqs.append(({"action": "execute", "finished": True}, w.selected_fields_body("_raw", [])))
    s = Session("falco", binary, reqs)
    if not s.check_ok():
        return 0
    got = []
    for t, (_, body) in zip(thirds, s.replies[1:4]):
        got += check_selected_body(s.case, body, len(t), fields)
    by = dict(zip(origin, got))  # first event of each file
    priv = by.get("create_nginx_pod_privileged.json", {})
    if priv.get("privileged") != "1" or "privileged_container" not in priv.get("reasons", []):
        fail("falco", "create_nginx_pod_privileged: %r" % {k: priv.get(k) for k in ("privileged", "reasons")})
    unpriv = by.get("create_nginx_pod_unprivileged.json", {})
    if unpriv.get("reasons") or unpriv.get("privileged") != "0":
        fail("falco", "create_nginx_pod_unprivileged flagged: %r" % unpriv.get("reasons"))
    if not by.get("fal_01_003.json", {}).get("kubepriv_error"):
        fail("falco", "fal_01_003 ({\"kind\": 0}) has no kubepriv_error")
    print("ok falco: %d events from %d files" % (len(got), len(set(origin))))
    return 0


# ------------------------------------------------------------------------------ standin

def standin(binary, repo, fixtures):
    """tools/splunkd-standin (the README demo's driver) runs cleanly and reports the verdicts."""
    import tempfile
    base = os.path.join(fixtures, "k8s-audit/falco-trace-files")
    lines = [ev(POD_PRIV), ev(POD_PLAIN), ev(GET_PODS), "not json"]
    for name in sorted(os.listdir(base)):  # tests/fixtures is part of the repository
        with open(os.path.join(base, name), encoding="utf-8") as f:
            lines += [x.rstrip("\n") for x in f if x.strip()]
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        tool = os.path.join(repo, "tools/splunkd-standin")
        for extra, want in (([], "%d events in, %d annotated back" % (len(lines), len(lines))),
                            (["--rows-per-chunk", "3"], "%d annotated back" % len(lines)),
                            (["--only-flagged"], "events in")):
            p = subprocess.run([sys.executable, tool, binary, path, *extra], capture_output=True,
                               timeout=TIMEOUT, text=True)
            if p.returncode != 0 or want not in p.stdout or "protocol checks passed" not in p.stdout:
                fail("standin %r" % extra, "rc %d out %r err %r" % (p.returncode, p.stdout[-300:], p.stderr[-300:]))
            elif not extra and "event 1: PRIVILEGED" not in p.stdout:
                fail("standin", "first event not shown as privileged: %r" % p.stdout[:300])
    finally:
        os.unlink(path)


# ------------------------------------------------------------------------------ scan

def scan_equivalence(binary, fields, repo, fixtures):
    """The command and `kubepriv scan --all --format jsonl` give the same answers per event."""
    import tempfile
    lines = [ev(POD_PRIV), ev(POD_PLAIN), ev(GET_PODS)]
    sample = os.path.join(repo, "examples/sample-audit.jsonl")
    sources = [sample] if os.path.exists(sample) else []
    base = os.path.join(fixtures, "k8s-audit/falco-trace-files")
    sources += [os.path.join(base, n) for n in sorted(os.listdir(base))]
    for path in sources:
        with open(path, encoding="utf-8") as f:
            lines += [x.rstrip("\n") for x in f if x.strip()]
    lines.insert(2, "definitely not json")
    lines.insert(5, '{"kind":"Event","apiVersion":"audit.k8s.io/v1"}')
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        p = subprocess.run([binary, "scan", "--all", "--format", "jsonl", path], capture_output=True,
                           timeout=TIMEOUT)
        if p.returncode != 0:
            fail("scan", "kubepriv scan exit %d: %r" % (p.returncode, p.stderr[:300]))
            return
        records = [json.loads(x) for x in p.stdout.decode().splitlines() if x.strip()]
    finally:
        os.unlink(path)
    if len(records) != len(lines):
        fail("scan", "scan printed %d records for %d events" % (len(records), len(lines)))
        return
    gi = json.loads(w.getinfo()[w.getinfo().index(b"{"):])
    s = Session("scan-equivalence", binary,
                [(gi, b""), ({"action": "execute", "finished": True}, w.selected_fields_body("_raw", lines))])
    if not s.check_ok():
        return
    rows = check_selected_body(s.case, s.replies[1][1], len(lines), fields)

    def norm(v):
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, bool):
            return "1" if v else "0"
        if v is None:
            return ""
        return str(v)

    compared = 0
    for i, (rec, row) in enumerate(zip(records, rows)):
        err = norm(rec.get("error", ""))
        if err != row["kubepriv_error"]:
            fail("scan", "event %d: error %r vs command %r" % (i, err, row["kubepriv_error"]))
            continue
        if err:
            continue  # the command passes such events through: only the error is compared
        for name, mv in fields:
            if name == "kubepriv_error":
                continue
            want = norm(rec.get(name))
            if name == "response_code" and want == "0":
                want = ""  # scan prints 0 for "absent"; field_values leaves it empty
            got = row[name]
            if mv and not isinstance(want, list):
                want = [want] if want else []
            if want != got:
                fail("scan", "event %d field %s: scan %r vs command %r" % (i, name, want, got))
        compared += 1
    print("ok scan-equivalence: %d events, %d judged events compared field by field" % (len(lines), compared))


def main():
    group, binary, repo, fixtures = sys.argv[1:5]
    fields = load_fields(repo)
    rc = 0
    if group == "synthetic":
        synthetic(binary, fields)
    elif group == "recordings":
        rc = recordings(binary, fields, fixtures)
    elif group == "scan":
        scan_equivalence(binary, fields, repo, fixtures)
    elif group == "standin":
        standin(binary, repo, fixtures)
    elif group == "falco":
        rc = falco(binary, fields, fixtures)
    else:
        print("unknown group " + group)
        return 2
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    if rc != 0:
        return rc
    print("all %s transcript checks passed" % group)
    return 0


if __name__ == "__main__":
    sys.exit(main())
