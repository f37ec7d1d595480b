"""The event-driven engine: slow clients cut off, idle connections closed, connection limits, 1,100+
connections at once, the header size limit.

    /usr/bin/python3 tests/server/test_engine.py --server PATH

The `serve` flags under test (docs/server.md): `--header-timeout S` (a request header complete
within S seconds of the connection opening or of the previous reply, else the connection is closed
without a reply), `--idle-timeout S`, `--min-body-rate B` (after a grace period equal to the header
timeout, a body arrives at an average of at least B bytes/s since its header, else closed without a
reply), `--max-header-bytes N` (431 `invalid_request`, then closed), `--max-connections N` and
`--max-connections-per-address N` (an immediate 503 `unavailable` with `Retry-After: 1`, then
closed). Every wait is bounded; the tests talk bytes over plain sockets (harness.raw_connect) and
poll them with `selectors` (epoll), which, unlike select(), watches file descriptors past 1023.
"""

import errno
import http.client
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, b64, expect_json  # noqa: E402


def health_checker(server, stop, latencies, errors, interval=0.1, timeout=1.0):
    """Runs GET /v1/health on fresh connections until `stop` is set; records each latency (or the
    error). Returns the thread (started)."""

    def loop():
        client = server.client()
        while not stop.is_set():
            started = time.monotonic()
            try:
                reply = client.get("/v1/health", timeout=timeout)
                elapsed = time.monotonic() - started
                if reply.status != 200:
                    errors.append(f"health answered {reply.status} after {elapsed:.3f} s")
                latencies.append(elapsed)
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"health failed after {time.monotonic() - started:.3f} s: {error!r}")
            stop.wait(interval)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def header_of(path="/v1/health", pad=0, keep_alive=False):
    headers = {"X-Pad": "p" * pad} if pad else None
    return harness.request_bytes("GET", path, headers=headers, keep_alive=keep_alive)


class SlowHeaderTest(harness.ServerTestCase):
    """--header-timeout 2: a header trickling in (one byte every 0.5 s) is cut off at its deadline,
    counted from the connection's opening, however steadily bytes keep coming."""

    server_args = ("--header-timeout", "2")
    SOCKETS = 16     # trickling one header byte every INTERVAL
    SILENT = 4       # and these send nothing at all
    INTERVAL = 0.5

    def test_slow_headers_are_cut_off_and_others_are_served(self):
        header = header_of(pad=400)  # ~440 bytes: at 2 bytes/s it could never finish in time
        sockets, opened, sent, closed, received = [], [], [], {}, {}
        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        total = self.SOCKETS + self.SILENT
        for i in range(total):
            sock = harness.raw_connect(self.server)
            self.addCleanup(sock.close)
            opened.append(time.monotonic())
            if i < self.SOCKETS:
                sock.sendall(header[:1])
            sent.append(1 if i < self.SOCKETS else 0)
            sockets.append(sock)
            received[i] = b""
            selector.register(sock, selectors.EVENT_READ, i)

        stop, latencies, errors = threading.Event(), [], []
        checker = health_checker(self.server, stop, latencies, errors)
        stop_checks_at = opened[-1] + 1.6  # well before the first deadline (2 s)
        next_send = time.monotonic() + self.INTERVAL
        give_up = opened[0] + 8.0
        while len(closed) < total and time.monotonic() < give_up:
            now = time.monotonic()
            if now >= stop_checks_at:
                stop.set()
            if now >= next_send:
                for i, sock in enumerate(sockets):
                    if i in closed or i >= self.SOCKETS:
                        continue
                    try:
                        sock.send(header[sent[i]:sent[i] + 1])
                        sent[i] += 1
                    except (BrokenPipeError, ConnectionResetError):
                        closed[i] = time.monotonic() - opened[i]
                        selector.unregister(sock)
                next_send += self.INTERVAL
            timeout = max(0.0, min(next_send, give_up) - time.monotonic())
            for key, _ in selector.select(timeout):
                i = key.data
                try:
                    chunk = key.fileobj.recv(4096)
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if chunk:
                    received[i] += chunk
                    continue
                closed[i] = time.monotonic() - opened[i]
                selector.unregister(key.fileobj)
        stop.set()
        checker.join(timeout=5)

        figures = sorted(v for i, v in closed.items() if i < self.SOCKETS)
        silent = sorted(v for i, v in closed.items() if i >= self.SOCKETS)
        print(f"\n  slow headers closed after {[round(x, 2) for x in figures]} s "
              f"(bytes sent: {sorted(set(sent[:self.SOCKETS]))}), silent ones after "
              f"{[round(x, 2) for x in silent]} s; health latencies during them: "
              f"max {max(latencies, default=0) * 1000:.0f} ms over {len(latencies)} requests")
        self.assertEqual(errors, [], "GET /v1/health was not answered promptly while slow headers were connected")
        self.assertGreaterEqual(len(latencies), 5, "too few health checks ran during the slow headers")
        for latency in latencies:
            self.assertLess(latency, 1.0, f"a health check took {latency:.3f} s")
        self.assertEqual(sorted(set(range(total)) - set(closed)), [],
                         f"connections still open 8 s after opening (those >= {self.SOCKETS} sent nothing)")
        for i, elapsed in closed.items():
            self.assertGreaterEqual(elapsed, 1.9, f"connection {i} cut off early, {elapsed:.2f} s after opening")
            self.assertLessEqual(elapsed, 3.5, f"connection {i} cut off late, {elapsed:.2f} s after opening")
            self.assertEqual(received[i], b"", f"connection {i} got a reply: {received[i][:200]!r}")
        self.assertTrue(self.server.running())

    def test_kept_alive_header_deadline_counts_from_the_previous_reply(self):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        opened = time.monotonic()
        first = header_of(keep_alive=True)
        third = len(first) // 3
        for k, part in enumerate((first[:third], first[third:2 * third], first[2 * third:])):
            delay = opened + 0.5 * k - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the bytes: the header completes ~1 s after opening
            sock.sendall(part)
        reply, _ = harness.read_response(sock, 2)
        self.assertIsNotNone(reply, "the first request (complete after ~1 s) got no reply")
        self.assertEqual(reply.status, 200)
        replied = time.monotonic()
        # the next header trickles (1 byte / 0.5 s): cut off ~2 s after that reply, not after opening
        second = header_of(pad=400, keep_alive=True)
        sent, closed, data = 0, False, b""
        while time.monotonic() < replied + 6 and not closed:
            try:
                sock.send(second[sent:sent + 1])
                sent += 1
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed, data = harness.wait_closed(sock, 0.5)
        since_reply, since_open = time.monotonic() - replied, time.monotonic() - opened
        print(f"\n  second header on a kept-alive connection cut off {since_reply:.2f} s after the first reply "
              f"({since_open:.2f} s after opening)")
        self.assertTrue(closed, "a trickling header on a kept-alive connection was not cut off within 6 s")
        self.assertEqual(data, b"", f"the cut-off connection got a reply: {data[:200]!r}")
        self.assertGreaterEqual(since_reply, 1.8, "cut off before 2 s since the previous reply")
        self.assertGreaterEqual(since_open, 2.6, "the deadline was counted from the connection's opening")
        self.assertLessEqual(since_reply, 3.5)

    def test_a_header_in_time_is_served(self):
        # the same header at 40 bytes/s finishes in ~1 s, inside the 2 s: it is answered
        header = header_of(pad=0)
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        for offset in range(0, len(header), 20):
            sock.sendall(header[offset:offset + 20])
            time.sleep(0.5 * 20 / 40)  # pacing the bytes themselves, not waiting for an event
        reply, _ = harness.read_response(sock, 3)
        self.assertIsNotNone(reply, "a header completed within the timeout got no reply")
        self.assertEqual(reply.status, 200)


class SlowBodyTest(harness.ServerTestCase):
    """--header-timeout 1 --min-body-rate 1000: a body trickling at 20 bytes/s is cut off after the
    1 s grace period, without a reply; one arriving at 2000 bytes/s for 3 s is served."""

    server_args = ("--header-timeout", "1", "--min-body-rate", "1000")

    def login_header(self, length):
        return harness.request_bytes("POST", "/v1/auth/login", api_key=self.api_key,
                                     headers={"Content-Type": "application/json"}, content_length=length,
                                     keep_alive=False)

    def test_slow_body_is_cut_off_and_others_are_served(self):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        body = b'{"email":"slow@example.com","auth_key":"' + b"A" * 99_000
        stop, latencies, errors = threading.Event(), [], []
        sock.sendall(self.login_header(100_000))
        header_done = time.monotonic()
        checker = health_checker(self.server, stop, latencies, errors)
        sent, data, closed_after = 0, b"", None
        next_send = header_done
        while time.monotonic() < header_done + 8.0:
            if time.monotonic() >= next_send:
                try:
                    sock.send(body[sent:sent + 10])
                    sent += 10
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - header_done
                    break
                next_send += 0.5
            if time.monotonic() >= header_done + 0.8:
                stop.set()
            if harness.wait_readable(sock, max(0.0, next_send - time.monotonic())):
                try:
                    chunk = sock.recv(4096)
                except (ConnectionResetError, BrokenPipeError):
                    chunk = b""
                if not chunk:
                    closed_after = time.monotonic() - header_done
                    break
                data += chunk
        stop.set()
        checker.join(timeout=5)
        print(f"\n  slow body ({sent} of 100000 bytes sent) closed after "
              f"{closed_after if closed_after is None else round(closed_after, 2)} s; health meanwhile: "
              f"max {max(latencies, default=0) * 1000:.0f} ms over {len(latencies)} requests")
        self.assertEqual(errors, [], "GET /v1/health was not answered promptly during the slow body")
        self.assertGreaterEqual(len(latencies), 3)
        self.assertIsNotNone(closed_after, f"the slow body was still open 8 s after its header ({sent} bytes sent)")
        self.assertGreaterEqual(closed_after, 0.9, "cut off before the grace period (the header timeout, 1 s)")
        self.assertLessEqual(closed_after, 4.0, "a body at 20 bytes/s (min 1000) was not cut off within 4 s")
        self.assertEqual(data, b"", f"the slow body got a reply: {data[:200]!r}")
        self.assertTrue(self.server.running())
        expect_json(self, self.client.get("/v1/health", timeout=2))

    def test_body_above_the_rate_is_served(self):
        # 6000 bytes at 2000 bytes/s (twice the minimum): 3 s in all, past the grace period
        body = json.dumps({"email": "nobody-" + os.urandom(4).hex() + "@example.com",
                           "auth_key": b64(os.urandom(32))}).encode()
        body += b" " * (6000 - len(body))
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        started = time.monotonic()
        sock.sendall(self.login_header(len(body)))
        for k, offset in enumerate(range(0, len(body), 500)):
            delay = started + 0.25 * k - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing the upload itself
            sock.sendall(body[offset:offset + 500])
        elapsed = time.monotonic() - started
        reply, rest = harness.read_response(sock, 5, method="POST")
        self.assertIsNotNone(reply, f"a body at 2000 bytes/s was cut off (got {rest[:200]!r})")
        self.assertGreater(elapsed, 2.5)
        assert_error(self, reply, 401)  # unknown account: the request itself was handled


class IdleTimeoutTest(harness.ServerTestCase):
    """--idle-timeout 1: a kept-alive connection silent after a reply is closed after ~1 s; one
    sending a request every 0.3 s stays open and is served throughout."""

    server_args = ("--idle-timeout", "1")

    def test_idle_connection_closed_active_one_kept(self):
        idle = harness.raw_connect(self.server)
        active = harness.raw_connect(self.server)
        self.addCleanup(idle.close)
        self.addCleanup(active.close)
        idle.sendall(header_of(keep_alive=True))
        reply, rest = harness.read_response(idle, 3)
        self.assertIsNotNone(reply)
        self.assertEqual((reply.status, rest), (200, b""))
        self.assertNotEqual((reply.header("Connection") or "").lower(), "close",
                            "the server does not keep the connection alive")
        idle_since = time.monotonic()
        idle_closed, served = None, 0
        next_request = idle_since
        while time.monotonic() < idle_since + 4.0:
            if time.monotonic() >= next_request:
                active.sendall(header_of(keep_alive=True))
                started = time.monotonic()
                reply, rest = harness.read_response(active, 2)
                self.assertIsNotNone(reply, f"the active connection was closed after {served} requests, "
                                            f"{time.monotonic() - idle_since:.2f} s in")
                self.assertEqual(reply.status, 200)
                self.assertLess(time.monotonic() - started, 1.0)
                served += 1
                next_request += 0.3
            if idle_closed is None:
                closed, data = harness.wait_closed(idle, max(0.0, next_request - time.monotonic()))
                self.assertEqual(data, b"", "the idle connection got unrequested bytes")
                if closed:
                    idle_closed = time.monotonic() - idle_since
            elif time.monotonic() > idle_since + 2.5 and served >= 8:
                break
            else:
                time.sleep(max(0.0, next_request - time.monotonic()))  # the active client's pace
        print(f"\n  idle connection closed after {idle_closed} s; active one served {served} requests")
        self.assertIsNotNone(idle_closed, "the idle connection was still open 4 s after its reply")
        self.assertGreaterEqual(idle_closed, 0.8, "closed before the idle timeout")
        self.assertLessEqual(idle_closed, 3.0)
        self.assertGreaterEqual(served, 8, "the active connection must outlive the idle timeout twice over")


class DefaultsTest(harness.ServerTestCase):
    """Without the flags: --idle-timeout 30 (a connection silent for 3 s after a reply stays open
    and is served again) and --max-header-bytes 16384 (12,000 bytes served, 20,000 refused)."""

    def test_idle_connection_kept_under_the_default(self):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        sock.sendall(header_of(keep_alive=True))
        reply, _ = harness.read_response(sock, 3)
        self.assertIsNotNone(reply)
        self.assertEqual(reply.status, 200)
        closed, data = harness.wait_closed(sock, 3.0)
        self.assertFalse(closed, "a kept-alive connection was closed after 3 s idle (default idle timeout 30 s)")
        self.assertEqual(data, b"")
        sock.sendall(header_of(keep_alive=True))
        reply, _ = harness.read_response(sock, 3)
        self.assertIsNotNone(reply, "the kept-alive connection did not answer a second request")
        self.assertEqual(reply.status, 200)


    def test_default_header_limit(self):
        for pad, status in ((12_000, 200), (20_000, 431)):
            with self.subTest(header_bytes=pad):
                sock = harness.raw_connect(self.server)
                self.addCleanup(sock.close)
                sock.sendall(header_of(pad=pad, keep_alive=False))
                reply, rest = harness.read_response(sock, 3)
                self.assertIsNotNone(reply, f"closed without a reply (got {rest[:200]!r})")
                self.assertEqual(reply.status, status, f"{reply.status} {reply.body[:200]!r}")


class ManyConnectionsTest(harness.ServerTestCase):
    """1,200 connections open at once, past select()'s 1024 file descriptors: every one is
    answered, twice on the same kept-alive connection. The server starts with a soft open-file
    limit of 1024 and must raise it itself."""

    server_args = ("--max-connections-per-address", "5000")
    CONNECTIONS = 1200

    @classmethod
    def setUpClass(cls):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = cls.CONNECTIONS + 200
        if hard != resource.RLIM_INFINITY and hard < need:
            raise unittest.SkipTest(f"the open-file hard limit is {hard}; {need} needed for "
                                    f"{cls.CONNECTIONS} connections (raise it with ulimit -Hn)")
        cls.saved_limit = (soft, hard)
        # the server inherits a soft limit of 1024 (its hard limit stays): it has to raise it itself
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, 1024), hard))
        try:
            super().setUpClass()
        finally:
            target = need if soft == resource.RLIM_INFINITY else max(soft, need)
            if hard != resource.RLIM_INFINITY:
                target = min(target, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))  # this process's own sockets

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        resource.setrlimit(resource.RLIMIT_NOFILE, cls.saved_limit)

    @staticmethod
    def exchange(selector, states, deadline):
        """One request on every connection, every reply read (non-blocking, epoll). Each state's
        phase: send -> recv -> parked (answered); dead when the server closed it. Returns the
        number of connections not answered by `deadline`."""
        request = header_of(keep_alive=True)
        pending = 0
        for state in states:
            state["reply"] = None
            if state["phase"] == "dead":
                continue
            state["out"], state["in"], state["phase"] = request, b"", "send"
            selector.modify(state["sock"], selectors.EVENT_WRITE, state)
            pending += 1
        while pending and time.monotonic() < deadline:
            for key, events in selector.select(max(0.0, deadline - time.monotonic())):
                state = key.data
                sock = state["sock"]
                try:
                    if state["phase"] == "send":
                        state["out"] = state["out"][sock.send(state["out"]):]
                        if not state["out"]:
                            state["phase"] = "recv"
                            selector.modify(sock, selectors.EVENT_READ, state)
                        continue
                    chunk = sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as error:
                    chunk, state["error"] = b"", repr(error)
                if not chunk:  # closed by the server (a parked one too: it should stay open)
                    state.setdefault("error", f"closed by the server while {state['phase']}")
                    if state["phase"] in ("send", "recv"):
                        pending -= 1
                    state["phase"] = "dead"
                    selector.unregister(sock)
                    continue
                if state["phase"] == "parked":
                    state["error"] = f"unrequested bytes {chunk[:100]!r}"
                    continue
                state["in"] += chunk
                length = harness.response_length(state["in"])
                if length is not None:
                    state["reply"] = harness.parse_response(state["in"][:length])
                    state["phase"] = "parked"
                    pending -= 1
        return pending

    def test_1200_connections_at_once(self):
        selector = selectors.DefaultSelector()
        self.addCleanup(selector.close)
        states = []
        started = time.monotonic()
        for i in range(self.CONNECTIONS):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(sock.close)
            sock.setblocking(False)
            code = sock.connect_ex(("127.0.0.1", self.server.port))
            self.assertIn(code, (0, errno.EINPROGRESS), f"connect {i}: {os.strerror(code)}")
            state = {"sock": sock, "i": i, "phase": "connect"}
            states.append(state)
            selector.register(sock, selectors.EVENT_WRITE, state)
        self.assertGreater(max(s["sock"].fileno() for s in states), 1024, "test bug: fds not past 1024")
        # every connection established before any request is sent
        connecting = len(states)
        deadline = time.monotonic() + 20
        while connecting and time.monotonic() < deadline:
            for key, _ in selector.select(max(0.0, deadline - time.monotonic())):
                state = key.data
                if state["phase"] != "connect":
                    continue  # parked and readable: seen in the first round
                error = state["sock"].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                self.assertEqual(error, 0, f"connection {state['i']} failed: {os.strerror(error)}")
                connecting -= 1
                state["phase"] = "parked"
                selector.modify(state["sock"], selectors.EVENT_READ, state)
        self.assertEqual(connecting, 0, f"{connecting} connections not established within 20 s")
        connected = time.monotonic() - started

        rounds, server_fds, server_limit = [], None, None
        for round_number in (1, 2):
            round_started = time.monotonic()
            pending = self.exchange(selector, states, time.monotonic() + 15)
            rounds.append(time.monotonic() - round_started)
            self.assertEqual(pending, 0, f"round {round_number}: {pending} connections not answered within 15 s")
            failures = [s for s in states if s["reply"] is None or s["reply"].status != 200 or "error" in s]
            self.assertEqual(failures, [], f"round {round_number}: {len(failures)} connections failed, e.g. "
                                           f"{[(f['i'], f.get('error'), f['reply']) for f in failures[:5]]}")
            for state in states:
                self.assertEqual(state["reply"].json().get("status"), "ok")
            if round_number == 1:
                try:
                    server_fds = len(os.listdir(f"/proc/{self.server.proc.pid}/fd"))
                    with open(f"/proc/{self.server.proc.pid}/limits") as f:
                        server_limit = " ".join(next(l for l in f if l.startswith("Max open files")).split()[3:5])
                except (OSError, StopIteration):
                    server_limit = None
                if server_fds is not None:
                    self.assertGreaterEqual(server_fds, self.CONNECTIONS,
                                            "the server does not hold every connection open")
        print(f"\n  {self.CONNECTIONS} connections established in {connected:.2f} s; "
              f"rounds answered in {[round(x, 2) for x in rounds]} s; server fds {server_fds}, "
              f"its open-file limit (soft, hard) {server_limit} (started with soft 1024)")
        for state in states:
            selector.unregister(state["sock"])
            state["sock"].close()
        expect_json(self, self.client.get("/v1/health", timeout=5))


class LimitChecks:
    def open_served(self):
        """A kept-alive connection that has been answered once (so the server counts it)."""
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        sock.sendall(header_of(keep_alive=True))
        reply, _ = harness.read_response(sock, 3)
        self.assertIsNotNone(reply, "a connection under the limit was closed")
        self.assertEqual(reply.status, 200)
        return sock

    def assert_refused(self, what):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        started = time.monotonic()
        # nothing sent: the refusal comes at once, not in answer to a request
        reply, rest = harness.read_response(sock, 3)
        elapsed = time.monotonic() - started
        self.assertIsNotNone(reply, f"{what}: closed without the 503 (got {rest[:200]!r})")
        assert_error(self, reply, 503)
        self.assertEqual(reply.header("Retry-After"), "1")
        self.assertLess(elapsed, 1.0, f"{what}: the 503 took {elapsed:.2f} s")
        closed, data = harness.wait_closed(sock, 2)
        self.assertTrue(closed, f"{what}: the connection stays open after the 503")
        self.assertEqual(data, b"")
        sock.close()

    def assert_served_again(self, after):
        """The server notices closed connections by itself: a new one is served within 3 s (polled)."""
        deadline = time.monotonic() + 3
        attempts, reply = 0, None
        while time.monotonic() < deadline:
            attempts += 1
            sock = harness.raw_connect(self.server)
            self.addCleanup(sock.close)
            sock.sendall(header_of(keep_alive=False))
            reply, _ = harness.read_response(sock, 3)
            sock.close()
            if reply is not None and reply.status == 200:
                return
            time.sleep(0.1)
        self.fail(f"no new connection served within 3 s of {after} ({attempts} tries)")


class MaxConnectionsTest(LimitChecks, harness.ServerTestCase):
    """--max-connections 5: the 6th connection (whatever its address) gets the immediate 503."""

    server_args = ("--max-connections", "5")

    def test_sixth_connection_refused(self):
        held = [self.open_served() for _ in range(5)]
        self.assert_refused("6th connection")
        held[0].close()
        self.assert_served_again("closing one of 5")


class PerAddressLimitTest(LimitChecks, harness.ServerTestCase):
    """--max-connections-per-address 10: the 11th connection from 127.0.0.1 gets an immediate 503
    `unavailable` with Retry-After: 1 and is closed; once some close, new ones are served."""

    server_args = ("--max-connections-per-address", "10")

    def test_eleventh_connection_refused_then_served_again(self):
        held = [self.open_served() for _ in range(10)]
        self.assert_refused("11th connection")
        self.assert_refused("12th connection")
        for sock in held[:3]:
            sock.close()
        self.assert_served_again("closing 3 of 10")
        # the 7 held ones still work; 3 more fit again, and then the limit holds again
        for sock in held[3:]:
            sock.sendall(header_of(keep_alive=True))
            reply, _ = harness.read_response(sock, 3)
            self.assertIsNotNone(reply, "a held connection was closed")
            self.assertEqual(reply.status, 200)
        deadline = time.monotonic() + 3
        more = []
        while len(more) < 3 and time.monotonic() < deadline:
            sock = harness.raw_connect(self.server)
            self.addCleanup(sock.close)
            sock.sendall(header_of(keep_alive=True))
            reply, _ = harness.read_response(sock, 3)
            if reply is not None and reply.status == 200:
                more.append(sock)
            else:
                sock.close()
                time.sleep(0.1)  # the last probe's close is still being noticed
        self.assertEqual(len(more), 3, "the 3 freed slots were not usable again")
        self.assert_refused("11th connection again")


class HeaderSizeTest(harness.ServerTestCase):
    """--max-header-bytes 4096: a larger header gets 431 with the protocol's error body (code
    invalid_request) and the connection is closed; a 3000-byte header is served."""

    server_args = ("--max-header-bytes", "4096")

    def test_header_over_the_limit_is_431(self):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        request = header_of(pad=4500, keep_alive=True)
        self.assertGreater(len(request), 4096)
        sock.sendall(request)
        reply, rest = harness.read_response(sock, 3)
        self.assertIsNotNone(reply, f"closed without a reply (got {rest[:200]!r})")
        self.assertEqual(reply.status, 431, f"{reply.status} {reply.body[:200]!r}")
        self.assertEqual(reply.content_type, "application/json")
        body = reply.json()
        self.assertEqual(set(body), {"error"}, body)
        self.assertEqual(body["error"].get("code"), "invalid_request", body)
        self.assertIsInstance(body["error"].get("message"), str)
        closed, data = harness.wait_closed(sock, 2)
        self.assertTrue(closed, "the connection stays open after the 431")
        self.assertEqual(data, b"")

    def test_header_under_the_limit_is_served(self):
        sock = harness.raw_connect(self.server)
        self.addCleanup(sock.close)
        request = header_of(pad=3000, keep_alive=False)
        self.assertLess(len(request), 4096)
        sock.sendall(request)
        reply, _ = harness.read_response(sock, 3)
        self.assertIsNotNone(reply)
        self.assertEqual(reply.status, 200)


if __name__ == "__main__":
    harness.main()
