"""A throwaway PostgreSQL 15 cluster for the server tests (Python 3 standard library only).

    with PostgresCluster() as cluster:
        url = cluster.create_database()   # postgres://postgres@127.0.0.1:PORT/synckit_<hex>

    python3 tests/server/postgres_cluster.py --exec COMMAND...   # COMMAND gets SYNCKIT_TEST_PG_URL

initdb (trust auth, superuser "postgres", --no-sync) makes a data directory in a new temporary
directory; pg_ctl starts it on a free loopback port with its socket in that directory and fsync off.
PostgreSQL refuses to run as root, so under root the directory is given to the unprivileged user
`nobody` and the PostgreSQL programs run as that user; otherwise they run as the current user.
close() (also on exceptions, and at interpreter exit) stops it with `pg_ctl stop -m immediate` and
deletes the directory. A small watchdog process does the same if the test process dies without
cleaning up (SIGKILL, a CTest timeout), so no postgres is left behind.
"""

import atexit
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time

PG_BIN = os.environ.get("SYNCKIT_PG_BIN", "/usr/lib/postgresql/15/bin")
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT = 60  # seconds for pg_ctl start -w

# Runs beside the test: when the test process is gone and the directory still exists, stop and remove.
_WATCHDOG = r"""
import os, shutil, subprocess, sys, time
pid, pg_ctl, data, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
user = sys.argv[5] if len(sys.argv) > 5 else None
def alive(p):
    try:
        os.kill(p, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
while alive(pid) and os.path.isdir(root):
    time.sleep(1)
if os.path.isdir(root):
    kw = {"user": user} if user else {}
    subprocess.run([pg_ctl, "stop", "-D", data, "-m", "immediate", "-w"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=root, **kw)
    shutil.rmtree(root, ignore_errors=True)
"""


def available():
    """Whether the PostgreSQL server programs are installed (else the Postgres tests cannot run)."""
    return all(os.access(os.path.join(PG_BIN, name), os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    """One running PostgreSQL cluster in a temporary directory (see the module docstring)."""

    def __init__(self):
        if not available():
            raise RuntimeError(f"PostgreSQL server programs not found in {PG_BIN} (apt-get install postgresql)")
        self.root = tempfile.mkdtemp(prefix="synckit-pg-")
        self.data_dir = os.path.join(self.root, "data")
        self.log_path = os.path.join(self.root, "postgres.log")
        self.port = None
        self._user = None
        self._watchdog = None
        self._started = False
        atexit.register(self.close)
        try:
            if os.geteuid() == 0:
                entry = pwd.getpwnam(UNPRIVILEGED_USER)
                self._user = UNPRIVILEGED_USER
                os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chmod(self.root, 0o700)
            self._run(os.path.join(PG_BIN, "initdb"), "-D", self.data_dir, "-A", "trust", "-U", "postgres",
                      "--no-sync", "-E", "UTF8", "--locale=C")
            self._start()
            self._start_watchdog()
        except BaseException:
            self.close()
            raise

    def _run(self, *command, check=True):
        kw = {"user": self._user} if self._user else {}
        result = subprocess.run(list(command), stdin=subprocess.DEVNULL, capture_output=True, cwd=self.root,
                                timeout=120, **kw)
        if check and result.returncode != 0:
            raise RuntimeError(f"{os.path.basename(command[0])} exited {result.returncode}: "
                               f"{result.stderr.decode('utf-8', 'replace')[-2000:]}")
        return result

    def _start(self):
        pg_ctl = os.path.join(PG_BIN, "pg_ctl")
        for attempt in range(5):
            self.port = _free_port()
            options = (f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                       f"-c full_page_writes=off -c max_connections=200")
            result = self._run(pg_ctl, "start", "-D", self.data_dir, "-l", self.log_path, "-w",
                               "-t", str(START_TIMEOUT), "-o", options, check=False)
            if result.returncode == 0:
                self._started = True
                return
            if attempt == 4:
                raise RuntimeError(f"pg_ctl start failed: {result.stderr.decode('utf-8', 'replace')[-1000:]}; "
                                   f"log: {self.log_text()[-2000:]}")
            time.sleep(0.2)  # the port was taken meanwhile: try another

    def _start_watchdog(self):
        args = [sys.executable, "-c", _WATCHDOG, str(os.getpid()), os.path.join(PG_BIN, "pg_ctl"),
                self.data_dir, self.root]
        if self._user:
            args.append(self._user)
        self._watchdog = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        """Runs `sql` with psql as the superuser; returns stdout (unaligned, tuples only)."""
        result = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                                 "-d", self.url(database), "-c", sql],
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.decode('utf-8', 'replace')[-1000:]}")
        return result.stdout.decode("utf-8", "replace")

    def create_database(self, name=None):
        """Creates a fresh, empty database; returns its URL."""
        name = name or f"synckit_{secrets.token_hex(6)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def restart(self, mode="fast"):
        """Stops the server (`pg_ctl stop -m MODE`: every client connection is cut; "immediate" is
        a crash) and starts it again on the same data directory and port, so URLs stay valid."""
        pg_ctl = os.path.join(PG_BIN, "pg_ctl")
        self._run(pg_ctl, "stop", "-D", self.data_dir, "-m", mode, "-w")
        self._started = False
        options = (f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c full_page_writes=off -c max_connections=200")
        self._run(pg_ctl, "start", "-D", self.data_dir, "-l", self.log_path, "-w", "-t", str(START_TIMEOUT),
                  "-o", options)
        self._started = True

    def close(self):
        """Stops the cluster (immediate) and deletes its directory. Safe to call twice."""
        if self.root is None:
            return
        try:
            if self._started:
                self._run(os.path.join(PG_BIN, "pg_ctl"), "stop", "-D", self.data_dir, "-m", "immediate", "-w",
                          check=False)
                self._started = False
        finally:
            if os.environ.get("SYNCKIT_TEST_KEEP"):
                print(f"# kept {self.root}", file=sys.stderr)
            else:
                shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
            if self._watchdog is not None:
                if os.environ.get("SYNCKIT_TEST_KEEP"):
                    self._watchdog.kill()
                try:
                    self._watchdog.wait(timeout=5)  # it sees the directory gone and exits
                except subprocess.TimeoutExpired:
                    self._watchdog.kill()
                    self._watchdog.wait()
                self._watchdog = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _main(argv):
    """`postgres_cluster.py --exec COMMAND...` runs COMMAND with SYNCKIT_TEST_PG_URL set to the
    superuser URL of a fresh cluster and exits with its status; without arguments, a smoke test."""
    if argv[:1] == ["--exec"] and len(argv) > 1:
        with PostgresCluster() as cluster:
            env = dict(os.environ, SYNCKIT_TEST_PG_URL=cluster.url())
            return subprocess.run(argv[1:], env=env).returncode
    with PostgresCluster() as cluster:
        print(cluster.create_database())
        print(cluster.psql("SELECT version()").strip())
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
