"""The `synckit` command-line tool end to end, against a real synckit-server.

    /usr/bin/python3 tests/cli/test_cli.py --synckit PATH --server PATH [unittest args]

Two profiles (two "devices" of one account) drive register/login, devices, encryption setup, push
and pull, blobs, status, OAuth and logout through the real binary; the profile's permissions and
contents are checked, and `synckit demo` runs once. The master key is cached in the OS keychain, so
the test runs inside a private, unlocked gnome-keyring (tests/keychain/run_in_private_session.sh):
when started outside one it re-executes itself through that script. Python 3 standard library only.
Ends with "N passed, M failed" (tests/server/harness.py's runner).
"""

import hashlib
import json
import os
import pty
import re
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import harness  # noqa: E402

KEYRING_WRAPPER = os.path.join(HERE, "..", "keychain", "run_in_private_session.sh")
CLI_TIMEOUT = 120.0
PASSWORD = "correct horse battery staple ✓"
NEW_PASSWORD = "a new password, longer"
REDIRECT = "http://127.0.0.1:5555/callback"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PROFILE_KEYS = {"version", "server", "api_key", "key_cache", "user_id", "app_id", "access_token", "email",
                "refresh_token", "device_id", "cursor"}

SYNCKIT = {"path": None}


def take_synckit_arg(argv):
    """Removes --synckit PATH from argv (the harness takes --server); returns the rest."""
    rest, i = [], 0
    while i < len(argv):
        if argv[i] == "--synckit" and i + 1 < len(argv):
            SYNCKIT["path"] = os.path.abspath(argv[i + 1])
            i += 2
            continue
        if argv[i].startswith("--synckit="):
            SYNCKIT["path"] = os.path.abspath(argv[i].split("=", 1)[1])
        else:
            rest.append(argv[i])
        i += 1
    return rest


def in_private_keyring():
    """run_in_private_session.sh points HOME into its own synckit-keyring.* directory."""
    return "synckit-keyring." in os.environ.get("HOME", "")


def write_secret(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)
    return path


class CliTest(unittest.TestCase):
    """One server and one account; the test methods run in name order and build on each other."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server()
        cls.addClassCleanup(cls.server.close)
        cls.api_key = cls.server.create_app("cli-test", ("http://127.0.0.1/callback",))
        cls.server.start()
        cls.work = tempfile.mkdtemp(prefix="synckit-cli-test-")
        cls.email = harness.random_email("cli")
        cls.password_file = write_secret(cls.work, "password", PASSWORD)
        cls.new_password_file = write_secret(cls.work, "new-password", NEW_PASSWORD)
        cls.wrong_password_file = write_secret(cls.work, "wrong-password", "not the password")
        # profile directories: A and B are the two devices; the nested one checks mkdir -p + 0700
        cls.a = os.path.join(cls.work, "profiles", "nested", "a")
        cls.b = os.path.join(cls.work, "b")
        cls.c = os.path.join(cls.work, "c")
        cls.d = os.path.join(cls.work, "d")
        cls.ids = {}

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.work], check=False)

    # --- helpers ------------------------------------------------------------------------------

    def synckit(self, *args, profile=None, stdin=None, expect=0, first_use=False):
        """Runs synckit; asserts the exit status; returns (stdout text, stderr text)."""
        command = [SYNCKIT["path"]]
        if profile is not None:
            command += ["--profile", profile]
        if first_use:
            command += ["--server", self.server.base_url, "--api-key", self.api_key]
        command += list(args)
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        result = subprocess.run(command, input=data if data is not None else b"", capture_output=True,
                                timeout=CLI_TIMEOUT)
        out = result.stdout.decode("utf-8", "replace")
        err = result.stderr.decode("utf-8", "replace")
        self.assertEqual(result.returncode, expect,
                         f"synckit {' '.join(args)} exited {result.returncode}, expected {expect}\n"
                         f"stdout: {out[-1500:]}\nstderr: {err[-1500:]}")
        return out, err

    def fails(self, *args, kind, profile=None, stdin=None, contains=(), first_use=False):
        """Runs synckit expecting exit 2 with one stderr line 'synckit: … (kind)'; returns it."""
        _, err = self.synckit(*args, profile=profile, stdin=stdin, expect=2, first_use=first_use)
        lines = err.splitlines()
        self.assertEqual(len(lines), 1, f"one error line expected: {err!r}")
        self.assertTrue(lines[0].startswith("synckit: "), lines[0])
        self.assertTrue(lines[0].endswith(f"({kind})"), lines[0])
        for text in contains:
            self.assertIn(text, lines[0])
        return lines[0]

    def profile_json(self, profile):
        with open(os.path.join(profile, "profile.json"), encoding="utf-8") as f:
            return json.load(f)

    def json_lines(self, text):
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def assert_no_secrets(self, text, profile):
        saved = self.profile_json(profile)
        for secret in (saved.get("access_token"), saved.get("refresh_token"), PASSWORD, NEW_PASSWORD):
            if secret:
                self.assertNotIn(secret, text)

    # --- usage --------------------------------------------------------------------------------

    def test_00_usage_errors_exit_1(self):
        _, err = self.synckit("frobnicate", expect=1)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertIn("--help", err)
        self.synckit(expect=1)
        self.synckit("device", expect=1)
        self.synckit("device", "explode", expect=1)
        self.synckit("register", expect=1)                      # operand missing
        self.synckit("status", "--bogus", expect=1)              # unknown flag
        self.synckit("status", "--cursor", "3", expect=1)         # a flag status does not take
        self.synckit("pull", "--cursor", expect=1)               # value missing
        self.synckit("--key-cache", "cloud", "status", profile=self.c, expect=1)
        out, _ = self.synckit("--help")
        for command in ("register", "login", "oauth-login", "setup-encryption new", "change-password",
                        "change-sign-in-password", "recovery create", "recover", "sessions list",
                        "sessions end", "delete-account", "device add", "device list", "device revoke", "push",
                        "pull", "blob put", "blob get", "blob rm", "status", "logout", "demo"):
            self.assertIn(command, out)
        status = json.loads(self.synckit("status", profile=os.path.join(self.work, "empty"))[0])
        self.assertFalse(status["signed_in"])
        self.synckit("device", "list", profile=os.path.join(self.work, "empty"), expect=1)  # no server yet

    # --- accounts and the profile ------------------------------------------------------------

    def test_01_register_writes_private_profile(self):
        out, _ = self.synckit("register", self.email, "--password-file", self.password_file,
                              profile=self.a, first_use=True)
        self.assertIn(self.email, out)
        self.assertEqual(stat.S_IMODE(os.stat(self.a).st_mode), 0o700)
        path = os.path.join(self.a, "profile.json")
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(os.listdir(self.a), ["profile.json"], "no temporary file left behind")
        saved = self.profile_json(self.a)
        self.assertLessEqual(set(saved), PROFILE_KEYS)
        self.assertEqual(saved["server"], self.server.base_url)
        self.assertEqual(saved["api_key"], self.api_key)
        self.assertTrue(saved["access_token"] and saved["refresh_token"])
        self.assertRegex(saved["user_id"], UUID)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn(PASSWORD, text)
        self.assertNotIn(PASSWORD.encode("utf-8").hex(), text)
        # the same email again: conflict, exit 2
        self.fails("register", self.email, "--password-file", self.password_file, profile=self.a,
                   kind="conflict")

    def test_02_login_on_second_profile(self):
        self.fails("login", self.email, "--password-file", self.wrong_password_file, profile=self.b,
                   kind="unauthorized", first_use=True)
        saved_server = self.profile_json(self.b)["server"]  # remembered even though login failed
        self.assertEqual(saved_server, self.server.base_url)
        out, _ = self.synckit("login", self.email, "--password-file", self.password_file, profile=self.b)
        self.assertIn("signed in", out)
        self.assertEqual(self.profile_json(self.b)["user_id"], self.profile_json(self.a)["user_id"])

    def test_03_devices(self):
        out, _ = self.synckit("device", "add", "laptop", profile=self.a)
        self.ids["laptop"] = out.strip()
        self.assertRegex(self.ids["laptop"], UUID)
        self.assertEqual(self.profile_json(self.a)["device_id"], self.ids["laptop"])
        out, _ = self.synckit("device", "add", "phone", "--platform", "android", profile=self.b)
        self.ids["phone"] = out.strip()
        out, _ = self.synckit("device", "list", profile=self.a)
        rows = [line.split("\t") for line in out.splitlines()]
        by_id = {row[0]: row for row in rows}
        self.assertEqual(by_id[self.ids["laptop"]][1:3], ["laptop", "linux"])
        self.assertEqual(by_id[self.ids["phone"]][1:3], ["phone", "android"])
        self.assertEqual(by_id[self.ids["laptop"]][-1], "current")
        self.assertNotEqual(by_id[self.ids["phone"]][-1], "current")

    # --- encryption ---------------------------------------------------------------------------

    def test_04_setup_encryption(self):
        self.fails("push", profile=self.a, stdin='{"table":"t","op":"insert","row_id":"r","data":1}\n',
                   kind="not_set_up", contains=("run: synckit setup-encryption existing",))
        self.fails("setup-encryption", "existing", "--password-file", self.password_file, profile=self.a,
                   kind="not_found")
        out, _ = self.synckit("setup-encryption", "new", "--password-file", self.password_file, profile=self.a)
        self.assertIn("encryption set up", out)
        self.fails("setup-encryption", "new", "--password-file", self.password_file, profile=self.b,
                   kind="conflict")
        self.fails("setup-encryption", "existing", "--password-file", self.wrong_password_file,
                   profile=self.b, kind="wrong_password")
        self.synckit("setup-encryption", "existing", "--password-file", self.password_file, profile=self.b)
        for profile in (self.a, self.b):
            with open(os.path.join(profile, "profile.json"), encoding="utf-8") as f:
                text = f.read()
            self.assertNotIn(PASSWORD, text)
            self.assertLessEqual(set(json.loads(text)), PROFILE_KEYS, "no master key field")

    # --- sync ---------------------------------------------------------------------------------

    def test_05_push_and_pull(self):
        lines = [
            {"table": "todos", "op": "insert", "row_id": "todo-1", "timestamp": "2026-11-25T16:30:59.123Z",
             "data": {"title": "Buy milk", "done": False}},
            {"table": "todos", "op": "insert", "row_id": "todo-2", "data": {"title": "Käse ✓", "z": 1, "a": 2}},
            {"table": "todos", "op": "delete", "row_id": "todo-3"},
        ]
        text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n\n"
        out, _ = self.synckit("push", profile=self.a, stdin=text)
        self.assertEqual(int(out.strip()), 3)
        out, _ = self.synckit("pull", profile=self.b)
        pulled = self.json_lines(out)
        self.assertEqual(len(pulled), 3)
        self.assertEqual(list(pulled[0]), ["seq", "change_id", "device_id", "table", "op", "row_id",
                                           "timestamp", "data"])
        self.assertEqual([p["seq"] for p in pulled], [1, 2, 3])
        self.assertTrue(all(p["device_id"] == self.ids["laptop"] for p in pulled))
        self.assertEqual(pulled[0]["timestamp"], "2026-11-25T16:30:59.123Z")
        self.assertEqual(pulled[0]["data"], {"title": "Buy milk", "done": False})
        self.assertEqual(list(pulled[1]["data"]), ["title", "z", "a"], "the app's key order is kept")
        self.assertEqual(pulled[1]["data"]["title"], "Käse ✓")
        self.assertRegex(pulled[1]["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual((pulled[2]["op"], pulled[2]["data"]), ("delete", None))
        self.assertEqual(self.profile_json(self.b)["cursor"], 3)
        out, _ = self.synckit("pull", profile=self.b)
        self.assertEqual(out, "", "resumes from the saved cursor")
        out, _ = self.synckit("pull", "--cursor", "1", profile=self.b)
        self.assertEqual([p["seq"] for p in self.json_lines(out)], [2, 3])
        self.assertEqual(self.profile_json(self.b)["cursor"], 3, "--cursor does not move the saved one")
        # the other way
        self.synckit("push", profile=self.b,
                     stdin='{"table":"todos","op":"update","row_id":"todo-1","data":{"done":true}}')
        pulled = self.json_lines(self.synckit("pull", profile=self.a)[0])
        self.assertEqual([(p["seq"], p["op"], p["device_id"]) for p in pulled], [(4, "update", self.ids["phone"])])

    def test_06_push_rejects_bad_lines(self):
        bad = '{"table":"todos","op":"insert","row_id":"x","data":1}\n{"table":"todos","op":"explode"}\n'
        self.fails("push", profile=self.a, stdin=bad, kind="invalid_input", contains=("line 2",))
        self.fails("push", profile=self.a, stdin="not json\n", kind="invalid_input", contains=("line 1",))
        self.fails("push", profile=self.a, stdin="", kind="invalid_input")
        self.synckit("pull", "--cursor", "-1", profile=self.a, expect=1)

    def test_07_pull_follow_until_sigterm(self):
        """--follow holds live pulls: each change is printed well within the old 2 s polling
        interval of its push, and SIGTERM ends it at once though a pull is held."""
        command = [SYNCKIT["path"], "--profile", self.b, "pull", "--follow"]
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            time.sleep(0.5)
            for i, row in enumerate(("todo-5", "todo-5b", "todo-5c")):
                self.synckit("push", profile=self.a,
                             stdin=f'{{"table":"todos","op":"insert","row_id":"{row}","data":{{"title":"Follow {i}"}}}}')
                pushed = time.monotonic()
                line = proc.stdout.readline().decode("utf-8")
                delay = time.monotonic() - pushed
                self.assertEqual(json.loads(line)["row_id"], row)
                self.assertLess(delay, 0.5, f"printed {delay:.3f} s after the push: not a live pull")
            time.sleep(0.3)  # the next pull is held now
            proc.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            self.assertEqual(proc.wait(timeout=30), 0, proc.stderr.read().decode("utf-8", "replace"))
            self.assertLess(time.monotonic() - stopped, 3, "a held pull delayed the exit")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        self.assertEqual(self.profile_json(self.b)["cursor"], 7)

    def test_07b_pull_reports_entries_that_do_not_open(self):
        # A payload the laptop could not have sealed (random bytes), pushed straight over HTTP.
        token = self.profile_json(self.a)["access_token"]
        bogus = harness.make_change()
        reply = self.server.client(api_key=self.api_key, token=token).post(
            "/v1/sync/push", json={"device_id": self.ids["laptop"], "changes": [bogus]})
        self.assertEqual(reply.status, 200, reply.body[:300])
        pulled = self.json_lines(self.synckit("pull", profile=self.b)[0])
        self.assertEqual(len(pulled), 1)
        self.assertEqual(list(pulled[0]), ["seq", "change_id", "device_id", "error"])
        self.assertEqual((pulled[0]["seq"], pulled[0]["change_id"]), (8, bogus["change_id"]))
        self.assertEqual(pulled[0]["error"]["kind"], "crypto")
        self.assertTrue(pulled[0]["error"]["message"])
        self.assertEqual(self.profile_json(self.b)["cursor"], 8)

    # --- blobs --------------------------------------------------------------------------------

    def test_08_blob_round_trip(self):
        plain = os.urandom(5000) + "plaintext marker".encode()
        source = os.path.join(self.work, "photo.bin")
        with open(source, "wb") as f:
            f.write(plain)
        self.synckit("blob", "put", "photo-1", source, profile=self.a)
        target = os.path.join(self.work, "photo.out")
        self.synckit("blob", "get", "photo-1", target, profile=self.b)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), plain)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        result = subprocess.run([SYNCKIT["path"], "--profile", self.b, "blob", "get", "photo-1", "-"],
                                capture_output=True, timeout=CLI_TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, plain)
        status = json.loads(self.synckit("status", profile=self.a)[0])
        self.assertEqual(status["server_status"]["blobs"], 1)
        self.assertEqual(status["server_status"]["blob_bytes"], len(plain) + 40, "stored sealed")
        self.synckit("blob", "put", "note", "-", profile=self.b, stdin="from stdin")
        self.assertEqual(self.synckit("blob", "get", "note", "-", profile=self.a)[0], "from stdin")
        self.synckit("blob", "rm", "photo-1", profile=self.a)
        self.fails("blob", "get", "photo-1", "-", profile=self.b, kind="not_found")
        self.fails("blob", "put", "bad id!", source, profile=self.a, kind="invalid_input")
        self.fails("blob", "put", "x", os.path.join(self.work, "missing"), profile=self.a, kind="invalid_input")

    def test_08b_large_blobs_stream_and_resume_after_sigkill(self):
        # Over 4 MiB: streamed; read back through both outputs.
        plain = os.urandom(6 * 1024 * 1024 + 5)
        source = os.path.join(self.work, "video.bin")
        with open(source, "wb") as f:
            f.write(plain)
        out, _ = self.synckit("blob", "put", "video", source, profile=self.a)
        self.assertIn("(streamed)", out)
        target = os.path.join(self.work, "video.out")
        self.synckit("blob", "get", "video", target, profile=self.b)
        with open(target, "rb") as f:
            self.assertEqual(f.read(), plain)
        self.assertEqual(stat.S_IMODE(os.stat(target).st_mode), 0o600)
        result = subprocess.run([SYNCKIT["path"], "--profile", self.b, "blob", "get", "video", "-"],
                                capture_output=True, timeout=CLI_TIMEOUT)
        self.assertEqual((result.returncode, result.stdout == plain), (0, True), result.stderr[-500:])
        self.assertEqual(result.stderr, b"", "no progress line when stderr is not a terminal")
        # On a terminal, a progress line on stderr (a pseudo-terminal here), ending at 100%.
        master, slave = pty.openpty()
        try:
            proc = subprocess.run([SYNCKIT["path"], "--profile", self.b, "blob", "get", "video", target],
                                  stdout=subprocess.DEVNULL, stderr=slave, timeout=CLI_TIMEOUT)
            self.assertEqual(proc.returncode, 0)
            os.close(slave)
            slave = None
            shown = b""
            while True:
                try:
                    piece = os.read(master, 65536)
                except OSError:  # EIO: the terminal's other side is closed and drained
                    break
                if not piece:
                    break
                shown += piece
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        text = shown.decode("utf-8", "replace")
        self.assertIn("downloading video:", text)
        self.assertIn("100% (6.3 of 6.3 MB)", text)

        # Killed half way (SIGKILL), then run again: only the parts the server lacks are sent.
        big = os.urandom(48 * 1024 * 1024 + 7)
        source = os.path.join(self.work, "big.bin")
        with open(source, "wb") as f:
            f.write(big)
        sealed = 24 + len(big) + 17 * (len(big) // 65536 + 1)
        parts = -(-sealed // (8 << 20))
        stored = lambda: self.server.log_text().count("PUT /v1/blobs/big/uploads/")  # noqa: E731
        proc = subprocess.Popen([SYNCKIT["path"], "--profile", self.a, "blob", "put", "big", source],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while stored() < 2 and proc.poll() is None:
            self.assertLess(time.monotonic(), deadline, "no part arrived within 60 s")
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=CLI_TIMEOUT)
        self.assertEqual(proc.returncode, -signal.SIGKILL, "killed before it finished")
        record = os.path.join(self.a, "uploads", "big.resume")
        self.assertTrue(os.path.exists(record), "the resume record is in the profile")
        with open(record, encoding="utf-8") as f:
            self.assertNotIn(PASSWORD, f.read())
        time.sleep(0.5)  # a part the server took as the client died is logged after its reply
        first = self.server.log_text().splitlines()
        sent_first = sum(1 for line in first if "PUT /v1/blobs/big/uploads/" in line and " 204 " in line)
        self.assertLess(sent_first, parts)
        self.synckit("blob", "put", "big", source, profile=self.a)
        sent_again = sum(1 for line in self.server.log_text().splitlines()[len(first):]
                         if "PUT /v1/blobs/big/uploads/" in line)
        self.assertEqual(sent_again, parts - sent_first,
                         f"{parts} parts: {sent_first} stored before the kill, {sent_again} sent after it")
        self.assertFalse(os.path.exists(record), "the record goes once the blob is complete")
        target = os.path.join(self.work, "big.out")
        self.synckit("blob", "get", "big", target, profile=self.b)
        with open(target, "rb") as f:
            self.assertTrue(hashlib.sha256(f.read()).digest() == hashlib.sha256(big).digest(), "big.out differs")
        self.synckit("blob", "rm", "big", profile=self.a)
        self.synckit("blob", "rm", "video", profile=self.a)

    # --- status and logs ----------------------------------------------------------------------

    def test_09_status_json(self):
        out, err = self.synckit("status", profile=self.a)
        status = json.loads(out)
        self.assertTrue(status["signed_in"])
        self.assertEqual(status["server"], self.server.base_url)
        self.assertEqual(status["device_id"], self.ids["laptop"])
        self.assertEqual(status["key_cache"], "os")
        self.assertIs(status["master_key_cached"], True)
        self.assertEqual(status["server_status"]["devices"], 2)
        self.assertEqual(status["server_status"]["changes"], 8)
        self.assert_no_secrets(out + err, self.a)

    def test_10_verbose_logs_no_secrets(self):
        out, err = self.synckit("--verbose", "pull", "--cursor", "0", profile=self.b)
        self.assertIn("/v1/sync/pull", err)
        self.assert_no_secrets(err, self.b)
        self.assertNotIn(self.api_key, err)
        out, err = self.synckit("--verbose", "login", self.email, "--password-file", self.password_file,
                                profile=self.b)
        self.assert_no_secrets(out + err, self.b)

    # --- key cache none -----------------------------------------------------------------------

    def test_11_key_cache_none_needs_the_password(self):
        self.synckit("--key-cache", "none", "login", self.email, "--password-file", self.password_file,
                     profile=self.c, first_use=True)
        self.synckit("device", "add", "kiosk", profile=self.c)
        self.synckit("setup-encryption", "existing", "--password-file", self.password_file, profile=self.c)
        line = self.fails("pull", profile=self.c, kind="not_set_up",
                          contains=("--key-cache none", "setup-encryption existing", "--password-file"))
        self.assertIn("not cached", line)
        out, _ = self.synckit("pull", "--password-file", self.password_file, profile=self.c)
        self.assertEqual(len(self.json_lines(out)), 8)
        self.assertEqual(self.profile_json(self.c)["key_cache"], "none", "remembered")

    # --- OAuth --------------------------------------------------------------------------------

    def test_12_oauth_login(self):
        command = [SYNCKIT["path"], "--profile", self.d, "--server", self.server.base_url,
                   "--api-key", self.api_key, "oauth-login", "--redirect-uri", REDIRECT]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            url = proc.stdout.readline().decode("utf-8").strip()
            self.assertTrue(url.startswith(self.server.base_url + "/v1/oauth/authorize?"), url)
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
            self.assertEqual(params["redirect_uri"], REDIRECT)
            form = dict(params, email=self.email, password=PASSWORD)
            reply = self.server.client().post("/v1/oauth/authorize", form=form)
            self.assertEqual(reply.status, 302, reply.body[:300])
            out, err = proc.communicate((reply.header("Location") + "\n").encode("utf-8"), timeout=CLI_TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 0, err.decode("utf-8", "replace"))
        saved = self.profile_json(self.d)
        self.assertEqual(saved["user_id"], self.profile_json(self.a)["user_id"])
        self.assertTrue(saved["refresh_token"])
        self.assertNotIn(saved["refresh_token"], (out + err).decode("utf-8", "replace"))

    # --- password change, revoke, logout ------------------------------------------------------

    def test_13_change_password(self):
        self.fails("change-password", "--old-password-file", self.wrong_password_file,
                   "--new-password-file", self.new_password_file, profile=self.a, kind="wrong_password")
        self.synckit("change-password", "--old-password-file", self.password_file,
                     "--new-password-file", self.new_password_file, profile=self.a)
        self.fails("setup-encryption", "existing", "--password-file", self.password_file, profile=self.c,
                   kind="wrong_password")
        self.synckit("setup-encryption", "existing", "--password-file", self.new_password_file, profile=self.c)

    def test_14_device_revoke(self):
        out, _ = self.synckit("device", "add", "old tablet", profile=self.c)
        tablet = out.strip()
        self.synckit("device", "revoke", tablet, profile=self.a)
        out, _ = self.synckit("device", "list", profile=self.a)
        self.assertNotIn(tablet, out)
        self.fails("pull", "--password-file", self.new_password_file, profile=self.c, kind="forbidden")
        kiosk = self.synckit("device", "add", "kiosk 2", profile=self.c)[0].strip()
        self.synckit("device", "revoke", kiosk, profile=self.c)
        self.assertEqual(self.profile_json(self.c)["device_id"], "", "the current device is forgotten")
        self.fails("pull", "--password-file", self.new_password_file, profile=self.c, kind="not_set_up",
                   contains=("device add",))
        self.fails("device", "revoke", "not-a-uuid", profile=self.a, kind="invalid_input")

    def test_15_logout(self):
        out, _ = self.synckit("logout", profile=self.b)
        self.assertIn("signed out", out)
        saved = self.profile_json(self.b)
        self.assertFalse(saved["access_token"] or saved["refresh_token"])
        self.assertFalse(json.loads(self.synckit("status", profile=self.b)[0])["signed_in"])
        self.fails("pull", profile=self.b, kind="not_set_up", contains=("not signed in",))
        self.assertEqual(self.synckit("logout", profile=self.b)[0].strip(), "not signed in")
        # signing in again: the master key left the keychain with the logout
        self.synckit("login", self.email, "--password-file", self.password_file, profile=self.b)
        self.fails("pull", profile=self.b, kind="not_set_up", contains=("setup-encryption existing",))
        self.synckit("setup-encryption", "existing", "--password-file", self.new_password_file, profile=self.b)
        self.synckit("pull", profile=self.b)

    # --- token rotation -----------------------------------------------------------------------

    def test_16_rotated_tokens_are_saved(self):
        # Access tokens that live 5 s are refreshed before every request (30 s margin), and every
        # refresh rotates the refresh token: each command must save the new pair to the profile.
        server = harness.Server(["--token-ttl", "5"])
        self.addCleanup(server.close)
        api_key = server.create_app("cli-rotation")
        server.start()
        profile = os.path.join(self.work, "rotation")
        self.synckit("--server", server.base_url, "--api-key", api_key, "register", harness.random_email("rot"),
                     "--password-file", self.password_file, profile=profile)
        seen = {self.profile_json(profile)["refresh_token"]}
        for _ in range(3):
            self.synckit("device", "list", profile=profile)
            token = self.profile_json(profile)["refresh_token"]
            self.assertNotIn(token, seen, "the rotated refresh token was saved")
            seen.add(token)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(profile, "profile.json")).st_mode), 0o600)
        self.assertEqual(os.listdir(profile), ["profile.json"])

    # --- the account's life -------------------------------------------------------------------

    def test_18_recovery_sessions_and_deletion(self):
        email = harness.random_email("life")
        laptop, tablet, phone = (os.path.join(self.work, name) for name in ("life-laptop", "life-tablet", "life-phone"))
        self.synckit("register", email, "--password-file", self.password_file, profile=laptop, first_use=True)
        self.assertEqual(self.profile_json(laptop)["email"], email)
        self.synckit("setup-encryption", "new", "--password-file", self.password_file, profile=laptop)
        self.synckit("device", "add", "laptop", profile=laptop)
        self.synckit("push", profile=laptop, stdin='{"table":"t","op":"insert","row_id":"r1","data":{"n":1}}\n')

        out, err = self.synckit("recovery", "create", profile=laptop)
        code = out.strip()
        self.assertRegex(code, r"^SKR1(-[A-Z2-7]{4}){14}$")
        self.assertIn("shown once", err)
        code_file = write_secret(self.work, "recovery-code", code.lower().replace("-", " "))
        typo_file = write_secret(self.work, "recovery-typo", code[:-1] + ("A" if code[-1] != "A" else "B"))

        # Sessions: the tablet signs in; the laptop sees both and ends the tablet's.
        self.synckit("login", email, "--password-file", self.password_file, profile=tablet, first_use=True)
        rows = [line.split("\t") for line in self.synckit("sessions", "list", profile=laptop)[0].splitlines()]
        self.assertEqual(len(rows), 2)
        self.assertEqual([row[-1] == "current" for row in rows], [True, False])
        self.assertRegex(rows[1][0], UUID)
        self.synckit("sessions", "end", rows[1][0], profile=laptop)
        self.fails("device", "list", profile=tablet, kind="token_expired")
        self.fails("sessions", "end", "not-a-uuid", profile=laptop, kind="invalid_input")

        # Forgotten password: recover on a new profile, which is then signed in and unlocked.
        self.fails("recover", email, "--code-file", typo_file, "--new-password-file", self.new_password_file,
                   profile=phone, first_use=True, kind="invalid_input")
        self.synckit("recover", email, "--code-file", code_file, "--new-password-file", self.new_password_file,
                     profile=phone)
        self.synckit("device", "add", "phone", profile=phone)
        pulled = self.json_lines(self.synckit("pull", profile=phone)[0])
        self.assertEqual([change["data"] for change in pulled], [{"n": 1}])
        self.fails("device", "list", profile=laptop, kind="token_expired")
        self.fails("login", email, "--password-file", self.password_file, profile=laptop, kind="unauthorized")

        # The sign-in password alone.
        self.fails("change-sign-in-password", "--old-password-file", self.wrong_password_file,
                   "--new-password-file", self.password_file, profile=phone, kind="unauthorized")
        self.synckit("change-sign-in-password", "--old-password-file", self.new_password_file,
                     "--new-password-file", self.password_file, profile=phone)
        self.synckit("login", email, "--password-file", self.password_file, profile=laptop)

        for profile in (laptop, tablet, phone):
            with open(os.path.join(profile, "profile.json"), encoding="utf-8") as f:
                text = f.read()
            self.assertNotIn(code, text)
            self.assertNotIn(code.replace("-", ""), text)

        # Deleting the account.
        self.fails("delete-account", "--password-file", self.wrong_password_file, profile=phone,
                   kind="unauthorized")
        out, _ = self.synckit("delete-account", "--password-file", self.password_file, profile=phone)
        self.assertIn("account deleted", out)
        saved = self.profile_json(phone)
        self.assertFalse(saved["access_token"] or saved["refresh_token"] or saved["user_id"])
        self.fails("login", email, "--password-file", self.password_file, profile=tablet, kind="unauthorized")
        self.fails("device", "list", profile=laptop, kind="token_expired")

    def replica_profiles(self, label):
        """Two new devices of a new account, each with its profile; returns (email, first, second)."""
        email = harness.random_email(label)
        first, second = (os.path.join(self.work, f"{label}-{n}") for n in ("first", "second"))
        self.synckit("register", email, "--password-file", self.password_file, profile=first, first_use=True)
        self.synckit("setup-encryption", "new", "--password-file", self.password_file, profile=first)
        self.synckit("device", "add", "first", profile=first)
        self.synckit("login", email, "--password-file", self.password_file, profile=second, first_use=True)
        self.synckit("setup-encryption", "existing", "--password-file", self.password_file, profile=second)
        self.synckit("device", "add", "second", profile=second)
        return email, first, second

    def test_19_replica_offline_edits_converge(self):
        _, first, second = self.replica_profiles("replica")
        # Offline: the server is frozen (SIGSTOP), so any request would hang; put, delete, get and
        # list need none.
        saved = self.profile_json(first)
        os.kill(self.server.proc.pid, signal.SIGSTOP)
        self.addCleanup(os.kill, self.server.proc.pid, signal.SIGCONT)
        self.synckit("replica", "put", "todos", "t1", '{"title":"Buy milk","done":false}', profile=first)
        self.synckit("replica", "put", "todos", "t2", '{"title":"Grüße"}', profile=first)
        self.synckit("replica", "put", "todos", "t3", '"gone soon"', profile=first)
        self.synckit("replica", "delete", "todos", "t3", profile=first)
        self.assertEqual(self.synckit("replica", "get", "todos", "t1", profile=first)[0].strip(),
                         '{"title":"Buy milk","done":false}')
        self.assertEqual(self.synckit("replica", "get", "todos", "t3", profile=first)[0].strip(), "null")
        self.assertEqual(self.json_lines(self.synckit("replica", "list", "todos", profile=first)[0]),
                         [{"row_id": "t1", "data": {"title": "Buy milk", "done": False}},
                          {"row_id": "t2", "data": {"title": "Grüße"}}])
        self.fails("replica", "put", "todos", "t4", "{not json", profile=first, kind="invalid_input")
        self.fails("replica", "put", "todos", "t4", "null", profile=first, kind="invalid_input")
        self.synckit("replica", "put", "todos", "t4", "{}", "--follow", profile=first, expect=1)
        os.kill(self.server.proc.pid, signal.SIGCONT)
        # Back online: both sync; the second device edits a row after seeing it, which wins.
        self.assertEqual(self.synckit("replica", "sync", profile=first)[0].strip(), "pushed 4, pulled 0")
        self.assertEqual(self.synckit("replica", "sync", profile=second)[0].strip(), "pushed 0, pulled 4")
        self.synckit("replica", "put", "todos", "t1", '{"title":"Buy milk","done":true}', profile=second)
        self.synckit("replica", "sync", profile=second)
        self.synckit("replica", "sync", profile=first)
        rows_first = self.synckit("replica", "list", "todos", profile=first)[0]
        self.assertEqual(rows_first, self.synckit("replica", "list", "todos", profile=second)[0])
        self.assertIn('{"row_id":"t1","data":{"title":"Buy milk","done":true}}', rows_first)
        # The file is the device's, in the profile directory, and holds none of the plaintext.
        files = sorted(name for name in os.listdir(first) if name.startswith("replica-"))
        self.assertEqual(files[0], f"replica-{saved['device_id']}.db")
        data = b""
        for name in files:
            with open(os.path.join(first, name), "rb") as f:
                data += f.read()
        for plain in ("Buy milk", "Grüße", "todos", '"t1"', "gone soon"):
            self.assertNotIn(plain.encode("utf-8"), data)

    def test_20_replica_writes_survive_sigkill_exactly_once(self):
        _, writer, reader = self.replica_profiles("replica-kill")
        acknowledged = set()
        started = time.monotonic()
        for i in range(60):
            command = [SYNCKIT["path"], "--profile", writer, "replica", "put", "items", f"r{i}", json.dumps({"i": i})]
            if i % 10 == 9:
                command = [SYNCKIT["path"], "--profile", writer, "replica", "sync"]
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i % 3 == 0:
                # Killed at some point of its run: before, during or after its transaction.
                time.sleep((i * 7 % 11) / 100.0)
                proc.send_signal(signal.SIGKILL)
            rc = proc.wait(timeout=CLI_TIMEOUT)
            if rc == 0 and i % 10 != 9:
                acknowledged.add(f"r{i}")
        self.synckit("replica", "sync", profile=writer)
        self.assertLess(time.monotonic() - started, 90)
        self.assertGreater(len(acknowledged), 20)
        pulled = self.json_lines(self.synckit("pull", profile=reader)[0])
        counts = {}
        for change in pulled:
            counts[change["row_id"]] = counts.get(change["row_id"], 0) + 1
        for row in acknowledged:
            self.assertEqual(counts.get(row), 1, f"{row} stored {counts.get(row, 0)} times")
        for row, count in counts.items():
            self.assertEqual(count, 1, f"{row} stored {count} times")
        # And the writer's replica agrees with what the server holds.
        listed = {line["row_id"] for line in self.json_lines(self.synckit("replica", "list", "items",
                                                                          profile=writer)[0])}
        self.assertEqual(listed, set(counts))

    # --- the demo -----------------------------------------------------------------------------

    def test_17_demo(self):
        sibling = os.path.normpath(os.path.join(os.path.dirname(SYNCKIT["path"]), "..", "..", "server",
                                                "synckit-server"))
        args = ["demo"] if os.path.exists(sibling) else ["demo", "--server-binary", harness.server_path()]
        started = time.monotonic()
        out, err = self.synckit(*args)
        self.assertLess(time.monotonic() - started, 60)
        self.assertIn("the server holds only ciphertext", out)
        self.assertIn("the phone reads (decrypted)", out)
        self.assertIn("the laptop reads (decrypted)", out)
        self.assertRegex(out, r'todo-1\s+\{"title":"Buy milk","done":false\}')   # the phone's view
        self.assertRegex(out, r'todo-3\s+\(deleted\)')                              # the laptop's view
        self.assertRegex(out, r"todo-1 was edited on both: laptop stamp \d{15}-[0-9a-f]{4}-[0-9a-f]{16}")
        self.assertIn("searching the two replica files the same way: 0 found", out)
        views = re.findall(r"^\s+(laptop|phone)\s+(\[.*)$", out.split("== What each device sees now")[1], re.M)
        self.assertEqual(len(views), 2)
        self.assertEqual(views[0][1], views[1][1])
        self.assertIn("0 found", out)
        self.assertIn("server stopped cleanly", out)
        self.assertRegex(out, r"demo\.db")
        self.synckit("demo", "--server-binary", os.path.join(self.work, "missing"), expect=2)


def main():
    argv = take_synckit_arg(sys.argv)
    if not SYNCKIT["path"] or not os.access(SYNCKIT["path"], os.X_OK):
        sys.exit("usage: test_cli.py --synckit PATH --server PATH (synckit must be executable)")
    if not in_private_keyring():
        # The OS keychain must be a throwaway one: run again inside a private gnome-keyring session.
        command = [KEYRING_WRAPPER, sys.executable, os.path.abspath(__file__), "--synckit", SYNCKIT["path"],
                   *argv[1:]]
        os.execv(KEYRING_WRAPPER, command)
    sys.argv = argv
    harness.main()


if __name__ == "__main__":
    main()
