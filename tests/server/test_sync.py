"""Push, pull (cursor, limit, has_more, own changes skipped), idempotency, validation, status.

    /usr/bin/python3 tests/server/test_sync.py --server PATH
"""

import os
import sys
import threading
import uuid

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json, b64, make_change, make_changes  # noqa: E402

MIB = 1024 * 1024


class SyncTest(harness.ServerTestCase):

    def new_user(self, devices=2):
        user = self.register()
        return (user, *[user.add_device(f"device-{i}") for i in range(devices)])

    def assert_pulled(self, pulled, expected, device_id, first_seq):
        """`pulled` are exactly the `expected` changes, pushed by `device_id`, seqs from first_seq."""
        self.assertEqual([c["change_id"] for c in pulled], [c["change_id"] for c in expected])
        for i, (got, sent) in enumerate(zip(pulled, expected)):
            self.assertEqual(set(got), {"change_id", "payload", "device_id", "seq"}, f"pulled change keys {sorted(got)}")
            self.assertEqual(got["payload"], sent["payload"])
            self.assertEqual(got["device_id"], device_id)
            self.assertEqual(got["seq"], first_seq + i)

    # --- push and pull ----------------------------------------------------------------------

    def test_push_then_pull_from_another_device(self):
        user, a, b = self.new_user()
        changes = make_changes(3)
        self.assertEqual(expect_json(self, user.push(a, changes)), {"cursor": 3})
        body = expect_json(self, user.pull(b, 0))
        self.assertEqual(set(body), {"changes", "cursor", "has_more"})
        self.assert_pulled(body["changes"], changes, a, 1)
        self.assertEqual(body["cursor"], 3)
        self.assertIs(body["has_more"], False)
        # a device never gets its own changes back, but its cursor moves past them
        self.assertEqual(expect_json(self, user.pull(a, 0)), {"changes": [], "cursor": 3, "has_more": False})
        # from the returned cursor there is nothing new
        self.assertEqual(expect_json(self, user.pull(b, 3)), {"changes": [], "cursor": 3, "has_more": False})

    def test_cursor_defaults_to_zero(self):
        user, a, b = self.new_user()
        changes = make_changes(2)
        expect_json(self, user.push(a, changes))
        body = expect_json(self, user.pull(b))
        self.assert_pulled(body["changes"], changes, a, 1)

    def test_pages_skip_own_changes(self):
        user, a, b, c = self.new_user(3)
        a1 = make_changes(2)
        b1 = make_changes(3)
        a2 = make_changes(1)
        self.assertEqual(expect_json(self, user.push(a, a1))["cursor"], 2)
        self.assertEqual(expect_json(self, user.push(b, b1))["cursor"], 5)
        self.assertEqual(expect_json(self, user.push(a, a2))["cursor"], 6)
        # device a sees only b's changes (seq 3, 4, 5)
        page = expect_json(self, user.pull(a, 0, 2))
        self.assert_pulled(page["changes"], b1[:2], b, 3)
        self.assertEqual((page["cursor"], page["has_more"]), (4, True))
        page = expect_json(self, user.pull(a, 4, 2))
        self.assert_pulled(page["changes"], b1[2:], b, 5)
        self.assertEqual((page["cursor"], page["has_more"]), (6, False))
        # exactly `limit` other-device changes left and only own changes beyond: no more
        page = expect_json(self, user.pull(a, 0, 3))
        self.assert_pulled(page["changes"], b1, b, 3)
        self.assertEqual((page["cursor"], page["has_more"]), (6, False))
        # device c sees everything, in sequence order across devices
        page = expect_json(self, user.pull(c, 0, 5))
        self.assertEqual([x["seq"] for x in page["changes"]], [1, 2, 3, 4, 5])
        self.assertEqual([x["device_id"] for x in page["changes"]], [a, a, b, b, b])
        self.assertEqual((page["cursor"], page["has_more"]), (5, True))
        page = expect_json(self, user.pull(c, 5, 5))
        self.assert_pulled(page["changes"], a2, a, 6)
        self.assertEqual((page["cursor"], page["has_more"]), (6, False))
        page = expect_json(self, user.pull(c, 0, 6))
        self.assertEqual(len(page["changes"]), 6)
        self.assertEqual((page["cursor"], page["has_more"]), (6, False))
        page = expect_json(self, user.pull(c, 0, 1))
        self.assertEqual([x["seq"] for x in page["changes"]], [1])
        self.assertEqual((page["cursor"], page["has_more"]), (1, True))

    def test_cursor_beyond_latest(self):
        user, a, b = self.new_user()
        expect_json(self, user.push(a, make_changes(2)))
        for cursor in (2, 3, 1000, 2 ** 53):
            with self.subTest(cursor=cursor):
                self.assertEqual(expect_json(self, user.pull(b, cursor)), {"changes": [], "cursor": 2, "has_more": False})

    def test_empty_account(self):
        user, a = self.new_user(1)
        self.assertEqual(expect_json(self, user.pull(a)), {"changes": [], "cursor": 0, "has_more": False})

    def test_default_and_maximum_limit(self):
        user, a, b = self.new_user()
        sent = make_changes(1000, 40) + make_changes(200, 40)
        expect_json(self, user.push(a, sent[:1000]))
        self.assertEqual(expect_json(self, user.push(a, sent[1000:]))["cursor"], 1200)
        page = expect_json(self, user.pull(b))
        self.assertEqual(len(page["changes"]), 500)
        self.assertEqual((page["cursor"], page["has_more"]), (500, True))
        page = expect_json(self, user.pull(b, 0, 1000))
        self.assertEqual(len(page["changes"]), 1000)
        self.assertEqual((page["cursor"], page["has_more"]), (1000, True))
        page = expect_json(self, user.pull(b, 1000, 1000))
        self.assert_pulled(page["changes"], sent[1000:], a, 1001)
        self.assertEqual((page["cursor"], page["has_more"]), (1200, False))

    # --- idempotency and atomicity ----------------------------------------------------------

    def test_retried_push_is_not_duplicated(self):
        user, a, b = self.new_user()
        batch = make_changes(3)
        self.assertEqual(expect_json(self, user.push(a, batch))["cursor"], 3)
        self.assertEqual(expect_json(self, user.push(a, batch))["cursor"], 3)
        extra = make_change()
        # a retry that overlaps a new change stores only the new one
        self.assertEqual(expect_json(self, user.push(a, [batch[1], extra]))["cursor"], 4)
        # the same change id from another device is the same change: skipped
        self.assertEqual(expect_json(self, user.push(b, [dict(batch[0], payload=b64(os.urandom(50)))]))["cursor"], 4)
        pulled, cursor = user.pull_all(harness.add_device(user.client, "third"))
        self.assert_pulled(pulled, batch + [extra], a, 1)
        self.assertEqual(cursor, 4)
        status = expect_json(self, user.status())
        self.assertEqual((status["changes"], status["latest_cursor"]), (4, 4))

    def test_duplicate_ids_within_one_push(self):
        user, a, b = self.new_user()
        change = make_change()
        reply = user.push(a, [change, dict(change, payload=b64(os.urandom(48)))])
        if reply.status == 200:
            self.assertEqual(reply.json(), {"cursor": 1})
            pulled, _ = user.pull_all(b)
            self.assertEqual([c["change_id"] for c in pulled], [change["change_id"]])
        else:
            assert_error(self, reply, 400, field="change_id")
            self.assertEqual(expect_json(self, user.status())["changes"], 0)

    def test_push_is_all_or_nothing(self):
        user, a, b = self.new_user()
        good = make_changes(3)
        bad = {"change_id": harness.new_change_id(), "payload": b64(os.urandom(39))}
        assert_error(self, user.push(a, good + [bad]), 400, field="payload")
        assert_error(self, user.push(a, [good[0], {"change_id": "bad id", "payload": good[1]["payload"]}]),
                     400, field="change_id")
        self.assertEqual(expect_json(self, user.pull(b)), {"changes": [], "cursor": 0, "has_more": False})
        status = expect_json(self, user.status())
        self.assertEqual((status["changes"], status["latest_cursor"]), (0, 0))
        # the same good changes go through afterwards
        self.assertEqual(expect_json(self, user.push(a, good))["cursor"], 3)

    def test_concurrent_pushes_get_gap_free_sequence_numbers(self):
        user, a, b, c = self.new_user(3)
        sent = {}
        errors = []

        def worker(device):
            try:
                for _ in range(15):
                    batch = make_changes(3)
                    reply = user.push(device, batch)
                    if reply.status != 200:
                        errors.append(f"push answered {reply.status}: {reply.body[:200]!r}")
                        return
                    for change in batch:
                        sent[change["change_id"]] = (device, change["payload"])
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))

        threads = [threading.Thread(target=worker, args=(d,)) for d in (a, b, a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        pulled, cursor = user.pull_all(c, limit=37)
        self.assertEqual([x["seq"] for x in pulled], list(range(1, len(sent) + 1)))
        self.assertEqual(cursor, len(sent))
        self.assertEqual({x["change_id"]: (x["device_id"], x["payload"]) for x in pulled}, sent)

    # --- validation -------------------------------------------------------------------------

    def test_change_id_rules(self):
        user, a, b = self.new_user()
        good_ids = ["a", "Z", "0", "-", "_", "x" * 64, "AZaz09-_" * 8]
        reply = user.push(a, [make_change(change_id=cid) for cid in good_ids])
        self.assertEqual(expect_json(self, reply)["cursor"], len(good_ids))
        pulled, _ = user.pull_all(b)
        self.assertEqual([c["change_id"] for c in pulled], good_ids)
        for bad in ("", "x" * 65, "a b", "a.b", "a/b", "a+b", "a=b", "é", "a\u0000b", 5, None, ["a"]):
            with self.subTest(change_id=bad):
                assert_error(self, user.push(a, [{"change_id": bad, "payload": b64(os.urandom(40))}]),
                             400, field="change_id")
        with self.subTest(change_id="missing"):
            assert_error(self, user.push(a, [{"payload": b64(os.urandom(40))}]), 400, field="change_id")
        self.assertEqual(expect_json(self, user.status())["changes"], len(good_ids))

    def test_payload_rules(self):
        user, a, _b = self.new_user()
        expect_json(self, user.push(a, [make_change(40)]))
        expect_json(self, user.push(a, [make_change(MIB)]))
        raw = os.urandom(60)
        for name, payload in (("39 bytes", b64(os.urandom(39))),
                              ("empty", ""),
                              ("not base64", "!!not-base64!!"),
                              ("no padding", b64(os.urandom(41)).rstrip("=")),
                              ("base64url alphabet", harness.b64url(b"\xfb\xff" * 30)),
                              ("whitespace", b64(raw[:30]) + "\n" + b64(raw[30:])),
                              ("number", 12345),
                              ("null", None)):
            with self.subTest(payload=name):
                assert_error(self, user.push(a, [{"change_id": harness.new_change_id(), "payload": payload}]),
                             400, field="payload")
        with self.subTest(payload="missing"):
            assert_error(self, user.push(a, [{"change_id": harness.new_change_id()}]), 400, field="payload")
        with self.subTest(payload="1 MiB + 1 byte"):
            reply = user.push(a, [make_change(MIB + 1)])
            # a field over its size limit: 400 invalid_request (or 413 payload_too_large)
            self.assertIn(reply.status, (400, 413), reply.body[:300])
            assert_error(self, reply, reply.status)
        self.assertEqual(expect_json(self, user.status())["changes"], 2)

    def test_change_count_rules(self):
        user, a, _b = self.new_user()
        assert_error(self, user.push(a, []), 400, field="changes")
        assert_error(self, user.push(a, make_changes(1001, 40)), 400, field="changes")
        self.assertEqual(expect_json(self, user.push(a, make_changes(1000, 40)))["cursor"], 1000)

    def test_bad_push_bodies(self):
        user, a, _b = self.new_user()
        change = make_change()
        cases = [
            ({"changes": [change]}, "device_id"),
            ({"device_id": 7, "changes": [change]}, "device_id"),
            ({"device_id": "not-a-uuid", "changes": [change]}, "device_id"),
            ({"device_id": a}, "changes"),
            ({"device_id": a, "changes": change}, "changes"),
            ({"device_id": a, "changes": ["x"]}, "changes"),
            ({"device_id": a, "changes": None}, "changes"),
        ]
        for body, field in cases:
            with self.subTest(body=body):
                assert_error(self, user.client.post("/v1/sync/push", json=body), 400, field=field)
        for raw in (b"", b"{", b"[]", b"null", b"{\"device_id\":\"" + a.encode() + b"\",\"changes\":[}"):
            with self.subTest(raw=raw):
                assert_error(self, user.client.post("/v1/sync/push", body=raw, content_type="application/json"), 400)
        self.assertEqual(expect_json(self, user.status())["changes"], 0)

    def test_unknown_device_is_404(self):
        user, _a = self.new_user(1)
        assert_error(self, user.push(str(uuid.uuid4()), make_changes(1)), 404)
        assert_error(self, user.pull(str(uuid.uuid4())), 404)

    def test_pull_parameters(self):
        user, a, _b = self.new_user()
        assert_error(self, user.client.get("/v1/sync/pull"), 400, field="device_id")
        assert_error(self, user.client.get("/v1/sync/pull", query={"device_id": "nope"}), 400, field="device_id")
        for limit in ("0", "1001", "-1", "x", "1.5", "99999999999999999999"):
            with self.subTest(limit=limit):
                assert_error(self, user.client.get("/v1/sync/pull", query={"device_id": a, "limit": limit}),
                             400, field="limit")
        for cursor in ("x", "-1", "1.5", "99999999999999999999"):
            with self.subTest(cursor=cursor):
                assert_error(self, user.client.get("/v1/sync/pull", query={"device_id": a, "cursor": cursor}),
                             400, field="cursor")
        for limit in ("1", "1000"):
            expect_json(self, user.client.get("/v1/sync/pull", query={"device_id": a, "limit": limit}))

    # --- status and auth --------------------------------------------------------------------

    def test_status(self):
        user, a, _b = self.new_user()
        body = expect_json(self, user.status())
        self.assertEqual(body, {"user_id": user.user_id, "app_id": user.app_id, "devices": 2,
                                "latest_cursor": 0, "changes": 0, "blobs": 0, "blob_bytes": 0})
        expect_json(self, user.push(a, make_changes(4)))
        expect_json(self, user.push(a, make_changes(1)))
        self.assertEqual(expect_json(self, user.client.put("/v1/blobs/one", body=os.urandom(100)), 201)["size"], 100)
        expect_json(self, user.client.put("/v1/blobs/two", body=os.urandom(60)), 201)
        body = expect_json(self, user.status())
        self.assertEqual(body, {"user_id": user.user_id, "app_id": user.app_id, "devices": 2,
                                "latest_cursor": 5, "changes": 5, "blobs": 2, "blob_bytes": 160})

    def test_needs_a_token(self):
        user, a, _b = self.new_user()
        anonymous = self.client
        assert_error(self, anonymous.post("/v1/sync/push", json={"device_id": a, "changes": make_changes(1)}), 401)
        assert_error(self, anonymous.get("/v1/sync/pull", query={"device_id": a}), 401)
        assert_error(self, anonymous.get("/v1/sync/status"), 401)
        self.assertEqual(expect_json(self, user.status())["changes"], 0)


if __name__ == "__main__":
    harness.main()
