"""SCP v2 wire helpers for the transcript tests: framing the way splunkd does, strict reply
parsing, splunkd-style CSV (eager quoting, LF) and the __mv_ encoding. Python stdlib only."""

import csv
import io
import json
import re

HEADER_RE = re.compile(rb"chunked 1\.0,([0-9]+),([0-9]+)\n")


def chunk(meta, body=b""):
    """One chunk; meta is a dict (compact JSON, like splunkd 8.x) or bytes, body bytes or str."""
    if isinstance(meta, dict):
        meta = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()
    if isinstance(body, str):
        body = body.encode()
    return b"chunked 1.0,%d,%d\n" % (len(meta), len(body)) + meta + body


def getinfo(args=(), command="kubepriv"):
    return chunk({"action": "getinfo", "preview": False, "streaming_command_will_restart": False,
                  "searchinfo": {"args": list(args), "raw_args": list(args),
                                 "dispatch_dir": "/tmp/dispatch/1", "sid": "1.1", "app": "kubepriv",
                                 "owner": "admin", "username": "admin", "session_key": "secret",
                                 "splunkd_uri": "https://127.0.0.1:8089", "splunk_version": "9.1.0",
                                 "search": "search%20%7C%20kubepriv", "command": command,
                                 "maxresultrows": 50000, "earliest_time": "0", "latest_time": "0"}})


def execute(finished, body=b""):
    return chunk({"action": "execute", "finished": bool(finished)}, body)


def split_chunks(data, allow_stray_newlines=False):
    """Strictly splits a byte stream into (meta_bytes, body_bytes); raises ValueError."""
    out = []
    pos = 0
    while pos < len(data):
        if allow_stray_newlines and data[pos:pos + 1] == b"\n":
            pos += 1
            continue
        m = HEADER_RE.match(data, pos)
        if not m:
            raise ValueError("bad chunk header at byte %d: %r" % (pos, data[pos:pos + 40]))
        ml, bl = int(m.group(1)), int(m.group(2))
        start = m.end()
        if start + ml + bl > len(data):
            raise ValueError("truncated chunk at byte %d" % pos)
        out.append((data[start:start + ml], data[start + ml:start + ml + bl]))
        pos = start + ml + bl
    return out


def splunkd_quote(value):
    """splunkd quotes any value with a character outside [A-Za-z0-9] (protocols §0.9)."""
    if value == "" or re.fullmatch(r"[A-Za-z0-9]+", value):
        return value
    return '"' + value.replace('"', '""') + '"'


def csv_body(columns, rows, eol="\n"):
    """A CSV body the way splunkd writes it: header, rows, every record terminated."""
    lines = [",".join(splunkd_quote(c) for c in columns)]
    for r in rows:
        lines.append(",".join(splunkd_quote(v) for v in r))
    return (eol.join(lines) + eol).encode()


def selected_fields_body(field, values, eol="\n", mv=None):
    """Selected-fields mode: field, _chunked_idx and their __mv_ twins (mv: optional twins)."""
    cols = [field, "_chunked_idx", "__mv_" + field, "__mv__chunked_idx"]
    rows = [[v, str(i), (mv[i] if mv else ""), ""] for i, v in enumerate(values)]
    return csv_body(cols, rows, eol)


def parse_csv(body):
    """(header, rows) of a reply body (bytes); ([], []) for an empty body."""
    if not body:
        return [], []
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    return rows[0], rows[1:]


def mv_encode(values):
    return ";".join("$" + v.replace("$", "$$") + "$" for v in values)


def mv_decode(text):
    out, i = [], 0
    while True:
        assert text[i] == "$", text
        i += 1
        cur = []
        while True:
            if text[i] == "$":
                if i + 1 < len(text) and text[i + 1] == "$":
                    cur.append("$")
                    i += 2
                    continue
                i += 1
                break
            cur.append(text[i])
            i += 1
        out.append("".join(cur))
        if i == len(text):
            return out
        assert text[i] == ";", text
        i += 1
