"""OAuth 2.0 authorization code flow with PKCE (S256): the sign-in page, the redirect, the token.

    /usr/bin/python3 tests/server/test_oauth.py --server PATH

The accounts are registered with the auth key of protocol.md ("Auth"), computed by the independent
implementation tests/vectors/synckit_format.py (PyNaCl), so that the server's own derivation from
the typed password must match it byte for byte.
"""

import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, assert_token_reply, expect_json  # noqa: E402

PASSWORD = "correct horse battery staple ✓"
REDIRECT = "http://127.0.0.1:5555/callback"
HTTPS_REDIRECT = "https://app.example.com/oauth/done"
# Registered for every app of the test: loopback (any port matches), one with a query, one https.
REGISTERED = ("http://127.0.0.1/callback", "http://127.0.0.1/callback?app=1&x=y%20z", HTTPS_REDIRECT)
# What an attacker might send instead; none of it may ever receive a code.
UNREGISTERED = (
    "https://evil.example/cb",                              # unregistered host
    HTTPS_REDIRECT + "/more",                               # a registered prefix with more path
    HTTPS_REDIRECT + "x",
    "https://app.example.com/oauth/x/../done",              # dot segments
    "https://app.example.com/oauth/done/../../steal",
    "https://app.example.com/oauth/%2e%2e/done",
    "https://app.example.com.evil.example/oauth/done",      # the registered host inside another
    "https://evil.app.example.com/oauth/done",              # a subdomain of the registered host
    "https://app.example.com@evil.example/oauth/done",
    HTTPS_REDIRECT + "?next=https://evil.example",          # added query
    "http://app.example.com/oauth/done",                    # other scheme
    "com.example.app:/oauth/done",
    "HTTPS://app.example.com/oauth/done",
    "https://app.example.com:443/oauth/done",               # a port on a non-loopback URI
    REDIRECT + "/more",                                     # loopback: more path
    "http://127.0.0.1:5555/x/../callback",
    "http://127.0.0.1:5555/callback?x=1",
    "http://127.0.0.1:5555@evil.example/callback",
    "http://127.0.0.1.evil.example/callback",
    "http://localhost:5555/callback",
    "http://[::1]:5555/callback",                           # the other loopback family: not registered
)


class OAuthTest(harness.ServerTestCase):
    apps = 2
    redirect_uris = REGISTERED

    @classmethod
    def prepare_class(cls):
        fmt = harness.load_synckit_format()
        tag = os.urandom(4).hex()
        cls.email = f"oauth-{tag}@example.com"
        cls.user = harness.register_user(cls.server, cls.api_key, email=cls.email,
                                         auth_key=fmt.auth_key(cls.email, PASSWORD))
        # an address with capitals: the auth key is derived from the normalised (lowered) address
        cls.mixed_email = f"Carol-{tag}@Example.COM"
        cls.mixed_user = harness.register_user(cls.server, cls.api_key, email=cls.mixed_email,
                                               auth_key=fmt.auth_key(cls.mixed_email, PASSWORD))

    # --- helpers ----------------------------------------------------------------------------

    def params(self, challenge, state="st-" + "x" * 8, redirect_uri=REDIRECT, client_id=None):
        return {"response_type": "code", "client_id": client_id or self.api_key,
                "redirect_uri": redirect_uri, "code_challenge": challenge,
                "code_challenge_method": "S256", "state": state}

    def sign_in(self, params, email=None, password=PASSWORD):
        """POST /v1/oauth/authorize (no API key header: the client_id names the app)."""
        form = dict(params, email=email or self.email, password=password)
        return self.server.client().post("/v1/oauth/authorize", form=form)

    def authorize(self, redirect_uri=REDIRECT, state="state-123", email=None, client_id=None):
        """Signs in; returns (code, state from the redirect, verifier)."""
        verifier, challenge = harness.pkce_pair()
        params = self.params(challenge, state, redirect_uri, client_id)
        reply = self.sign_in(params, email=email)
        self.assertEqual(reply.status, 302, f"authorize POST answered {reply.status}: {reply.body[:300]!r}")
        location = reply.header("Location")
        self.assertIsNotNone(location, "302 without Location")
        separator = "&" if "?" in redirect_uri else "?"
        self.assertTrue(location.startswith(redirect_uri + separator),
                        f"Location does not extend redirect_uri with {separator!r}")
        query = urllib.parse.parse_qs(location[len(redirect_uri) + 1:], keep_blank_values=True,
                                      strict_parsing=True)
        self.assertEqual(len(query.get("code", [])), 1, "one code in the redirect")
        self.assertEqual(len(query.get("state", [])), 1, "one state in the redirect")
        self.assertTrue(query["code"][0])
        return query["code"][0], query["state"][0], verifier

    def token(self, code, verifier, redirect_uri=REDIRECT, api_key=None, extra=None, header_key=harness.UNSET):
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": api_key or self.api_key, "code_verifier": verifier}
        form.update(extra or {})
        form = {k: v for k, v in form.items() if v is not None}
        key = (api_key or self.api_key) if header_key is harness.UNSET else header_key
        return self.server.client(api_key=key).post("/v1/oauth/token", form=form)

    def assert_html_form(self, reply, status):
        self.assertEqual(reply.status, status, reply.body[:300])
        self.assertEqual(reply.content_type, "text/html", reply.header("Content-Type"))
        self.assertIn("<form", reply.text().lower())

    def assert_bad_authorize(self, reply):
        """400; a JSON body must be the protocol's error (an HTML error page is accepted too)."""
        self.assertEqual(reply.status, 400, reply.body[:300])
        self.assertIsNone(reply.header("Location"), "a bad authorize request must not redirect")
        if reply.content_type == "application/json":
            assert_error(self, reply, 400)
        else:
            self.assertEqual(reply.content_type, "text/html", reply.header("Content-Type"))

    # --- authorize page ---------------------------------------------------------------------

    def test_authorize_page(self):
        _verifier, challenge = harness.pkce_pair()
        reply = self.server.client().get("/v1/oauth/authorize", query=self.params(challenge))
        self.assert_html_form(reply, 200)
        page = reply.text().lower()
        self.assertIn("password", page)
        self.assertIn("email", page)

    def test_authorize_page_escapes_what_it_echoes(self):
        _verifier, challenge = harness.pkce_pair()
        evil = '"><script>alert(1)</script>'
        reply = self.server.client().get("/v1/oauth/authorize", query=self.params(challenge, state=evil))
        self.assert_html_form(reply, 200)
        self.assertNotIn("<script>alert(1)</script>", reply.text())
        # a redirect_uri like this one may be refused (400); if the page is shown, it is escaped
        reply = self.server.client().get("/v1/oauth/authorize",
                                         query=self.params(challenge, redirect_uri=REDIRECT + '?q="><script>x</script>'))
        self.assertIn(reply.status, (200, 400), reply.body[:300])
        self.assertNotIn("<script>x</script>", reply.text())

    def test_authorize_bad_params_are_400(self):
        _verifier, challenge = harness.pkce_pair()
        good = self.params(challenge)
        cases = {
            "unknown client_id": dict(good, client_id="sk_unknown_0123456789abcdef"),
            "response_type token": dict(good, response_type="token"),
            "method plain": dict(good, code_challenge_method="plain"),
        }
        for name in ("response_type", "client_id", "redirect_uri", "code_challenge",
                     "code_challenge_method", "state"):
            cases[f"missing {name}"] = {k: v for k, v in good.items() if k != name}
        for name, params in cases.items():
            with self.subTest(case=name):
                self.assert_bad_authorize(self.server.client().get("/v1/oauth/authorize", query=params))
        for name in ("unknown client_id", "method plain", "missing code_challenge", "missing state"):
            with self.subTest(case="POST " + name):
                self.assert_bad_authorize(self.sign_in(cases[name]))

    # --- sign-in ----------------------------------------------------------------------------

    def test_full_flow(self):
        code, state, verifier = self.authorize(state="state-123")
        self.assertEqual(state, "state-123")
        body = expect_json(self, self.token(code, verifier))
        assert_token_reply(self, body, app_id=self.user.app_id, user_id=self.user.user_id)
        client = self.server.client(api_key=self.api_key, token=body["access_token"])
        self.assertEqual(expect_json(self, client.get("/v1/sync/status"))["user_id"], self.user.user_id)
        expect_json(self, self.client.post("/v1/auth/refresh", json={"refresh_token": body["refresh_token"]}))
        # codes are single-use
        assert_error(self, self.token(code, verifier), 400, code="invalid_grant")

    def test_redirect_uri_with_query_and_odd_state(self):
        redirect = REDIRECT + "?app=1&x=y%20z"
        state = "a b&c=d/é?#%"
        code, got_state, verifier = self.authorize(redirect_uri=redirect, state=state)
        self.assertEqual(got_state, state)
        expect_json(self, self.token(code, verifier, redirect_uri=redirect))

    def test_email_is_normalised(self):
        code, _state, verifier = self.authorize(email=self.mixed_email.upper())
        body = expect_json(self, self.token(code, verifier))
        self.assertEqual(body["user_id"], self.mixed_user.user_id)

    def test_bad_password_shows_the_page_again(self):
        _verifier, challenge = harness.pkce_pair()
        reply = self.sign_in(self.params(challenge), password=PASSWORD + "x")
        self.assert_html_form(reply, 401)
        self.assertIsNone(reply.header("Location"))
        self.assertNotIn(PASSWORD, reply.text(), "the page must not echo the password")

    def test_unknown_email_shows_the_page_again(self):
        _verifier, challenge = harness.pkce_pair()
        reply = self.sign_in(self.params(challenge), email=harness.random_email())
        self.assert_html_form(reply, 401)
        self.assertIsNone(reply.header("Location"))

    def test_account_of_another_app_cannot_sign_in(self):
        _verifier, challenge = harness.pkce_pair()
        reply = self.sign_in(self.params(challenge, client_id=self.api_keys[1]))
        self.assert_html_form(reply, 401)
        self.assertIsNone(reply.header("Location"))

    # --- registered redirect URIs ---------------------------------------------------------

    def assert_refused(self, reply, why):
        """The refusal page: 400, HTML, no form, no redirect, no code."""
        self.assertEqual(reply.status, 400, reply.body[:300])
        self.assertEqual(reply.content_type, "text/html", reply.header("Content-Type"))
        self.assertIsNone(reply.header("Location"), "a refused authorize request must not redirect")
        text = reply.text()
        self.assertNotIn("<form", text.lower())
        self.assertNotIn("code=", text)
        self.assertIn(why, text)

    def test_unregistered_redirects_get_no_code(self):
        for uri in UNREGISTERED:
            with self.subTest(redirect_uri=uri):
                _verifier, challenge = harness.pkce_pair()
                params = self.params(challenge, redirect_uri=uri)
                page = self.server.client().get("/v1/oauth/authorize", query=params)
                self.assert_refused(page, "Sign-in refused")
                # the victim's genuine credentials, posted straight to the endpoint
                self.assert_refused(self.sign_in(params), "Sign-in refused")

    def test_unregistered_redirect_says_why(self):
        _verifier, challenge = harness.pkce_pair()
        reply = self.server.client().get("/v1/oauth/authorize",
                                         query=self.params(challenge, redirect_uri="https://evil.example/cb"))
        self.assert_refused(reply, "has not registered")
        self.assertNotIn("evil.example", reply.text(), "the page names no unverified address")

    def test_registered_https_redirect(self):
        code, state, verifier = self.authorize(redirect_uri=HTTPS_REDIRECT, state="s-https")
        self.assertEqual(state, "s-https")
        body = expect_json(self, self.token(code, verifier, redirect_uri=HTTPS_REDIRECT))
        assert_token_reply(self, body, app_id=self.user.app_id, user_id=self.user.user_id)

    def test_loopback_redirect_on_any_port(self):
        for port in (1, 5555, 43117, 65535):
            with self.subTest(port=port):
                uri = f"http://127.0.0.1:{port}/callback"
                code, _state, verifier = self.authorize(redirect_uri=uri)
                # the token request must name the very URI of the authorize request, port included
                other_port = f"http://127.0.0.1:{port % 60000 + 1}/callback"
                assert_error(self, self.token(code, verifier, redirect_uri=other_port), 400, code="invalid_grant")
                code, _state, verifier = self.authorize(redirect_uri=uri)
                expect_json(self, self.token(code, verifier, redirect_uri=uri))

    def test_sign_in_page_names_the_app_and_the_destination(self):
        _verifier, challenge = harness.pkce_pair()
        page = self.server.client().get("/v1/oauth/authorize", query=self.params(challenge)).text()
        self.assertIn("OAuthTest-0", page)
        self.assertIn("127.0.0.1:5555", page)
        page = self.server.client().get("/v1/oauth/authorize",
                                        query=self.params(challenge, redirect_uri=HTTPS_REDIRECT)).text()
        self.assertIn("app.example.com", page)

    def test_app_without_redirect_uris_refuses_oauth(self):
        key = self.server.create_app("NoRedirects")
        _verifier, challenge = harness.pkce_pair()
        params = self.params(challenge, client_id=key)
        self.assert_refused(self.server.client().get("/v1/oauth/authorize", query=params),
                            "has no registered redirect URIs")
        self.assert_refused(self.sign_in(params), "has no registered redirect URIs")

    def test_token_endpoint_checks_the_registration_again(self):
        """A code issued before its redirect URI was unregistered is refused at the token endpoint."""
        uri = "https://later-removed.example/cb"
        key = self.server.create_app("Removable", (uri,))
        fmt = harness.load_synckit_format()
        email = harness.random_email()
        harness.register_user(self.server, key, email=email, auth_key=fmt.auth_key(email, PASSWORD))
        verifier, challenge = harness.pkce_pair()
        params = self.params(challenge, redirect_uri=uri, client_id=key)
        reply = self.sign_in(params, email=email)
        self.assertEqual(reply.status, 302, reply.body[:300])
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(reply.header("Location")).query)["code"][0]
        app_id = self.server.app_id_of("Removable")
        self.server.run_admin(["app", "redirect-uris", "--app", app_id, "--remove", uri])
        assert_error(self, self.token(code, verifier, redirect_uri=uri, api_key=key), 400, code="invalid_grant")

    # --- token endpoint ---------------------------------------------------------------------

    def test_wrong_verifier_is_invalid_grant(self):
        code, _state, _verifier = self.authorize()
        other_verifier, _challenge = harness.pkce_pair()
        assert_error(self, self.token(code, other_verifier), 400, code="invalid_grant")

    def test_other_redirect_uri_is_invalid_grant(self):
        code, _state, verifier = self.authorize()
        assert_error(self, self.token(code, verifier, redirect_uri=REDIRECT + "/other"), 400, code="invalid_grant")

    def test_code_of_another_app_is_invalid_grant(self):
        code, _state, verifier = self.authorize()
        assert_error(self, self.token(code, verifier, api_key=self.api_keys[1]), 400, code="invalid_grant")

    def test_unknown_code_is_invalid_grant(self):
        verifier, _challenge = harness.pkce_pair()
        assert_error(self, self.token("no-such-code-0123456789", verifier), 400, code="invalid_grant")

    def test_bad_token_requests(self):
        verifier, _challenge = harness.pkce_pair()
        for name, extra in (("grant_type", {"grant_type": "password"}),
                            ("missing grant_type", {"grant_type": None}),
                            ("missing code", {"code": None}),
                            ("missing code_verifier", {"code_verifier": None}),
                            ("missing redirect_uri", {"redirect_uri": None})):
            with self.subTest(case=name):
                reply = self.token("some-code-0123456789", verifier, extra=extra)
                self.assertEqual(reply.status, 400, reply.body[:300])
                code = reply.json().get("error", {}).get("code") if reply.content_type == "application/json" else None
                self.assertIn(code, ("invalid_request", "invalid_grant"))
                assert_error(self, reply, 400, code=code)

    def test_token_endpoint_needs_the_api_key(self):
        code, _state, verifier = self.authorize()
        assert_error(self, self.token(code, verifier, header_key=None), 401)
        assert_error(self, self.token(code, verifier, header_key="sk_unknown_0123456789abcdef"), 401)


if __name__ == "__main__":
    harness.main()
