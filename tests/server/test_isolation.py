"""Isolation between apps and between users: nobody sees anybody else's data.

    /usr/bin/python3 tests/server/test_isolation.py --server PATH

App A is created before the server starts, app B while it runs (an operator adding an app to a
live server). Users: a1 and a2 in app A, b1 in app B; b1 has the same email as a1.
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json, make_change, make_changes  # noqa: E402


class IsolationTest(harness.ServerTestCase):

    @classmethod
    def prepare_class(cls):
        cls.key_a = cls.api_key
        cls.key_b = cls.server.create_app("app B")  # while the server runs
        cls.a1 = harness.register_user(cls.server, cls.key_a)
        cls.a2 = harness.register_user(cls.server, cls.key_a)
        cls.b1 = harness.register_user(cls.server, cls.key_b, email=cls.a1.email)  # same email, other app
        cls.dev_a1 = cls.a1.add_device("a1 laptop")
        cls.dev_a1_reader = cls.a1.add_device("a1 phone")
        cls.dev_a2 = cls.a2.add_device("a2 laptop")
        cls.dev_a2_reader = cls.a2.add_device("a2 phone")
        cls.dev_b1 = cls.b1.add_device("b1 laptop")
        cls.dev_b1_reader = cls.b1.add_device("b1 phone")

    def test_apps_and_users_are_distinct(self):
        self.assertNotEqual(self.a1.app_id, self.b1.app_id)
        self.assertEqual(self.a1.app_id, self.a2.app_id)
        self.assertEqual(len({self.a1.user_id, self.a2.user_id, self.b1.user_id}), 3)
        # each logs in only where it registered, with its own key
        other_app = self.server.client(api_key=self.key_b)
        assert_error(self, other_app.post("/v1/auth/login",
                                          json={"email": self.a1.email, "auth_key": self.a1.auth_key_b64}), 401)
        body = expect_json(self, other_app.post("/v1/auth/login",
                                                json={"email": self.b1.email, "auth_key": self.b1.auth_key_b64}))
        self.assertEqual(body["user_id"], self.b1.user_id)

    def test_token_of_app_a_with_key_of_app_b_is_401(self):
        for path in ("/v1/sync/status", "/v1/devices", "/v1/keys/envelope", "/v1/blobs/x"):
            with self.subTest(path=path):
                assert_error(self, self.a1.client.get(path, api_key=self.key_b), 401)
        assert_error(self, self.a1.client.post("/v1/sync/push", api_key=self.key_b,
                                               json={"device_id": self.dev_a1, "changes": make_changes(1)}), 401)
        assert_error(self, self.a1.client.post("/v1/devices", api_key=self.key_b,
                                               json={"name": "x", "platform": "y"}), 401)
        # refresh tokens are bound to their app too
        assert_error(self, self.server.client(api_key=self.key_b).post(
            "/v1/auth/refresh", json={"refresh_token": self.a2.refresh_token}), 401)

    def test_envelope_is_per_user(self):
        envelope = harness.valid_envelope()
        expect_json(self, self.a1.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0}))
        for user in (self.a2, self.b1):
            with self.subTest(user=user.email):
                assert_error(self, user.client.get("/v1/keys/envelope"), 404)
        # a2's own first envelope is version 1, not a conflict with a1's
        other = harness.valid_envelope()
        self.assertEqual(expect_json(self, self.a2.client.put(
            "/v1/keys/envelope", json={"envelope": other, "expected_version": 0})), {"version": 1})
        self.assertEqual(expect_json(self, self.a1.client.get("/v1/keys/envelope"))["envelope"], envelope)

    def test_devices_are_per_user(self):
        listed = {d["id"] for d in expect_json(self, self.a2.client.get("/v1/devices"))["devices"]}
        self.assertTrue({self.dev_a2, self.dev_a2_reader} <= listed)
        self.assertFalse(listed & {self.dev_a1, self.dev_a1_reader, self.dev_b1, self.dev_b1_reader})
        listed = {d["id"] for d in expect_json(self, self.b1.client.get("/v1/devices"))["devices"]}
        self.assertFalse(listed & {self.dev_a1, self.dev_a1_reader, self.dev_a2, self.dev_a2_reader})
        # another user's device id: 404 everywhere
        for user, device in ((self.a2, self.dev_a1), (self.b1, self.dev_a1), (self.a1, self.dev_b1)):
            with self.subTest(device=device):
                assert_error(self, user.push(device, make_changes(1)), 404)
                assert_error(self, user.pull(device), 404)
                assert_error(self, user.client.delete(f"/v1/devices/{device}"), 404)
        # and the owner still has it
        self.assertIn(self.dev_a1, {d["id"] for d in expect_json(self, self.a1.client.get("/v1/devices"))["devices"]})

    def test_changes_and_sequences_are_per_user(self):
        before = {u.user_id: expect_json(self, u.status())["latest_cursor"] for u in (self.a1, self.a2, self.b1)}
        shared = make_change()
        mine = make_changes(2)
        self.assertEqual(expect_json(self, self.a1.push(self.dev_a1, [shared] + mine))["cursor"],
                         before[self.a1.user_id] + 3)
        # the same change id is a different change for another user: stored, own sequence
        theirs = dict(shared, payload=harness.b64(os.urandom(64)))
        self.assertEqual(expect_json(self, self.a2.push(self.dev_a2, [theirs]))["cursor"], before[self.a2.user_id] + 1)
        self.assertEqual(expect_json(self, self.b1.push(self.dev_b1, [shared]))["cursor"], before[self.b1.user_id] + 1)
        pulled_a1, _ = self.a1.pull_all(self.dev_a1_reader)
        pulled_a2, _ = self.a2.pull_all(self.dev_a2_reader)
        pulled_b1, _ = self.b1.pull_all(self.dev_b1_reader)
        self.assertTrue({c["device_id"] for c in pulled_a1} <= {self.dev_a1, self.dev_a1_reader})
        self.assertTrue({c["device_id"] for c in pulled_a2} <= {self.dev_a2, self.dev_a2_reader})
        self.assertTrue({c["device_id"] for c in pulled_b1} <= {self.dev_b1, self.dev_b1_reader})
        self.assertEqual([c["payload"] for c in pulled_a2 if c["change_id"] == shared["change_id"]], [theirs["payload"]])
        self.assertEqual([c["payload"] for c in pulled_a1 if c["change_id"] == shared["change_id"]], [shared["payload"]])
        for pulled in (pulled_a1, pulled_a2, pulled_b1):
            self.assertEqual([c["seq"] for c in pulled], list(range(1, len(pulled) + 1)))

    def test_blobs_are_per_user(self):
        data = harness.sealed_bytes(200)
        expect_json(self, self.a1.client.put("/v1/blobs/shared-name", body=data), 201)
        for user in (self.a2, self.b1):
            with self.subTest(user=user.email):
                assert_error(self, user.client.get("/v1/blobs/shared-name"), 404)
                assert_error(self, user.client.delete("/v1/blobs/shared-name"), 404)
        # another user's blob of the same name is its own: created (201), a1's unchanged
        theirs = harness.sealed_bytes(50)
        expect_json(self, self.b1.client.put("/v1/blobs/shared-name", body=theirs), 201)
        self.assertEqual(self.a1.client.get("/v1/blobs/shared-name").body, data)
        self.assertEqual(self.b1.client.get("/v1/blobs/shared-name").body, theirs)
        self.assertEqual(self.b1.client.delete("/v1/blobs/shared-name").status, 204)
        self.assertEqual(self.a1.client.get("/v1/blobs/shared-name").body, data)

    def test_status_is_per_user(self):
        user = harness.register_user(self.server, self.key_b)
        device = user.add_device()
        expect_json(self, user.push(device, make_changes(2)))
        expect_json(self, user.client.put("/v1/blobs/only-mine", body=harness.sealed_bytes(45)), 201)
        body = expect_json(self, user.status())
        self.assertEqual(body, {"user_id": user.user_id, "app_id": self.b1.app_id, "devices": 1,
                                "latest_cursor": 2, "changes": 2, "blobs": 1, "blob_bytes": 45})

    def test_token_for_another_app_is_401(self):
        secret = self.server.signing_secret()
        now = int(time.time())
        # a1's user id with app B's id in the claim, presented with app A's key
        forged = harness.sign_jwt({"sub": self.a1.user_id, "app": self.b1.app_id, "iat": now, "exp": now + 300}, secret)
        assert_error(self, self.a1.client.get("/v1/sync/status", token=forged), 401)
        # b1's real token with app A's key
        assert_error(self, self.b1.client.get("/v1/sync/status", api_key=self.key_a), 401)

if __name__ == "__main__":
    harness.main()
