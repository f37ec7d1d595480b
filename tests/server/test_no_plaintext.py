"""The server stores ciphertext only: no plaintext, password or key byte reaches its files.

    /usr/bin/python3 tests/server/test_no_plaintext.py --server PATH --format-tool PATH

Changes and a blob holding distinctive marker strings are sealed with the `synckit-format` tool
under a fresh master key, the key is wrapped by a password into the envelope, the account's auth
key is derived from the same password (tests/vectors/synckit_format.py, PyNaCl) and the password is
also typed into the OAuth sign-in form. Then the raw bytes of every file beside the database (the
database, its -wal and -shm files, while running and after shutdown) must not hold any marker, the
password, the master key, its subkeys or the auth key, in raw, base64, base64url or hex form. The
account email, change ids and blob ids are visible by design and not looked for (change ids are
looked for once, to show the scan reads the files the data went to). On PostgreSQL
(SYNCKIT_TEST_DB=postgres) the files scanned are those of the cluster's data directory (tables, WAL).
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import expect_json, b64  # noqa: E402


class NoPlaintextTest(harness.ServerTestCase):
    redirect_uris = ("http://127.0.0.1/cb",)

    @classmethod
    def prepare_class(cls):
        cls.tool = harness.format_tool_path()
        cls.fmt = harness.load_synckit_format()
        cls.scratch = tempfile.mkdtemp(prefix="synckit-no-plaintext-")
        cls.addClassCleanup(lambda: __import__("shutil").rmtree(cls.scratch, ignore_errors=True))
        tag = os.urandom(6).hex()
        cls.markers = {name: f"SKMARK{name.upper()}{tag}" for name in
                       ("table", "row", "data", "nested", "blob", "delete")}
        cls.password = f"Pw-{tag}-hunter2 ✓"
        cls.master_key = os.urandom(32)
        cls.key_file = cls.write("master.key", (b64(cls.master_key) + "\n").encode())
        cls.password_file = cls.write("password", cls.password.encode("utf-8") + b"\n")

    @classmethod
    def write(cls, name, data):
        path = os.path.join(cls.scratch, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def run_tool(self, *args, stdin=b""):
        result = subprocess.run([self.tool, *args], input=stdin, capture_output=True, timeout=120)
        self.assertEqual(result.returncode, 0, f"synckit-format {args[0]}: {result.stderr[-500:]!r}")
        return result.stdout

    def seal_change(self, change_id, entry):
        text = json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        return self.run_tool("seal-change", "--key-file", self.key_file, "--change-id", change_id,
                             stdin=text).decode("ascii").strip()

    def secrets_to_find(self, auth_key):
        """name -> bytes that must not appear in any file (each in several encodings)."""
        change_key = self.fmt.change_key(self.master_key)
        blob_key = self.fmt.blob_key(self.master_key)
        found = {}
        for name, marker in self.markers.items():
            found[f"marker {name}"] = marker.encode("utf-8")
            found[f"marker {name} (UTF-16)"] = marker.encode("utf-16-le")
        found["password"] = self.password.encode("utf-8")
        found["password (form-encoded)"] = urllib.parse.quote_plus(self.password).encode("ascii")
        for name, key in (("master key", self.master_key), ("change key", change_key),
                          ("blob key", blob_key), ("auth key", auth_key)):
            found[name] = key
            found[f"{name} base64"] = base64.b64encode(key)
            found[f"{name} base64url"] = base64.urlsafe_b64encode(key).rstrip(b"=")
            found[f"{name} hex"] = key.hex().encode("ascii")
            found[f"{name} HEX"] = key.hex().upper().encode("ascii")
        return found

    def scan(self, when, auth_key):
        files = []
        for root in self.server.storage_dirs():
            for directory, _subdirs, names in os.walk(root):
                files += [os.path.join(directory, name) for name in names]
        if not harness.on_postgres():
            self.assertIn(self.server.db_path, files, "the database file is missing")
        contents = {}
        for path in files:
            try:
                with open(path, "rb") as f:
                    contents[path] = f.read()
            except FileNotFoundError:  # -wal/-shm may vanish while we look
                pass
        leaks = []
        for name, needle in self.secrets_to_find(auth_key).items():
            for file_name, data in contents.items():
                if needle in data:
                    leaks.append(f"{name} in {file_name}")
        self.assertEqual(leaks, [], f"{when}: secrets found in the server's files")
        return contents

    def test_database_files_hold_no_plaintext_or_keys(self):
        email = harness.random_email("no-plaintext")
        auth_key = self.fmt.auth_key(email, self.password)
        user = harness.register_user(self.server, self.api_key, email=email, auth_key=auth_key)
        expect_json(self, self.client.post("/v1/auth/login", json={"email": email, "auth_key": b64(auth_key)}))

        # the password is typed into the server's OAuth page once
        verifier, challenge = harness.pkce_pair()
        form = {"response_type": "code", "client_id": self.api_key, "redirect_uri": "http://127.0.0.1:5555/cb",
                "code_challenge": challenge, "code_challenge_method": "S256", "state": "s1",
                "email": email, "password": self.password}
        reply = self.server.client().post("/v1/oauth/authorize", form=form)
        self.assertEqual(reply.status, 302, reply.body[:300])

        envelope = json.loads(self.run_tool("wrap", "--key-file", self.key_file, "--password-file", self.password_file))
        expect_json(self, user.client.put("/v1/keys/envelope", json={"envelope": envelope, "expected_version": 0}))

        m = self.markers
        entries = {
            "c-insert": {"table": m["table"], "op": "insert", "row_id": m["row"], "timestamp": "2026-11-25T16:30:59.123Z",
                         "data": {"note": m["data"], "deep": {"list": [m["nested"]] * 3}}},
            "c-update": {"table": m["table"], "op": "update", "row_id": m["row"], "timestamp": "2026-11-25T16:31:00.000Z",
                         "data": (m["data"] + " ") * 2000},  # compressible plaintext
            "c-delete": {"table": "todos", "op": "delete", "row_id": m["delete"], "timestamp": "2026-11-25T16:32:00.000Z",
                         "data": None},
        }
        changes = [{"change_id": cid, "payload": self.seal_change(cid, entry)} for cid, entry in entries.items()]
        writer = user.add_device("writer")
        reader = user.add_device("reader")
        expect_json(self, user.push(writer, changes))

        blob_plain = (m["blob"].encode() + b"\x00") * 500
        sealed_blob = self.run_tool("seal-blob", "--key-file", self.key_file, "--blob-id", "photo", stdin=blob_plain)
        expect_json(self, user.client.put("/v1/blobs/photo", body=sealed_blob), 201)

        # what comes back opens to what went in: the server kept the ciphertext intact
        pulled, _ = user.pull_all(reader)
        self.assertEqual([c["change_id"] for c in pulled], list(entries))
        for change in pulled:
            opened = json.loads(self.run_tool("open-change", "--key-file", self.key_file,
                                              "--change-id", change["change_id"], stdin=change["payload"].encode()))
            self.assertEqual(opened, entries[change["change_id"]])
        got_blob = user.client.get("/v1/blobs/photo").body
        self.assertEqual(self.run_tool("open-blob", "--key-file", self.key_file, "--blob-id", "photo", stdin=got_blob),
                         blob_plain)

        live = self.scan("while running", auth_key)
        self.assertTrue(any(b"c-insert" in data for data in live.values()),
                        "change ids (stored in clear by design) not found: the scan misses the data")
        self.server.stop_clean()
        self.scan("after shutdown", auth_key)
        self.assertNotIn(m["data"], self.server.log_text())
        self.server.start()


if __name__ == "__main__":
    harness.main()
