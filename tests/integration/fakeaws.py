"""Fake AWS endpoints on 127.0.0.1 for the eks_audit_logs integration tests.

One threaded HTTP server answers:
  * CloudWatch Logs (awsJson1.1, POST / with X-Amz-Target Logs_20140328.FilterLogEvents),
  * STS (form POST: AssumeRole signed with service "sts", AssumeRoleWithWebIdentity unsigned),
  * IMDSv2 (PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/[role]),
  * container credentials (GET /v1/credentials with an Authorization token).
Every signed request is verified with botocore's SigV4Auth (an independent implementation),
recomputed over the received method, path, signed headers and body (cloudwatch.md §13.2).
Faults are scripted per FilterLogEvents call number. The server bounds itself in requests and
wall time so a misbehaving input can never hang a test.
"""

import bisect
import hashlib
import hmac
import http.server
import json
import re
import socket
import socketserver
import threading
import time
import urllib.parse
from email.utils import formatdate

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request,\s*"
    r"SignedHeaders=([a-z0-9\-;]+),\s*Signature=([0-9a-f]{64})$")


def event_id(n):
    """A 56-digit decimal string like CloudWatch's eventId."""
    return str(37000000000000000000000000000000000000000000000000000000 + n).rjust(56, "0")


class Event:
    __slots__ = ("group", "stream", "ts", "ingest", "message", "eid", "seq")

    def __init__(self, group, stream, ts, ingest, message, seq):
        self.group, self.stream, self.ts, self.ingest = group, stream, ts, ingest
        self.message, self.seq = message, seq
        self.eid = event_id(seq)

    def key(self):
        return (self.ts, self.ingest, self.seq)


class EventStore:
    """Events of one or more log groups, ordered by (timestamp, ingestionTime, seq)."""

    def __init__(self):
        self.events = []
        self.keys = []
        self.groups = set()
        self._seq = 0
        self.lock = threading.Lock()

    def add(self, group, stream, ts, message, ingest=None):
        with self.lock:
            self._seq += 1
            e = Event(group, stream, ts, ts + 1000 if ingest is None else ingest, message, self._seq)
            i = bisect.bisect(self.keys, e.key())
            self.keys.insert(i, e.key())
            self.events.insert(i, e)
            self.groups.add(group)
            return e

    def page(self, group, prefix, start, end, after_key, limit, max_bytes, now_ms):
        """Events after `after_key` in [start, end] visible at now_ms: (events, more)."""
        out, size = [], 0
        with self.lock:
            if after_key is None:
                i = bisect.bisect_left(self.keys, (start if start is not None else -(1 << 62), -(1 << 62), -1))
            else:
                i = bisect.bisect_right(self.keys, tuple(after_key))
            n = len(self.events)
            while i < n:
                e = self.events[i]
                i += 1
                if end is not None and e.ts > end:
                    return out, False
                if e.group != group or e.ingest > now_ms:
                    continue
                if prefix and not e.stream.startswith(prefix):
                    continue
                if start is not None and e.ts < start:
                    continue
                if out and (len(out) >= limit or size + len(e.message) > max_bytes):
                    return out, True
                out.append(e)
                size += len(e.message)
        return out, False


class SyntheticStore:
    """A large backlog generated on demand (benchmarks): event i has timestamp base + i*step and
    a message of about `size` bytes. Nothing is kept in memory but the template."""

    def __init__(self, group, stream, count, base_ms, step_ms, size):
        self.group, self.stream, self.count = group, stream, count
        self.base, self.step = base_ms, step_ms
        pad = max(0, size - 200)
        self.template = ('{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata",'
                         '"auditID":"%012d","stage":"ResponseComplete","verb":"update",'
                         '"requestURI":"/apis/coordination.k8s.io/v1/leases/x","pad":"'
                         + "x" * pad + '"}')
        self.groups = {group}

    def page(self, group, prefix, start, end, after_key, limit, max_bytes, now_ms):
        if group != self.group or (prefix and not self.stream.startswith(prefix)):
            return [], False
        lo = 0 if start is None else max(0, -(-(start - self.base) // self.step))
        if after_key is not None:
            lo = max(lo, after_key[2])  # seq = index + 1
        hi = self.count if end is None else min(self.count, (end - self.base) // self.step + 1)
        out, size = [], 0
        i = lo
        while i < hi:
            ts = self.base + i * self.step
            if ts + 1000 > now_ms:
                break
            msg = self.template % i
            if out and (len(out) >= limit or size + len(msg) > max_bytes):
                return out, True
            e = Event(self.group, self.stream, ts, ts + 1000, msg, i + 1)
            out.append(e)
            size += len(msg)
            i += 1
        return out, False


class FakeAws:
    """The fake. Configure attributes before or while the input runs."""

    def __init__(self, region="eu-west-1", max_requests=20000, max_seconds=600, tls=None):
        self.region = region
        self.keys = {}            # akid -> {"secret", "token", "expires" (epoch s or None)}
        self.store = EventStore()
        self.faults = {}          # FilterLogEvents call number (1-based) -> action
        self.skew_seconds = 0     # the fake's clock minus the real clock
        self.page_limit = None    # server-side cap of events per page (None: request limit)
        self.max_page_bytes = 1048576
        self.empty_pages = 0      # empty pages (with tokens) before the first page of a query
        self.null_token_at_end = False
        self.sts_external_id = None       # required ExternalId for AssumeRole, if set
        self.sts_duration = 3600          # lifetime of credentials handed out
        self.web_identity_token_file = None
        self.container_token = None
        self.container_credentials = None  # akid of the key served to containers
        self.imds_role = "kubepriv-node"
        self.imds_credentials = None
        self.max_requests, self.deadline = max_requests, time.time() + max_seconds
        self.requests = []        # dicts: t, kind, target, body, status, akid
        self.fle_calls = 0
        self.lock = threading.Lock()
        self._tokens = {}
        self._token_seq = 0
        self._issued = 0
        self._imds_tokens = set()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def date_time_string(self, timestamp=None):
                # send_response() adds Date itself: make it the fake's (possibly skewed) clock.
                return formatdate(fake.now() if timestamp is None else timestamp, usegmt=True)

            def do_POST(self):
                fake._handle(self)

            def do_GET(self):
                fake._handle(self)

            def do_PUT(self):
                fake._handle(self)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if tls:  # (certfile, keyfile): serve HTTPS
            import ssl
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.url = "https://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_key(self, akid, secret, token=None, expires=None):
        self.keys[akid] = {"secret": secret, "token": token, "expires": expires}

    def now(self):
        return time.time() + self.skew_seconds

    def calls(self, kind="logs"):
        with self.lock:
            return [r for r in self.requests if r["kind"] == kind]

    # ---- plumbing ---------------------------------------------------------------------------
    def _send(self, h, status, body, ctype="application/x-amz-json-1.1", headers=None):
        data = body if isinstance(body, bytes) else body.encode()
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.send_header("x-amzn-RequestId", "fake-%d" % len(self.requests))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _json_error(self, h, status, code, message, rec):
        rec["status"], rec["error"] = status, code
        self._send(h, status, json.dumps({"__type": code, "message": message}))

    def _handle(self, h):
        proxied = h.path.startswith("http://")
        if proxied:  # absolute-form request line: we are being used as an HTTP proxy
            h.path = "/" + h.path.split("/", 3)[3] if h.path.count("/") >= 3 else "/"
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        rec = {"t": time.time(), "method": h.command, "path": h.path, "kind": "?", "status": 0,
               "target": h.headers.get("X-Amz-Target", ""), "body": body, "akid": None,
               "error": None, "proxied": proxied}
        with self.lock:
            self.requests.append(rec)
            over = len(self.requests) > self.max_requests or time.time() > self.deadline
        if over:
            rec["kind"] = "over-budget"
            return self._json_error(h, 503, "ServiceUnavailableException", "fake budget exhausted", rec)
        try:
            if h.path.startswith("/latest/"):
                rec["kind"] = "imds"
                return self._imds(h, rec)
            if h.path.startswith("/v1/credentials"):
                rec["kind"] = "container"
                return self._container(h, rec)
            if h.path.startswith("/servicesNS/"):
                rec["kind"] = "splunkd"
                return self._splunkd(h, rec)
            ctype = h.headers.get("Content-Type", "")
            if h.command == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
                rec["kind"] = "sts"
                return self._sts(h, body, rec)
            if h.command == "POST" and rec["target"].startswith("Logs_20140328."):
                rec["kind"] = "logs"
                return self._logs(h, body, rec)
            return self._json_error(h, 404, "UnknownOperationException", "no such route", rec)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # ---- SigV4 -----------------------------------------------------------------------------
    def _verify(self, h, body, service, rec, xml=False):
        """None when the signature is good, else (status, code, message)."""
        auth = h.headers.get("Authorization")
        if not auth:
            return (400, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
        m = AUTH_RE.match(auth)
        if not m:
            return (400, "IncompleteSignatureException", "Authorization header is malformed")
        akid, date, region, svc, signed, signature = m.groups()
        rec["akid"] = akid
        key = self.keys.get(akid)
        if key is None:
            return (400, "UnrecognizedClientException",
                    "The security token included in the request is invalid.")
        token = h.headers.get("X-Amz-Security-Token")
        if (token or None) != (key["token"] or None):
            return (400, "UnrecognizedClientException",
                    "The security token included in the request is invalid.")
        amz_date = h.headers.get("X-Amz-Date", "")
        try:
            t = time.mktime(time.strptime(amz_date, "%Y%m%dT%H%M%SZ")) - time.timezone
        except ValueError:
            return (400, "IncompleteSignatureException", "X-Amz-Date is missing or malformed")
        if abs(self.now() - t) > 300:
            server = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.now()))
            return (400, "InvalidSignatureException",
                    "Signature expired: %s is now earlier than %s (%s - 5 min.)" % (amz_date, server, server))
        if key["expires"] is not None and self.now() > key["expires"]:
            return (400, "ExpiredTokenException", "The security token included in the request is expired")
        names = signed.split(";")
        if date != amz_date[:8] or svc != service or "host" not in names or "x-amz-date" not in names:
            return (400, "InvalidSignatureException", "Credential scope or signed headers are wrong")
        if region != self.region:
            return (400, "InvalidSignatureException",
                    "Credential should be scoped to a valid region, not '%s'." % region)
        headers = {}
        for n in names:
            values = h.headers.get_all(n)
            if values is None:
                return (400, "InvalidSignatureException", "signed header %s not sent" % n)
            headers[n] = ",".join(values)
        req = AWSRequest(method=h.command, url="http://%s%s" % (headers["host"], h.path),
                         data=body, headers=headers)
        req.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(akid, key["secret"], key["token"]), service, region)
        expected = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
        if not hmac.compare_digest(expected, signature):
            return (400, "InvalidSignatureException",
                    "The request signature we calculated does not match the signature you provided.")
        return None

    # ---- CloudWatch Logs -------------------------------------------------------------------
    def _logs(self, h, body, rec):
        bad = self._verify(h, body, "logs", rec)
        if bad:
            return self._json_error(h, bad[0], bad[1], bad[2], rec)
        op = rec["target"].split(".", 1)[1]
        if op != "FilterLogEvents":
            return self._json_error(h, 400, "UnknownOperationException", op, rec)
        with self.lock:
            self.fle_calls += 1
            n = self.fle_calls
        action = self.faults.get(n)
        rec["fault"] = action
        if action is not None:
            if action == "reset":
                rec["status"] = -1
                h.close_connection = True
                try:
                    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    h.connection.close()
                except OSError:
                    pass
                return None
            if action.startswith("slow:"):
                time.sleep(float(action[5:]))
            elif action == "throttle":
                return self._json_error(h, 400, "ThrottlingException", "Rate exceeded", rec)
            elif action == "throttle_ns":
                rec["status"] = 400
                return self._send(h, 400, json.dumps({"__type": "com.amazonaws.logs#ThrottlingException",
                                                      "Message": "Rate exceeded"}))
            elif action == "500":
                return self._json_error(h, 500, "InternalFailure", "internal failure", rec)
            elif action == "503":
                return self._json_error(h, 503, "ServiceUnavailableException", "unavailable", rec)
            elif action == "html502":
                rec["status"] = 502
                return self._send(h, 502, "<html><body>Bad Gateway</body></html>", "text/html")
            elif action == "expired":
                return self._json_error(h, 400, "ExpiredTokenException",
                                        "The security token included in the request is expired", rec)
            elif action == "malformed":
                rec["status"] = 200
                return self._send(h, 200, '{"events": [{"eventId": "1", "timest')
            elif action == "denied":
                return self._json_error(h, 400, "AccessDeniedException", "not authorized", rec)
        try:
            req = json.loads(body)
        except ValueError:
            return self._json_error(h, 400, "SerializationException", "bad JSON", rec)
        rec["request"] = req
        group = req.get("logGroupName") or req.get("logGroupIdentifier")
        if ("logGroupName" in req) == ("logGroupIdentifier" in req):
            return self._json_error(h, 400, "InvalidParameterException",
                                    "exactly one of logGroupName, logGroupIdentifier", rec)
        if "logStreamNames" in req and "logStreamNamePrefix" in req:
            return self._json_error(h, 400, "InvalidParameterException",
                                    "logStreamNames and logStreamNamePrefix are exclusive", rec)
        limit = req.get("limit", 10000)
        if not isinstance(limit, int) or not 1 <= limit <= 10000:
            return self._json_error(h, 400, "InvalidParameterException", "limit out of range", rec)
        if group.startswith("arn:"):
            group = group.split(":log-group:", 1)[1]
        if group not in self.store.groups:
            return self._json_error(h, 400, "ResourceNotFoundException",
                                    "The specified log group does not exist.", rec)
        query = (group, req.get("logStreamNamePrefix"), req.get("startTime"), req.get("endTime"))
        after, empties = None, self.empty_pages
        tok = req.get("nextToken")
        if tok is not None:
            with self.lock:
                st = self._tokens.get(tok)
            if st is None or st[0] != query:
                return self._json_error(h, 400, "InvalidParameterException",
                                        "The specified nextToken is invalid.", rec)
            _, after, empties = st
        if self.page_limit:
            limit = min(limit, self.page_limit)
        if empties > 0:
            events, more = [], True
            next_state = (query, after, empties - 1)
        else:
            events, more = self.store.page(group, query[1], query[2], query[3], after, limit,
                                           self.max_page_bytes, int(self.now() * 1000))
            next_state = (query, list(events[-1].key()) if events else after, 0)
        out = {"events": [{"logStreamName": e.stream, "timestamp": e.ts, "message": e.message,
                           "ingestionTime": e.ingest, "eventId": e.eid} for e in events],
               "searchedLogStreams": []}
        if more:
            with self.lock:
                self._token_seq += 1
                token = "tok-%d-%s" % (self._token_seq, hashlib.sha1(str(self._token_seq).encode()).hexdigest()[:16])
                self._tokens[token] = next_state
            out["nextToken"] = token
        elif self.null_token_at_end:
            out["nextToken"] = None
        rec["status"], rec["events"] = 200, len(events)
        rec["event_ids"] = [e.eid for e in events]
        return self._send(h, 200, json.dumps(out, separators=(",", ":")))

    # ---- credentials endpoints --------------------------------------------------------------
    def issue(self, prefix="ASIA"):
        """New temporary credentials accepted by the logs fake."""
        with self.lock:
            self._issued += 1
            n = self._issued
        akid = "%sFAKE%016d" % (prefix, n)
        secret = hashlib.sha256(b"secret%d" % n).hexdigest()[:40]
        token = "FwoGZXIvYXdzE" + hashlib.sha256(b"token%d" % n).hexdigest()
        exp = self.now() + self.sts_duration
        self.add_key(akid, secret, token, exp)
        return akid, secret, token, exp

    def _sts(self, h, body, rec):
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)
        action = form.get("Action", [""])[0]
        rec["target"] = action

        def xml_error(status, code, message):
            rec["status"], rec["error"] = status, code
            self._send(h, status, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s"
                       "</Message></Error><RequestId>r</RequestId></ErrorResponse>" % (code, message),
                       "text/xml")

        if action == "AssumeRole":
            bad = self._verify(h, body, "sts", rec)
            if bad:
                return xml_error(403, "SignatureDoesNotMatch" if "Signature" in bad[1] else "InvalidClientTokenId", bad[2])
            if self.sts_external_id is not None and form.get("ExternalId", [""])[0] != self.sts_external_id:
                return xml_error(403, "AccessDenied", "ExternalId does not match")
        elif action == "AssumeRoleWithWebIdentity":
            want = None
            if self.web_identity_token_file:
                with open(self.web_identity_token_file) as f:
                    want = f.read().strip()
            if want is None or form.get("WebIdentityToken", [""])[0] != want:
                return xml_error(400, "InvalidIdentityToken", "token does not match")
        else:
            return xml_error(400, "InvalidAction", "unknown action")
        akid, secret, token, exp = self.issue()
        rec["status"], rec["issued"] = 200, akid
        exp_s = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))
        self._send(h, 200, (
            "<{a}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{a}Result>"
            "<Credentials><AccessKeyId>{k}</AccessKeyId><SecretAccessKey>{s}</SecretAccessKey>"
            "<SessionToken>{t}</SessionToken><Expiration>{e}</Expiration></Credentials>"
            "</{a}Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></{a}Response>"
        ).format(a=action, k=akid, s=secret, t=token, e=exp_s), "text/xml")

    def _cred_json(self, extra=None):
        akid, secret, token, exp = self.issue()
        doc = {"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
               "Expiration": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(exp))}
        doc.update(extra or {})
        return akid, json.dumps(doc)

    def _imds(self, h, rec):
        if h.command == "PUT" and h.path == "/latest/api/token":
            if not h.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                rec["status"] = 400
                return self._send(h, 400, "missing ttl", "text/plain")
            tok = "imds-%d" % len(self.requests)
            self._imds_tokens.add(tok)
            rec["status"] = 200
            return self._send(h, 200, tok, "text/plain")
        if h.headers.get("X-aws-ec2-metadata-token") not in self._imds_tokens:
            rec["status"] = 401
            return self._send(h, 401, "", "text/plain")
        base = "/latest/meta-data/iam/security-credentials/"
        if h.path == base:
            rec["status"] = 200
            return self._send(h, 200, self.imds_role, "text/plain")
        if h.path == base + self.imds_role:
            akid, doc = self._cred_json({"Code": "Success", "Type": "AWS-HMAC",
                                         "LastUpdated": "2026-01-01T00:00:00Z"})
            rec["status"], rec["issued"] = 200, akid
            return self._send(h, 200, doc, "text/plain")
        rec["status"] = 404
        return self._send(h, 404, "", "text/plain")

    def _container(self, h, rec):
        if self.container_token is None or h.headers.get("Authorization") != self.container_token:
            rec["status"] = 401
            return self._send(h, 401, '{"message":"bad token"}', "application/json")
        akid, doc = self._cred_json()
        rec["status"], rec["issued"] = 200, akid
        return self._send(h, 200, doc, "application/json")

    # ---- splunkd storage/passwords ----------------------------------------------------------
    splunkd_session_key = None
    splunkd_passwords = {}   # "realm:user:" -> clear password

    def _splunkd(self, h, rec):
        if h.headers.get("Authorization") != "Splunk %s" % self.splunkd_session_key:
            rec["status"] = 401
            return self._send(h, 401, '{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}',
                              "application/json")
        path = urllib.parse.urlsplit(h.path)
        entity = urllib.parse.unquote(path.path.rsplit("/", 1)[1])
        if entity not in self.splunkd_passwords or "output_mode=json" not in path.query:
            rec["status"] = 404
            return self._send(h, 404, '{"messages":[]}', "application/json")
        realm, user, _ = entity.split(":")
        rec["status"] = 200
        return self._send(h, 200, json.dumps({"entry": [{"name": entity, "content": {
            "clear_password": self.splunkd_passwords[entity], "password": "********",
            "realm": realm, "username": user}}]}), "application/json")


class ConnectProxy:
    """A minimal HTTPS proxy (CONNECT only) that tunnels every connection to one local port,
    whatever host the client asked for, and records the CONNECT targets."""

    def __init__(self, target_port, max_seconds=120):
        self.target_port = target_port
        self.connects = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.deadline = time.time() + max_seconds
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self._stop.set()
        self.thread.join(timeout=5)
        self.sock.close()

    def _serve(self):
        while not self._stop.is_set() and time.time() < self.deadline:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._tunnel, args=(c,), daemon=True).start()

    def _tunnel(self, c):
        c.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            data = c.recv(4096)
            if not data:
                c.close()
                return
            head += data
        line = head.split(b"\r\n", 1)[0].decode()
        self.connects.append(line)
        if not line.startswith("CONNECT "):
            c.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            c.close()
            return
        u = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        c.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    b.sendall(d)
            except OSError:
                pass
            finally:
                for x in (a, b):
                    try:
                        x.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        t = threading.Thread(target=pipe, args=(u, c), daemon=True)
        t.start()
        pipe(c, u)
        t.join(timeout=30)
        c.close()
        u.close()
