"""The key envelope (compare-and-swap, format checks) and devices (add, list, revoke).

    /usr/bin/python3 tests/server/test_keys_devices.py --server PATH
"""

import datetime
import os
import sys
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json, b64  # noqa: E402


class EnvelopeTest(harness.ServerTestCase):

    def test_get_before_any_is_404(self):
        user = self.register()
        assert_error(self, user.client.get("/v1/keys/envelope"), 404)

    def test_put_get_and_compare_and_swap(self):
        user = self.register()
        first = harness.valid_envelope()
        body = expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": first, "expected_version": 0}))
        self.assertEqual(body, {"version": 1})
        body = expect_json(self, user.client.get("/v1/keys/envelope"))
        self.assertEqual(body, {"envelope": first, "version": 1})
        # stale writers lose
        second = harness.valid_envelope()
        for stale in (0, 2, 7):
            with self.subTest(expected_version=stale):
                assert_error(self, user.client.put("/v1/keys/envelope",
                                                   json={"envelope": second, "expected_version": stale}), 409)
        self.assertEqual(expect_json(self, user.client.get("/v1/keys/envelope"))["envelope"], first)
        body = expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": second, "expected_version": 1}))
        self.assertEqual(body, {"version": 2})
        self.assertEqual(expect_json(self, user.client.get("/v1/keys/envelope")), {"envelope": second, "version": 2})

    def test_envelope_with_other_cost_is_kept_as_is(self):
        user = self.register()
        envelope = dict(harness.valid_envelope(), opslimit=2, memlimit=16 * 1024 * 1024)
        expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0}))
        self.assertEqual(expect_json(self, user.client.get("/v1/keys/envelope"))["envelope"], envelope)
        envelope = dict(harness.valid_envelope(), opslimit=16, memlimit=1024 * 1024 * 1024)
        expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 1}))
        self.assertEqual(expect_json(self, user.client.get("/v1/keys/envelope"))["envelope"], envelope)

    def test_bad_envelopes_are_400(self):
        user = self.register()
        good = harness.valid_envelope()

        def without(name):
            return {k: v for k, v in good.items() if k != name}

        # missing fields, wrong types and bad base64 name the field; values out of the format's
        # bounds are 400 with a message of the server's choosing (field None)
        cases = [
            (dict(good, version=2), None),
            (dict(good, version="1"), "version"),
            (without("version"), "version"),
            (dict(good, kdf="scrypt"), None),
            (without("kdf"), "kdf"),
            (dict(good, opslimit=1), None),
            (dict(good, opslimit=17), None),
            (dict(good, opslimit="3"), "opslimit"),
            (dict(good, memlimit=16 * 1024 * 1024 - 1), None),
            (dict(good, memlimit=1024 * 1024 * 1024 + 1), None),
            (without("memlimit"), "memlimit"),
            (dict(good, salt=b64(os.urandom(15))), "salt"),
            (dict(good, salt="not base64!"), "salt"),
            (without("salt"), "salt"),
            (dict(good, nonce=b64(os.urandom(12))), "nonce"),
            (dict(good, nonce=42), "nonce"),
            (dict(good, ciphertext=b64(os.urandom(32))), "ciphertext"),
            (without("ciphertext"), "ciphertext"),
        ]
        for envelope, field in cases:
            with self.subTest(field=field, envelope=envelope):
                reply = user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0})
                assert_error(self, reply, 400, field=field)
        for envelope in ("text", [good], None, 5):
            with self.subTest(envelope=envelope):
                reply = user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0})
                assert_error(self, reply, 400, field="envelope")
        assert_error(self, user.client.put("/v1/keys/envelope", json={"expected_version": 0}), 400, field="envelope")
        reply = user.client.put("/v1/keys/envelope", json={"envelope": good, "expected_version": -1})
        self.assertIn(reply.status, (400, 409))  # out of range, or simply not the stored version
        assert_error(self, reply, reply.status)
        for version in (None, "0", 1.5, True):
            with self.subTest(expected_version=version):
                body = {"envelope": good}
                if version is not None:
                    body["expected_version"] = version
                assert_error(self, user.client.put("/v1/keys/envelope", json=body), 400, field="expected_version")
        assert_error(self, user.client.put("/v1/keys/envelope", body=b"{not json", content_type="application/json"), 400)
        # nothing was stored by the failures
        assert_error(self, user.client.get("/v1/keys/envelope"), 404)

    def test_needs_a_token(self):
        assert_error(self, self.client.get("/v1/keys/envelope"), 401)
        assert_error(self, self.client.put("/v1/keys/envelope",
                                           json={"envelope": harness.valid_envelope(), "expected_version": 0}), 401)


class DevicesTest(harness.ServerTestCase):

    def test_add_list_revoke(self):
        user = self.register()
        self.assertEqual(expect_json(self, user.client.get("/v1/devices")), {"devices": []})
        reply = user.client.post("/v1/devices", json={"name": "Ada's laptop ✓", "platform": "linux"})
        device = expect_json(self, reply, 201)
        self.assertEqual(set(device), {"id", "name", "platform", "created_at"})
        harness.assert_uuid(self, device["id"], "device id")
        self.assertEqual(device["name"], "Ada's laptop ✓")
        self.assertEqual(device["platform"], "linux")
        self.assertRegex(device["created_at"], f"^{harness.TIMESTAMP_RE.pattern}$")
        created = datetime.datetime.strptime(device["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.assertLess(abs((now - created).total_seconds()), 300, "created_at is not now (UTC)")
        phone = expect_json(self, user.client.post("/v1/devices", json={"name": "phone", "platform": "web"}), 201)
        self.assertNotEqual(phone["id"], device["id"])
        listed = expect_json(self, user.client.get("/v1/devices"))["devices"]
        self.assertEqual(sorted(listed, key=lambda d: d["id"]), sorted([device, phone], key=lambda d: d["id"]))
        self.assertEqual(expect_json(self, user.status())["devices"], 2)
        reply = user.client.delete(f"/v1/devices/{device['id']}")
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assertEqual(reply.body, b"")
        self.assertEqual(expect_json(self, user.client.get("/v1/devices"))["devices"], [phone])
        self.assertEqual(expect_json(self, user.status())["devices"], 1)

    def test_revoked_device_cannot_push_or_pull(self):
        user = self.register()
        device = user.add_device()
        expect_json(self, user.push(device, harness.make_changes(1)))
        self.assertEqual(user.client.delete(f"/v1/devices/{device}").status, 204)
        assert_error(self, user.push(device, harness.make_changes(1)), 403)
        assert_error(self, user.pull(device), 403)
        # deleting it again: it is no longer an active device
        self.assertIn(user.client.delete(f"/v1/devices/{device}").status, (204, 404))

    def test_delete_unknown_is_404(self):
        user = self.register()
        assert_error(self, user.client.delete(f"/v1/devices/{uuid.uuid4()}"), 404)
        reply = user.client.delete("/v1/devices/not-a-uuid")
        self.assertIn(reply.status, (400, 404))
        assert_error(self, reply, reply.status)

    def test_bad_bodies_are_400(self):
        user = self.register()
        for body, field in (({"platform": "linux"}, "name"),
                            ({"name": "x"}, "platform"),
                            ({"name": 5, "platform": "linux"}, "name"),
                            ({"name": "x", "platform": ["linux"]}, "platform")):
            with self.subTest(body=body):
                assert_error(self, user.client.post("/v1/devices", json=body), 400, field=field)
        for raw in (b"", b"[]", b"{\"name\":"):
            with self.subTest(raw=raw):
                assert_error(self, user.client.post("/v1/devices", body=raw, content_type="application/json"), 400)
        self.assertEqual(expect_json(self, user.client.get("/v1/devices")), {"devices": []})

    def test_needs_a_token(self):
        assert_error(self, self.client.get("/v1/devices"), 401)
        assert_error(self, self.client.post("/v1/devices", json={"name": "x", "platform": "y"}), 401)
        assert_error(self, self.client.delete(f"/v1/devices/{uuid.uuid4()}"), 401)


if __name__ == "__main__":
    harness.main()
