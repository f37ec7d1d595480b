"""Several server nodes on one PostgreSQL database: nothing lost, duplicated or reordered.

    /usr/bin/python3 tests/server/test_multinode.py --server PATH

One throwaway PostgreSQL cluster (postgres_cluster.py), one database, three `synckit-server serve`
processes started at the same moment on it with the same --secret-file (so they race to migrate the
schema and to create the key file). Devices of two users push concurrently, each batch through a
different node, some batches retried on another node; the same batch is sent to every node at once;
envelope compare-and-swap and refresh-token rotation are raced across the nodes; a session ended
through one node is refused by all, and an account deleted while every node pushes leaves no row. Then every node
must pull every change exactly once, in push order per device, with sequence numbers 1..N.
Skipped (with the reason) when the PostgreSQL server programs are not installed.
"""

import os
import shutil
import sys
import tempfile
import threading
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import postgres_cluster  # noqa: E402
from harness import assert_error, expect_json, make_changes  # noqa: E402

NODES = 3
DEVICES = 4          # of the first user (the second user has 2)
BATCHES = 12         # per device
BATCH = 7            # changes per batch


def run_threads(targets):
    """Starts every callable at once (behind a barrier), joins them; re-raises the first error."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(target):
        def body():
            try:
                barrier.wait(timeout=30)
                target()
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)
        return body

    threads = [threading.Thread(target=wrap(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a worker thread did not finish")
    if errors:
        raise errors[0]


@unittest.skipUnless(postgres_cluster.available(),
                     f"PostgreSQL server programs not found in {postgres_cluster.PG_BIN} "
                     "(apt-get install postgresql)")
class MultiNodeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.postgres_cluster()
        cls.database = cls.cluster.create_database()
        cls.shared = tempfile.mkdtemp(prefix="synckit-multinode-")
        cls.addClassCleanup(shutil.rmtree, cls.shared, True)
        cls.secret_path = os.path.join(cls.shared, "signing.secret")
        cls.nodes = [harness.Server(database=cls.database, secret_path=cls.secret_path) for _ in range(NODES)]
        for node in cls.nodes:
            cls.addClassCleanup(node.close)
        # every node starts at once on the empty database: one migrates, the others wait and find it done
        run_threads([node.start for node in cls.nodes])
        cls.api_key = cls.nodes[0].create_app("multinode")

    def node(self, i):
        return self.nodes[i % NODES]

    def client(self, i, user=None, token=None):
        """A client of node i (with the user's access token, or `token`)."""
        token = token if token is not None else (user.access_token if user else None)
        return harness.Client(self.node(i), api_key=self.api_key, token=token)

    def register(self, i):
        return harness.register_user(self.node(i), self.api_key)

    def push(self, i, user, device, batch):
        reply = self.client(i, user).post("/v1/sync/push", json={"device_id": device, "changes": batch})
        return expect_json(self, reply)["cursor"]

    def pull_all(self, i, user, device):
        changes, cursor = [], 0
        while True:
            reply = self.client(i, user).get("/v1/sync/pull",
                                             query={"device_id": device, "cursor": cursor, "limit": 100})
            body = expect_json(self, reply)
            changes += body["changes"]
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, cursor

    # --- tests ---------------------------------------------------------------------------------

    def test_schema_migrated_once_and_one_key_file(self):
        rows = self.cluster.psql("SELECT version FROM schema_version", database=self.database.rsplit("/", 1)[1])
        self.assertEqual(rows.split(), ["4"])  # the schema version (v4: streamed blobs), once
        secret = self.nodes[0].signing_secret()
        # a token from one node is accepted by every other node: the key is shared
        user = self.register(0)
        for i in range(NODES):
            self.assertTrue(harness.verify_jwt(user.access_token, secret))
            status = expect_json(self, self.client(i, user).get("/v1/sync/status"))
            self.assertEqual(status["user_id"], user.user_id)

    def test_concurrent_pushes_through_every_node(self):
        alice, bob = self.register(0), self.register(1)
        devices = {"alice": [alice.add_device(f"a{d}") for d in range(DEVICES)],
                   "bob": [bob.add_device(f"b{d}") for d in range(2)]}
        users = {"alice": alice, "bob": bob}
        pushed = {(name, device): [] for name, ids in devices.items() for device in ids}

        def device_loop(name, index, device):
            user = users[name]
            for b in range(BATCHES):
                batch = make_changes(BATCH, 48)
                for k, change in enumerate(batch):
                    change["change_id"] = f"{name}{index}-{b:03d}-{k}-{change['change_id'][:8]}"
                self.push(index + b, user, device, batch)
                if b % 3 == 0:  # the same batch again on another node (a retry after a lost reply)
                    self.push(index + b + 1, user, device, batch)
                pushed[(name, device)].extend(batch)

        run_threads([(lambda n=name, i=i, d=device: device_loop(n, i, d))
                     for name, ids in devices.items() for i, device in enumerate(ids)])

        for name, user in users.items():
            reader = user.add_device("reader")
            expected = {c["change_id"]: c["payload"] for (owner, _), batch in pushed.items() if owner == name
                        for c in batch}
            for i in range(NODES):
                changes, cursor = self.pull_all(i, user, reader)
                ids = [c["change_id"] for c in changes]
                self.assertEqual(len(ids), len(set(ids)), f"{name} via node {i}: a change is stored twice")
                self.assertEqual(set(ids), set(expected), f"{name} via node {i}: changes lost or foreign")
                self.assertEqual([c["seq"] for c in changes], list(range(1, len(expected) + 1)),
                                 f"{name} via node {i}: sequence numbers have gaps")
                self.assertEqual(cursor, len(expected))
                for change in changes:
                    self.assertEqual(change["payload"], expected[change["change_id"]])
                # each device's changes come back in the order that device pushed them
                for (owner, device), batch in pushed.items():
                    if owner != name:
                        continue
                    mine = [c["change_id"] for c in changes if c["device_id"] == device]
                    self.assertEqual(mine, [c["change_id"] for c in batch], f"{name}: order of {device}")
                status = expect_json(self, self.client(i, user).get("/v1/sync/status"))
                self.assertEqual((status["changes"], status["latest_cursor"]), (len(expected), len(expected)))

    def test_same_batch_sent_to_every_node_at_once(self):
        user = self.register(2)
        writer, reader = user.add_device("writer"), user.add_device("reader")
        for _round in range(5):
            batch = make_changes(20)
            cursors = []
            run_threads([(lambda i=i: cursors.append(self.push(i, user, writer, batch)))
                         for i in range(NODES * 2)])
            self.assertEqual(len(set(cursors)), 1, f"every push answers the same latest cursor: {cursors}")
        changes, cursor = self.pull_all(1, user, reader)
        self.assertEqual(len(changes), 100)
        self.assertEqual([c["seq"] for c in changes], list(range(1, 101)))
        self.assertEqual(cursor, 100)

    def test_envelope_compare_and_swap_across_nodes(self):
        user = self.register(0)
        expected_version = 0
        for _round in range(4):
            envelopes = [harness.valid_envelope() for _ in range(NODES * 2)]
            replies = [None] * len(envelopes)

            def put(k):
                body = {"envelope": envelopes[k], "expected_version": expected_version}
                replies[k] = self.client(k, user).put("/v1/keys/envelope", json=body)

            run_threads([(lambda k=k: put(k)) for k in range(len(envelopes))])
            winners = [k for k, reply in enumerate(replies) if reply.status == 200]
            self.assertEqual(len(winners), 1, f"statuses {[r.status for r in replies]}")
            for k, reply in enumerate(replies):
                if k != winners[0]:
                    assert_error(self, reply, 409)
            self.assertEqual(replies[winners[0]].json(), {"version": expected_version + 1})
            expected_version += 1
            for i in range(NODES):
                self.assertEqual(expect_json(self, self.client(i, user).get("/v1/keys/envelope")),
                                 {"envelope": envelopes[winners[0]], "version": expected_version})

    def test_refresh_rotation_is_single_use_across_nodes(self):
        user = self.register(1)
        token = user.refresh_token
        for _round in range(5):
            replies = [None] * (NODES * 2)

            def refresh(k):
                replies[k] = self.client(k).post("/v1/auth/refresh", json={"refresh_token": token})

            run_threads([(lambda k=k: refresh(k)) for k in range(len(replies))])
            winners = [reply for reply in replies if reply.status == 200]
            self.assertEqual(len(winners), 1, f"statuses {[r.status for r in replies]}")
            for reply in replies:
                if reply.status != 200:
                    assert_error(self, reply, 401)
            token = winners[0].json()["refresh_token"]
        # the last token still works, on any node
        expect_json(self, self.client(2).post("/v1/auth/refresh", json={"refresh_token": token}))

    def test_devices_agree_across_nodes(self):
        user = self.register(0)
        ids = [harness.add_device(self.client(i, user), f"n{i}") for i in range(NODES)]
        lists = [[d["id"] for d in expect_json(self, self.client(i, user).get("/v1/devices"))["devices"]]
                 for i in range(NODES)]
        self.assertEqual(sorted(lists[0]), sorted(ids))
        self.assertEqual(lists, [lists[0]] * NODES, "nodes list the devices in different orders")
        self.assertEqual(self.client(1, user).delete(f"/v1/devices/{ids[0]}").status, 204)
        reply = self.client(2, user).post("/v1/sync/push",
                                          json={"device_id": ids[0], "changes": make_changes(1)})
        assert_error(self, reply, 403)

    def test_ended_sessions_and_a_deleted_account_across_nodes(self):
        user = self.register(0)
        second = expect_json(self, self.client(1).post("/v1/auth/login", json={
            "email": user.email, "auth_key": user.auth_key_b64}))
        sid = harness.decode_jwt(second["access_token"])[1]["sid"]
        self.assertEqual(self.client(0, user).delete(f"/v1/auth/sessions/{sid}").status, 204)
        for i in range(NODES):  # refused at once by every node, not only the one that ended it
            assert_error(self, self.client(i, token=second["access_token"]).get("/v1/sync/status"), 401)
        # pushes through every node race the account's deletion through one: nothing is left
        device = user.add_device()
        stop = threading.Event()

        def pusher(i):
            while not stop.is_set():
                reply = self.client(i, user).post("/v1/sync/push", json={"device_id": device,
                                                                        "changes": make_changes(3)})
                if reply.status != 200:
                    assert_error(self, reply, 401)
                    return

        def deleter():
            threading.Event().wait(0.3)
            reply = self.client(1, user).post("/v1/account/delete", json={"auth_key": user.auth_key_b64})
            stop.set()
            self.assertEqual(reply.status, 204, reply.body[:300])

        database = self.database.rsplit("/", 1)[1]

        def rows_of_user(table):
            column = "id" if table == "users" else "user_id"
            hex_id = user.user_id.encode().hex()
            return int(self.cluster.psql(f"SELECT count(*) FROM {table} WHERE {column} = '\\x{hex_id}'::bytea",
                                         database=database).strip())

        self.assertEqual(rows_of_user("devices"), 1)  # the query finds the user's rows
        run_threads([(lambda i=i: pusher(i)) for i in range(NODES)] + [deleter])
        for table in ("users", "sessions", "devices", "changes", "user_sync", "blobs", "envelopes"):
            self.assertEqual(rows_of_user(table), 0, f"{table} still holds rows of the deleted user")

if __name__ == "__main__":
    harness.main()
