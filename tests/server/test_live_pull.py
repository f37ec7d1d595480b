"""Live pull (protocol 1.1, docs/protocol.md "Live pull"): `GET /v1/sync/pull?...&wait=s`.

    /usr/bin/python3 tests/server/test_live_pull.py --server PATH

With no change after `cursor` from another device, the server holds the pull until another device
of the same user commits a push (then answers at once with the changes) or `wait` seconds pass
(then `{"changes":[],"cursor":n,"has_more":false}`). The device's own pushes and other users'
pushes do not end the wait. `wait` is an integer 0..60, anything else is 400 naming `wait`.
SIGTERM/SIGINT answer every held wait (200, empty) promptly, then the server exits 0. Health says
`"live_pull"` among its features and `"protocol":"1.1"`.

Held pulls are raw sockets (harness.raw_connect) so that the test sees when the reply arrives
without a thread per request. That a pull is held is shown by its getting no reply for HELD_CHECK
seconds (an ordinary pull answers in milliseconds).
"""

import errno
import os
import resource
import selectors
import signal
import socket
import statistics
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json, make_changes  # noqa: E402

HELD_CHECK = 0.3      # seconds without a reply that show a pull is held
WAKE_LIMIT = 0.050    # a held pull answers within 50 ms of the push reply


class HeldPull:
    """A pull sent on its own connection (to `server`, else the user's), its reply read later."""

    def __init__(self, tc, user, device, cursor, wait, limit=None, server=None):
        self.tc = tc
        query = {"device_id": device, "cursor": cursor, "wait": wait}
        if limit is not None:
            query["limit"] = limit
        self.sock = harness.raw_connect(server or user.server)
        tc.addCleanup(self.sock.close)
        self.sock.sendall(harness.request_bytes("GET", "/v1/sync/pull", query=query, api_key=user.api_key,
                                                token=user.access_token, keep_alive=False))
        self.sent_at = time.monotonic()
        self.replied_at = None

    def assert_held(self, seconds=HELD_CHECK):
        """No reply for `seconds`: the server is holding it."""
        if harness.wait_readable(self.sock, seconds):
            reply, rest = harness.read_response(self.sock, 2)
            self.tc.fail(f"the pull was answered after {time.monotonic() - self.sent_at:.3f} s instead of held: "
                         f"{reply if reply is not None else rest[:200]!r}")

    def read(self, timeout):
        """Waits up to `timeout` s for the reply; returns it (replied_at: when its first byte came)."""
        if not harness.wait_readable(self.sock, timeout):
            self.tc.fail(f"no reply within {timeout:.2f} s ({time.monotonic() - self.sent_at:.2f} s after the pull)")
        self.replied_at = time.monotonic()
        reply, rest = harness.read_response(self.sock, 5)
        self.tc.assertIsNotNone(reply, f"the connection was closed without a reply (got {rest[:200]!r})")
        return reply

    def body(self, timeout):
        return expect_json(self.tc, self.read(timeout))

    @property
    def elapsed(self):
        return self.replied_at - self.sent_at


class LivePullTest(harness.ServerTestCase):

    apps = 2  # the second app's users must not wake the first's waits

    def new_user(self, devices=2):
        user = self.register()
        return (user, *[user.add_device(f"device-{i}") for i in range(devices)])

    def push(self, user, device, changes):
        """Pushes; returns (the reply's cursor, the moment the reply was read)."""
        reply = user.push(device, changes)
        at = time.monotonic()
        return expect_json(self, reply)["cursor"], at

    def assert_changes(self, pulled, pushed, device):
        self.assertEqual([c["change_id"] for c in pulled], [c["change_id"] for c in pushed])
        for got, sent in zip(pulled, pushed):
            self.assertEqual(got["payload"], sent["payload"])
            self.assertEqual(got["device_id"], device)

    def test_wait_ends_within_50_ms_of_another_devices_push(self):
        user, a, b, c = self.new_user(3)
        cursor, _ = self.push(user, a, make_changes(2))
        latencies = []
        for round_number in range(8):
            writer = a if round_number % 2 == 0 else c
            pull = HeldPull(self, user, b, cursor, 20)
            pull.assert_held()
            changes = make_changes(1 + round_number % 3)
            cursor_after, pushed_at = self.push(user, writer, changes)
            body = pull.body(5)
            latencies.append(pull.replied_at - pushed_at)
            self.assert_changes(body["changes"], changes, writer)
            self.assertEqual([x["seq"] for x in body["changes"]], list(range(cursor + 1, cursor_after + 1)))
            self.assertEqual((body["cursor"], body["has_more"]), (cursor_after, False))
            cursor = cursor_after
        print(f"\n  pull reply after the push reply (ms): {[round(x * 1000, 1) for x in latencies]}, "
              f"median {statistics.median(latencies) * 1000:.1f}")
        for i, latency in enumerate(latencies):
            self.assertLess(latency, WAKE_LIMIT, f"round {i}: the held pull answered {latency * 1000:.1f} ms "
                                                 f"after the push reply")

    def test_no_change_answers_empty_after_wait(self):
        user, a, b = self.new_user()
        cursor, _ = self.push(user, a, make_changes(2))
        expect_json(self, user.pull(b, 0))
        pull = HeldPull(self, user, b, cursor, 1)
        body = pull.body(5)
        print(f"\n  wait=1 with nothing new answered after {pull.elapsed:.3f} s")
        self.assertEqual(body, {"changes": [], "cursor": cursor, "has_more": False})
        self.assertGreaterEqual(pull.elapsed, 0.9)
        self.assertLessEqual(pull.elapsed, 3.0)
        # a fresh user with nothing at all: cursor 0
        other, _x, y = self.new_user()
        pull = HeldPull(self, other, y, 0, 1)
        self.assertEqual(pull.body(5), {"changes": [], "cursor": 0, "has_more": False})
        self.assertGreaterEqual(pull.elapsed, 0.9)

    def test_wait_zero_is_the_plain_pull(self):
        user, a, b = self.new_user()
        pull = HeldPull(self, user, b, 0, 0)
        self.assertEqual(pull.body(1), {"changes": [], "cursor": 0, "has_more": False})
        self.assertLess(pull.elapsed, 0.5)

    def test_changes_already_there_answer_at_once(self):
        user, a, b = self.new_user()
        changes = make_changes(3)
        cursor, _ = self.push(user, a, changes)
        for wait in (30, 60):
            pull = HeldPull(self, user, b, 0, wait)
            body = pull.body(2)
            self.assertLess(pull.elapsed, 1.0, f"wait={wait} with changes waiting took {pull.elapsed:.2f} s")
            self.assert_changes(body["changes"], changes, a)
            self.assertEqual((body["cursor"], body["has_more"]), (cursor, False))
        # a page of them: has_more and the cursor of the page, at once as well
        pull = HeldPull(self, user, b, 0, 30, limit=2)
        body = pull.body(2)
        self.assert_changes(body["changes"], changes[:2], a)
        self.assertEqual((body["cursor"], body["has_more"]), (2, True))

    def test_own_push_does_not_end_the_wait(self):
        user, a, b = self.new_user()
        cursor, _ = self.push(user, a, make_changes(1))
        # only the waiting device pushes: the reply comes at the timeout, empty
        pull = HeldPull(self, user, b, cursor, 2)
        pull.assert_held()
        own_cursor, _ = self.push(user, b, make_changes(2))
        body = pull.body(5)
        print(f"\n  own push during wait=2: answered after {pull.elapsed:.2f} s with {body}")
        self.assertEqual(body["changes"], [], "the wait ended with the device's own changes")
        self.assertIs(body["has_more"], False)
        # the documented empty reply carries cursor n; the 1.0 rule (the user's latest seq) is accepted too
        self.assertIn(body["cursor"], (cursor, own_cursor))
        self.assertGreaterEqual(pull.elapsed, 1.9, f"the own push ended the wait after {pull.elapsed:.2f} s")
        self.assertLessEqual(pull.elapsed, 3.5)

        # the own push first, then another device's: the wait ends with the other device's change only
        cursor = own_cursor
        pull = HeldPull(self, user, b, cursor, 10)
        pull.assert_held()
        mine = make_changes(1)
        own_cursor, _ = self.push(user, b, mine)
        pull.assert_held()
        theirs = make_changes(1)
        latest, pushed_at = self.push(user, a, theirs)
        body = pull.body(3)
        self.assert_changes(body["changes"], theirs, a)
        self.assertEqual(body["changes"][0]["seq"], latest)
        self.assertEqual((body["cursor"], body["has_more"]), (latest, False))
        self.assertLess(pull.replied_at - pushed_at, 0.5)

    def test_other_users_push_never_wakes_it(self):
        user, a, b = self.new_user()
        cursor, _ = self.push(user, a, make_changes(1))
        stranger, s1, _s2 = self.new_user()
        other_app_user = harness.register_user(self.server, self.api_keys[1])
        o1 = other_app_user.add_device()
        pull = HeldPull(self, user, b, cursor, 2)
        pull.assert_held()
        for _ in range(3):
            self.push(stranger, s1, make_changes(1))
            self.push(other_app_user, o1, make_changes(1))
        body = pull.body(5)
        print(f"\n  other users' pushes during wait=2: answered after {pull.elapsed:.2f} s")
        self.assertEqual(body, {"changes": [], "cursor": cursor, "has_more": False})
        self.assertGreaterEqual(pull.elapsed, 1.9, f"another user's push ended the wait after {pull.elapsed:.2f} s")
        self.assertLessEqual(pull.elapsed, 3.5)

    def test_bad_wait_values(self):
        user, a, b = self.new_user()
        for wait in ("-1", "61", "abc", "1.5", "", "1e1", "60.0", "0x10", "99999999999999999999"):
            with self.subTest(wait=wait):
                reply = user.client.get("/v1/sync/pull", query={"device_id": b, "cursor": 0, "wait": wait},
                                        timeout=5)
                assert_error(self, reply, 400, field="wait")
        # the bounds themselves are fine (with a change waiting, so that neither waits)
        self.push(user, a, make_changes(1))
        for wait in ("0", "60"):
            with self.subTest(wait=wait):
                reply = user.client.get("/v1/sync/pull", query={"device_id": b, "cursor": 0, "wait": wait},
                                        timeout=5)
                self.assertEqual(len(expect_json(self, reply)["changes"]), 1)

    def test_health_reports_live_pull(self):
        body = expect_json(self, self.server.client().get("/v1/health"))
        self.assertEqual(body.get("status"), "ok")
        self.assertIsInstance(body.get("version"), str)
        self.assertIsInstance(body.get("features"), list, f"health: {body}")
        self.assertTrue(all(isinstance(f, str) for f in body["features"]), body)
        self.assertIn("live_pull", body["features"])
        self.assertEqual(len(body["features"]), len(set(body["features"])), body)
        self.assertEqual(body.get("protocol"), "1.1", "every 1.1 section is served")


class ManyWaitsTest(harness.ServerTestCase):
    """1,100 waits held at once (past 1024 file descriptors; held waits cost no thread): the server
    stays responsive, and one push of another device answers every one of them."""

    server_args = ("--max-connections-per-address", "5000")
    WAITS = 1100

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = cls.WAITS + 200
        if hard != resource.RLIM_INFINITY and hard < need:
            raise unittest.SkipTest(f"the open-file hard limit is {hard}; {need} needed for {cls.WAITS} "
                                    f"held waits (raise it with ulimit -Hn)")
        cls.saved_limit = (soft, hard)
        if soft != resource.RLIM_INFINITY and soft < need:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        resource.setrlimit(resource.RLIMIT_NOFILE, cls.saved_limit)

    def test_1100_held_waits_all_answered_by_one_push(self):
        user = self.register()
        a, b = user.add_device("a"), user.add_device("b")
        cursor = expect_json(self, user.push(a, make_changes(1)))["cursor"]
        request = harness.request_bytes("GET", "/v1/sync/pull", query={"device_id": b, "cursor": cursor, "wait": 30},
                                        api_key=user.api_key, token=user.access_token, keep_alive=False)
        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        states = []
        for i in range(self.WAITS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(sock.close)
            sock.setblocking(False)
            self.assertIn(sock.connect_ex(("127.0.0.1", self.server.port)), (0, errno.EINPROGRESS))
            state = {"sock": sock, "out": request, "in": b"", "reply": None, "closed": False}
            states.append(state)
            selector.register(sock, selectors.EVENT_WRITE, state)

        def pump(until, stop_when_answered):
            """Sends what is left to send, reads what arrives, until `until` (or all answered)."""
            while time.monotonic() < until:
                if stop_when_answered and all(s["reply"] is not None or s["closed"] for s in states):
                    return
                for key, events in selector.select(max(0.0, until - time.monotonic())):
                    state, sock = key.data, key.fileobj
                    try:
                        if events & selectors.EVENT_WRITE:
                            state["out"] = state["out"][sock.send(state["out"]):]
                            if not state["out"]:
                                selector.modify(sock, selectors.EVENT_READ, state)
                            continue
                        chunk = sock.recv(65536)
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        chunk = b""
                    if not chunk:
                        state["closed"] = True
                        selector.unregister(sock)
                        continue
                    state["in"] += chunk
                    length = harness.response_length(state["in"])
                    if length is not None and state["reply"] is None:
                        state["reply"] = harness.parse_response(state["in"][:length])
                        state["replied_at"] = time.monotonic()

        # every request sent; then HELD_CHECK * 3 with no reply on any of them: all held
        deadline = time.monotonic() + 15
        while any(s["out"] for s in states) and time.monotonic() < deadline:
            pump(min(deadline, time.monotonic() + 0.1), False)
        self.assertFalse(any(s["out"] for s in states), "not every pull could be sent within 15 s")
        pump(time.monotonic() + HELD_CHECK * 3, False)
        early = [s for s in states if s["reply"] is not None or s["closed"]]
        self.assertEqual(early, [], f"{len(early)} of {self.WAITS} waits answered or closed at once, e.g. "
                                    f"{early[0]['reply'] if early else None!r}")
        started = time.monotonic()
        expect_json(self, self.server.client().get("/v1/health", timeout=1))
        health = time.monotonic() - started
        changes = make_changes(1)
        latest = expect_json(self, user.push(a, changes))["cursor"]
        pushed_at = time.monotonic()
        pump(pushed_at + 5, True)
        unanswered = [i for i, s in enumerate(states) if s["reply"] is None]
        self.assertEqual(unanswered, [], f"{len(unanswered)} of {self.WAITS} waits not answered within 5 s "
                                         f"of the push")
        slowest = max(s["replied_at"] for s in states) - pushed_at
        print(f"\n  {self.WAITS} held waits: health {health * 1000:.0f} ms meanwhile; all answered within "
              f"{slowest * 1000:.0f} ms of the push reply")
        for state in states:
            body = expect_json(self, state["reply"])
            self.assertEqual([c["change_id"] for c in body["changes"]], [changes[0]["change_id"]])
            self.assertEqual((body["cursor"], body["has_more"]), (latest, False))
        self.assertLess(health, 1.0)
        self.assertLess(slowest, 2.0, "answering every held wait took more than 2 s")


class ShutdownTest(harness.ServerTestCase):
    """SIGTERM and SIGINT with 20 held waits: each is answered 200 (empty) within 2 s, the server
    exits 0. (Its own server: every test here stops it.)"""

    WAITS = 20

    def hold_and_signal(self, sig):
        if not self.server.running():
            self.server.start()
        user = self.register()
        a, b = user.add_device("a"), user.add_device("b")
        cursor = expect_json(self, user.push(a, make_changes(1)))["cursor"]
        pulls = [HeldPull(self, user, b, cursor, 30) for _ in range(self.WAITS)]
        pulls[-1].assert_held()
        for pull in pulls:
            pull.assert_held(0.0)
        harness.send_signal(self.server, sig)
        signalled = time.monotonic()
        for i, pull in enumerate(pulls):
            body = pull.body(max(0.0, signalled + 2.0 - time.monotonic()))
            self.assertEqual(body, {"changes": [], "cursor": cursor, "has_more": False}, f"wait {i}")
        answered = time.monotonic() - signalled
        rc = harness.wait_exit(self.server, 10)
        exited = time.monotonic() - signalled
        print(f"\n  {sig.name}: {self.WAITS} waits answered within {answered:.3f} s, exit {rc} after {exited:.2f} s")
        self.assertEqual(rc, 0, f"exit status after {sig.name}; stderr tail {self.server.log_text()[-1000:]!r}")

    def test_sigterm_answers_every_wait(self):
        self.hold_and_signal(signal.SIGTERM)

    def test_sigint_answers_every_wait(self):
        self.hold_and_signal(signal.SIGINT)


if __name__ == "__main__":
    harness.main()
