"""Body limits (413), both rate limiters (429 + Retry-After), CORS, and fault injection.

    /usr/bin/python3 tests/server/test_limits_cors.py --server PATH
"""

import json
import os
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, assert_retry_after, expect_json, b64, make_change, make_changes  # noqa: E402

MIB = 1024 * 1024
KIB = 1024
ORIGIN = "http://127.0.0.1:5555"
OTHER_ORIGIN = "http://localhost:8080"
UNKNOWN_ORIGIN = "http://evil.example"


def push_body(device_id, changes):
    return json.dumps({"device_id": device_id, "changes": changes}, separators=(",", ":")).encode()


class BodyLimitsTest(harness.ServerTestCase):
    """Default limits: push body 8 MiB, other JSON bodies 64 KiB, blobs 64 MiB."""

    @classmethod
    def prepare_class(cls):
        cls.user = harness.register_user(cls.server, cls.api_key)
        cls.device = cls.user.add_device()

    def test_push_body_over_8_mib_is_413(self):
        # 8 changes of 900 000 bytes: each under the 1 MiB payload limit, 9.6 MB of JSON in all
        changes = make_changes(8, 900_000)
        body = push_body(self.device, changes)
        self.assertGreater(len(body), 8 * MIB)
        reply = self.user.client.post("/v1/sync/push", body=body, content_type="application/json")
        assert_error(self, reply, 413)
        status = expect_json(self, self.user.status())
        self.assertEqual(status["changes"], 0, "a refused push stored changes")

    def test_push_body_under_8_mib_is_fine(self):
        user = harness.register_user(self.server, self.api_key)
        device = user.add_device()
        changes = make_changes(6, MIB - 4096)  # 6 x 1 392 640 chars of base64: 8 MiB - 32 KB
        body = push_body(device, changes)
        self.assertLess(len(body), 8 * MIB)
        self.assertGreater(len(body), 7.9 * MIB)
        reply = user.client.post("/v1/sync/push", body=body, content_type="application/json")
        self.assertEqual(expect_json(self, reply), {"cursor": 6})

    def test_other_json_bodies_over_64_kib_are_413(self):
        big = "x" * (65 * KIB)
        user = harness.register_user(self.server, self.api_key)
        cases = [
            ("POST", "/v1/auth/register", self.client, {"email": big + "@example.com", "auth_key": b64(os.urandom(32))}),
            ("POST", "/v1/auth/login", self.client, {"email": big + "@example.com", "auth_key": b64(os.urandom(32))}),
            ("POST", "/v1/auth/refresh", self.client, {"refresh_token": big}),
            ("POST", "/v1/devices", user.client, {"name": big, "platform": "linux"}),
            ("PUT", "/v1/keys/envelope", user.client,
             {"envelope": dict(harness.valid_envelope(), padding=big), "expected_version": 0}),
        ]
        for method, path, client, body in cases:
            with self.subTest(path=path):
                assert_error(self, client.request(method, path, json=body), 413)
        self.assertEqual(expect_json(self, user.client.get("/v1/devices")), {"devices": []})
        assert_error(self, user.client.get("/v1/keys/envelope"), 404)
        # just under the limit is not refused for its size
        reply = user.client.post("/v1/devices", json={"name": "n" * (60 * KIB), "platform": "linux"})
        self.assertNotEqual(reply.status, 413)

    def test_blob_over_64_mib_is_413(self):
        data = b"\x00" * (64 * MIB + 1)
        assert_error(self, self.user.client.put("/v1/blobs/too-big", body=data), 413)
        assert_error(self, self.user.client.get("/v1/blobs/too-big"), 404)


class BadInputTest(harness.ServerTestCase):
    """Bad input of every kind is a 4xx with the protocol's error body, never a 500 or a crash."""

    GARBAGE = [
        b"", b"\x00\xff\xfe garbage", b"{}", b"[]", b"null", b"true", b"\"text\"", b"1e999999",
        b"99999999999999999999999999", b"{\"a\":" * 2000, b"[" * 60000, b"{" * 30000,
        b"{\"email\":\"\\ud800\",\"auth_key\":\"\\udfff\"}", b"{\"email\":\"\xc3\x28\",\"auth_key\":\"\xff\"}",
        b"{\"email\":\"a@b.c\",\"email\":\"d@e.f\",\"auth_key\":\"\"}",
        b"{\"device_id\":{},\"changes\":[{\"change_id\":{},\"payload\":[]}]}",
        b"{\"changes\":[null,1,\"x\",[],{}],\"device_id\":null}",
        b"{\"envelope\":{\"version\":1e308,\"opslimit\":-1e308,\"memlimit\":18446744073709551616},\"expected_version\":1e20}",
        b"{\"name\":\"\\u0000\",\"platform\":\"\\u0000\",\"refresh_token\":\"\\u0000\"}",
    ]

    def check(self, reply, what):
        """Not a 5xx; an error reply has the protocol's body (some garbage is valid, e.g. a NUL name)."""
        self.assertLess(reply.status, 500, f"{what}: {reply.status} {reply.body[:200]!r}")
        if reply.status >= 400:
            assert_error(self, reply, reply.status,
                         code=reply.json().get("error", {}).get("code") if reply.status == 400 else None)

    def test_garbage_bodies(self):
        user = self.register()
        routes = [("POST", "/v1/auth/register", self.client), ("POST", "/v1/auth/login", self.client),
                  ("POST", "/v1/auth/refresh", self.client), ("POST", "/v1/auth/logout", user.client),
                  ("PUT", "/v1/keys/envelope", user.client), ("POST", "/v1/devices", user.client),
                  ("POST", "/v1/sync/push", user.client), ("POST", "/v1/oauth/token", self.client)]
        for method, path, client in routes:
            for body in self.GARBAGE:
                for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
                    if content_type != "application/json" and body[:1] not in (b"{", b""):
                        continue
                    with self.subTest(path=path, body=body[:40], content_type=content_type):
                        self.check(client.request(method, path, body=body, content_type=content_type), path)
        self.assertTrue(self.server.running(), "the server died")
        expect_json(self, self.server.client().get("/v1/health"))

    def test_garbage_queries_paths_and_headers(self):
        user = self.register()
        device = user.add_device()
        for query in ("device_id=%00", f"device_id={device}&cursor=1e3", f"device_id={device}&limit=0x10",
                      f"device_id={device}&cursor=NaN", f"device_id={device}&cursor=%20", f"device_id={device}&limit=+5",
                      f"device_id={device}&device_id={device}&cursor=-0", "device_id=" + "a" * 5000,
                      f"device_id={device.upper()}", "device_id=%ZZ", f"device_id={device}&cursor=18446744073709551616"):
            with self.subTest(query=query[:60]):
                reply = user.client.get("/v1/sync/pull?" + query)
                self.check(reply, query)
        for path in ("/v1/blobs/" + "a" * 5000, "/v1/blobs/%00", "/v1/blobs/%ZZ", "/v1/devices/%00",
                     "/v1/devices/" + "9" * 300, "/v1/sync/pull/extra", "/v1//sync/status", "/v1/blobs/"):
            for method in ("GET", "PUT", "DELETE"):
                with self.subTest(path=path[:60], method=method):
                    body = harness.sealed_bytes(40) if method == "PUT" else None
                    self.check(user.client.request(method, path, body=body), path)
        for header in ("Bearer " + "a" * 8000, "Bearer a.b.c.d", "Bearer ....", "Basic dXNlcjpwYXNz", "Bearer \t",
                       "Bearer eyJhbGciOiJIUzI1NiJ9.!!!.???"):
            with self.subTest(authorization=header[:40]):
                reply = user.client.get("/v1/sync/status", token=None, headers={"Authorization": header})
                assert_error(self, reply, 401)
        for key in ("x" * 8000, "\u00e9t\u00e9"):
            with self.subTest(api_key=key[:20]):
                reply = user.client.get("/v1/sync/status", api_key=key.encode("utf-8").decode("latin-1"))
                assert_error(self, reply, 401)
        self.assertTrue(self.server.running(), "the server died")


class BlobLimitTest(harness.ServerTestCase):
    server_args = ("--max-blob-bytes", "1000")

    def test_max_blob_bytes(self):
        user = self.register()
        self.assertEqual(expect_json(self, user.client.put("/v1/blobs/fits", body=os.urandom(1000)), 201)["size"], 1000)
        assert_error(self, user.client.put("/v1/blobs/big", body=os.urandom(1001)), 413)
        assert_error(self, user.client.put("/v1/blobs/fits", body=os.urandom(5000)), 413)
        self.assertEqual(len(user.client.get("/v1/blobs/fits").body), 1000)
        assert_error(self, user.client.get("/v1/blobs/big"), 404)


class RateLimitTest(harness.ServerTestCase):
    """--rate-limit 5: 5 requests per second per (remote address, API key), burst 5."""
    server_args = ("--rate-limit", "5", "--cors-origin", ORIGIN)
    apps = 2

    def test_burst_then_429_then_recovers(self):
        user = self.register()
        other = self.register(api_key=self.api_keys[1])
        time.sleep(1.3)  # both buckets full again
        client = self.server.client(api_key=self.api_key, token=user.access_token, origin=ORIGIN)
        replies = [client.get("/v1/sync/status") for _ in range(12)]
        statuses = [r.status for r in replies]
        self.assertEqual(statuses[:5], [200] * 5, f"the burst of 5 must pass: {statuses}")
        limited = [r for r in replies[5:] if r.status == 429]
        self.assertGreaterEqual(len(limited), 5, f"requests beyond the burst must be limited: {statuses}")
        self.assertTrue(all(s in (200, 429) for s in statuses), statuses)
        for reply in limited:
            assert_error(self, reply, 429)
            seconds = assert_retry_after(self, reply)
            self.assertLessEqual(seconds, 5)
            # the browser may read a 429 and its Retry-After
            self.assertEqual(reply.header("Access-Control-Allow-Origin"), ORIGIN)
            _assert_exposes_retry_after(self, reply)
        # another API key from the same address has its own bucket
        expect_json(self, other.status())
        wait = max(assert_retry_after(self, r) for r in limited)
        time.sleep(wait + 0.2)
        expect_json(self, client.get("/v1/sync/status"))


class AuthRateLimitTest(harness.ServerTestCase):
    """--auth-rate-limit 3: 3 register/login/refresh attempts per minute per address; --rate-limit 0 off."""
    server_args = ("--auth-rate-limit", "3", "--rate-limit", "0")

    def test_auth_attempts_are_limited(self):
        user = self.register()  # 1
        assert_error(self, self.client.post("/v1/auth/login",
                                            json={"email": user.email, "auth_key": b64(os.urandom(32))}), 401)  # 2
        assert_error(self, self.client.post("/v1/auth/refresh", json={"refresh_token": "nope-nope-nope"}), 401)  # 3
        for path, body in (("/v1/auth/login", {"email": user.email, "auth_key": user.auth_key_b64}),
                           ("/v1/auth/refresh", {"refresh_token": user.refresh_token}),
                           ("/v1/auth/register", {"email": harness.random_email(), "auth_key": b64(os.urandom(32))})):
            with self.subTest(path=path):
                reply = self.client.post(path, json=body)
                assert_error(self, reply, 429)
                self.assertLessEqual(assert_retry_after(self, reply), 60)
        # other requests are not auth attempts, and --rate-limit 0 disables the general limiter
        statuses = [user.status().status for _ in range(60)]
        self.assertEqual(statuses, [200] * 60)


class CorsTest(harness.ServerTestCase):
    server_args = ("--cors-origin", ORIGIN, "--cors-origin", OTHER_ORIGIN)

    def preflight(self, origin, path="/v1/sync/push", method="POST"):
        return self.server.client(origin=origin).request(
            "OPTIONS", path, headers={"Access-Control-Request-Method": method,
                                      "Access-Control-Request-Headers": "authorization,content-type,x-synckit-api-key"})

    def test_preflight(self):
        for origin in (ORIGIN, OTHER_ORIGIN):
            for path, method in (("/v1/sync/push", "POST"), ("/v1/blobs/abc", "PUT"), ("/v1/devices/x", "DELETE"),
                                 ("/v1/sync/pull", "GET"), ("/v1/auth/register", "POST"), ("/v1/oauth/token", "POST")):
                with self.subTest(origin=origin, path=path):
                    reply = self.preflight(origin, path, method)
                    self.assertEqual(reply.status, 204, reply.body[:300])
                    self.assertEqual(reply.header("Access-Control-Allow-Origin"), origin)
                    methods = _tokens(reply.header("Access-Control-Allow-Methods"), upper=True)
                    self.assertTrue({"GET", "POST", "PUT", "DELETE"} <= methods or methods == {"*"}, methods)
                    headers = _tokens(reply.header("Access-Control-Allow-Headers"))
                    self.assertTrue({"authorization", "content-type", "x-synckit-api-key"} <= headers, headers)

    def test_preflight_from_unknown_origin_is_not_allowed(self):
        reply = self.preflight(UNKNOWN_ORIGIN)
        self.assertIsNone(reply.header("Access-Control-Allow-Origin"))
        self.assertNotEqual(reply.status, 500)

    def test_responses_carry_cors_headers(self):
        user = self.register()
        client = self.server.client(api_key=self.api_key, token=user.access_token, origin=ORIGIN)
        for reply in (client.get("/v1/health"), client.get("/v1/sync/status"),
                      client.get("/v1/sync/status", token=None),  # 401
                      client.get("/v1/blobs/missing")):  # 404
            with self.subTest(status=reply.status):
                self.assertEqual(reply.header("Access-Control-Allow-Origin"), ORIGIN)
                _assert_exposes_retry_after(self, reply)

    def test_unknown_origin_gets_no_cors_headers(self):
        user = self.register()
        client = self.server.client(api_key=self.api_key, token=user.access_token, origin=UNKNOWN_ORIGIN)
        reply = client.get("/v1/sync/status")
        self.assertEqual(reply.status, 200)  # CORS is the browser's business; the request itself is fine
        self.assertIsNone(reply.header("Access-Control-Allow-Origin"))
        reply = self.server.client(api_key=self.api_key, token=user.access_token).get("/v1/sync/status")
        self.assertIsNone(reply.header("Access-Control-Allow-Origin"))
        self.assertEqual(reply.status, 200)


class FaultInjectionTest(harness.ServerTestCase):
    """--fault-rate 0.3 --fault-status 503 on /v1/sync/* and /v1/blobs/* only."""
    server_args = ("--fault-rate", "0.3", "--fault-status", "503")

    def test_share_of_faults_and_faulted_pushes_are_not_stored(self):
        user = self.register()
        a = user.add_device()
        b = user.add_device()
        acked, faulted = [], []
        total = 200
        for _ in range(total):
            change = make_change()
            reply = user.push(a, [change])
            if reply.status == 200:
                acked.append(change["change_id"])
            else:
                assert_error(self, reply, 503)
                self.assertEqual(reply.header("Retry-After"), "1")
                faulted.append(change["change_id"])
        share = len(faulted) / total
        self.assertTrue(0.15 <= share <= 0.45, f"fault share {share:.2f}, expected about 0.3")
        pulled, cursor = user.pull_all(b, limit=50, retry_statuses=(503,))
        self.assertEqual([c["change_id"] for c in pulled], acked, "exactly the acknowledged pushes are stored")
        self.assertEqual([c["seq"] for c in pulled], list(range(1, len(acked) + 1)))
        self.assertEqual(cursor, len(acked))

    def test_faulted_replies_leave_kept_alive_connections_usable(self):
        """Faulted replies on one kept-alive connection: every next request is parsed from its own
        bytes, never from a previous body (the server reads each body whole, or closes)."""
        import http.client
        user = self.register()
        a = user.add_device()
        headers = {"X-SyncKit-Api-Key": user.client.api_key, "Authorization": f"Bearer {user.client.token}",
                   "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        statuses = []
        sockets = set()
        try:
            for _ in range(60):
                body = json.dumps({"device_id": a, "changes": [make_change()]}).encode()
                conn.request("POST", "/v1/sync/push", body=body, headers=headers)
                reply = conn.getresponse()
                reply.read()
                statuses.append(reply.status)
                sockets.add(id(conn.sock))
        finally:
            conn.close()
        self.assertIn(503, statuses)
        self.assertEqual(set(statuses), {200, 503}, statuses)
        self.assertEqual(len(sockets), 1, "the connection was kept alive through the faults")

    def test_faulted_blob_puts_are_not_stored(self):
        user = self.register()
        results = {}
        for i in range(60):
            reply = user.client.put(f"/v1/blobs/b{i}", body=harness.sealed_bytes(40))
            if reply.status != 201:
                assert_error(self, reply, 503)
            results[f"b{i}"] = reply.status
        self.assertIn(503, results.values())
        self.assertIn(201, results.values())
        for blob_id, put_status in results.items():
            for _ in range(100):
                reply = user.client.get(f"/v1/blobs/{blob_id}")
                if reply.status != 503:
                    break
            self.assertEqual(reply.status, 200 if put_status == 201 else 404, blob_id)

    def test_other_routes_are_never_faulted(self):
        user = self.register()
        for _ in range(30):
            self.assertEqual(self.server.client().get("/v1/health").status, 200)
            self.assertEqual(user.client.get("/v1/devices").status, 200)
            self.assertEqual(user.client.get("/v1/keys/envelope").status, 404)
        for _ in range(5):
            self.register()


class FaultStatusTest(unittest.TestCase):
    """--fault-rate 1 with 429 and 500 (503 is above)."""

    def run_server(self, status):
        server = harness.Server(("--fault-rate", "1", "--fault-status", str(status)))
        self.addCleanup(server.close)
        api_key = server.create_app()
        server.start()
        user = harness.register_user(server, api_key)
        device = user.add_device()
        return server, user, device

    def test_fault_status_429(self):
        server, user, device = self.run_server(429)
        for reply in (user.push(device, make_changes(1)), user.pull(device), user.status(),
                      user.client.put("/v1/blobs/x", body=harness.sealed_bytes(40)), user.client.get("/v1/blobs/x")):
            assert_error(self, reply, 429)
            self.assertEqual(reply.header("Retry-After"), "1")
        server.stop_clean()

    def test_fault_status_500(self):
        server, user, device = self.run_server(500)
        for reply in (user.push(device, make_changes(1)), user.pull(device), user.status(),
                      user.client.delete("/v1/blobs/x")):
            assert_error(self, reply, 500)
        server.stop_clean()


def _assert_exposes_retry_after(tc, reply):
    exposed = _tokens(reply.header("Access-Control-Expose-Headers"))
    tc.assertTrue("retry-after" in exposed or exposed == {"*"},
                  f"Access-Control-Expose-Headers {reply.header('Access-Control-Expose-Headers')!r} lacks Retry-After")


def _tokens(header, upper=False):
    """The comma-separated tokens of a header value, lowered (or uppered), as a set."""
    if header is None:
        return set()
    items = {item.strip() for item in header.split(",") if item.strip()}
    return {item.upper() for item in items} if upper else {item.lower() for item in items}


if __name__ == "__main__":
    harness.main()
