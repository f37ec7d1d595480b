"""Test harness for synckit-server's integration tests (Python 3 standard library only).

Starts and stops the real binary on a database in a temporary directory, creates apps with
`synckit-server app create`, and speaks HTTP to it with http.client. Every test module runs as

    /usr/bin/python3 tests/server/test_x.py --server PATH [--format-tool PATH] [unittest args]

and ends by printing "N passed, M failed" (N and M count test methods); see README.md.

Where the binaries come from: `--server PATH` (or, without it, the environment variable
SYNCKIT_SERVER, or else build/native-release/server/synckit-server of this checkout);
`--format-tool PATH` (or SYNCKIT_FORMAT, or build/native-release/tools/synckit-format/synckit-format).

The backend: SQLite by default. With the environment variable SYNCKIT_TEST_DB=postgres, one
throwaway PostgreSQL cluster (postgres_cluster.py) runs per test process and every Server gets a
fresh database in it and a --secret-file in its own directory.
"""

import atexit
import base64
import hashlib
import hmac
import http.client
import json as jsonlib
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VECTORS_DIR = os.path.join(REPO, "tests", "vectors")

START_TIMEOUT = 20.0      # seconds to wait for the "listening" line
STOP_TIMEOUT = 15.0       # seconds to wait for exit after SIGTERM/SIGINT
HTTP_TIMEOUT = 60.0       # seconds per HTTP request
LISTEN_RE = re.compile(r"synckit-server listening on http://127\.0\.0\.1:(\d+)")

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")

# protocol.md, "Conventions": the code that goes with each error status.
CODE_FOR_STATUS = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}
STATUS_FOR_CODE = {code: status for status, code in CODE_FOR_STATUS.items()}
STATUS_FOR_CODE["invalid_grant"] = 400

# Harness defaults: the limiters never get in the way of tests of other things.
DEFAULT_SERVER_ARGS = {"--rate-limit": "100000", "--auth-rate-limit": "100000"}

CONFIG = {"server": None, "format_tool": None}

BACKEND = os.environ.get("SYNCKIT_TEST_DB", "sqlite").strip().lower() or "sqlite"
if BACKEND not in ("sqlite", "postgres"):
    sys.exit(f"SYNCKIT_TEST_DB must be sqlite or postgres, not {BACKEND!r}")
_CLUSTER = []  # the PostgreSQL cluster of this process, started on first use


def on_postgres():
    """Whether the servers of this run store into PostgreSQL (SYNCKIT_TEST_DB=postgres)."""
    return BACKEND == "postgres"


def postgres_cluster():
    """The process's PostgreSQL cluster (started on first use, stopped and removed at exit)."""
    if not _CLUSTER:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import postgres_cluster as pg  # noqa: E402
        _CLUSTER.append(pg.PostgresCluster())
    return _CLUSTER[0]


# --- command line -----------------------------------------------------------------------------

def _default(env_name, relative):
    value = os.environ.get(env_name)
    if value:
        return value
    candidate = os.path.join(REPO, relative)
    return candidate if os.path.exists(candidate) else None


def parse_args(argv):
    """Takes --server / --format-tool out of argv; returns the rest (for unittest)."""
    rest = [argv[0]]
    server = format_tool = None
    i = 1
    while i < len(argv):
        arg = argv[i]
        for name in ("--server", "--format-tool"):
            if arg == name or arg.startswith(name + "="):
                if arg == name:
                    if i + 1 >= len(argv):
                        sys.exit(f"{name} needs a path")
                    value = argv[i + 1]
                    i += 1
                else:
                    value = arg.split("=", 1)[1]
                if name == "--server":
                    server = value
                else:
                    format_tool = value
                break
        else:
            rest.append(arg)
        i += 1
    server = server or _default("SYNCKIT_SERVER", "build/native-release/server/synckit-server")
    format_tool = format_tool or _default("SYNCKIT_FORMAT",
                                          "build/native-release/tools/synckit-format/synckit-format")
    CONFIG["server"] = os.path.abspath(server) if server else None
    CONFIG["format_tool"] = os.path.abspath(format_tool) if format_tool else None
    return rest


def server_path():
    path = CONFIG["server"]
    if not path:
        raise RuntimeError("no server binary: pass --server PATH or set SYNCKIT_SERVER")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"server binary {path} is not an executable file")
    return path


def format_tool_path():
    path = CONFIG["format_tool"]
    if not path:
        raise RuntimeError("no synckit-format tool: pass --format-tool PATH or set SYNCKIT_FORMAT")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"synckit-format {path} is not an executable file")
    return path


class _CountingResult(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed = 0

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed += 1


def main():
    """Runs the calling module's tests; prints "N passed, M failed"; exits 1 on any failure."""
    argv = parse_args(sys.argv)
    program = unittest.main(module="__main__", argv=argv, exit=False, verbosity=2,
                            testRunner=unittest.TextTestRunner(resultclass=_CountingResult,
                                                               stream=sys.stdout, verbosity=2))
    result = program.result
    total = program.test.countTestCases()  # every test method, even those a failed setUpClass skipped
    skipped = len(result.skipped)
    passed = result.passed
    failed = total - passed - skipped
    sys.stdout.flush()
    if skipped:
        print(f"{skipped} skipped")
    print(f"{passed} passed, {failed} failed")
    sys.stdout.flush()
    _kill_leftovers()
    sys.exit(1 if failed or result.failures or result.errors else 0)


# --- processes --------------------------------------------------------------------------------

_LIVE = set()     # every server process still running, killed at exit whatever happened
_SERVERS = set()  # every Server not closed yet, closed (directory removed) at exit


def _kill_leftovers():
    for proc in list(_LIVE):
        if proc.poll() is None:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        _LIVE.discard(proc)
    for server in list(_SERVERS):
        server.close()
    for cluster in _CLUSTER:
        cluster.close()


atexit.register(_kill_leftovers)


class Server:
    """One synckit-server over one database in its own temporary directory.

    SQLite: the database lives alone in `db_dir` (with its -wal/-shm files and PATH.secret).
    PostgreSQL: `db_path` is the URL of a fresh database in the process's cluster (or `database`),
    and the signing key is `--secret-file` `secret_path` (in `db_dir` unless given). Server logs
    (stderr, one file per start) go to `log_dir`. close() stops the process and deletes both.
    """

    def __init__(self, args=(), db_name="synckit.db", database=None, secret_path=None):
        self.root = tempfile.mkdtemp(prefix="synckit-server-test-")
        self.db_dir = os.path.join(self.root, "db")
        self.log_dir = os.path.join(self.root, "logs")
        os.mkdir(self.db_dir)
        os.mkdir(self.log_dir)
        if on_postgres() or database is not None:
            self.db_path = database or postgres_cluster().create_database()
            self.secret_path = secret_path or os.path.join(self.db_dir, "signing.secret")
            self.secret_args = ["--secret-file", self.secret_path]
        else:
            self.db_path = os.path.join(self.db_dir, db_name)
            self.secret_path = self.db_path + ".secret"
            self.secret_args = []
        self.args = self._with_defaults(list(args))
        self.proc = None
        self.port = None
        self.base_url = None
        self.starts = 0
        self.log_path = None
        self.stdout_lines = []  # stdout lines after the listening line
        self._stdout_thread = None
        self._collect_thread = None
        _SERVERS.add(self)

    @staticmethod
    def _with_defaults(args):
        for flag, value in DEFAULT_SERVER_ARGS.items():
            if flag not in args:
                args += [flag, value]
        return args

    # lifecycle

    def start(self, extra_args=()):
        """Starts `serve`, waits for the listening line; returns self."""
        if self.running():
            raise RuntimeError("server already running")
        self.starts += 1
        self.log_path = os.path.join(self.log_dir, f"stderr-{self.starts}.log")
        command = [server_path(), "serve", "--db", self.db_path, *self.secret_args, "--listen", "127.0.0.1:0",
                   *self.args, *extra_args]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, start_new_session=True)
        _LIVE.add(self.proc)
        lines = queue.Queue()
        proc = self.proc
        self.stdout_lines = []

        def read_stdout():
            for raw in proc.stdout:
                lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
            lines.put(None)

        self._stdout_thread = threading.Thread(target=read_stdout, daemon=True)
        self._stdout_thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                self._abort()
                raise RuntimeError(f"no listening line within {START_TIMEOUT:.0f} s; "
                                   f"stderr: {self.log_text()[-2000:]!r}")
            if line is None:
                rc = proc.wait()
                _LIVE.discard(proc)
                self.proc = None
                raise RuntimeError(f"server exited with {rc} before listening; "
                                   f"stderr: {self.log_text()[-2000:]!r}")
            match = LISTEN_RE.fullmatch(line)
            if match:
                break
            self._abort()
            raise RuntimeError(f"unexpected first stdout line {line!r} (want "
                               f"'synckit-server listening on http://127.0.0.1:PORT')")
        self.port = int(match.group(1))
        if not 0 < self.port < 65536:
            self._abort()
            raise RuntimeError(f"bad port in listening line: {line!r}")
        self.base_url = f"http://127.0.0.1:{self.port}"

        def collect_rest():
            while True:
                more = lines.get()
                if more is None:
                    return
                self.stdout_lines.append(more)

        self._collect_thread = threading.Thread(target=collect_rest, daemon=True)
        self._collect_thread.start()
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _abort(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
            _LIVE.discard(self.proc)
            self.proc = None

    def stop(self, sig=signal.SIGTERM):
        """Sends `sig` (SIGTERM by default) and waits; returns the exit status (tests assert 0)."""
        if self.proc is None:
            raise RuntimeError("server not started")
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            _LIVE.discard(proc)
            self.proc = None
            raise AssertionError(f"server did not exit within {STOP_TIMEOUT:.0f} s of {sig!r}")
        for thread in (self._stdout_thread, self._collect_thread):
            if thread is not None:
                thread.join(timeout=5)
        _LIVE.discard(proc)
        self.proc = None
        return rc

    def stop_clean(self, sig=signal.SIGTERM):
        """Stops with `sig` and raises AssertionError unless the exit status is 0."""
        rc = self.stop(sig)
        if rc != 0:
            raise AssertionError(f"server exited with status {rc} after {sig!r}, expected 0; "
                                 f"stderr tail: {self.log_text()[-1500:]!r}")

    def peak_rss(self):
        """The server process's peak resident memory so far in bytes (VmHWM, /proc)."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc/PID/status")

    def kill9(self):
        """SIGKILL, as a crash would; waits for the process to be gone."""
        if self.proc is None:
            raise RuntimeError("server not started")
        proc = self.proc
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT)
        _LIVE.discard(proc)
        self.proc = None

    def restart(self):
        if self.running():
            self.stop_clean()
        return self.start()

    def close(self):
        """Stops the process (SIGTERM, then SIGKILL) if it runs and deletes the directory
        (kept, and named on stderr, when the environment variable SYNCKIT_TEST_KEEP is set)."""
        _SERVERS.discard(self)
        try:
            if self.running():
                try:
                    self.stop()
                except AssertionError:
                    pass
            elif self.proc is not None:
                _LIVE.discard(self.proc)
                self.proc = None
        finally:
            if os.environ.get("SYNCKIT_TEST_KEEP"):
                print(f"# kept {self.root}", file=sys.stderr)
            else:
                shutil.rmtree(self.root, ignore_errors=True)

    # files

    def log_text(self, start=None):
        """The stderr text of the current start (or of start number `start`)."""
        path = self.log_path if start is None else os.path.join(self.log_dir, f"stderr-{start}.log")
        if not path or not os.path.exists(path):
            return ""
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def db_files(self):
        """Paths of every file in the database directory (db, -wal, -shm, .secret, …)."""
        return sorted(os.path.join(self.db_dir, name) for name in os.listdir(self.db_dir))

    def storage_dirs(self):
        """Directories holding the stored data: `db_dir`, plus the cluster's data directory on
        PostgreSQL (shared by every database of the process)."""
        if self.db_path.startswith(("postgres://", "postgresql://")):
            return [self.db_dir, postgres_cluster().data_dir]
        return [self.db_dir]

    def signing_secret(self):
        """The 32 raw bytes of PATH.secret (base64 + newline); the file must have mode 0600."""
        mode = os.stat(self.secret_path).st_mode & 0o777
        if mode != 0o600:
            raise AssertionError(f"{self.secret_path} has mode {mode:o}, expected 600")
        with open(self.secret_path, "rb") as f:
            text = f.read()
        if not text.endswith(b"\n"):
            raise AssertionError("secret file does not end with a newline")
        raw = base64.b64decode(text[:-1].strip(b"\r"), validate=True)
        if len(raw) != 32:
            raise AssertionError(f"secret file holds {len(raw)} bytes, expected 32")
        return raw

    # apps and HTTP

    def create_app(self, name=None, redirect_uris=()):
        """Runs `synckit-server app create` (registering `redirect_uris`); returns the API key (last
        line of stdout)."""
        name = name or f"test-app-{secrets.token_hex(4)}"
        flags = [arg for uri in redirect_uris for arg in ("--redirect-uri", uri)]
        result = subprocess.run([server_path(), "app", "create", "--db", self.db_path, "--name", name, *flags],
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"app create exited {result.returncode}: "
                               f"{result.stderr.decode('utf-8', 'replace')[-1000:]}")
        lines = [line.strip() for line in result.stdout.decode("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line]
        if not lines:
            raise RuntimeError("app create printed nothing")
        key = lines[-1]
        if " " in key or len(key) < 16:
            raise RuntimeError(f"app create's last line does not look like an API key ({len(key)} chars)")
        return key

    def run_admin(self, args):
        """Runs `synckit-server ARGS --db <this database>`; returns stdout (raises on failure)."""
        result = subprocess.run([server_path(), *args, "--db", self.db_path], stdin=subprocess.DEVNULL,
                                capture_output=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} exited {result.returncode}: "
                               f"{result.stderr.decode('utf-8', 'replace')[-1000:]}")
        return result.stdout.decode("utf-8")

    def app_id_of(self, name):
        """The id of the app called `name`, from `synckit-server app list`."""
        for line in self.run_admin(["app", "list"]).splitlines():
            words = line.split(" ", 2)
            if len(words) == 3 and words[0] == "app" and words[2] == name:
                return words[1]
        raise RuntimeError(f"no app named {name!r}")

    def client(self, api_key=None, token=None, origin=None):
        if self.base_url is None:
            raise RuntimeError("server not started")
        return Client(self, api_key=api_key, token=token, origin=origin)


# --- HTTP -------------------------------------------------------------------------------------

class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage: case-insensitive get()/get_all()
        self.body = body

    def header(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self):
        try:
            return jsonlib.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise AssertionError(f"HTTP {self.status}: body is not JSON: {self.body[:300]!r}") from None

    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return f"<Response {self.status} {self.body[:200]!r}>"


UNSET = object()


class Client:
    """A small HTTP/1.1 client: one connection per request, no redirects followed. It follows its
    Server across restarts (the port changes with every start)."""

    def __init__(self, server, api_key=None, token=None, origin=None, host="127.0.0.1"):
        self.server = server
        self.host = host
        self.api_key = api_key
        self.token = token
        self.origin = origin

    @property
    def port(self):
        return self.server.port

    def with_token(self, token):
        return Client(self.server, api_key=self.api_key, token=token, origin=self.origin, host=self.host)

    def request(self, method, path, *, json=UNSET, body=None, form=None, query=None, headers=None,
                api_key=UNSET, token=UNSET, content_type=None, timeout=HTTP_TIMEOUT):
        """Sends one request. `json` (any value, serialised), `body` (bytes or str, sent as is) or
        `form` (dict, url-encoded). `api_key`/`token` override the client's (None leaves the header
        out). Returns a Response; raises OSError/http.client errors only when no reply came."""
        send_headers = {}
        api_key = self.api_key if api_key is UNSET else api_key
        token = self.token if token is UNSET else token
        if api_key is not None:
            send_headers["X-SyncKit-Api-Key"] = api_key
        if token is not None:
            send_headers["Authorization"] = f"Bearer {token}"
        if self.origin is not None:
            send_headers["Origin"] = self.origin
        payload = None
        if json is not UNSET:
            payload = jsonlib.dumps(json, separators=(",", ":")).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif form is not None:
            payload = urllib.parse.urlencode(form).encode("ascii")
            send_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            payload = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            send_headers["Content-Type"] = "application/octet-stream"
        if content_type is not None:
            send_headers["Content-Type"] = content_type
        if headers:
            send_headers.update(headers)
        if query:
            path = path + "?" + urllib.parse.urlencode(query)
        return self._send(method, path, send_headers, payload, timeout)

    def _send(self, method, path, headers, payload, timeout):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            names = {name.lower() for name in headers}
            for name, value in headers.items():
                conn.putheader(name, value)
            if payload is not None or method in ("POST", "PUT"):
                if "content-length" not in names:
                    conn.putheader("Content-Length", str(len(payload or b"")))
            conn.putheader("Connection", "close")
            conn.endheaders()
            send_error = None
            if payload:
                view = memoryview(payload)
                try:
                    for offset in range(0, len(view), 1 << 16):
                        conn.send(view[offset:offset + (1 << 16)])
                except (BrokenPipeError, ConnectionResetError) as error:
                    # The server may answer (413) and close before reading everything.
                    send_error = error
            try:
                reply = conn.getresponse()
                data = reply.read()
            except (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
                if send_error is not None:
                    raise ConnectionResetError(
                        f"{method} {path.split('?')[0]}: connection closed while sending "
                        f"{len(payload)} bytes, and no reply could be read") from send_error
                raise
            return Response(reply.status, reply.reason, reply.headers, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


# --- assertions -------------------------------------------------------------------------------

def assert_error(tc, response, status, code=None, field=None, json_body=True):
    """The reply is `status` with the protocol's error body {"error":{"code","message"}}.

    `code` defaults to the protocol's code for `status` (400 -> invalid_request). `field`, when given,
    must appear in the message (400 invalid_request names the field). 429 and 503 must carry
    Retry-After: <integer seconds >= 1>. Returns the error object."""
    tc.assertEqual(response.status, status,
                   f"expected HTTP {status}, got {response.status}: {response.body[:300]!r}")
    expected_code = code or CODE_FOR_STATUS[status]
    tc.assertEqual(STATUS_FOR_CODE.get(expected_code), status, "test bug: code does not go with status")
    if json_body:
        tc.assertEqual(response.content_type, "application/json",
                       f"error reply Content-Type {response.header('Content-Type')!r}")
    body = response.json()
    tc.assertIsInstance(body, dict, f"error body is not an object: {body!r}")
    tc.assertEqual(set(body), {"error"}, f"error body must be exactly {{\"error\":…}}: {body!r}")
    error = body["error"]
    tc.assertIsInstance(error, dict, f"\"error\" is not an object: {body!r}")
    tc.assertIn("code", error, f"error has no code: {body!r}")
    tc.assertIn("message", error, f"error has no message: {body!r}")
    tc.assertIsInstance(error["code"], str)
    tc.assertIsInstance(error["message"], str)
    tc.assertEqual(error["code"], expected_code, f"HTTP {status} body: {body!r}")
    if field is not None:
        message = error["message"].lower()
        spellings = {field.lower(), field.lower().replace("_", " ")}  # "blob_id" or "blob id"
        tc.assertTrue(any(s in message for s in spellings),
                      f"the message should name the field {field!r}: {error['message']!r}")
    if status in (429, 503):
        assert_retry_after(tc, response)
    return error


def assert_retry_after(tc, response, maximum=None):
    value = response.header("Retry-After")
    tc.assertIsNotNone(value, f"HTTP {response.status} without Retry-After")
    tc.assertRegex(value.strip(), r"^[0-9]+$", f"Retry-After {value!r} is not integer seconds")
    seconds = int(value.strip())
    tc.assertGreaterEqual(seconds, 1, "Retry-After must be at least 1 second")
    if maximum is not None:
        tc.assertLessEqual(seconds, maximum)
    return seconds


def expect_json(tc, response, status=200):
    """The reply is `status` with a JSON body (Content-Type application/json); returns it parsed."""
    tc.assertEqual(response.status, status,
                   f"expected HTTP {status}, got {response.status}: {response.body[:300]!r}")
    tc.assertEqual(response.content_type, "application/json",
                   f"Content-Type {response.header('Content-Type')!r}")
    return response.json()


def assert_uuid(tc, value, what="id"):
    tc.assertIsInstance(value, str, f"{what} is not a string")
    tc.assertRegex(value, f"^{UUID_RE.pattern}$", f"{what} {value!r} is not a lowercase UUID")


def assert_token_reply(tc, body, app_id=None, user_id=None, ttl=900):
    """{"user_id","app_id","access_token","refresh_token","token_type":"Bearer","expires_in"}."""
    tc.assertEqual(set(body), {"user_id", "app_id", "access_token", "refresh_token", "token_type",
                               "expires_in"}, f"token reply keys: {sorted(body)}")
    assert_uuid(tc, body["user_id"], "user_id")
    assert_uuid(tc, body["app_id"], "app_id")
    if app_id is not None:
        tc.assertEqual(body["app_id"], app_id)
    if user_id is not None:
        tc.assertEqual(body["user_id"], user_id)
    tc.assertEqual(body["token_type"], "Bearer")
    tc.assertIsInstance(body["expires_in"], int)
    tc.assertFalse(isinstance(body["expires_in"], bool))
    tc.assertTrue(ttl - 5 <= body["expires_in"] <= ttl, f"expires_in {body['expires_in']} for ttl {ttl}")
    tc.assertIsInstance(body["refresh_token"], str)
    tc.assertGreaterEqual(len(body["refresh_token"]), 16)
    header, claims = decode_jwt(body["access_token"])
    tc.assertEqual(header.get("alg"), "HS256")
    tc.assertEqual(claims.get("sub"), body["user_id"])
    tc.assertEqual(claims.get("app"), body["app_id"])
    assert_uuid(tc, claims.get("sid"), "sid (the session id claim)")
    tc.assertIsInstance(claims.get("iat"), int)
    tc.assertIsInstance(claims.get("exp"), int)
    tc.assertEqual(claims["exp"] - claims["iat"], ttl, "exp - iat must be the token lifetime")
    tc.assertLess(abs(claims["iat"] - time.time()), 120, "iat is not now")


# --- JWT --------------------------------------------------------------------------------------

def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_jwt(token):
    """(header, claims) of a JWT, without checking the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise AssertionError(f"access token is not a JWT ({len(parts)} parts)")
    return (jsonlib.loads(b64url_decode(parts[0])), jsonlib.loads(b64url_decode(parts[1])))


def verify_jwt(token, secret):
    head, body, signature = token.split(".")
    mac = hmac.new(secret, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
    return hmac.compare_digest(b64url(mac), signature)


def sign_jwt(claims, secret, header=None):
    """An HS256 JWT over `claims` with `secret` (forged tokens for tests)."""
    header = header or {"alg": "HS256", "typ": "JWT"}
    head = b64url(jsonlib.dumps(header, separators=(",", ":")).encode())
    body = b64url(jsonlib.dumps(claims, separators=(",", ":")).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


# --- data -------------------------------------------------------------------------------------

def b64(data):
    return base64.b64encode(data).decode("ascii")


def sealed_bytes(size=64):
    """Random bytes that look like a sealed change or blob (the server cannot tell)."""
    if size < 40:
        raise ValueError("sealed data is at least 40 bytes")
    return os.urandom(size)


def stream_size(plain_size):
    """The sealed size of a streamed blob of `plain_size` bytes (crypto-format.md, "Streamed
    blobs"): the 24-byte header, then 17 bytes per 64 KiB chunk and one for the last."""
    return 24 + plain_size + 17 * (plain_size // 65536 + 1)


def upload_stream(tc, client, blob_id, data, complete=True, order=None):
    """Uploads `data` (a sealed stream's bytes: random ones do, the server cannot tell) as a
    streamed blob: start, every part (in `order`, default ascending), complete. Returns
    (upload_id, part_size)."""
    start = expect_json(tc, client.post(f"/v1/blobs/{blob_id}/uploads", json={"format": "stream-v1", "size": len(data)}),
                        201)
    upload_id, part_size = start["upload_id"], start["part_size"]
    count = max(1, (len(data) + part_size - 1) // part_size)
    for part in (order if order is not None else range(count)):
        reply = client.put(f"/v1/blobs/{blob_id}/uploads/{upload_id}/{part}",
                           body=data[part * part_size:(part + 1) * part_size])
        tc.assertEqual(reply.status, 204, reply.body[:300])
    if complete:
        tc.assertEqual(expect_json(tc, client.post(f"/v1/blobs/{blob_id}/uploads/{upload_id}/complete"), 201),
                       {"blob_id": blob_id, "size": len(data)})
    return upload_id, part_size


def new_change_id():
    """22 chars of base64url: 128 random bits, as clients make them."""
    return b64url(os.urandom(16))


def make_change(size=64, change_id=None):
    return {"change_id": change_id or new_change_id(), "payload": b64(sealed_bytes(size))}


def make_changes(count, size=64):
    return [make_change(size) for _ in range(count)]


def random_email(prefix="user"):
    return f"{prefix}-{secrets.token_hex(6)}@example.com"


class User:
    """A registered account and a client that sends its access token."""

    def __init__(self, server, api_key, email, auth_key, reply):
        self.server = server
        self.api_key = api_key
        self.email = email
        self.auth_key = auth_key
        self.auth_key_b64 = b64(auth_key)
        self.user_id = reply["user_id"]
        self.app_id = reply["app_id"]
        self.access_token = reply["access_token"]
        self.refresh_token = reply["refresh_token"]
        self.reply = reply
        self.client = server.client(api_key=api_key, token=self.access_token)

    def add_device(self, name="laptop", platform="linux"):
        return add_device(self.client, name, platform)

    def push(self, device_id, changes):
        return self.client.post("/v1/sync/push", json={"device_id": device_id, "changes": changes})

    def pull(self, device_id, cursor=None, limit=None):
        query = {"device_id": device_id}
        if cursor is not None:
            query["cursor"] = cursor
        if limit is not None:
            query["limit"] = limit
        return self.client.get("/v1/sync/pull", query=query)

    def pull_all(self, device_id, limit=1000, max_pages=10000, retry_statuses=()):
        """Every change another device pushed, following has_more; returns (changes, cursor)."""
        changes, cursor = [], 0
        for _ in range(max_pages):
            for _attempt in range(100):
                reply = self.pull(device_id, cursor, limit)
                if reply.status not in retry_statuses:
                    break
            if reply.status != 200:
                raise AssertionError(f"pull answered {reply.status}: {reply.body[:300]!r}")
            body = reply.json()
            changes.extend(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return changes, cursor
        raise AssertionError("pull never finished")

    def status(self):
        return self.client.get("/v1/sync/status")


def register_user(server, api_key, email=None, auth_key=None):
    """Registers an account with a random 32-byte auth key; returns a User. Raises on non-201."""
    email = email or random_email()
    auth_key = auth_key if auth_key is not None else os.urandom(32)
    reply = server.client(api_key=api_key).post("/v1/auth/register",
                                                json={"email": email, "auth_key": b64(auth_key)})
    if reply.status != 201:
        raise AssertionError(f"register answered {reply.status}: {reply.body[:300]!r}")
    return User(server, api_key, email, auth_key, reply.json())


def add_device(client, name="laptop", platform="linux"):
    """POST /v1/devices; returns the new device's id. Raises on non-201."""
    reply = client.post("/v1/devices", json={"name": name, "platform": platform})
    if reply.status != 201:
        raise AssertionError(f"POST /v1/devices answered {reply.status}: {reply.body[:300]!r}")
    return reply.json()["id"]


def valid_envelope():
    """An envelope object in the crypto-format's JSON form (random salt/nonce/ciphertext)."""
    return {"version": 1, "kdf": "argon2id13", "opslimit": 3, "memlimit": 67108864,
            "salt": b64(os.urandom(16)), "nonce": b64(os.urandom(24)),
            "ciphertext": b64(os.urandom(48))}


def pkce_pair():
    """(verifier, S256 challenge) as RFC 7636 makes them."""
    verifier = b64url(os.urandom(32))
    challenge = b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def load_synckit_format():
    """tests/vectors/synckit_format.py (needs PyNaCl, which Debian's /usr/bin/python3 has)."""
    if VECTORS_DIR not in sys.path:
        sys.path.insert(0, VECTORS_DIR)
    import synckit_format  # noqa: E402
    return synckit_format


# --- test case base ---------------------------------------------------------------------------

class ServerTestCase(unittest.TestCase):
    """One server per test class: `cls.server` (started), `cls.api_key` (one app), `cls.client`
    (that app's key, no token). Subclasses set `server_args`, `redirect_uris` (registered for
    every app) and may override `prepare_class`."""

    server_args = ()
    apps = 1
    redirect_uris = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.server_args)
        cls.addClassCleanup(cls.server.close)
        cls.api_keys = [cls.server.create_app(f"{cls.__name__}-{i}", cls.redirect_uris) for i in range(cls.apps)]
        cls.api_key = cls.api_keys[0]
        cls.server.start()
        cls.client = cls.server.client(api_key=cls.api_key)
        cls.prepare_class()

    @classmethod
    def prepare_class(cls):
        pass

    def register(self, api_key=None, **kw):
        return register_user(self.server, api_key or self.api_key, **kw)


# --- raw connections, signals (test_engine.py, test_live_pull*.py) ------------------------------
# Byte-level HTTP on plain sockets, for what http.client cannot do: trickle a header or body, hold
# a request open, see exactly when the server closes a connection. Polling uses `selectors`
# (epoll), never select(), so file descriptors past 1023 work.

import io  # noqa: E402
import selectors  # noqa: E402
import socket  # noqa: E402


def raw_connect(server, timeout=10.0):
    """A blocking TCP connection to the server (TCP_NODELAY, `timeout` per socket operation)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_bytes(method, path, query=None, headers=None, body=b"", api_key=None, token=None,
                  keep_alive=True, content_length=None):
    """The bytes of one HTTP/1.1 request. `content_length` overrides the body's length (to announce
    more than is sent); without it, POST/PUT and any body get Content-Length len(body)."""
    if query:
        path = path + "?" + urllib.parse.urlencode(query)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if api_key is not None:
        lines.append(f"X-SyncKit-Api-Key: {api_key}")
    if token is not None:
        lines.append(f"Authorization: Bearer {token}")
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if content_length is None and (body or method in ("POST", "PUT")):
        content_length = len(body)
    if content_length is not None:
        lines.append(f"Content-Length: {content_length}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + bytes(body)


class _BytesSocket:
    def __init__(self, data):
        self._data = data

    def makefile(self, *args, **kwargs):
        return io.BytesIO(self._data)


def parse_response(data, method="GET"):
    """A Response from the complete bytes of one HTTP reply."""
    reply = http.client.HTTPResponse(_BytesSocket(bytes(data)), method=method)
    reply.begin()
    return Response(reply.status, reply.reason, reply.headers, reply.read())


def response_length(data, method="GET"):
    """The length of the first complete HTTP reply at the start of `data`, or None while incomplete
    (Content-Length or chunked bodies; a reply without either is complete at its header)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end].decode("latin-1").split("\r\n")
    fields = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    start = end + 4
    status = int(head[0].split(" ")[1])
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return start
    if "chunked" in fields.get("transfer-encoding", "").lower():
        pos = start
        while True:
            line_end = data.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size = int(data[pos:line_end].split(b";")[0], 16)
            pos = line_end + 2
            if size == 0:
                trailer_end = data.find(b"\r\n\r\n", pos - 2)
                return None if trailer_end < 0 else trailer_end + 4
            pos += size + 2
            if pos > len(data):
                return None
    length = int(fields.get("content-length", "0"))
    return start + length if len(data) >= start + length else None


def wait_readable(sock, timeout):
    """Whether `sock` becomes readable (data or EOF) within `timeout` seconds."""
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        return bool(selector.select(max(timeout, 0)))


def read_response(sock, timeout, method="GET"):
    """Reads one HTTP reply from a blocking socket within `timeout` seconds in all; returns
    (Response or None, rest). None: the server closed (EOF or reset) before a whole reply came;
    `rest` is then every byte received. Raises TimeoutError when neither happened in time."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        length = response_length(data, method)
        if length is not None:
            return parse_response(data[:length], method), data[length:]
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not wait_readable(sock, remaining):
            raise TimeoutError(f"no complete reply within {timeout:.1f} s (got {data[:200]!r})")
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return None, data
        if not chunk:
            return None, data
        data += chunk


def wait_closed(sock, timeout):
    """Waits up to `timeout` seconds for the server to close `sock`; returns (closed, data): closed
    is True on EOF or reset, and data every byte that arrived before (a reply, if any)."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not wait_readable(sock, remaining):
            return False, data
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            return True, data
        if not chunk:
            return True, data
        data += chunk


def send_signal(server, sig):
    """Sends `sig` to the running server without waiting (see wait_exit)."""
    if not server.running():
        raise RuntimeError("server not running")
    server.proc.send_signal(sig)


def wait_exit(server, timeout=STOP_TIMEOUT):
    """Waits for the server to exit after a signal sent with send_signal (sends nothing itself);
    returns the exit status. Kills it and raises AssertionError when it is still running after
    `timeout` seconds."""
    proc = server.proc
    if proc is None:
        raise RuntimeError("server not started")
    try:
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        _LIVE.discard(proc)
        server.proc = None
        raise AssertionError(f"server still running {timeout:.1f} s after the signal") from None
    for thread in (server._stdout_thread, server._collect_thread):
        if thread is not None:
            thread.join(timeout=5)
    _LIVE.discard(proc)
    server.proc = None
    return rc
