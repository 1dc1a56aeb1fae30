"""The credential sources, each against its fake endpoint: STS AssumeRole (+ExternalId),
web identity (IRSA), container credentials (EKS Pod Identity), IMDSv2, and a key stored in
Splunk's storage/passwords read with the session key."""

import os
import tempfile
import time
import unittest

import fakeaws
import harness as H


class CredentialsTest(unittest.TestCase):
    def setUp(self):
        self.fake = fakeaws.FakeAws(max_requests=500, max_seconds=120).start()
        self.dir = tempfile.mkdtemp()
        now = int(time.time() * 1000)
        for i in range(8):
            self.fake.store.add(H.GROUP, H.AUDIT, now - 600000 + i * 1000, '{"n":%d}' % i)
        self.fake.page_limit = 3

    def tearDown(self):
        self.fake.stop()

    def run_input(self, env, secrets=(), **params):
        doc = H.definition({"prod": H.params(exit_when_caught_up="true", **params)}, self.dir)
        rc, out, err = H.run(doc, env)
        H.check_log_lines(self, err, list(secrets) + ["sess-KEY-123"])
        return rc, out, err

    def logs_akids(self):
        return {r["akid"] for r in self.fake.calls("logs") if r["status"] == 200}

    def issued_secrets(self):
        return [k["secret"] for a, k in self.fake.keys.items() if a.startswith("ASIA")] + \
               [k["token"] for a, k in self.fake.keys.items() if a.startswith("ASIA")]

    def test_assume_role_with_external_id(self):
        self.fake.add_key("AKIDBASE", "BASESECRET")
        self.fake.sts_external_id = "ext-4711"
        rc, out, err = self.run_input(H.base_env(self.fake, "AKIDBASE", "BASESECRET"), ["BASESECRET"],
                                      role_arn="arn:aws:iam::123456789012:role/reader",
                                      external_id="ext-4711", sts_endpoint_url=self.fake.url)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 8)
        sts = self.fake.calls("sts")
        self.assertEqual([r["target"] for r in sts], ["AssumeRole"])
        self.assertEqual(sts[0]["akid"], "AKIDBASE")
        self.assertEqual(self.logs_akids(), {sts[0]["issued"]})  # logs calls use the role's keys
        H.check_log_lines(self, err, self.issued_secrets())

    def test_assume_role_with_wrong_external_id_fails(self):
        self.fake.add_key("AKIDBASE", "BASESECRET")
        self.fake.sts_external_id = "ext-4711"
        rc, out, err = self.run_input(H.base_env(self.fake, "AKIDBASE", "BASESECRET"), ["BASESECRET"],
                                      role_arn="arn:aws:iam::123456789012:role/reader",
                                      external_id="wrong-id", sts_endpoint_url=self.fake.url)
        self.assertEqual(rc, 1)
        self.assertEqual(H.stream_events(out), [])
        self.assertRegex(err, r"(?m)^ERROR .*AccessDenied")
        self.assertEqual(self.fake.calls("logs"), [])

    def test_web_identity(self):
        tok = os.path.join(self.dir, "token")
        H.write_file(tok, "eyJhbGciOiJSUzI1NiJ9.irsa-token.sig")
        self.fake.web_identity_token_file = tok
        env = H.base_env(self.fake, akid=None, AWS_ROLE_ARN="arn:aws:iam::123456789012:role/irsa",
                         AWS_WEB_IDENTITY_TOKEN_FILE=tok, AWS_ENDPOINT_URL_STS=self.fake.url)
        rc, out, err = self.run_input(env, ["irsa-token"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 8)
        sts = self.fake.calls("sts")
        self.assertEqual([r["target"] for r in sts], ["AssumeRoleWithWebIdentity"])
        self.assertEqual(self.logs_akids(), {sts[0]["issued"]})

    def test_container_credentials_refresh_after_expired_token(self):
        tokfile = os.path.join(self.dir, "pod-identity-token")
        H.write_file(tokfile, "pod-identity-secret-token")
        self.fake.container_token = "pod-identity-secret-token"
        self.fake.faults[2] = "expired"
        env = H.base_env(self.fake, akid=None,
                         AWS_CONTAINER_CREDENTIALS_FULL_URI=self.fake.url + "/v1/credentials",
                         AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=tokfile)
        rc, out, err = self.run_input(env, ["pod-identity-secret-token"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 8)
        issued = [r["issued"] for r in self.fake.calls("container") if r["status"] == 200]
        self.assertGreaterEqual(len(issued), 2, "ExpiredToken must force a refresh")
        calls = self.fake.calls("logs")
        i = next(k for k, r in enumerate(calls) if r.get("error") == "ExpiredTokenException")
        self.assertNotEqual(calls[i + 1]["akid"], calls[i]["akid"])
        self.assertEqual(calls[i + 1]["status"], 200)
        H.check_log_lines(self, err, self.issued_secrets())

    def test_imds_v2(self):
        env = H.base_env(self.fake, akid=None, AWS_EC2_METADATA_SERVICE_ENDPOINT=self.fake.url)
        del env["AWS_EC2_METADATA_DISABLED"]
        rc, out, err = self.run_input(env)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 8)
        imds = self.fake.calls("imds")
        self.assertEqual(imds[0]["method"], "PUT")
        self.assertTrue(all(r["status"] == 200 for r in imds))
        self.assertEqual(self.logs_akids(), {r["issued"] for r in imds if r.get("issued")})
        H.check_log_lines(self, err, self.issued_secrets())

    def test_key_from_splunk_storage_passwords(self):
        self.fake.add_key("AKIDSPLUNK", "SPLUNKSECRETvalue")
        self.fake.splunkd_session_key = "sess-KEY-123"
        self.fake.splunkd_passwords = {"aws:AKIDSPLUNK:": "SPLUNKSECRETvalue"}
        doc = H.definition({"prod": H.params(exit_when_caught_up="true", credential_name="aws:AKIDSPLUNK")},
                           self.dir, server_uri=self.fake.url)
        rc, out, err = H.run(doc, H.base_env(self.fake, akid=None))
        H.check_log_lines(self, err, ["SPLUNKSECRETvalue", "sess-KEY-123"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(H.stream_events(out)), 8)
        self.assertEqual(self.logs_akids(), {"AKIDSPLUNK"})
        [sp] = self.fake.calls("splunkd")
        self.assertIn("/storage/passwords/aws%3AAKIDSPLUNK%3A", sp["path"])
        # A wrong session key is refused by splunkd and reported, without leaking the key.
        doc = H.definition({"prod": H.params(exit_when_caught_up="true", credential_name="aws:AKIDSPLUNK")},
                           self.dir, server_uri=self.fake.url, session_key="stale-session-key")
        rc, out, err = H.run(doc, H.base_env(self.fake, akid=None))
        self.assertEqual(rc, 1)
        self.assertRegex(err, r"(?m)^ERROR .*splunkd refused")
        H.check_log_lines(self, err, ["stale-session-key"])

    def test_validate_arguments_checks_the_stored_credential(self):
        """--validate-arguments with credential_name: the entry exists in storage/passwords and
        signs a FilterLogEvents call (limit 1) that the endpoint accepts; otherwise a clear
        message, without the secret or the session key."""
        self.fake.add_key("AKIDSPLUNK", "SPLUNKSECRETvalue")
        self.fake.splunkd_session_key = "sess-KEY-123"
        self.fake.splunkd_passwords = {"aws:AKIDSPLUNK:": "SPLUNKSECRETvalue",
                                       "aws:AKIDUNKNOWN:": "WRONGSECRETvalue"}

        def validate(name):
            params = H.params(credential_name=name)
            body = "".join('<param name="%s">%s</param>' % kv for kv in params.items())
            doc = ("<items><server_host>h</server_host><server_uri>%s</server_uri>"
                   "<session_key>sess-KEY-123</session_key><checkpoint_dir>%s</checkpoint_dir>"
                   '<item name="prod">%s</item></items>' % (self.fake.url, self.dir, body)).encode()
            rc, out, err = H.run(doc, H.base_env(self.fake, akid=None), args=["--validate-arguments"])
            H.check_log_lines(self, err, ["SPLUNKSECRETvalue", "WRONGSECRETvalue", "sess-KEY-123"])
            for secret in (b"SPLUNKSECRETvalue", b"WRONGSECRETvalue", b"sess-KEY-123"):
                self.assertNotIn(secret, out)
            return rc, out.decode(), err

        before = len(self.fake.calls())
        rc, out, err = validate("aws:AKIDSPLUNK")
        self.assertEqual(rc, 0, err + out)
        [call] = self.fake.calls()[before:]
        self.assertEqual(call["akid"], "AKIDSPLUNK")  # signed with the stored key (botocore-verified)
        self.assertEqual(call["request"]["limit"], 1)

        rc, out, err = validate("aws:AKIDMISSING")
        self.assertEqual(rc, 1)
        self.assertIn("<error><message>", out)
        self.assertIn("cannot be read from storage/passwords", out)

        rc, out, err = validate("aws:AKIDUNKNOWN")
        self.assertEqual(rc, 1)
        self.assertIn("cannot sign a FilterLogEvents call", out)

    def test_splunkd_default_certificate_on_loopback(self):
        """splunkd's default certificate names "SplunkServerDefaultCert", not 127.0.0.1: the
        input verifies it against $SPLUNK_HOME/etc/auth/cacert.pem without the name check (on
        loopback only). A certificate from another CA is still refused."""
        import os
        import subprocess
        d = tempfile.mkdtemp()

        def make_cert(name):
            cert, key = os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                            "-out", cert, "-days", "1", "-subj", "/CN=SplunkServerDefaultCert"],
                           check=True, capture_output=True, timeout=60)
            return cert, key

        cert, key = make_cert("splunkd")
        other_cert, _ = make_cert("other")
        tls = fakeaws.FakeAws(max_requests=200, max_seconds=120, tls=(cert, key)).start()
        self.addCleanup(tls.stop)
        tls.splunkd_session_key = "sess-KEY-123"
        tls.splunkd_passwords = {"aws:AKIDSPLUNK:": "SPLUNKSECRETvalue"}
        self.fake.add_key("AKIDSPLUNK", "SPLUNKSECRETvalue")
        for ca, expect_ok in ((cert, True), (other_cert, False)):
            home = tempfile.mkdtemp()
            os.makedirs(os.path.join(home, "etc", "auth"))
            with open(os.path.join(home, "etc", "auth", "cacert.pem"), "wb") as f, open(ca, "rb") as src:
                f.write(src.read())
            doc = H.definition({"s": H.params(exit_when_caught_up="true", credential_name="aws:AKIDSPLUNK")},
                               tempfile.mkdtemp(), server_uri=tls.url.replace("http://", "https://"))
            rc, out, err = H.run(doc, H.base_env(self.fake, akid=None, SPLUNK_HOME=home))
            H.check_log_lines(self, err, ["SPLUNKSECRETvalue", "sess-KEY-123"])
            if expect_ok:
                self.assertEqual(rc, 0, err)
                self.assertEqual(len(H.stream_events(out)), 8)  # the events setUp stored
                self.assertEqual(self.logs_akids(), {"AKIDSPLUNK"})
            else:
                self.assertEqual(rc, 1, err)
                self.assertRegex(err, r"(?mi)^ERROR .*(certificate|TLS|SSL|verif)")
                self.assertEqual(H.stream_events(out), [])


if __name__ == "__main__":
    unittest.main()
