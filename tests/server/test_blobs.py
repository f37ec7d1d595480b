"""Blobs: put (create, replace), get raw bytes, delete, id and size rules.

    /usr/bin/python3 tests/server/test_blobs.py --server PATH
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json  # noqa: E402


class BlobsTest(harness.ServerTestCase):

    def assert_blob(self, user, blob_id, data):
        reply = user.client.get(f"/v1/blobs/{blob_id}")
        self.assertEqual(reply.status, 200, reply.body[:300])
        self.assertEqual(reply.content_type, "application/octet-stream", reply.header("Content-Type"))
        self.assertEqual(len(reply.body), len(data))
        self.assertEqual(reply.body, data)

    def test_put_get_replace_delete(self):
        user = self.register()
        data = harness.sealed_bytes(1000)
        body = expect_json(self, user.client.put("/v1/blobs/photo-1", body=data), 201)
        self.assertEqual(body, {"blob_id": "photo-1", "size": 1000})
        self.assert_blob(user, "photo-1", data)
        newer = harness.sealed_bytes(77)
        body = expect_json(self, user.client.put("/v1/blobs/photo-1", body=newer), 200)
        self.assertEqual(body, {"blob_id": "photo-1", "size": 77})
        self.assert_blob(user, "photo-1", newer)
        status = expect_json(self, user.status())
        self.assertEqual((status["blobs"], status["blob_bytes"]), (1, 77))
        reply = user.client.delete("/v1/blobs/photo-1")
        self.assertEqual(reply.status, 204, reply.body[:300])
        self.assertEqual(reply.body, b"")
        assert_error(self, user.client.get("/v1/blobs/photo-1"), 404)
        assert_error(self, user.client.delete("/v1/blobs/photo-1"), 404)
        status = expect_json(self, user.status())
        self.assertEqual((status["blobs"], status["blob_bytes"]), (0, 0))
        # a deleted id can be used again
        expect_json(self, user.client.put("/v1/blobs/photo-1", body=data), 201)

    def test_every_byte_value_round_trips(self):
        user = self.register()
        data = bytes(range(256)) * 4 + b"\x00" * 40 + b"\r\n\r\n"
        expect_json(self, user.client.put("/v1/blobs/bytes", body=data), 201)
        self.assert_blob(user, "bytes", data)

    def test_a_few_megabytes(self):
        user = self.register()
        data = harness.sealed_bytes(5 * 1024 * 1024 + 3)
        self.assertEqual(expect_json(self, user.client.put("/v1/blobs/big", body=data), 201)["size"], len(data))
        self.assert_blob(user, "big", data)

    def test_unknown_blob_is_404(self):
        user = self.register()
        assert_error(self, user.client.get("/v1/blobs/never-stored"), 404)
        assert_error(self, user.client.delete("/v1/blobs/never-stored"), 404)

    def test_blob_id_rules(self):
        user = self.register()
        for blob_id in ("a", "Z9", "-", "_", "x" * 128, "AZaz09-_" * 16):
            with self.subTest(blob_id=blob_id):
                data = harness.sealed_bytes(40)
                self.assertEqual(expect_json(self, user.client.put(f"/v1/blobs/{blob_id}", body=data), 201),
                                 {"blob_id": blob_id, "size": 40})
                self.assert_blob(user, blob_id, data)
        for blob_id in ("x" * 129, "a.b", "a%20b", "a+b", "a=b", "%C3%A9", "a:b", "a~b"):
            with self.subTest(blob_id=blob_id):
                assert_error(self, user.client.put(f"/v1/blobs/{blob_id}", body=harness.sealed_bytes(40)),
                             400, field="blob_id")
                # reading or deleting an id that cannot exist: 400 (or simply 404)
                for reply in (user.client.get(f"/v1/blobs/{blob_id}"), user.client.delete(f"/v1/blobs/{blob_id}")):
                    self.assertIn(reply.status, (400, 404), reply.body[:300])
                    assert_error(self, reply, reply.status)
        self.assertEqual(expect_json(self, user.status())["blobs"], 6)

    def test_sealed_blobs_are_at_least_40_bytes(self):
        user = self.register()
        for size in (0, 1, 39):
            with self.subTest(size=size):
                assert_error(self, user.client.put("/v1/blobs/short", body=os.urandom(size)), 400)
        assert_error(self, user.client.get("/v1/blobs/short"), 404)
        self.assertEqual(expect_json(self, user.client.put("/v1/blobs/short", body=os.urandom(40)), 201)["size"], 40)
        # a short replacement leaves the stored blob alone
        stored = user.client.get("/v1/blobs/short").body
        assert_error(self, user.client.put("/v1/blobs/short", body=os.urandom(39)), 400)
        self.assert_blob(user, "short", stored)

    def test_needs_a_token(self):
        user = self.register()
        data = harness.sealed_bytes(50)
        expect_json(self, user.client.put("/v1/blobs/mine", body=data), 201)
        anonymous = self.client
        assert_error(self, anonymous.put("/v1/blobs/mine", body=harness.sealed_bytes(50)), 401)
        assert_error(self, anonymous.get("/v1/blobs/mine"), 401)
        assert_error(self, anonymous.delete("/v1/blobs/mine"), 401)
        assert_error(self, user.client.get("/v1/blobs/mine", api_key=None), 401)
        self.assert_blob(user, "mine", data)


if __name__ == "__main__":
    harness.main()
