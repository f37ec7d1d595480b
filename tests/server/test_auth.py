"""Email/password auth, tokens, API keys, the signing secret file and the service endpoints.

    /usr/bin/python3 tests/server/test_auth.py --server PATH
"""

import http.client
import os
import stat
import sys
import time
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, assert_token_reply, expect_json, b64  # noqa: E402


class AuthTest(harness.ServerTestCase):
    apps = 2

    # --- service and API key ----------------------------------------------------------------

    def test_health_needs_no_api_key(self):
        for client in (self.server.client(), self.client):
            body = expect_json(self, client.get("/v1/health"))
            self.assertEqual(body.get("status"), "ok")
            self.assertIsInstance(body.get("version"), str)
            self.assertTrue(body["version"])

    def test_missing_or_unknown_api_key_is_401(self):
        body = {"email": harness.random_email(), "auth_key": b64(os.urandom(32))}
        assert_error(self, self.client.post("/v1/auth/register", json=body, api_key=None), 401)
        assert_error(self, self.client.post("/v1/auth/register", json=body, api_key="sk_not_a_key_at_all_0000"), 401)
        assert_error(self, self.client.post("/v1/auth/register", json=body, api_key=""), 401)
        user = self.register()
        assert_error(self, user.client.get("/v1/sync/status", api_key=None), 401)
        assert_error(self, user.client.get("/v1/devices", api_key="wrong-key-0123456789abcdef"), 401)
        # the account was not created by the keyless attempts
        assert_error(self, self.client.post("/v1/auth/login", json=body), 401)

    def test_keep_alive_connection(self):
        """Several requests, errors among them, on one HTTP/1.1 connection (as libcurl and browsers do)."""
        user = self.register()
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            headers = {"X-SyncKit-Api-Key": self.api_key, "Authorization": f"Bearer {user.access_token}"}
            for method, path, body, status in (("GET", "/v1/sync/status", None, 200),
                                               ("GET", "/v1/keys/envelope", None, 404),
                                               ("POST", "/v1/devices", b'{"name":"k","platform":"p"}', 201),
                                               ("POST", "/v1/devices", b'{"name":', 400),
                                               ("GET", "/v1/devices", None, 200)):
                send = dict(headers)
                if body is not None:
                    send["Content-Type"] = "application/json"
                conn.request(method, path, body=body, headers=send)
                reply = conn.getresponse()
                data = reply.read()
                self.assertEqual(reply.status, status, data[:200])
        finally:
            conn.close()

    def test_unknown_route_is_404_json(self):
        user = self.register()
        assert_error(self, user.client.get("/v1/nope"), 404)
        assert_error(self, user.client.post("/v1/sync/nope", json={}), 404)
        assert_error(self, user.client.get("/v2/health"), 404)
        assert_error(self, user.client.get("/"), 404)

    # --- register ---------------------------------------------------------------------------

    def test_register_returns_token_reply(self):
        email = harness.random_email()
        reply = self.client.post("/v1/auth/register", json={"email": email, "auth_key": b64(os.urandom(32))})
        body = expect_json(self, reply, 201)
        assert_token_reply(self, body)
        # the token works at once
        client = self.server.client(api_key=self.api_key, token=body["access_token"])
        status = expect_json(self, client.get("/v1/sync/status"))
        self.assertEqual(status["user_id"], body["user_id"])
        self.assertEqual(status["app_id"], body["app_id"])

    def test_register_twice_is_409_also_with_other_ascii_case(self):
        user = self.register(email=f"Alice-{os.urandom(4).hex()}@Example.COM")
        for email in (user.email, user.email.lower(), user.email.upper()):
            reply = self.client.post("/v1/auth/register", json={"email": email, "auth_key": b64(os.urandom(32))})
            assert_error(self, reply, 409)
        # the first account still logs in with its own key
        expect_json(self, self.client.post("/v1/auth/login",
                                           json={"email": user.email, "auth_key": user.auth_key_b64}))

    def test_only_ascii_letters_are_folded(self):
        tag = os.urandom(4).hex()
        first = self.register(email=f"ÅSA-{tag}@example.com")
        second = self.register(email=f"åsa-{tag}@example.com")  # a different address: 201
        self.assertNotEqual(first.user_id, second.user_id)
        assert_error(self, self.client.post("/v1/auth/register",
                                            json={"email": f"Åsa-{tag}@EXAMPLE.com", "auth_key": b64(os.urandom(32))}), 409)

    def test_register_bad_bodies_are_400_naming_the_field(self):
        good_key = b64(os.urandom(32))
        email = harness.random_email()
        cases = [
            ({"auth_key": good_key}, "email"),
            ({"email": email}, "auth_key"),
            ({"email": 42, "auth_key": good_key}, "email"),
            ({"email": email, "auth_key": 42}, "auth_key"),
            ({"email": email, "auth_key": "not base64!!"}, "auth_key"),
            ({"email": email, "auth_key": b64(os.urandom(31))}, "auth_key"),
            ({"email": email, "auth_key": b64(os.urandom(33))}, "auth_key"),
            ({"email": email, "auth_key": good_key.rstrip("=")}, "auth_key"),  # padding required
            ({"email": email, "auth_key": _base64url_key()}, "auth_key"),  # not the standard alphabet
            ({"email": email, "auth_key": " " + good_key}, "auth_key"),  # no whitespace
        ]
        for body, field in cases:
            with self.subTest(body=body):
                reply = self.client.post("/v1/auth/register", json=body)
                assert_error(self, reply, 400, field=field)
        for raw in (b"{", b"[]", b"\"text\"", b"null", b"", b"\xff\xfe"):
            with self.subTest(raw=raw):
                reply = self.client.post("/v1/auth/register", body=raw, content_type="application/json")
                assert_error(self, reply, 400)
        # nothing was created by the failures
        assert_error(self, self.client.post("/v1/auth/login", json={"email": email, "auth_key": good_key}), 401)

    # --- login ------------------------------------------------------------------------------

    def test_login(self):
        user = self.register(email=f"Bob-{os.urandom(4).hex()}@Example.com")
        for email in (user.email, user.email.upper(), user.email.lower()):
            body = expect_json(self, self.client.post("/v1/auth/login",
                                                      json={"email": email, "auth_key": user.auth_key_b64}))
            assert_token_reply(self, body, app_id=user.app_id, user_id=user.user_id)
            self.assertNotEqual(body["refresh_token"], user.refresh_token)

    def test_login_bad_credentials_is_401(self):
        user = self.register()
        wrong = bytearray(user.auth_key)
        wrong[0] ^= 1
        assert_error(self, self.client.post("/v1/auth/login",
                                            json={"email": user.email, "auth_key": b64(bytes(wrong))}), 401)
        assert_error(self, self.client.post("/v1/auth/login",
                                            json={"email": harness.random_email(), "auth_key": user.auth_key_b64}), 401)
        # the same account does not exist in another app
        other = self.server.client(api_key=self.api_keys[1])
        assert_error(self, other.post("/v1/auth/login", json={"email": user.email, "auth_key": user.auth_key_b64}), 401)

    def test_login_bad_bodies_are_400(self):
        assert_error(self, self.client.post("/v1/auth/login", json={"email": "a@b.c"}), 400, field="auth_key")
        assert_error(self, self.client.post("/v1/auth/login", json={"auth_key": b64(os.urandom(32))}), 400, field="email")
        assert_error(self, self.client.post("/v1/auth/login",
                                            json={"email": "a@b.c", "auth_key": b64(os.urandom(16))}), 400, field="auth_key")

    # --- refresh and logout -----------------------------------------------------------------

    def test_refresh_rotates(self):
        user = self.register()
        reply = self.client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        body = expect_json(self, reply)
        assert_token_reply(self, body, app_id=user.app_id, user_id=user.user_id)
        self.assertNotEqual(body["refresh_token"], user.refresh_token)
        # the old one is spent
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token}), 401)
        # the new access token works, the new refresh token rotates again
        expect_json(self, self.client.with_token(body["access_token"]).get("/v1/sync/status"))
        expect_json(self, self.client.post("/v1/auth/refresh", json={"refresh_token": body["refresh_token"]}))

    def test_refresh_bad_tokens(self):
        user = self.register()
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": "garbage-token"}), 401)
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": user.access_token}), 401)
        assert_error(self, self.client.post("/v1/auth/refresh", json={}), 400, field="refresh_token")
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": 7}), 400, field="refresh_token")
        # a refresh token does not work in another app
        other = self.server.client(api_key=self.api_keys[1])
        assert_error(self, other.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token}), 401)

    def test_logout(self):
        user = self.register()
        reply = user.client.post("/v1/auth/logout", json={"refresh_token": user.refresh_token})
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assertEqual(reply.body, b"")
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token}), 401)
        assert_error(self, user.client.post("/v1/auth/logout", json={}), 400, field="refresh_token")

    # --- access tokens ----------------------------------------------------------------------

    def test_bearer_required_and_checked(self):
        user = self.register()
        secret = self.server.signing_secret()
        now = int(time.time())
        sid = harness.decode_jwt(user.access_token)[1]["sid"]
        claims = {"sub": user.user_id, "app": user.app_id, "sid": sid, "iat": now, "exp": now + 600}
        other = self.register()
        other_sid = harness.decode_jwt(other.access_token)[1]["sid"]
        no_sid = {k: v for k, v in claims.items() if k != "sid"}
        bad_tokens = {
            "no session": harness.sign_jwt(no_sid, secret),
            "unknown session": harness.sign_jwt(dict(claims, sid=str(uuid.uuid4())), secret),
            "another user's session": harness.sign_jwt(dict(claims, sid=other_sid), secret),
            "session not a string": harness.sign_jwt(dict(claims, sid=7), secret),
            "missing": None,
            "garbage": "not.a.jwt",
            "empty": "",
            "expired": harness.sign_jwt(dict(claims, iat=now - 1000, exp=now - 100), secret),
            "wrong secret": harness.sign_jwt(claims, os.urandom(32)),
            "other app": harness.sign_jwt(dict(claims, app=str(uuid.uuid4())), secret),
            "alg none": harness.sign_jwt(claims, secret, header={"alg": "none", "typ": "JWT"}).rsplit(".", 1)[0] + ".",
            "alg HS512 header": harness.sign_jwt(claims, secret, header={"alg": "HS512", "typ": "JWT"}),
            "tampered claims": _tamper_claims(user.access_token, dict(claims, sub=str(uuid.uuid4()))),
            "refresh token": user.refresh_token,
        }
        for name, token in bad_tokens.items():
            with self.subTest(token=name):
                assert_error(self, user.client.get("/v1/sync/status", token=token), 401)
                assert_error(self, user.client.get("/v1/devices", token=token), 401)
        # a "Bearer" prefix is required
        reply = user.client.get("/v1/sync/status", token=None,
                                headers={"Authorization": user.access_token})
        assert_error(self, reply, 401)
        # a token made with PATH.secret and the right claims (a live session's sid) is accepted:
        # that file is the key
        forged = harness.sign_jwt(claims, secret)
        body = expect_json(self, user.client.get("/v1/sync/status", token=forged))
        self.assertEqual(body["user_id"], user.user_id)

    def test_access_token_is_signed_with_the_secret_file(self):
        user = self.register()
        self.assertTrue(harness.verify_jwt(user.access_token, self.server.signing_secret()))

    def test_secret_file(self):
        mode = stat.S_IMODE(os.stat(self.server.secret_path).st_mode)
        self.assertEqual(mode, 0o600, f"{self.server.secret_path} has mode {mode:o}, expected 600")
        with open(self.server.secret_path, "rb") as f:
            text = f.read()
        self.assertRegex(text, rb"^[A-Za-z0-9+/]{43}=\n$", "secret file is not base64 of 32 bytes + newline")


def _base64url_key():
    """base64url (with padding) of 32 random bytes that holds a '-' or '_' (not standard base64)."""
    while True:
        text = harness.b64url(os.urandom(32)) + "="
        if "-" in text or "_" in text:
            return text


def _tamper_claims(token, claims):
    head, _body, signature = token.split(".")
    import json
    return f"{head}.{harness.b64url(json.dumps(claims).encode())}.{signature}"


class TokenExpiryTest(harness.ServerTestCase):
    server_args = ("--token-ttl", "2")

    def test_access_token_expires_and_refresh_renews(self):
        user = self.register()
        self.assertEqual(user.reply["expires_in"] in (1, 2), True, f"expires_in {user.reply['expires_in']}")
        _header, claims = harness.decode_jwt(user.access_token)
        self.assertEqual(claims["exp"] - claims["iat"], 2)
        expect_json(self, user.client.get("/v1/sync/status"))
        time.sleep(max(0.0, claims["exp"] - time.time()) + 1.2)
        assert_error(self, user.client.get("/v1/sync/status"), 401)
        body = expect_json(self, self.client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token}))
        expect_json(self, user.client.get("/v1/sync/status", token=body["access_token"]))


if __name__ == "__main__":
    harness.main()
