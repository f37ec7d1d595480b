"""Durability: what the server acknowledged survives kill -9; retries after a crash never duplicate.

    /usr/bin/python3 tests/server/test_durability.py --server PATH

A thread pushes small batches with unique change ids in a loop; after about a second the server is
killed with SIGKILL. Restarted on the same database, every batch that got a 200 must be there
exactly once (pulled from another device), no batch half there, the sequence numbers gap-free. Then
every batch is pushed again, acknowledged or not: each change is stored exactly once.
"""

import http.client
import os
import signal
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import assert_error, expect_json, make_changes  # noqa: E402

BATCH = 5
MAX_BATCHES = 4000


class DurabilityTest(harness.ServerTestCase):

    def test_kill9_keeps_every_acknowledged_push(self):
        user = self.register()
        writer = user.add_device("writer")
        reader = user.add_device("reader")
        envelope = harness.valid_envelope()
        expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0}))
        blob = harness.sealed_bytes(300)
        expect_json(self, user.client.put("/v1/blobs/kept", body=blob), 201)

        batches = []   # every batch tried, in order
        acked = []     # indexes of batches answered 200
        failures = []  # unexpected HTTP answers
        stop = threading.Event()

        def push_loop():
            counter = 0
            while not stop.is_set() and len(batches) < MAX_BATCHES:
                batch = []
                for change in make_changes(BATCH, 48):
                    counter += 1
                    change["change_id"] = f"d{counter:06d}-{change['change_id'][:10]}"
                    batch.append(change)
                batches.append(batch)
                try:
                    reply = user.push(writer, batch)
                except (OSError, http.client.HTTPException):
                    continue  # the server is gone (or going): not acknowledged
                if reply.status == 200:
                    acked.append(len(batches) - 1)
                else:
                    failures.append((reply.status, reply.body[:200]))

        thread = threading.Thread(target=push_loop, daemon=True)
        thread.start()
        time.sleep(1.0)
        self.server.kill9()
        stop.set()
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "the push loop did not stop")
        self.assertEqual(failures, [], "pushes failed with an HTTP error before the kill")
        self.assertGreater(len(acked), 5, "too few pushes were acknowledged in a second to test anything")

        self.server.start()
        # the signing secret survived: the old access token still works after the restart
        body = expect_json(self, user.status())
        self.assertEqual(body["user_id"], user.user_id)

        by_id = {c["change_id"]: (i, c["payload"]) for i, batch in enumerate(batches) for c in batch}
        pulled, cursor = user.pull_all(reader)
        ids = [c["change_id"] for c in pulled]
        self.assertEqual(len(ids), len(set(ids)), "a change is stored twice")
        self.assertEqual(len(set(ids) - set(by_id)), 0, "the server holds changes that were never pushed")
        for change in pulled:
            self.assertEqual(change["payload"], by_id[change["change_id"]][1])
            self.assertEqual(change["device_id"], writer)
        self.assertEqual([c["seq"] for c in pulled], list(range(1, len(pulled) + 1)), "sequence numbers have gaps")
        self.assertEqual(cursor, len(pulled))
        stored = set(ids)
        lost = [index for index in acked if any(c["change_id"] not in stored for c in batches[index])]
        self.assertEqual(lost, [], f"{len(lost)} of {len(acked)} acknowledged batches lost changes")
        half = [index for index, batch in enumerate(batches)
                if 0 < sum(c["change_id"] in stored for c in batch) < BATCH]
        self.assertEqual(half, [], "batches stored in part")
        # the order of pushes is kept
        batch_order = [by_id[i][0] for i in ids]
        self.assertEqual(batch_order, sorted(batch_order))
        # the rest of the account survived too
        self.assertEqual(expect_json(self, user.client.get("/v1/keys/envelope")), {"envelope": envelope, "version": 1})
        self.assertEqual(user.client.get("/v1/blobs/kept").body, blob)

        # every batch again, acknowledged or not: each change exactly once
        for batch in batches:
            self.assertEqual(user.push(writer, batch).status, 200)
        pulled, cursor = user.pull_all(reader)
        total = sum(len(b) for b in batches)
        pulled_ids = [c["change_id"] for c in pulled]
        self.assertEqual(len(pulled_ids), len(set(pulled_ids)), "a change is stored twice after the retries")
        self.assertEqual(len(set(by_id) - set(pulled_ids)), 0, "retried changes are missing")
        self.assertEqual(len(pulled_ids), total)
        self.assertEqual([c["seq"] for c in pulled], list(range(1, total + 1)), "sequence numbers have gaps")
        self.assertEqual(cursor, total)
        status = expect_json(self, user.status())
        self.assertEqual((status["changes"], status["latest_cursor"]), (total, total))
        self.server.stop_clean()
        self.server.start()

    def test_sigint_and_sigterm_are_clean_and_keep_data(self):
        user = self.register()
        writer = user.add_device()
        reader = user.add_device()
        changes = make_changes(7)
        expect_json(self, user.push(writer, changes))
        self.server.stop_clean(signal.SIGINT)
        self.server.start()
        pulled, _ = user.pull_all(reader)
        self.assertEqual([c["change_id"] for c in pulled], [c["change_id"] for c in changes])
        self.server.stop_clean(signal.SIGTERM)
        self.server.start()
        pulled, _ = user.pull_all(reader)
        self.assertEqual(len(pulled), 7)

    def test_sigterm_right_after_the_listening_line(self):
        """The listening line means ready: a SIGTERM sent the moment it appears still stops the
        server cleanly (it is not lost while the server is still entering its accept loop)."""
        for attempt in range(5):
            server = harness.Server()
            try:
                server.start()
                rc = server.stop(signal.SIGTERM)
                self.assertEqual(rc, 0, f"attempt {attempt}: exit status {rc}")
            finally:
                server.close()

    def test_refresh_tokens_and_apps_survive_restart(self):
        user = self.register()
        self.server.restart()
        body = expect_json(self, self.client.post("/v1/auth/refresh", json={"refresh_token": user.refresh_token}))
        self.assertEqual(body["user_id"], user.user_id)
        expect_json(self, self.client.post("/v1/auth/login", json={"email": user.email, "auth_key": user.auth_key_b64}))
        assert_error(self, self.client.post("/v1/auth/register",
                                            json={"email": user.email, "auth_key": user.auth_key_b64}), 409)


if __name__ == "__main__":
    harness.main()
