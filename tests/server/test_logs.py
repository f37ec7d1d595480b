"""Request logs: one stderr line per request (method, path without query, status, latency), and no
secret ever: no token, auth key, API key, password, OAuth code or verifier, payload or blob byte.

    /usr/bin/python3 tests/server/test_logs.py --server PATH
"""

import os
import re
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import expect_json, b64  # noqa: E402

METHODS = ("GET", "POST", "PUT", "DELETE", "OPTIONS")
LATENCY_RE = re.compile(r"\d+(\.\d+)?\s*(ns|us|µs|ms|s)\b|latency\w*\W{0,3}\d", re.IGNORECASE)
PASSWORD = "log-test password ✓ 42"


class LogsTest(harness.ServerTestCase):
    redirect_uris = ("http://127.0.0.1/cb",)
    server_args = ("--cors-origin", "http://127.0.0.1:5555")

    def setUp(self):
        self.sent = []  # (method, path, status) of every request made in the test

    def call(self, client, method, path, **kw):
        reply = client.request(method, path, **kw)
        self.sent.append((method, path, reply.status))
        return reply

    def test_log_lines_and_no_secrets(self):
        log_start = self.server.starts
        api = self.client
        fmt = harness.load_synckit_format()
        email = harness.random_email("logs")
        auth_key = fmt.auth_key(email, PASSWORD)
        secrets = {"api key": self.api_key}

        self.call(self.server.client(), "GET", "/v1/health")
        reply = self.call(api, "POST", "/v1/auth/register", json={"email": email, "auth_key": b64(auth_key)})
        registered = expect_json(self, reply, 201)
        reply = self.call(api, "POST", "/v1/auth/login", json={"email": email, "auth_key": b64(auth_key)})
        login = expect_json(self, reply)
        reply = self.call(api, "POST", "/v1/auth/refresh", json={"refresh_token": login["refresh_token"]})
        refreshed = expect_json(self, reply)
        reply = self.call(api, "POST", "/v1/auth/login", json={"email": email, "auth_key": b64(os.urandom(32))})
        self.assertEqual(reply.status, 401)
        fake_key = "sk_fake_" + os.urandom(12).hex()
        self.call(api, "GET", "/v1/sync/status", api_key=fake_key)
        secrets["unknown api key"] = fake_key
        for name, token_reply in (("register", registered), ("login", login), ("refresh", refreshed)):
            secrets[f"{name} access token"] = token_reply["access_token"]
            secrets[f"{name} access token signature"] = token_reply["access_token"].rsplit(".", 1)[1]
            secrets[f"{name} refresh token"] = token_reply["refresh_token"]
        secrets["auth key base64"] = b64(auth_key)
        secrets["auth key base64url"] = harness.b64url(auth_key)
        secrets["auth key hex"] = auth_key.hex()
        secrets["auth key HEX"] = auth_key.hex().upper()
        secrets["signing secret"] = b64(self.server.signing_secret())
        secrets["signing secret hex"] = self.server.signing_secret().hex()

        user = self.server.client(api_key=self.api_key, token=refreshed["access_token"])
        reply = self.call(user, "POST", "/v1/devices", json={"name": "laptop", "platform": "linux"})
        device = expect_json(self, reply, 201)["id"]
        reply = self.call(user, "POST", "/v1/devices", json={"name": "phone", "platform": "web"})
        reader = expect_json(self, reply, 201)["id"]
        changes = harness.make_changes(3, 120)
        for change in changes:
            secrets[f"payload {change['change_id']}"] = change["payload"]
            secrets[f"payload {change['change_id']} (part)"] = change["payload"][40:80]
        self.call(user, "POST", "/v1/sync/push", json={"device_id": device, "changes": changes})
        envelope = harness.valid_envelope()
        secrets["envelope ciphertext"] = envelope["ciphertext"]
        secrets["envelope salt"] = envelope["salt"]
        self.call(user, "PUT", "/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0})
        self.call(user, "GET", "/v1/keys/envelope")
        blob = harness.sealed_bytes(200)
        secrets["blob base64"] = b64(blob)[:40]
        secrets["blob hex"] = blob.hex()[:40]
        self.call(user, "PUT", "/v1/blobs/log-blob", body=blob)
        self.call(user, "GET", "/v1/blobs/log-blob")
        self.call(user, "DELETE", "/v1/blobs/log-blob")
        self.call(user, "GET", "/v1/sync/pull?device_id=" + reader + "&cursor=0&limit=7")
        self.call(user, "GET", "/v1/sync/status")
        self.call(user, "GET", "/v1/sync/status", token="expired.or.garbage")
        self.call(user, "GET", "/v1/no-such-route")
        self.call(user, "POST", "/v1/auth/logout", json={"refresh_token": refreshed["refresh_token"]})
        self.call(self.server.client(origin="http://127.0.0.1:5555"), "OPTIONS", "/v1/sync/push",
                  headers={"Access-Control-Request-Method": "POST"})

        # OAuth: the password is typed into the server's form; code and verifier are secrets too
        verifier, challenge = harness.pkce_pair()
        state = "state-" + os.urandom(6).hex()
        params = {"response_type": "code", "client_id": self.api_key, "redirect_uri": "http://127.0.0.1:5555/cb",
                  "code_challenge": challenge, "code_challenge_method": "S256", "state": state}
        self.call(self.server.client(), "GET", "/v1/oauth/authorize?" + urllib.parse.urlencode(params))
        reply = self.call(self.server.client(), "POST", "/v1/oauth/authorize",
                          form=dict(params, email=email, password=PASSWORD))
        self.assertEqual(reply.status, 302, reply.body[:300])
        query = urllib.parse.parse_qs(reply.header("Location").split("?", 1)[1])
        code = query["code"][0]
        reply = self.call(api, "POST", "/v1/oauth/token",
                          form={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                                "redirect_uri": "http://127.0.0.1:5555/cb", "client_id": self.api_key})
        oauth = expect_json(self, reply)
        secrets.update({"password": PASSWORD, "password (form-encoded)": urllib.parse.quote_plus(PASSWORD),
                        "oauth code": code, "code verifier": verifier, "code challenge": challenge,
                        "oauth access token": oauth["access_token"], "oauth refresh token": oauth["refresh_token"]})

        self.server.stop_clean()
        log = self.server.log_text(log_start)
        self.server.start()

        # no secret, in any form we know
        leaks = [name for name, value in secrets.items() if value and value in log]
        self.assertEqual(leaks, [], "secrets in the server's stderr")
        # no query strings
        for fragment in ("device_id=", "cursor=0", "limit=7", "code_challenge", "client_id=", state):
            self.assertNotIn(fragment, log, "the log holds a query string")

        # one line per request, with method, path, status and latency
        request_lines = [line for line in log.splitlines()
                         if "/v1/" in line and any(re.search(rf"\b{m}\b", line) for m in METHODS)]
        self.assertEqual(len(request_lines), len(self.sent),
                         f"{len(self.sent)} requests but {len(request_lines)} request lines:\n" + "\n".join(request_lines))
        # The server logs a request once its reply is written, so lines of back-to-back requests
        # may swap places: match each request to a line of its own, in any order.
        unmatched = list(request_lines)
        for method, path, status in self.sent:
            bare_path = path.split("?", 1)[0]
            with self.subTest(request=f"{method} {bare_path}"):
                pattern = re.compile(rf"\b{method}\b.*" + re.escape(bare_path) + r"(?![A-Za-z0-9_/-])"
                                     rf".*(?<![0-9]){status}(?![0-9])")
                line = next((line for line in unmatched if pattern.search(line)), None)
                self.assertIsNotNone(line, f"no log line for {method} {bare_path} {status}")
                unmatched.remove(line)
                self.assertRegex(line, LATENCY_RE, "no latency in the log line")

    def test_stdout_has_only_the_listening_line(self):
        self.server.client().get("/v1/health")
        self.server.stop_clean()
        lines = [line for line in self.server.stdout_lines if line.strip()]
        self.server.start()
        self.assertEqual(lines, [], "stdout must hold only the listening line")


if __name__ == "__main__":
    harness.main()
