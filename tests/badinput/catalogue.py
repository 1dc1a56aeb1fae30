#!/usr/bin/env python3
"""The catalogue of bad input (issue 6): every case drives a REAL binary over pipes (or against a
real HTTP server on 127.0.0.1) and checks the exact error a user sees, that nothing crashes,
hangs (timeouts) or exhausts memory (address-space limit + peak RSS), and that no event that
could have been kept is lost.

  catalogue.py --kubepriv BIN --eks BIN --case NAME     run one case (ctest runs each)
  catalogue.py --list                                   case names
  catalogue.py --kubepriv BIN --eks BIN --markdown      print CATALOGUE.md from live runs

The exact messages below are what the binaries print today; when a message is deliberately
improved, update it here and regenerate CATALOGUE.md.
"""

import argparse
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import (SANITIZED, chunk, csv_body, execute, getinfo, parse_csv,  # noqa: E402
                    parse_replies, run)
from rawserver import RawServer, free_port, http_response  # noqa: E402

CASES = {}


def case(surface, title):
    def register(fn):
        CASES[fn.__name__] = (surface, title, fn)
        return fn
    return register


class Failure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


def sane(r, max_rss_mb=256):
    """No crash, no hang, no sanitizer report, bounded memory."""
    expect(not r.timed_out, f"hung: {r.describe()}")
    expect(not r.crashed(), f"crashed: {r.describe()}\n{r.stderr[-3000:].decode(errors='replace')}")
    text = r.stderr.decode(errors="replace")
    for marker in ("AddressSanitizer", "runtime error:", "LeakSanitizer", "terminate called"):
        expect(marker not in text, f"sanitizer/abort report on stderr:\n{text[-3000:]}")
    if not SANITIZED:
        expect(r.max_rss_kb // 1024 <= max_rss_mb,
               f"peak RSS {r.max_rss_kb // 1024} MB > {max_rss_mb} MB")


# --- the search command (SCP v2) -------------------------------------------------------------

PRIV = (b'{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"ok-1","stage":"ResponseComplete",'
        b'"verb":"create","requestURI":"/api/v1/namespaces/d/pods","objectRef":{"resource":"pods",'
        b'"namespace":"d"},"responseStatus":{"code":201},"requestObject":{"spec":{"containers":'
        b'[{"name":"c","image":"i","securityContext":{"privileged":true}}]}}}')


def scp_error_case(bins, stream, error, max_rss_mb=256):
    """A stream that must end with one final error reply {"finished":true,"error":<error>},
    after a normal getinfo reply when the stream starts with one; exit status non-zero."""
    r = run([bins.kubepriv], stream)
    sane(r, max_rss_mb)
    replies = parse_replies(r.stdout)
    expect(replies, "no reply at all")
    last = replies[-1].meta
    expect(last is not None and last.get("finished") is True,
           f"last reply not finished:true: {replies[-1].meta_raw!r}")
    expect(last.get("error") == error,
           f"error reply is {last.get('error')!r}, catalogue says {error!r}")
    expect(r.rc != 0, "exit status 0 after a protocol error")
    return r, replies


def scp_rows_case(bins, rows, checks):
    """getinfo + one execute chunk of (raw, idx) rows; every row must come back, in order,
    with its _chunked_idx; checks(out_rows_by_idx) judges the verdicts."""
    stream = getinfo() + execute(csv_body(["_raw", "_chunked_idx"],
                                          [[raw, str(i).encode()] for i, raw in enumerate(rows)]))
    r = run([bins.kubepriv], stream, timeout=240 if SANITIZED else 60, as_limit_mb=4096)
    sane(r, max_rss_mb=1024)
    expect(r.rc == 0, f"exit {r.rc}: {r.stderr[-500:]!r}")
    replies = parse_replies(r.stdout)
    expect(len(replies) == 2, f"{len(replies)} replies for 2 requests")
    expect(replies[1].meta == {"finished": True}, f"execute reply {replies[1].meta_raw!r}")
    header, out = parse_csv(replies[1].body)
    idx = header.index("_chunked_idx")
    expect([row[idx] for row in out] == [str(i) for i in range(len(rows))],
           f"rows lost or reordered: got _chunked_idx {[row[idx] for row in out][:10]}")
    by_idx = [dict(zip(header, row)) for row in out]
    checks(by_idx)
    return r


@case("scp", "chunk header cut off by EOF")
def scp_truncated_header(bins):
    return scp_error_case(bins, getinfo() + b"chunked 1.0,17",
                          "end of input inside a chunk header: 'chunked 1.0,17'")


@case("scp", "non-numeric length in a chunk header")
def scp_non_numeric_length(bins):
    return scp_error_case(bins, getinfo() + b"chunked 1.0,abc,0\n",
                          "bad chunk header (metadata length not a decimal number up to 67108864): "
                          "'chunked 1.0,abc,0'")


@case("scp", "negative length in a chunk header")
def scp_negative_length(bins):
    return scp_error_case(bins, getinfo() + b"chunked 1.0,2,-5\n{}",
                          "bad chunk header (body length not a decimal number up to 2147483648): "
                          "'chunked 1.0,2,-5'")


@case("scp", "length overflowing 64 bits")
def scp_overflowing_length(bins):
    return scp_error_case(bins, getinfo() + b"chunked 1.0,99999999999999999999999,0\n",
                          "bad chunk header (metadata length not a decimal number up to 67108864): "
                          "'chunked 1.0,99999999999999999999999,0'")


@case("scp", "header announces 1.1 GB of body, 36 bytes follow (1 GB address-space limit)")
def scp_length_larger_than_data(bins):
    # Bug 1 in .coord/requests-hardening.md: the reader reserves the announced size up front.
    return scp_error_case(
        bins, getinfo() + b'chunked 1.0,37,1111011111\n{"action":"execute","finished":true}',
        "end of input inside a chunk: header announced 37 bytes of metadata and 1111011111 bytes "
        "of body, only 36 of those 1111011148 bytes arrived")


@case("scp", "EOF inside the metadata of a chunk")
def scp_eof_inside_chunk(bins):
    return scp_error_case(bins, getinfo() + b'chunked 1.0,100,0\n{"action":"ex',
                          "end of input inside a chunk: header announced 100 bytes of metadata and "
                          "0 bytes of body, only 13 of those 100 bytes arrived")


@case("scp", "execute metadata that is not JSON")
def scp_metadata_not_json(bins):
    return scp_error_case(bins, getinfo() + chunk(b"not json"),
                          "execute: chunk metadata is not valid JSON")


@case("scp", "execute metadata that is JSON but not an object")
def scp_metadata_not_object(bins):
    return scp_error_case(bins, getinfo() + chunk(b"[1,2]"),
                          "execute: chunk metadata is not a JSON object")


@case("scp", "getinfo metadata that is not JSON (no getinfo reply possible first)")
def scp_getinfo_not_json(bins):
    r, replies = scp_error_case(bins, chunk(b"{{{"), "getinfo: chunk metadata is not valid JSON")
    expect(len(replies) == 1, f"{len(replies)} replies to one request")
    return r, replies


@case("scp", "CSV body with an unbalanced quote")
def scp_csv_unbalanced_quote(bins):
    return scp_error_case(bins, getinfo() + execute(b'_raw,_chunked_idx\n"abc,0\n'),
                          "CSV record 2: quoted field is never closed")


rows_note = []  # the per-event message of the last row case, for the catalogue table


def _two_rows_check(bad_error):
    def check(rows):
        expect(rows[0].get("privileged") == "1",
               f"the valid event next to the bad one was not judged: {rows[0]}")
        err = rows[1].get("kubepriv_error", "")
        expect(err == bad_error, f"kubepriv_error is {err!r}, catalogue says {bad_error!r}")
        rows_note.append("kubepriv_error=" + err)
    return check


@case("scp", "NUL bytes inside the audit-event field")
def scp_nul_bytes(bins):
    return scp_rows_case(bins, [PRIV, b'{"kind":"Event","a\x00b":1}\x00'],
                         _two_rows_check("not valid JSON: Within strings, some characters must "
                                         "be escaped, we found unescaped characters"))


@case("scp", "invalid UTF-8 inside the audit-event field")
def scp_invalid_utf8(bins):
    return scp_rows_case(bins, [PRIV, b'{"kind":"Event","user":{"username":"\xff\xfe\xc3("}}'],
                         _two_rows_check("not valid JSON: The input is not valid UTF-8"))


@case("scp", "deeply nested JSON (100,000 levels) in the field")
def scp_deep_nesting(bins):
    return scp_rows_case(bins, [PRIV, b"[" * 100000 + b"]" * 100000],
                         _two_rows_check("not valid JSON: The JSON document was too deep "
                                         "(too many nested objects and arrays)"))


@case("scp", "a single 100 MB field (audit event with a 100 MB annotation)")
def scp_100mb_field(bins):
    big = (b'{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"big","stage":"ResponseComplete",'
           b'"verb":"create","objectRef":{"resource":"pods"},"responseStatus":{"code":201},'
           b'"requestObject":{"metadata":{"annotations":{"a":"' + b"x" * (100 << 20) + b'"}},'
           b'"spec":{"containers":[{"name":"c","securityContext":{"privileged":true}}]}}}')

    def check(rows):
        expect(rows[0].get("privileged") == "1", "small event not judged")
        expect(rows[1].get("privileged") == "1" and rows[1].get("kubepriv_error", "") == "",
               f"100 MB event not judged: error {rows[1].get('kubepriv_error')!r}")
    return scp_rows_case(bins, [PRIV, big], check)


# --- kubepriv scan -----------------------------------------------------------------------------

def scan_case(bins, data, expected, extra_args=(), max_rss_mb=256, timeout=60):
    """`kubepriv scan --all --format jsonl -`: one record per input event, in order; the
    records' `error` values must equal `expected` (a list, '' for a good event)."""
    r = run([bins.kubepriv, "scan", "--all", "--format", "jsonl", *extra_args, "-"], data,
            timeout=timeout * (4 if SANITIZED else 1), as_limit_mb=4096)
    sane(r, max_rss_mb)
    expect(r.rc == 0, f"exit {r.rc}: {r.stderr[-500:]!r}")
    records = [json.loads(line) for line in r.stdout.decode().splitlines()]
    errors = [rec.get("error", "") for rec in records]
    expect(errors == expected, f"records' errors {errors!r}, catalogue says {expected!r}")
    return r, records


@case("scan", "truncated last line, garbage line, NUL/invalid UTF-8 line between good events")
def scan_mixed_garbage(bins):
    data = PRIV + b"\nnot json\n\x00\xff\n" + PRIV + b'\n{"trunc'
    r, records = scan_case(bins, data, [
        "", "not valid JSON: Problem while parsing an atom starting with the letter 'n'",
        "not valid JSON: The input is not valid UTF-8", "",
        "not valid JSON: A string is opened, but never closed."])
    expect([rec["privileged"] for rec in records] == [1, 0, 0, 1, 0], "verdicts of good events")
    return r


@case("scan", "empty input")
def scan_empty(bins):
    r, _ = scan_case(bins, b"", [])
    return r


@case("scan", "deeply nested JSON line")
def scan_deep_nesting(bins):
    r, _ = scan_case(bins, b"[" * 100000 + b"]" * 100000 + b"\n" + PRIV + b"\n", [
        "not valid JSON: The JSON document was too deep (too many nested objects and arrays)", ""])
    return r


@case("scan", "CRLF line ends")
def scan_crlf(bins):
    r, records = scan_case(bins, PRIV + b"\r\n" + PRIV + b"\r\n", ["", ""])
    expect(all(rec["privileged"] == 1 for rec in records), "CRLF events not judged")
    return r


# --- eks_audit_logs: the input definition XML -------------------------------------------------

GOOD_ITEMS = """<items>
  <server_host>tiny</server_host>
  <server_uri>https://127.0.0.1:8089</server_uri>
  <session_key>catalogue-session-key-0123456789</session_key>
  <checkpoint_dir>{ckpt}</checkpoint_dir>
  <item name="prod">
    <param name="region">eu-west-1</param>
    <param name="log_group">/aws/eks/prod/cluster</param>
  </item>
</items>
"""


DOCTYPE_REFUSED = ("ERROR input definition XML: DOCTYPE declarations are not accepted "
                   "(entities are refused) (line 2, column 16)")


def validate(bins, data, env=None):
    with tempfile.TemporaryDirectory() as d:
        return run([bins.eks, "--validate-arguments"], data, env=env, cwd=d)


def modinput_refused(bins, data, error, mode="--validate-arguments"):
    """The input definition is refused: exit non-zero, `error` is the exact last stderr line,
    and stdout carries splunkd's <error><message>...</message></error> for validation."""
    with tempfile.TemporaryDirectory() as d:
        r = run([bins.eks] + ([mode] if mode else []), data, cwd=d)
    sane(r)
    expect(r.rc != 0, f"bad input definition accepted: {r.describe()}")
    lines = r.stderr.decode(errors="replace").strip().splitlines()
    expect(lines and lines[-1] == error, f"last stderr line {lines[-1:]!r}, catalogue says {error!r}")
    if mode == "--validate-arguments":
        expect(r.stdout.startswith(b"<error><message>"), f"stdout {r.stdout[:200]!r}")
    return r


@case("modinput", "XML with an external entity (file:// XXE) is refused, file never read")
def xml_external_entity(bins):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("XXE-MARKER-7f3a9c\n")
        secret_path = f.name
    try:
        doc = (f'<?xml version="1.0"?>\n<!DOCTYPE items [<!ENTITY xxe SYSTEM "file://{secret_path}">]>\n'
               + GOOD_ITEMS.format(ckpt="/tmp").replace("eu-west-1", "&xxe;")).encode()
        r = modinput_refused(bins, doc, DOCTYPE_REFUSED)
        expect(b"XXE-MARKER-7f3a9c" not in r.stdout + r.stderr, "external entity was resolved")
        return r
    finally:
        os.unlink(secret_path)


@case("modinput", "XML entity-expansion bomb (billion laughs) is refused quickly")
def xml_entity_bomb(bins):
    ents = "".join(f'<!ENTITY l{i} "' + (f"&l{i - 1};" * 10) + '">' for i in range(1, 10))
    doc = ('<?xml version="1.0"?>\n<!DOCTYPE items [<!ENTITY l0 "lol">' + ents + "]>\n"
           + GOOD_ITEMS.format(ckpt="/tmp").replace("eu-west-1", "&l9;")).encode()
    r = modinput_refused(bins, doc, DOCTYPE_REFUSED)
    expect(r.seconds < 10, f"took {r.seconds:.1f}s")
    return r


def _utf16_ok(bins, data):
    r = validate(bins, data)
    sane(r)
    expect(r.rc == 0, f"valid UTF-16 definition rejected: {r.describe()} "
                      f"{(r.stdout + r.stderr).decode(errors='replace')[-800:]}")
    return r


@case("modinput", "input definition in UTF-16LE with a BOM (as the SDK fixtures) is accepted")
def xml_utf16_bom(bins):
    doc = '<?xml version="1.0" encoding="utf-16"?>\n' + GOOD_ITEMS.format(ckpt="/tmp")
    return _utf16_ok(bins, b"\xff\xfe" + doc.encode("utf-16-le"))


@case("modinput", "input definition in UTF-16BE without a BOM is accepted")
def xml_utf16_no_bom(bins):
    doc = '<?xml version="1.0" encoding="UTF-16"?>\n' + GOOD_ITEMS.format(ckpt="/tmp")
    return _utf16_ok(bins, doc.encode("utf-16-be"))


@case("modinput", "input definition cut off in the middle")
def xml_truncated(bins):
    return modinput_refused(bins, GOOD_ITEMS.format(ckpt="/tmp").encode()[:150],
                            "ERROR input definition XML: unclosed token (line 4, column 47)")


@case("modinput", "input definition that is not XML (HTML page)")
def xml_not_xml(bins):
    return modinput_refused(bins, b"<html><body>502</body></html>",
                            "ERROR input definition XML: root element is <html>, expected <input> "
                            "(run mode) or <items> (validation) (line 1, column 6)")


# --- eks_audit_logs pull: AWS responses --------------------------------------------------------

AWS_ENV = {"AWS_ACCESS_KEY_ID": "AKIAHARDENINGTEST001",
           "AWS_SECRET_ACCESS_KEY": "hardeningSecretKeyDoNotLog0123456789abcd",
           "AWS_REGION": "eu-west-1", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": "/nonexistent/config",
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials", "HOME": "/nonexistent"}


def pull_case(bins, responder, final_error):
    with RawServer(responder) as server:
        r = run([bins.eks, "pull", "--log-group", "/aws/eks/x/cluster", "--endpoint", server.url,
                 "--since", "-5m", "--until", "now"], b"", timeout=120, env=AWS_ENV)
        n = len(server.requests)
    sane(r)
    expect(r.rc != 0, "exit 0 although no page could be read")
    expect(r.stdout == b"", f"events printed from a bad response: {r.stdout[:200]!r}")
    expect(1 <= n <= 10, f"{n} requests (retries must be bounded)")
    last = r.stderr.decode(errors="replace").strip().splitlines()[-1]
    last = last.replace(server.url, "{endpoint}")
    last = re.sub(r"\d+ bytes remaining", "N bytes remaining", last)
    expect(last == final_error, f"last log line is\n  {last!r}\ncatalogue says\n  {final_error!r}")
    return r


@case("aws", "CloudWatch answers an HTML 502 error page (proxy)")
def aws_html_error_page(bins):
    return pull_case(bins, lambda n, req: http_response(
        502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        "ERROR FilterLogEvents failed after 0 events: FilterLogEvents: error (HTTP 502): non-JSON "
        "response: <html><body><h1>502 Bad Gateway</h1></body></html> [retryable]")


@case("aws", "CloudWatch answers 200 with an HTML page (captive portal)")
def aws_html_200(bins):
    return pull_case(bins, lambda n, req: http_response(
        200, b"<html><body>Login required</body></html>"),
        "ERROR FilterLogEvents failed after 0 events: FilterLogEvents: response is not JSON (The "
        "JSON document has an improper structure: missing or superfluous commas, braces, missing "
        "keys, etc.)")


@case("aws", "CloudWatch answers 200 with an empty body")
def aws_empty(bins):
    return pull_case(bins, lambda n, req: http_response(200, b"", "application/x-amz-json-1.1"),
                     "ERROR FilterLogEvents failed after 0 events: FilterLogEvents: empty "
                     "response body")


@case("aws", "CloudWatch response cut off (connection closed before Content-Length)")
def aws_cut_off(bins):
    return pull_case(bins, lambda n, req: http_response(
        200, b'{"events":[{"eventId":"1","timestamp":1,"mess', "application/x-amz-json-1.1",
        declared_length=500),
        "ERROR FilterLogEvents failed after 0 events: FilterLogEvents: error: POST {endpoint}/: "
        "Transferred a partial file (transfer closed with N bytes remaining to read) [retryable]")


@case("aws", "CloudWatch JSON truncated (complete HTTP, broken document)")
def aws_truncated_json(bins):
    return pull_case(bins, lambda n, req: http_response(
        200, b'{"events":[{"eventId":"1","timestamp":1,"mess', "application/x-amz-json-1.1"),
        "ERROR FilterLogEvents failed after 0 events: FilterLogEvents: response is not JSON (A "
        "string is opened, but never closed.)")


@case("aws", "nothing listens on the endpoint (connection refused)")
def aws_connection_refused(bins):
    port = free_port()
    r = run([bins.eks, "pull", "--log-group", "/aws/eks/x/cluster", "--endpoint",
             f"http://127.0.0.1:{port}", "--since", "-5m", "--until", "now"], b"",
            timeout=120, env=AWS_ENV)
    sane(r)
    expect(r.rc != 0 and r.stdout == b"", r.describe())
    last = r.stderr.decode(errors="replace").strip().splitlines()[-1]
    expect(last.startswith("ERROR "), f"last line {last!r}")
    return r


def hostile_page():
    """One FilterLogEvents page whose messages are hostile but keepable: a JSON-escaped NUL, a
    lone surrogate escape, C0 controls, XML metacharacters and CDATA terminators, a 1 MB message.
    (Raw invalid UTF-8 in the JSON body is not something CloudWatch sends; the client refuses
    such a page as 'not valid UTF-8' and retries it: see RESULTS/report.)"""
    import time as _time
    now = int(_time.time() * 1000) - 60000
    messages = [b'{"kind":"Event","note":"nul \\u0000 here"}',
                b'{"kind":"Event","bad":"\\ud800 lone surrogate escape"}',
                b'{"kind":"Event","ctl":"\x01\x07\x1b[31m"}',
                b'{"kind":"Event","xml":"</data></event><event>]]>&amp;<![CDATA["}',
                b'{"kind":"Event","big":"' + b"y" * (1 << 20) + b'"}']
    events = []
    for i, m in enumerate(messages):
        msg = json.dumps(m.decode("utf-8", "surrogateescape"), ensure_ascii=False)
        msg = msg.encode("utf-8", "surrogateescape")
        events.append(b'{"logStreamName":"kube-apiserver-audit-x","timestamp":%d,'
                      b'"ingestionTime":%d,"eventId":"%056d","message":%s}'
                      % (now + i, now + i + 5, i + 1, msg))
    body = b'{"events":[' + b",".join(events) + b'],"searchedLogStreams":[]}'
    return len(messages), body


@case("aws", "CloudWatch events with NUL, invalid UTF-8, controls, XML metacharacters, 1 MB: all kept (pull)")
def aws_hostile_messages_kept_pull(bins):
    n, body = hostile_page()
    with RawServer(lambda k, q: http_response(200, body, "application/x-amz-json-1.1")) as server:
        r = run([bins.eks, "pull", "--log-group", "/aws/eks/x/cluster", "--endpoint", server.url,
                 "--since", "-10m", "--until", "now"], b"", timeout=120, env=AWS_ENV)
    sane(r)
    expect(r.rc == 0, f"exit {r.rc}: {r.stderr[-600:]!r}")
    lines = r.stdout.split(b"\n")
    lines = [ln for ln in lines if ln]
    expect(len(lines) == n, f"{len(lines)} events printed, {n} received")
    expect(len(lines[4]) > (1 << 20), "the 1 MB event was cut")
    return r


@case("aws", "the same hostile events in run mode: well-formed XML stream, every event kept")
def aws_hostile_messages_xml_stream(bins):
    import xml.dom.minidom
    n, body = hostile_page()
    with RawServer(lambda k, q: http_response(200, body, "application/x-amz-json-1.1")) as server, \
            tempfile.TemporaryDirectory() as ckpt:
        doc = f"""<input><server_host>h</server_host><server_uri>https://127.0.0.1:1</server_uri>
<session_key>k</session_key><checkpoint_dir>{ckpt}</checkpoint_dir><configuration>
<stanza name="eks_audit_logs://cat" app="kubepriv"><param name="region">eu-west-1</param>
<param name="log_group">/aws/eks/x/cluster</param><param name="endpoint_url">{server.url}</param>
<param name="start_position">-10m</param><param name="latency">0s</param>
<param name="poll_interval">1s</param>
<param name="exit_when_caught_up">true</param></stanza></configuration></input>"""
        r = run([bins.eks], doc.encode(), timeout=60, env=AWS_ENV, cwd=ckpt)
    sane(r)
    expect(r.rc == 0, f"{r.describe()}: {r.stderr[-600:]!r}")
    try:
        stream = xml.dom.minidom.parseString(r.stdout)
    except Exception as e:  # noqa: BLE001 - any parser error is the failure we report
        raise Failure(f"event stream is not well-formed XML: {e}; {r.stdout[:300]!r}")
    events = stream.getElementsByTagName("event")
    expect(len(events) == n, f"{len(events)} events in the stream, {n} received")
    return r


# --- driver ---------------------------------------------------------------------------------

class Bins:
    def __init__(self, kubepriv, eks):
        self.kubepriv, self.eks = kubepriv, eks


def first_error_line(r):
    if r is None:
        return ""
    if rows_note:
        return rows_note.pop()
    if isinstance(r, tuple):
        r = r[0]
    try:
        replies = parse_replies(r.stdout)
        if replies and replies[-1].meta and "error" in replies[-1].meta:
            return "reply error: " + replies[-1].meta["error"]
    except ValueError:
        pass
    lines = [ln for ln in r.stderr.decode(errors="replace").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubepriv")
    ap.add_argument("--eks")
    ap.add_argument("--case")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    if a.list:
        print(";".join(CASES))
        return 0
    bins = Bins(a.kubepriv, a.eks)
    names = [a.case] if a.case else list(CASES)
    failed = 0
    rows = []
    for name in names:
        surface, title, fn = CASES[name]
        binary = bins.eks if surface in ("modinput", "aws") else bins.kubepriv
        if not binary or not os.path.exists(binary):
            print(f"SKIP {name}: binary for {surface} not built")
            if a.case:
                return 77
            continue
        try:
            result = fn(bins)
            status = "ok"
            what = result[0].describe() if isinstance(result, tuple) else result.describe()
            msg = first_error_line(result)
            print(f"PASS {name}: {what}")
            print(f"     message: {msg}")
        except Failure as e:
            failed += 1
            status = "FAIL"
            msg = f"(catalogue check failed: {str(e)[:300]})"
            print(f"FAIL {name}: {e}")
        rows.append((surface, name, title, status, msg))
    if a.markdown:
        print("\n| surface | case | input | result | message the user sees |")
        print("|---|---|---|---|---|")
        for surface, name, title, status, msg in rows:
            msg = msg.replace("|", "\\|")
            print(f"| {surface} | `{name}` | {title} | {status} | `{msg}` |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
