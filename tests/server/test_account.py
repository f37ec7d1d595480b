"""Protocol 1.1 account lifecycle: changing the sign-in credential, sessions, the recovery envelope,
recovering with it, and deleting the account without a trace.

    /usr/bin/python3 tests/server/test_account.py --server PATH

On SQLite the deletion test stops the server and scans the raw bytes of the database files for the
deleted user's ids, email, payloads and token hashes; on PostgreSQL (SYNCKIT_TEST_DB=postgres) it
reads every row of every table of the schema as text. The OAuth code of the deletion test needs an
auth key derived from a password (tests/vectors/synckit_format.py, PyNaCl).
"""

import base64
import hashlib
import os
import sys
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (assert_error, assert_retry_after, assert_token_reply, b64, expect_json,  # noqa: E402
                     TIMESTAMP_RE)


def recovery_envelope():
    """A recovery envelope in its JSON form (crypto-format.md, "Recovery key"), random bytes."""
    return {"version": 1, "kind": "recovery", "nonce": b64(os.urandom(24)), "ciphertext": b64(os.urandom(48))}


def sid_of(access_token):
    return harness.decode_jwt(access_token)[1]["sid"]


class Account:
    """A registered user plus what the tests change: the current auth key and tokens."""

    def __init__(self, tc, user):
        self.tc = tc
        self.user = user
        self.email = user.email
        self.auth_key = user.auth_key
        self.access_token = user.access_token
        self.refresh_token = user.refresh_token

    @property
    def client(self):
        return self.user.client.with_token(self.access_token)

    def login(self, auth_key=None, email=None):
        return self.tc.client.post("/v1/auth/login", json={"email": email or self.email,
                                                           "auth_key": b64(auth_key or self.auth_key)})

    def new_session(self):
        """Logs in again: (access_token, refresh_token) of a second session."""
        body = expect_json(self.tc, self.login())
        return body["access_token"], body["refresh_token"]

    def refresh(self, refresh_token=None):
        return self.tc.client.post("/v1/auth/refresh", json={"refresh_token": refresh_token or self.refresh_token})

    def sessions(self, token=None):
        body = expect_json(self.tc, self.client.get("/v1/auth/sessions", token=token or self.access_token))
        return body["sessions"]

    def put_recovery(self, recovery_auth_key, expected_version, envelope=None):
        return self.client.put("/v1/keys/recovery", json={"envelope": envelope or recovery_envelope(),
                                                          "recovery_auth_key": b64(recovery_auth_key),
                                                          "expected_version": expected_version})


class AccountTest(harness.ServerTestCase):
    apps = 2

    def account(self, **kw):
        return Account(self, self.register(**kw))

    def assert_refused(self, account, access_tokens, refresh_tokens):
        """Every token given is refused (401) at once."""
        for token in access_tokens:
            assert_error(self, account.client.get("/v1/sync/status", token=token), 401)
        for token in refresh_tokens:
            assert_error(self, account.refresh(token), 401)

    # --- POST /v1/auth/credentials ---------------------------------------------------------

    def test_change_auth_key_ends_every_session(self):
        a = self.account()
        device = a.user.add_device()
        second_access, second_refresh = a.new_session()
        new_key = os.urandom(32)
        reply = a.client.post("/v1/auth/credentials", json={"auth_key": b64(a.auth_key), "new_auth_key": b64(new_key)})
        body = expect_json(self, reply)
        assert_token_reply(self, body, app_id=a.user.app_id, user_id=a.user.user_id)
        self.assertNotIn(sid_of(body["access_token"]), (sid_of(a.access_token), sid_of(second_access)))
        # every old token is refused at once, access tokens too
        self.assert_refused(a, [a.access_token, second_access], [a.refresh_token, second_refresh])
        # the old key no longer signs in, the new one does
        assert_error(self, a.login(), 401)
        expect_json(self, a.login(auth_key=new_key))
        # the new session works and is the only one besides the login just made
        client = a.user.client.with_token(body["access_token"])
        self.assertEqual([d["id"] for d in expect_json(self, client.get("/v1/devices"))["devices"]], [device])
        expect_json(self, a.refresh(body["refresh_token"]))

    def test_change_email_too(self):
        a = self.account(email=f"Old-{os.urandom(4).hex()}@Example.com")
        new_email = f"New-{os.urandom(4).hex()}@EXAMPLE.com"
        new_key = os.urandom(32)
        body = expect_json(self, a.client.post("/v1/auth/credentials", json={
            "auth_key": b64(a.auth_key), "new_auth_key": b64(new_key), "new_email": new_email}))
        assert_token_reply(self, body, user_id=a.user.user_id)
        assert_error(self, a.login(auth_key=new_key), 401)  # the old email is gone
        for email in (new_email, new_email.lower(), new_email.upper()):
            self.assertEqual(expect_json(self, a.login(auth_key=new_key, email=email))["user_id"], a.user.user_id)
        # the old address is free again; the new one is taken (in any ASCII case)
        self.register(email=a.email)
        assert_error(self, self.client.post("/v1/auth/register",
                                            json={"email": new_email.lower(), "auth_key": b64(os.urandom(32))}), 409)

    def test_change_to_a_taken_email_is_409_and_changes_nothing(self):
        a, b = self.account(), self.account()
        for email in (b.email, b.email.upper()):
            reply = a.client.post("/v1/auth/credentials", json={
                "auth_key": b64(a.auth_key), "new_auth_key": b64(os.urandom(32)), "new_email": email})
            assert_error(self, reply, 409)
        expect_json(self, a.client.get("/v1/sync/status"))  # the session still works
        expect_json(self, a.login())                          # and the old key still signs in
        expect_json(self, a.refresh())
        # the same email as now is no conflict
        same = expect_json(self, a.client.post("/v1/auth/credentials", json={
            "auth_key": b64(a.auth_key), "new_auth_key": b64(a.auth_key), "new_email": a.email.upper()}))
        self.assertEqual(same["user_id"], a.user.user_id)

    def test_change_with_a_wrong_key_is_401_and_changes_nothing(self):
        a = self.account()
        wrong = bytearray(a.auth_key)
        wrong[5] ^= 0x40
        new_key = os.urandom(32)
        error = assert_error(self, a.client.post("/v1/auth/credentials", json={
            "auth_key": b64(bytes(wrong)), "new_auth_key": b64(new_key)}), 401)
        self.assertIn("wrong password", error["message"])
        expect_json(self, a.client.get("/v1/sync/status"))
        assert_error(self, a.login(auth_key=new_key), 401)
        expect_json(self, a.login())

    def test_change_bad_requests(self):
        a = self.account()
        key, new = b64(a.auth_key), b64(os.urandom(32))
        cases = [
            ({"new_auth_key": new}, "auth_key"),
            ({"auth_key": key}, "new_auth_key"),
            ({"auth_key": 7, "new_auth_key": new}, "auth_key"),
            ({"auth_key": key, "new_auth_key": b64(os.urandom(31))}, "new_auth_key"),
            ({"auth_key": key, "new_auth_key": "not base64!!"}, "new_auth_key"),
            ({"auth_key": key, "new_auth_key": new, "new_email": 42}, "new_email"),
            ({"auth_key": key, "new_auth_key": new, "new_email": ""}, "new_email"),
            ({"auth_key": key, "new_auth_key": new, "new_email": "x" * 255}, "new_email"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                assert_error(self, a.client.post("/v1/auth/credentials", json=body), 400, field=field)
        for raw in (b"{", b"[]", b"null", b""):
            with self.subTest(raw=raw):
                assert_error(self, a.client.post("/v1/auth/credentials", body=raw, content_type="application/json"), 400)
        body = {"auth_key": key, "new_auth_key": new}
        assert_error(self, a.client.post("/v1/auth/credentials", json=body, token=None), 401)
        assert_error(self, a.client.post("/v1/auth/credentials", json=body, api_key=None), 401)
        assert_error(self, a.client.post("/v1/auth/credentials", json=body, api_key=self.api_keys[1]), 401)
        expect_json(self, a.login())  # nothing changed

    # --- sessions ---------------------------------------------------------------------------

    def test_sessions_are_listed_in_created_order_with_current(self):
        a = self.account()
        time.sleep(0.01)
        second_access, second_refresh = a.new_session()
        first_sid, second_sid = sid_of(a.access_token), sid_of(second_access)
        listed = a.sessions()
        self.assertEqual([s["id"] for s in listed], [first_sid, second_sid])
        for session in listed:
            self.assertEqual(set(session), {"id", "created_at", "last_used_at", "current"})
            harness.assert_uuid(self, session["id"], "session id")
            self.assertRegex(session["created_at"], f"^{TIMESTAMP_RE.pattern}$")
            self.assertRegex(session["last_used_at"], f"^{TIMESTAMP_RE.pattern}$")
            self.assertEqual(session["created_at"], session["last_used_at"])  # not refreshed yet
        self.assertLess(listed[0]["created_at"], listed[1]["created_at"])
        self.assertEqual([s["current"] for s in listed], [True, False])
        self.assertEqual([s["current"] for s in a.sessions(token=second_access)], [False, True])
        # another user sees only their own
        other = self.account()
        self.assertEqual([s["id"] for s in other.sessions()], [sid_of(other.access_token)])
        # a refresh keeps the session (same id, same created_at) and moves last_used_at
        time.sleep(0.02)
        refreshed = expect_json(self, a.refresh(second_refresh))
        self.assertEqual(sid_of(refreshed["access_token"]), second_sid)
        after = {s["id"]: s for s in a.sessions()}
        self.assertEqual(after[second_sid]["created_at"], listed[1]["created_at"])
        self.assertGreater(after[second_sid]["last_used_at"], listed[1]["last_used_at"])
        self.assertEqual(after[first_sid]["last_used_at"], listed[0]["last_used_at"])
        # the access token from before the refresh still names a live session
        expect_json(self, a.client.get("/v1/sync/status", token=second_access))
        assert_error(self, a.client.get("/v1/auth/sessions", token=None), 401)

    def test_ending_a_session_refuses_its_tokens_at_once(self):
        a = self.account()
        second_access, second_refresh = a.new_session()
        second_sid = sid_of(second_access)
        expect_json(self, a.client.get("/v1/sync/status", token=second_access))
        reply = a.client.delete(f"/v1/auth/sessions/{second_sid}")
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assertEqual(reply.body, b"")
        self.assert_refused(a, [second_access], [second_refresh])
        self.assertEqual([s["id"] for s in a.sessions()], [sid_of(a.access_token)])
        assert_error(self, a.client.delete(f"/v1/auth/sessions/{second_sid}"), 404)  # already ended
        # the first session is unaffected
        expect_json(self, a.client.get("/v1/sync/status"))
        expect_json(self, a.refresh())

    def test_ending_a_session_errors(self):
        a, b = self.account(), self.account()
        assert_error(self, a.client.delete(f"/v1/auth/sessions/{uuid.uuid4()}"), 404)
        # another user's session is no session of this user, and stays
        assert_error(self, a.client.delete(f"/v1/auth/sessions/{sid_of(b.access_token)}"), 404)
        expect_json(self, b.client.get("/v1/sync/status"))
        for bad in ("not-a-uuid", str(uuid.uuid4()).upper(), "x" * 200):
            with self.subTest(id=bad):
                assert_error(self, a.client.delete(f"/v1/auth/sessions/{bad}"), 400)
        assert_error(self, a.client.delete(f"/v1/auth/sessions/{sid_of(a.access_token)}", token=None), 401)
        expect_json(self, a.client.get("/v1/sync/status"))

    def test_ending_ones_own_current_session(self):
        a = self.account()
        reply = a.client.delete(f"/v1/auth/sessions/{sid_of(a.access_token)}")
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assert_refused(a, [a.access_token], [a.refresh_token])

    def test_logout_refuses_the_sessions_access_token_at_once(self):
        a = self.account()
        second_access, second_refresh = a.new_session()
        reply = a.client.post("/v1/auth/logout", json={"refresh_token": a.refresh_token})
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assert_refused(a, [a.access_token], [a.refresh_token])
        expect_json(self, a.client.get("/v1/sync/status", token=second_access))
        self.assertEqual([s["id"] for s in a.sessions(token=second_access)], [sid_of(second_access)])

    # --- recovery envelope ------------------------------------------------------------------

    def test_recovery_envelope_compare_and_swap(self):
        a = self.account()
        assert_error(self, a.client.get("/v1/keys/recovery"), 404)
        first = recovery_envelope()
        # sent with its keys in another order: stored (and returned) in the canonical form
        shuffled = {k: first[k] for k in ("ciphertext", "nonce", "kind", "version")}
        self.assertEqual(expect_json(self, a.put_recovery(os.urandom(32), 0, shuffled)), {"version": 1})
        reply = a.client.get("/v1/keys/recovery")
        body = expect_json(self, reply)
        self.assertEqual(body, {"envelope": first, "version": 1})
        self.assertIn(b'{"version":1,"kind":"recovery","nonce":', reply.body)
        assert_error(self, a.put_recovery(os.urandom(32), 0), 409)
        assert_error(self, a.put_recovery(os.urandom(32), 2), 409)
        second = recovery_envelope()
        self.assertEqual(expect_json(self, a.put_recovery(os.urandom(32), 1, second)), {"version": 2})
        self.assertEqual(expect_json(self, a.client.get("/v1/keys/recovery")), {"envelope": second, "version": 2})
        assert_error(self, a.put_recovery(os.urandom(32), 1), 409)
        # the key envelope is a separate record; another user has none
        assert_error(self, a.client.get("/v1/keys/envelope"), 404)
        assert_error(self, self.account().client.get("/v1/keys/recovery"), 404)

    def test_recovery_envelope_bad_requests(self):
        a = self.account()
        good = recovery_envelope()
        key = b64(os.urandom(32))
        cases = [
            ({"recovery_auth_key": key, "expected_version": 0}, "envelope"),
            ({"envelope": good, "expected_version": 0}, "recovery_auth_key"),
            ({"envelope": good, "recovery_auth_key": key}, "expected_version"),
            ({"envelope": good, "recovery_auth_key": b64(os.urandom(16)), "expected_version": 0}, "recovery_auth_key"),
            ({"envelope": good, "recovery_auth_key": key, "expected_version": -1}, "expected_version"),
            ({"envelope": good, "recovery_auth_key": key, "expected_version": "0"}, "expected_version"),
            ({"envelope": dict(good, nonce=b64(os.urandom(23))), "recovery_auth_key": key, "expected_version": 0}, "nonce"),
            ({"envelope": dict(good, ciphertext=b64(os.urandom(47))), "recovery_auth_key": key, "expected_version": 0}, "ciphertext"),
            ({"envelope": {k: v for k, v in good.items() if k != "kind"}, "recovery_auth_key": key, "expected_version": 0}, "kind"),
            ({"envelope": "text", "recovery_auth_key": key, "expected_version": 0}, "envelope"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                assert_error(self, a.client.put("/v1/keys/recovery", json=body), 400, field=field)
        for envelope in (dict(good, kind="password"), dict(good, version=2)):
            with self.subTest(envelope=envelope):
                body = {"envelope": envelope, "recovery_auth_key": key, "expected_version": 0}
                assert_error(self, a.client.put("/v1/keys/recovery", json=body), 400)
        assert_error(self, a.client.put("/v1/keys/recovery", body=b"{", content_type="application/json"), 400)
        body = {"envelope": good, "recovery_auth_key": key, "expected_version": 0}
        assert_error(self, a.client.put("/v1/keys/recovery", json=body, token=None), 401)
        assert_error(self, a.client.get("/v1/keys/recovery", token=None), 401)
        assert_error(self, a.client.get("/v1/keys/recovery"), 404)  # nothing was stored

    # --- POST /v1/auth/recover --------------------------------------------------------------

    def recover(self, email, recovery_key, new_key, api_key=harness.UNSET):
        return self.client.post("/v1/auth/recover", api_key=api_key, json={
            "email": email, "recovery_auth_key": b64(recovery_key), "new_auth_key": b64(new_key)})

    def test_recover_sets_a_new_credential_and_ends_every_session(self):
        a = self.account(email=f"Rec-{os.urandom(4).hex()}@Example.com")
        recovery_key = os.urandom(32)
        envelope = recovery_envelope()
        expect_json(self, a.put_recovery(recovery_key, 0, envelope))
        second_access, second_refresh = a.new_session()
        new_key = os.urandom(32)
        body = expect_json(self, self.recover(a.email.upper(), recovery_key, new_key))
        assert_token_reply(self, body, app_id=a.user.app_id, user_id=a.user.user_id)
        self.assert_refused(a, [a.access_token, second_access], [a.refresh_token, second_refresh])
        assert_error(self, a.login(), 401)
        expect_json(self, a.login(auth_key=new_key))
        # the recovery envelope stays, and the code keeps working until a new one is made
        client = a.user.client.with_token(body["access_token"])
        self.assertEqual(expect_json(self, client.get("/v1/keys/recovery")), {"envelope": envelope, "version": 1})
        newer_key = os.urandom(32)
        expect_json(self, self.recover(a.email, recovery_key, newer_key))
        expect_json(self, a.login(auth_key=newer_key))

    def test_recover_after_the_recovery_key_was_replaced(self):
        a = self.account()
        old_recovery, new_recovery = os.urandom(32), os.urandom(32)
        expect_json(self, a.put_recovery(old_recovery, 0))
        expect_json(self, a.put_recovery(new_recovery, 1))
        error = assert_error(self, self.recover(a.email, old_recovery, os.urandom(32)), 401)
        self.assertIn("wrong email or recovery code", error["message"])
        expect_json(self, a.login())  # nothing changed
        expect_json(self, a.client.get("/v1/sync/status"))
        new_key = os.urandom(32)
        expect_json(self, self.recover(a.email, new_recovery, new_key))
        expect_json(self, a.login(auth_key=new_key))

    def test_recover_refusals_look_alike(self):
        a, without = self.account(), self.account()
        recovery_key = os.urandom(32)
        expect_json(self, a.put_recovery(recovery_key, 0))
        wrong = bytearray(recovery_key)
        wrong[0] ^= 1
        other_app = self.server.client(api_key=self.api_keys[1])
        refusals = [
            self.recover(a.email, bytes(wrong), os.urandom(32)),                # wrong key
            self.recover(harness.random_email(), recovery_key, os.urandom(32)),  # unknown email
            self.recover(without.email, recovery_key, os.urandom(32)),          # no recovery envelope
            self.recover(without.email, without.auth_key, os.urandom(32)),      # the sign-in key is not it
            other_app.post("/v1/auth/recover", json={"email": a.email, "recovery_auth_key": b64(recovery_key),
                                                     "new_auth_key": b64(os.urandom(32))}),  # other app
        ]
        messages = {assert_error(self, reply, 401)["message"] for reply in refusals}
        self.assertEqual(messages, {"wrong email or recovery code"})
        assert_error(self, self.recover(a.email, recovery_key, os.urandom(32), api_key=None), 401)
        expect_json(self, a.login())
        expect_json(self, without.login())

    def test_recover_bad_bodies_are_400(self):
        key = b64(os.urandom(32))
        cases = [
            ({"recovery_auth_key": key, "new_auth_key": key}, "email"),
            ({"email": "a@b.c", "new_auth_key": key}, "recovery_auth_key"),
            ({"email": "a@b.c", "recovery_auth_key": key}, "new_auth_key"),
            ({"email": 1, "recovery_auth_key": key, "new_auth_key": key}, "email"),
            ({"email": "a@b.c", "recovery_auth_key": b64(os.urandom(33)), "new_auth_key": key}, "recovery_auth_key"),
            ({"email": "a@b.c", "recovery_auth_key": key, "new_auth_key": "!!"}, "new_auth_key"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                assert_error(self, self.client.post("/v1/auth/recover", json=body), 400, field=field)
        assert_error(self, self.client.post("/v1/auth/recover", body=b"[]", content_type="application/json"), 400)

    # --- POST /v1/account/delete ------------------------------------------------------------

    def test_delete_account(self):
        a, b = self.account(), self.account()
        a.user.add_device()
        second_access, second_refresh = a.new_session()
        b_device = b.user.add_device()
        expect_json(self, b.user.push(b_device, harness.make_changes(2)))
        reply = a.client.post("/v1/account/delete", json={"auth_key": b64(a.auth_key)})
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assertEqual(reply.body, b"")
        self.assert_refused(a, [a.access_token, second_access], [a.refresh_token, second_refresh])
        assert_error(self, a.login(), 401)
        # the email is free: registering it again makes a new, empty account
        again = self.register(email=a.email)
        self.assertNotEqual(again.user_id, a.user.user_id)
        self.assertEqual(expect_json(self, again.client.get("/v1/devices"))["devices"], [])
        # another user is untouched
        self.assertEqual(expect_json(self, b.user.status())["changes"], 2)

    def test_delete_account_refusals(self):
        a = self.account()
        wrong = bytearray(a.auth_key)
        wrong[31] ^= 0x80
        error = assert_error(self, a.client.post("/v1/account/delete", json={"auth_key": b64(bytes(wrong))}), 401)
        self.assertIn("wrong password", error["message"])
        for body, field in (({}, "auth_key"), ({"auth_key": 3}, "auth_key"), ({"auth_key": b64(b"short")}, "auth_key")):
            with self.subTest(body=body):
                assert_error(self, a.client.post("/v1/account/delete", json=body), 400, field=field)
        assert_error(self, a.client.post("/v1/account/delete", body=b"nope", content_type="application/json"), 400)
        assert_error(self, a.client.post("/v1/account/delete", json={"auth_key": b64(a.auth_key)}, token=None), 401)
        assert_error(self, a.client.post("/v1/account/delete", json={"auth_key": b64(a.auth_key)}, api_key=None), 401)
        expect_json(self, a.client.get("/v1/sync/status"))  # still there
        expect_json(self, a.login())

    # --- service ----------------------------------------------------------------------------

    def test_health_reports_protocol_1_1(self):
        body = expect_json(self, self.server.client().get("/v1/health"))
        self.assertEqual(body.get("protocol"), "1.1")
        for feature in ("live_pull", "account", "recovery", "blob_streams"):
            self.assertIn(feature, body.get("features", []))

    def test_no_secret_reaches_the_log(self):
        a = self.account()
        recovery_key, new_key, newer_key = os.urandom(32), os.urandom(32), os.urandom(32)
        expect_json(self, a.put_recovery(recovery_key, 0))
        changed = expect_json(self, a.client.post("/v1/auth/credentials", json={
            "auth_key": b64(a.auth_key), "new_auth_key": b64(new_key)}))
        recovered = expect_json(self, self.recover(a.email, recovery_key, newer_key))
        assert_error(self, self.recover(a.email, os.urandom(32), os.urandom(32)), 401)
        token = recovered["access_token"]
        a.user.client.with_token(token).get("/v1/auth/sessions")
        a.user.client.with_token(token).post("/v1/account/delete", json={"auth_key": b64(newer_key)})
        time.sleep(0.2)  # the log line is written after the reply
        log = self.server.log_text()
        secrets = {"auth key": a.auth_key, "new auth key": new_key, "newer auth key": newer_key,
                   "recovery key": recovery_key}
        for name, key in secrets.items():
            for form in (b64(key), key.hex(), base64.urlsafe_b64encode(key).decode().rstrip("=")):
                self.assertNotIn(form, log, f"the {name} is in the log")
        for token in (changed["access_token"], changed["refresh_token"], recovered["access_token"],
                      recovered["refresh_token"], a.refresh_token):
            self.assertNotIn(token, log)
            self.assertNotIn(token[-20:], log)
        self.assertIn("POST /v1/auth/recover 401", log)
        self.assertIn("POST /v1/account/delete 204", log)


class AccountRateLimitTest(harness.ServerTestCase):
    """--auth-rate-limit 5: recover, credentials and account/delete count as sign-in attempts."""
    server_args = ("--auth-rate-limit", "5", "--rate-limit", "0")

    def test_recover_credentials_and_delete_are_limited(self):
        user = self.register()  # 1
        wrong = b64(os.urandom(32))
        assert_error(self, user.client.post("/v1/auth/credentials",
                                            json={"auth_key": wrong, "new_auth_key": wrong}), 401)  # 2
        assert_error(self, user.client.post("/v1/account/delete", json={"auth_key": wrong}), 401)  # 3
        assert_error(self, self.client.post("/v1/auth/recover", json={
            "email": user.email, "recovery_auth_key": wrong, "new_auth_key": wrong}), 401)  # 4
        assert_error(self, self.client.post("/v1/auth/login", json={"email": user.email, "auth_key": wrong}), 401)  # 5
        attempts = {
            "recover": lambda: self.client.post("/v1/auth/recover", json={
                "email": user.email, "recovery_auth_key": wrong, "new_auth_key": wrong}),
            "credentials": lambda: user.client.post("/v1/auth/credentials", json={
                "auth_key": user.auth_key_b64, "new_auth_key": wrong}),
            "delete": lambda: user.client.post("/v1/account/delete", json={"auth_key": user.auth_key_b64}),
        }
        for name, attempt in attempts.items():
            with self.subTest(endpoint=name):
                reply = attempt()
                assert_error(self, reply, 429)
                self.assertLessEqual(assert_retry_after(self, reply), 60)
        # refused before doing anything: the account and its key are as they were
        self.assertEqual([s["current"] for s in expect_json(self, user.client.get("/v1/auth/sessions"))["sessions"]],
                         [True])
        expect_json(self, user.status())


class DeletionLeavesNoTraceTest(harness.ServerTestCase):
    """Two users with everything the server stores; one deletes their account; none of their ids,
    email, payloads or token hashes is left anywhere in the database, and the other user's data
    is all still served."""
    redirect_uris = ("http://127.0.0.1/cb",)
    PASSWORD = "correct horse battery staple"

    def make_user(self, tag):
        """A user with two devices, pushed changes, blobs, the key and recovery envelopes, two
        sessions and an OAuth code not yet redeemed; returns what identifies it."""
        fmt = harness.load_synckit_format()
        email = f"{tag}-{os.urandom(5).hex()}@example.com"
        user = harness.register_user(self.server, self.api_key, email=email,
                                     auth_key=fmt.auth_key(email, self.PASSWORD))
        account = Account(self, user)
        devices = [user.add_device(f"{tag}-laptop"), user.add_device(f"{tag}-phone")]
        change_ids, payloads = [], []
        for round_ in range(40):  # interleaved with the other user's pushes: shared pages, splits
            changes = [harness.make_change(size=96 + 37 * i, change_id=f"{tag}{round_:02d}{i}{os.urandom(6).hex()}")
                       for i in range(5)]
            change_ids += [c["change_id"] for c in changes]
            payloads += [base64.b64decode(c["payload"]) for c in changes]
            expect_json(self, user.push(devices[round_ % 2], changes))
            yield
        blob_ids, blob_bytes = [], []
        for size in (64, 3000, 70000):  # the last one spills into overflow pages
            blob_id = f"{tag}-blob-{os.urandom(6).hex()}"
            data = os.urandom(size)
            expect_json(self, user.client.put(f"/v1/blobs/{blob_id}", body=data), 201)
            blob_ids.append(blob_id)
            blob_bytes.append(data)
        # A streamed blob (its parts stay under the upload's id), and an upload left unfinished.
        upload_ids, upload_bytes = [], []
        for complete in (True, False):
            blob_id = f"{tag}-stream-{os.urandom(6).hex()}"
            data = os.urandom(harness.stream_size(150000))
            upload_ids.append(harness.upload_stream(self, user.client, blob_id, data, complete=complete)[0])
            (blob_bytes if complete else upload_bytes).append(data)
            if complete:
                blob_ids.append(blob_id)
        envelope = harness.valid_envelope()
        expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0}))
        recovery = recovery_envelope()
        expect_json(self, account.put_recovery(os.urandom(32), 0, recovery))
        _second_access, second_refresh = account.new_session()
        code = self.oauth_code(email)
        yield {
            "account": account, "devices": devices, "change_ids": change_ids, "payloads": payloads,
            "blob_ids": blob_ids, "blob_bytes": blob_bytes, "upload_ids": upload_ids, "upload_bytes": upload_bytes,
            "envelope": envelope, "recovery": recovery,
            "sessions": [sid_of(user.access_token), sid_of(_second_access)],
            "refresh_tokens": [user.refresh_token, second_refresh], "code": code,
        }

    def oauth_code(self, email):
        _verifier, challenge = harness.pkce_pair()
        form = {"response_type": "code", "client_id": self.api_key, "redirect_uri": "http://127.0.0.1/cb",
                "code_challenge": challenge, "code_challenge_method": "S256", "state": "s",
                "email": email, "password": self.PASSWORD}
        reply = self.server.client().post("/v1/oauth/authorize", form=form)
        self.assertEqual(reply.status, 302, reply.body[:300])
        query = urllib.parse.urlparse(reply.header("Location")).query
        return urllib.parse.parse_qs(query)["code"][0], _verifier

    @staticmethod
    def needles(data):
        """name -> bytes that identify the user in the database: as stored (ids and emails are
        stored as their UTF-8 bytes, secrets as SHA-256, payloads raw, JSON as text)."""
        found = {"user id": data["account"].user.user_id.encode(), "email": data["account"].email.encode()}
        for i, value in enumerate(data["devices"]):
            found[f"device {i}"] = value.encode()
        for i, value in enumerate(data["change_ids"]):
            found[f"change id {i}"] = value.encode()
        for i, value in enumerate(data["payloads"]):
            found[f"payload {i}"] = value[8:40]
        for i, value in enumerate(data["blob_ids"]):
            found[f"blob id {i}"] = value.encode()
        for i, value in enumerate(data["blob_bytes"]):
            found[f"blob bytes {i}"] = value[:32]
            found[f"blob bytes {i} (end)"] = value[-32:]
        for i, value in enumerate(data["upload_ids"]):
            found[f"upload id {i}"] = value.encode()
        for i, value in enumerate(data["upload_bytes"]):
            found[f"unfinished upload bytes {i}"] = value[:32]
        for i, value in enumerate(data["sessions"]):
            found[f"session {i}"] = value.encode()
        for i, value in enumerate(data["refresh_tokens"]):
            found[f"refresh token hash {i}"] = hashlib.sha256(value.encode()).digest()
        found["oauth code hash"] = hashlib.sha256(data["code"][0].encode()).digest()
        found["envelope ciphertext"] = data["envelope"]["ciphertext"].encode()
        found["recovery ciphertext"] = data["recovery"]["ciphertext"].encode()
        return found

    def test_deleting_an_account_leaves_no_trace(self):
        alice_steps, bob_steps = self.make_user("alice"), self.make_user("bob")
        alice = bob = None
        while alice is None or bob is None:
            alice = alice or next(alice_steps)
            bob = bob or next(bob_steps)
        a, b = alice["account"], bob["account"]

        reply = a.client.post("/v1/account/delete", json={"auth_key": b64(a.auth_key)})
        self.assertEqual(reply.status, 204, reply.body[:300])

        # Bob's data is all still served.
        client = b.client
        self.assertEqual(sorted(d["id"] for d in expect_json(self, client.get("/v1/devices"))["devices"]),
                         sorted(bob["devices"]))
        pulled, _cursor = b.user.pull_all(expect_json(self, client.post("/v1/devices", json={
            "name": "reader", "platform": "linux"}), 201)["id"])
        self.assertEqual(sorted(c["change_id"] for c in pulled), sorted(bob["change_ids"]))
        for blob_id, data in zip(bob["blob_ids"], bob["blob_bytes"]):
            reply = client.get(f"/v1/blobs/{blob_id}")
            self.assertEqual((reply.status, reply.body), (200, data))
        self.assertEqual(expect_json(self, client.get("/v1/keys/envelope"))["envelope"], bob["envelope"])
        self.assertEqual(expect_json(self, client.get("/v1/keys/recovery"))["envelope"], bob["recovery"])
        self.assertEqual([s["id"] for s in b.sessions()], bob["sessions"])
        expect_json(self, b.refresh(bob["refresh_tokens"][1]))
        code, verifier = bob["code"]
        token = self.client.post("/v1/oauth/token", form={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb",
            "client_id": self.api_key, "code_verifier": verifier})
        assert_token_reply(self, expect_json(self, token), user_id=b.user.user_id)
        # Alice's OAuth code went with her account.
        code, verifier = alice["code"]
        token = self.client.post("/v1/oauth/token", form={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1/cb",
            "client_id": self.api_key, "code_verifier": verifier})
        assert_error(self, token, 400, code="invalid_grant")

        if harness.on_postgres():
            self.assert_no_trace(alice, bob, self.postgres_rows(), "the rows of the database")
            return
        # SQLite: the raw bytes of the files, while the server runs (the deletion emptied the WAL,
        # whose older frames held Alice's rows) and after it stopped.
        for moment in ("while running", "after shutdown"):
            if moment == "after shutdown":
                self.server.stop_clean()
            files = [path for path in self.server.db_files() if not path.endswith(".secret")]
            haystack = b"".join(open(path, "rb").read() for path in files)
            names = ", ".join(os.path.basename(p) for p in files)
            self.assert_no_trace(alice, bob, haystack, f"the database files {moment} ({names})")

    def assert_no_trace(self, alice, bob, haystack, where):
        # The scan finds what is there: every one of Bob's (in the encodings looked for).
        for name, needle in self.needles(bob).items():
            if name.startswith(("refresh token hash 1", "oauth code hash")):
                continue  # rotated and redeemed just above: gone by design
            self.assertTrue(self.contains(haystack, needle), f"Bob's {name} is not found in {where}")
        for name, needle in self.needles(alice).items():
            self.assertFalse(self.contains(haystack, needle), f"Alice's {name} is still in {where}")

    @staticmethod
    def contains(haystack, needle):
        if isinstance(haystack, bytes):
            return needle in haystack
        return needle.hex() in haystack  # PostgreSQL: bytea is shown in hex

    def postgres_rows(self):
        """Every row of every table of the schema as text (bytea as hex), lowercased."""
        cluster = harness.postgres_cluster()
        database = self.server.db_path.rsplit("/", 1)[1]
        tables = cluster.psql("SELECT table_name FROM information_schema.tables "
                              "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                              database=database).split()
        self.assertIn("sessions", tables)
        self.assertIn("recovery_envelopes", tables)
        text = []
        for table in tables:
            text.append(cluster.psql(f'SELECT t::text FROM public."{table}" t', database=database))
        return "\n".join(text).lower()


if __name__ == "__main__":
    harness.main()
