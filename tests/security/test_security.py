"""Security checks as tests (issue 6), on the REAL binaries:

* no secret (AWS access key id, secret key, session token, splunkd session key, Authorization
  header, SigV4 signature) ever appears on stdout or stderr of `eks_audit_logs` or `kubepriv`,
  whatever fails, including when a server or proxy echoes the request back in its error page
  and with --debug;
* TLS verification cannot be turned off: https to a self-signed 127.0.0.1 server fails unless
  its certificate is explicitly trusted (AWS_CA_BUNDLE), and plain http to a non-loopback
  endpoint is refused before any connection;
* the XML parsers never resolve external entities (file:// and http:// DTDs and entities).

Binaries: EKS_AUDIT_LOGS and KUBEPRIV environment variables (set by CMake).
"""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "badinput"))
from runner import chunk, csv_body, execute, getinfo, parse_replies, run  # noqa: E402
from rawserver import RawServer, http_response  # noqa: E402

EKS = os.environ.get("EKS_AUDIT_LOGS", "")
KUBEPRIV = os.environ.get("KUBEPRIV", "")

ACCESS_KEY = "AKIASECURITYTEST7Q2Z"
SECRET_KEY = "securityTestSecretKey/DoNotLog+0123456789"
SESSION_TOKEN = "IQoJsecurityTestSessionTokenDoNotLog0123456789"
SESSION_KEY = "splunkdSessionKeyDoNotLog^0123456789abcdef"
STORED_SECRET = "storedSecretFromSplunkDoNotLog0123456789"

AWS_ENV = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
           "AWS_SESSION_TOKEN": SESSION_TOKEN, "AWS_REGION": "eu-west-1",
           "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent",
           "AWS_CONFIG_FILE": "/nonexistent/config",
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"}


def echo_request(status, content_type="text/html"):
    """A responder that reflects the whole request (headers included) in its body, as some
    proxies and misconfigured servers do in their error pages."""
    def responder(n, req):
        return http_response(status, b"<html><pre>" + req + b"</pre></html>", content_type)
    return responder


def echo_secret_headers_first(status, content_type="text/html"):
    """Like echo_request, but the echoed headers are sorted with Authorization and the session
    token first, so a short excerpt of the body is enough to leak them."""
    def responder(n, req):
        lines = req.split(b"\r\n")
        first = [ln for ln in lines if ln.lower().startswith((b"authorization", b"x-amz-security-token"))]
        rest = [ln for ln in lines if ln not in first]
        return http_response(status, b"<html>" + b"\n".join(first + rest) + b"</html>", content_type)
    return responder


def request_secrets(requests):
    """Secrets that only exist on the wire: Authorization values and their signatures."""
    found = set()
    for req in requests:
        for line in req.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"authorization":
                value = value.strip()
                found.add(value.decode(errors="replace"))
                if b"Signature=" in value:
                    found.add(value.split(b"Signature=")[1].decode())
            if name.strip().lower() == b"x-aws-ec2-metadata-token":
                found.add(value.strip().decode(errors="replace"))
    return found


class SecretsNeverLogged(unittest.TestCase):
    """Every failing scenario; the output of each run is searched for every secret."""

    def assertNoSecret(self, r, extra=(), access_key_is_config=False, may_keep_running=False):
        out = r.stdout + r.stderr
        secrets = [SECRET_KEY, SESSION_TOKEN, SESSION_KEY, STORED_SECRET, *extra]
        if not access_key_is_config:
            secrets.append(ACCESS_KEY)
        for secret in secrets:
            self.assertNotIn(secret.encode(), out,
                             f"secret {secret[:6]}... leaked:\n{out.decode(errors='replace')[-2000:]}")
        if not may_keep_running:  # run mode retries failures until stopped: we stop it
            self.assertFalse(r.timed_out, r.describe())
        self.assertFalse(r.crashed(), r.describe())

    def pull(self, responder, *extra_args):
        with RawServer(responder) as server:
            r = run([EKS, "pull", "--log-group", "/aws/eks/x/cluster", "--endpoint", server.url,
                     "--since", "-5m", "--until", "now", *extra_args], b"", timeout=120,
                    env=AWS_ENV)
            reqs = list(server.requests)
        self.assertGreater(len(reqs), 0, "the binary never reached the server")
        self.assertTrue(any(b"Authorization: AWS4-HMAC-SHA256" in q for q in reqs),
                        "requests were not signed (the scenario tests nothing)")
        return r, request_secrets(reqs)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_proxy_echoes_request_in_502_page(self):
        r, wire = self.pull(echo_request(502))
        self.assertNotEqual(r.rc, 0)
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_error_page_starts_with_authorization(self):
        r, wire = self.pull(echo_secret_headers_first(502))
        self.assertNotEqual(r.rc, 0)
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_json_error_message_quotes_authorization(self):
        def responder(n, q):
            auth = [ln for ln in q.split(b"\r\n") if ln.lower().startswith(b"authorization")]
            body = (b'{"__type":"AccessDeniedException","message":"denied for ' +
                    b" ".join(auth).replace(b'"', b"'") + b'"}')
            return http_response(400, body, "application/x-amz-json-1.1")
        r, wire = self.pull(responder)
        self.assertNotEqual(r.rc, 0)
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_echo_with_debug_logging(self):
        r, wire = self.pull(echo_request(500), "--debug")
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_server_rejects_signature(self):
        body = (b'{"__type":"InvalidSignatureException","message":"The request signature we '
                b'calculated does not match the signature you provided."}')
        r, wire = self.pull(lambda n, q: http_response(403, body, "application/x-amz-json-1.1"))
        self.assertNotEqual(r.rc, 0)
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_pull_expired_token_echoing_request(self):
        def responder(n, q):
            body = (b'{"__type":"ExpiredTokenException","message":"The security token included '
                    b'in the request is expired: ' + q.replace(b'"', b"'").replace(b"\r\n", b" ")
                    + b'"}')
            return http_response(400, body, "application/x-amz-json-1.1")
        r, wire = self.pull(responder)
        self.assertNoSecret(r, wire)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_malformed_shared_credentials_file(self):
        with tempfile.TemporaryDirectory() as d:
            creds = os.path.join(d, "credentials")
            with open(creds, "w") as f:
                f.write(f"[default]\naws_access_key_id = {ACCESS_KEY}\n"
                        f"aws_secret_access_key {SECRET_KEY}\n"  # missing '='
                        f"aws_session_token = {SESSION_TOKEN}\n[broken\n")
            env = {k: v for k, v in AWS_ENV.items()
                   if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
            env["AWS_SHARED_CREDENTIALS_FILE"] = creds
            with RawServer(echo_request(500)) as server:
                r = run([EKS, "pull", "--log-group", "g", "--endpoint", server.url, "--since",
                         "-5m", "--until", "now", "--debug"], b"", timeout=60, env=env)
        self.assertNotEqual(r.rc, 0)
        self.assertNoSecret(r)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_run_mode_splunkd_echoes_session_key(self):
        """Run mode with a stored credential: splunkd (here: an echoing fake) fails; neither the
        session key nor anything else secret may reach splunkd.log (our stderr)."""
        with RawServer(echo_request(500, "text/plain")) as server, \
                tempfile.TemporaryDirectory() as ckpt:
            doc = f"""<input>
  <server_host>h</server_host><server_uri>{server.url}</server_uri>
  <session_key>{SESSION_KEY}</session_key><checkpoint_dir>{ckpt}</checkpoint_dir>
  <configuration><stanza name="eks_audit_logs://sec" app="kubepriv">
    <param name="region">eu-west-1</param><param name="log_group">g</param>
    <param name="endpoint_url">{server.url}</param>
    <param name="credential_name">aws_key</param>
    <param name="exit_when_caught_up">1</param>
  </stanza></configuration></input>"""
            r = run([EKS], doc.encode(), timeout=15, env=AWS_ENV, cwd=ckpt)
            reqs = list(server.requests)
        self.assertTrue(any(SESSION_KEY.encode() in q for q in reqs),
                        f"splunkd was never asked with the session key ({len(reqs)} requests); "
                        f"stderr: {r.stderr[-800:]!r}")
        self.assertNoSecret(r, request_secrets(reqs), may_keep_running=True)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_run_mode_stored_secret_then_aws_fails(self):
        """splunkd returns the stored AWS secret; CloudWatch then echoes the request. The stored
        credential's user name is the access key id (the input's convention), so the key id is
        configuration here and only the secret parts are checked."""
        import json as _json
        entry = {"entry": [{"name": ":" + ACCESS_KEY + ":", "content": {
            "clear_password": STORED_SECRET, "username": ACCESS_KEY, "realm": ""}}]}

        def responder(n, q):
            if b"storage/passwords" in q.split(b"\r\n")[0]:
                return http_response(200, _json.dumps(entry).encode(), "application/json")
            return echo_secret_headers_first(502)(n, q)
        with RawServer(responder) as server, tempfile.TemporaryDirectory() as ckpt:
            doc = f"""<input>
  <server_host>h</server_host><server_uri>{server.url}</server_uri>
  <session_key>{SESSION_KEY}</session_key><checkpoint_dir>{ckpt}</checkpoint_dir>
  <configuration><stanza name="eks_audit_logs://sec" app="kubepriv">
    <param name="region">eu-west-1</param><param name="log_group">g</param>
    <param name="endpoint_url">{server.url}</param>
    <param name="credential_name">{ACCESS_KEY}</param>
    <param name="start_position">-1h</param><param name="latency">0s</param>
    <param name="exit_when_caught_up">true</param>
  </stanza></configuration></input>"""
            r = run([EKS], doc.encode(), timeout=15, env={"AWS_EC2_METADATA_DISABLED": "true",
                                                           "HOME": "/nonexistent"}, cwd=ckpt)
            reqs = list(server.requests)
        self.assertTrue(any(b"storage/passwords" in q for q in reqs), "splunkd never asked")
        self.assertTrue(any(b"Credential=" + ACCESS_KEY.encode() in q for q in reqs),
                        f"CloudWatch never called with the stored key: {r.stderr[-800:]!r}")
        self.assertNoSecret(r, request_secrets(reqs), access_key_is_config=True,
                            may_keep_running=True)

    @unittest.skipUnless(KUBEPRIV, "kubepriv not built")
    def test_search_command_never_echoes_session_key(self):
        """The getinfo session key stays out of replies and stderr in every error path."""
        streams = [
            getinfo(["bogus_option=1"], session_key=SESSION_KEY),
            getinfo(["field="], session_key=SESSION_KEY),
            getinfo(["only_flagged=maybe"], session_key=SESSION_KEY),
            getinfo([], session_key=SESSION_KEY) + b"chunked 1.0,abc\n",
            getinfo([], session_key=SESSION_KEY) + chunk(b"not json " + SESSION_KEY.encode()),
            getinfo([], session_key=SESSION_KEY) + execute(b'_raw\n"unbalanced'),
            chunk(b'{"action":"getinfo","searchinfo":{"session_key":"' + SESSION_KEY.encode()
                  + b'","args":7}}'),
        ]
        for stream in streams:
            r = run([KUBEPRIV], stream, timeout=20)
            self.assertNoSecret(r)
            parse_replies(r.stdout)  # framing intact


class TlsVerification(unittest.TestCase):
    """TLS peers are verified and cannot be unverified."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.cert = os.path.join(cls.tmp, "cert.pem")
        cls.key = os.path.join(cls.tmp, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", cls.key, "-out", cls.cert],
                       check=True, capture_output=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tls_server(self):
        """A TLS server on 127.0.0.1 with the self-signed certificate; counts completed
        handshakes and answers one empty FilterLogEvents page per request."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        sock.settimeout(0.2)
        state = {"handshakes": 0, "requests": 0, "stop": False}

        def serve():
            while not state["stop"]:
                try:
                    conn, _ = sock.accept()
                except OSError:
                    continue
                try:
                    conn.settimeout(5)
                    tls = ctx.wrap_socket(conn, server_side=True)
                    state["handshakes"] += 1
                    data = b""
                    while b"\r\n\r\n" not in data:
                        more = tls.recv(65536)
                        if not more:
                            break
                        data += more
                    state["requests"] += 1
                    tls.sendall(http_response(200, b'{"events":[]}', "application/x-amz-json-1.1"))
                    tls.close()
                except (OSError, ssl.SSLError):
                    conn.close()

        t = threading.Thread(target=serve, daemon=True)
        t.start()
        return sock, state, t

    def pull_https(self, extra_env):
        sock, state, t = self.tls_server()
        try:
            env = dict(AWS_ENV, **extra_env)
            r = run([EKS, "pull", "--log-group", "g", "--endpoint",
                     f"https://127.0.0.1:{sock.getsockname()[1]}", "--since", "-5m", "--until",
                     "now"], b"", timeout=90, env=env)
        finally:
            state["stop"] = True
            t.join(timeout=5)
            sock.close()
        return r, state

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_self_signed_peer_is_rejected(self):
        r, state = self.pull_https({})
        self.assertNotEqual(r.rc, 0, "connected to an unverified TLS peer")
        self.assertEqual(state["requests"], 0, "a request was sent over an unverified TLS session")
        self.assertIn(b"certificate", r.stderr.lower(), r.stderr[-1000:])

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_peer_trusted_through_ca_bundle(self):
        """Control for the test above: the same server is reached once its certificate is
        trusted, so the rejection above is certificate verification and nothing else."""
        r, state = self.pull_https({"AWS_CA_BUNDLE": self.cert})
        self.assertGreater(state["requests"], 0, r.stderr[-1500:])
        self.assertEqual(r.rc, 0, r.stderr[-1500:])

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_no_switch_disables_verification(self):
        """The documented knobs of other tools do nothing here: the peer is still rejected."""
        r, state = self.pull_https({"AWS_VERIFY_SSL": "false", "CURL_CA_BUNDLE": "",
                                    "SSL_CERT_FILE": self.cert, "PYTHONHTTPSVERIFY": "0"})
        self.assertEqual(state["requests"], 0)
        self.assertNotEqual(r.rc, 0)
        for flag in ("--no-verify-ssl", "--insecure", "-k"):
            r2 = run([EKS, "pull", "--log-group", "g", flag], b"", timeout=20, env=AWS_ENV)
            self.assertNotEqual(r2.rc, 0, f"{flag} accepted")

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_plain_http_to_non_loopback_refused(self):
        # 192.0.2.0/24 is TEST-NET-1: never routed; the binary must refuse before connecting.
        for url in ("http://192.0.2.10", "http://logs.eu-west-1.amazonaws.com",
                    "http://127.0.0.1.nip.io", "http://[::ffff:192.0.2.10]/"):
            r = run([EKS, "pull", "--log-group", "g", "--endpoint", url, "--since", "-5m",
                     "--until", "now"], b"", timeout=30, env=AWS_ENV)
            self.assertNotEqual(r.rc, 0, f"{url} accepted")
            self.assertLess(r.seconds, 20, f"{url}: looks like a connection attempt")
            self.assertIn(b"http", r.stderr, r.stderr)

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_validate_arguments_refuses_plain_http_endpoint(self):
        doc = b"""<items><server_host>h</server_host><server_uri>https://127.0.0.1:8089</server_uri>
<session_key>k</session_key><checkpoint_dir>/tmp</checkpoint_dir><item name="x">
<param name="region">eu-west-1</param><param name="log_group">g</param>
<param name="endpoint_url">http://192.0.2.10/</param></item></items>"""
        with tempfile.TemporaryDirectory() as d:
            r = run([EKS, "--validate-arguments"], doc, timeout=20, cwd=d)
        self.assertNotEqual(r.rc, 0)
        self.assertTrue(r.stdout.startswith(b"<error><message>"), r.stdout)
        self.assertIn(b"endpoint_url", r.stdout)


class XmlEntitiesNeverResolved(unittest.TestCase):
    """External entities, external DTDs and parameter entities: refused, never fetched."""

    @unittest.skipUnless(EKS, "eks_audit_logs not built")
    def test_external_dtd_and_entities_not_fetched(self):
        with RawServer(lambda n, q: http_response(200, b'<!ENTITY x "FETCHED-DTD">',
                                                  "application/xml-dtd")) as server, \
                tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write("FILE-MARKER-c0ffee\n")
            f.flush()
            docs = [
                f'<!DOCTYPE input SYSTEM "{server.url}/a.dtd"><input><configuration/></input>',
                f'<!DOCTYPE input [<!ENTITY % p SYSTEM "{server.url}/p.dtd"> %p;]>'
                '<input><configuration/></input>',
                f'<!DOCTYPE input [<!ENTITY x SYSTEM "file://{f.name}">]>'
                '<input><session_key>&x;</session_key><configuration/></input>',
                f'<!DOCTYPE input PUBLIC "-//x//y" "{server.url}/b.dtd"><input/>',
            ]
            for doc in docs:
                for mode in ([], ["--validate-arguments"]):
                    with tempfile.TemporaryDirectory() as d:
                        r = run([EKS, *mode], doc.encode(), timeout=20, cwd=d)
                    self.assertNotEqual(r.rc, 0, f"accepted: {doc}")
                    self.assertNotIn(b"FILE-MARKER-c0ffee", r.stdout + r.stderr)
                    self.assertNotIn(b"FETCHED-DTD", r.stdout + r.stderr)
            self.assertEqual(server.requests, [], "an external DTD or entity was fetched")


if __name__ == "__main__":
    unittest.main()
