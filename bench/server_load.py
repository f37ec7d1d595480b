#!/usr/bin/env python3
"""Server load benchmark (docs/performance.md "Server under load"): many connections held at once
against one synckit-server, fresh requests and live-pull wakes timed meanwhile, then push and pull
throughput against the last cpp-httplib server (bcfc582) in alternating rounds.

    bench/server_load.py --server NEW [--old-server OLD --throughput BIN] [--json FILE] [counts...]

bench/server_load_run builds both servers and calls this; run that. Only loopback addresses are
used. Stages (each on its own fresh SQLite database in a temporary directory):

1. One `serve --rate-limit 0 --auth-rate-limit 0 --max-connections 20000
   --max-connections-per-address 20000 --header-timeout 30`. Unloaded: fresh requests (GET
   /v1/health and authenticated GET /v1/sync/status alternately, each on a new connection,
   --parallel at once) and wake rounds. Then a holder process (this script, --hold) opens --held
   live pulls (wait=60, cursor 0, one device each, spread over --users users with no changes),
   --slow connections that send a header byte every second (never completing it) and --idle
   silent connections; while they are held the same fresh requests and wake rounds run again.
   The holder reports how many of its connections the server closed or answered before the end
   (target: none; silent and slow connections are closed by design after --header-timeout, so
   the loaded stage must end within it, which the report checks).
2. Wake rounds: one user, devices A and B, keep-alive connections. B sends a pull with wait=30;
   after --settle seconds without a reply (it is held) A pushes one change; the figure is the
   time from A's push reply to B's pull reply (it can be slightly negative: the server wakes B
   before it writes A's reply), also given from the moment A's push was sent.
3. Throughput: bench/server_throughput (CHANGES changes) against the new and the old server,
   --rounds each, alternating which goes first, each on a fresh server and database; medians and
   new/old ratios for push and pull.
Server memory and threads come from /proc/PID/status (VmRSS, Threads) and /proc/PID/fd.
"""

import argparse
import asyncio
import base64
import http.client
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
HEADER_TIMEOUT = 30
REQUEST_LINE = re.compile(r"^\S+ \S+ \S+ (\d{3}) [\d.]+ms$")  # the server's request log
SLOW_HEADER = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 400  # never completed


def b64(data):
    return base64.b64encode(data).decode("ascii")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def log(*parts):
    print("server_load:", *parts, file=sys.stderr, flush=True)


def percentile(values, p):
    """Nearest-rank percentile of `values` (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[min(len(ordered), int(rank)) - 1]


def raise_nofile(needed):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        sys.exit(f"server_load: the open-file limit is {soft} (hard {hard}); {needed} are needed")
    return soft


def request_bytes(method, target, api_key=None, token=None, body=None, close=False):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {HOST}"]
    if api_key:
        lines.append("X-SyncKit-Api-Key: " + api_key)
    if token:
        lines.append("Authorization: Bearer " + token)
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + (body or b"")


def parse_head(head):
    """(status, content length) of a response header block (bytes up to the blank line)."""
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding":
            raise ValueError("chunked replies are not expected from synckit-server")
    return status, length


async def read_reply(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status, length = parse_head(head)
    return status, await reader.readexactly(length)


def proc_cpu_seconds(pid):
    """User + system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_sample(pid):
    sample = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Threads"):
                sample[key] = int(value.split()[0])
    sample["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return {"rss_kib": sample["VmRSS"], "hwm_kib": sample["VmHWM"], "threads": sample["Threads"],
            "fds": sample["fds"]}


class Server:
    """A synckit-server on a fresh SQLite database in `work`, listening on a free loopback port."""

    def __init__(self, binary, work, name, extra=()):
        self.db = os.path.join(work, name + ".db")
        made = subprocess.run([binary, "app", "create", "--db", self.db, "--name", "bench"], check=True,
                              capture_output=True, text=True)
        self.api_key = made.stdout.strip().splitlines()[-1]
        self.out_path = os.path.join(work, name + ".out")
        self.log_path = os.path.join(work, name + ".log")
        with open(self.out_path, "w") as out, open(self.log_path, "w") as err:
            self.proc = subprocess.Popen(
                [binary, "serve", "--db", self.db, "--secret-file", os.path.join(work, name + ".secret"),
                 "--listen", f"{HOST}:0", "--rate-limit", "0", *extra], stdout=out, stderr=err)
        deadline = time.monotonic() + 20
        self.url = None
        while time.monotonic() < deadline and self.proc.poll() is None:
            with open(self.out_path) as f:
                for line in f:
                    if line.startswith("synckit-server listening on "):
                        self.url = line.split()[-1]
            if self.url:
                break
            time.sleep(0.05)
        if not self.url:
            self.stop()
            with open(self.log_path) as f:
                sys.exit(f"server_load: {binary} did not start:\n{f.read()[-2000:]}")
        self.port = int(self.url.rsplit(":", 1)[1])
        self.pid = self.proc.pid

    def log_summary(self):
        """Replies by status from the request log, and the first other lines (errors, warnings)."""
        statuses, other = {}, []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                m = REQUEST_LINE.match(line)
                if m:
                    statuses[m.group(1)] = statuses.get(m.group(1), 0) + 1
                elif len(other) < 10:
                    other.append(line.rstrip())
        return {"statuses": statuses, "other_lines": other}

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


class Api:
    """Blocking JSON calls on one keep-alive connection, for setup only."""

    def __init__(self, port, api_key, token=None):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.api_key, self.token = api_key, token

    def call(self, method, path, body=None, expect=200):
        headers = {"X-SyncKit-Api-Key": self.api_key}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        res = self.conn.getresponse()
        text = res.read()
        if res.status != expect:
            raise RuntimeError(f"{method} {path}: {res.status} {text[:300]!r}")
        return json.loads(text) if text else None

    def close(self):
        self.conn.close()


def register(port, api_key, label, devices):
    """A new user with `devices` devices: {"token", "devices": [ids]}."""
    api = Api(port, api_key)
    reply = api.call("POST", "/v1/auth/register",
                     {"email": f"{label}-{b64url(os.urandom(6))}@example.com", "auth_key": b64(os.urandom(32))}, 201)
    api.token = reply["access_token"]
    ids = [api.call("POST", "/v1/devices", {"name": f"{label}-{i}", "platform": "bench"}, 201)["id"]
           for i in range(devices)]
    api.close()
    return {"token": reply["access_token"], "devices": ids}


# ---- fresh requests and wake rounds (this process) ----

async def fresh_requests(port, api_key, token, count, parallel):
    """`count` GET /v1/health and `count` GET /v1/sync/status, alternately, each on a new
    connection, `parallel` at once. Latency: connect to the whole reply read."""
    jobs = [("health", request_bytes("GET", "/v1/health", close=True)),
            ("status", request_bytes("GET", "/v1/sync/status", api_key=api_key, token=token, close=True))]
    latencies = {"health": [], "status": []}
    failures = []
    next_job = 0
    total = 2 * count

    async def worker():
        nonlocal next_job
        while next_job < total:
            kind, req = jobs[next_job % 2]
            next_job += 1
            start = time.perf_counter()
            writer = None
            try:
                reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 10)
                writer.write(req)
                status, body = await asyncio.wait_for(read_reply(reader), 10)
                elapsed = time.perf_counter() - start
                if status != 200:
                    failures.append(f"{kind}: HTTP {status} {body[:200]!r}")
                else:
                    latencies[kind].append(elapsed)
            except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                failures.append(f"{kind}: {type(e).__name__} {e}")
            finally:
                if writer is not None:
                    writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(parallel)))
    wall = time.perf_counter() - started
    both = latencies["health"] + latencies["status"]
    return {"requests": total, "parallel": parallel, "failures": len(failures), "failure_samples": failures[:10],
            "seconds": wall, "p50_ms": ms(percentile(both, 50)), "p99_ms": ms(percentile(both, 99)),
            "max_ms": ms(max(both) if both else None),
            "health_p50_ms": ms(percentile(latencies["health"], 50)),
            "health_p99_ms": ms(percentile(latencies["health"], 99)),
            "status_p50_ms": ms(percentile(latencies["status"], 50)),
            "status_p99_ms": ms(percentile(latencies["status"], 99))}


def ms(seconds):
    return None if seconds is None else seconds * 1000


async def wake_rounds(port, api_key, user, rounds, settle):
    """B holds a pull (wait=30); A pushes one change; B's reply time from A's push reply."""
    token, (device_a, device_b) = user["token"], user["devices"]
    reader_a, writer_a = await asyncio.open_connection(HOST, port)
    reader_b, writer_b = await asyncio.open_connection(HOST, port)
    from_reply, from_send, failures = [], [], []
    started = time.perf_counter()
    not_held = 0
    cursor = user.get("cursor", 0)

    async def timed(coro):
        result = await coro
        return result, time.perf_counter()

    for i in range(rounds):
        target = f"/v1/sync/pull?device_id={device_b}&cursor={cursor}&limit=100&wait=30"
        writer_b.write(request_bytes("GET", target, api_key=api_key, token=token))
        pulled = asyncio.ensure_future(timed(read_reply(reader_b)))
        await asyncio.sleep(settle)
        if pulled.done():
            not_held += 1
            (status, body), _ = pulled.result()
            if status == 200:
                cursor = json.loads(body)["cursor"]
            else:
                failures.append(f"pull answered before the push: HTTP {status} {body[:200]!r}")
            continue
        body = json.dumps({"device_id": device_a, "changes": [
            {"change_id": b64url(os.urandom(16)), "payload": b64(os.urandom(240))}]}).encode()
        sent = time.perf_counter()
        writer_a.write(request_bytes("POST", "/v1/sync/push", api_key=api_key, token=token, body=body))
        try:
            status_a, body_a = await asyncio.wait_for(read_reply(reader_a), 30)
            pushed = time.perf_counter()
            (status_b, body_b), woke = await asyncio.wait_for(pulled, 35)
        except Exception as e:  # noqa: BLE001
            failures.append(f"round {i}: {type(e).__name__} {e}")
            break
        if status_a != 200 or status_b != 200:
            failures.append(f"round {i}: push {status_a} {body_a[:120]!r}, pull {status_b} {body_b[:120]!r}")
            continue
        page = json.loads(body_b)
        if len(page["changes"]) != 1:
            failures.append(f"round {i}: the woken pull carried {len(page['changes'])} changes")
        cursor = page["cursor"]
        from_reply.append(woke - pushed)
        from_send.append(woke - sent)
    writer_a.close()
    writer_b.close()
    user["cursor"] = cursor
    return {"rounds": rounds, "measured": len(from_reply), "not_held": not_held, "failures": len(failures),
            "seconds": time.perf_counter() - started,
            "failure_samples": failures[:10],
            "p50_ms": ms(percentile(from_reply, 50)), "p99_ms": ms(percentile(from_reply, 99)),
            "min_ms": ms(min(from_reply) if from_reply else None), "max_ms": ms(max(from_reply) if from_reply else None),
            "from_send_p50_ms": ms(percentile(from_send, 50)), "from_send_p99_ms": ms(percentile(from_send, 99))}


async def sample_while(pid, stop, samples, every=0.5):
    while not stop.is_set():
        samples.append(proc_sample(pid))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass


async def loaded_stage(server, user_status, wake_user, args, holder_started):
    samples = []
    stop = asyncio.Event()
    sampler = asyncio.ensure_future(sample_while(server.pid, stop, samples))
    wake = await wake_rounds(server.port, server.api_key, wake_user, args.wake_rounds, args.settle)
    fresh = await fresh_requests(server.port, server.api_key, user_status["token"], args.fresh, args.parallel)
    stop.set()
    await sampler
    samples.append(proc_sample(server.pid))
    return wake, fresh, samples, time.monotonic() - holder_started


# ---- the holder (a child process: python3 server_load.py --hold, plan on stdin) ----

class Held(asyncio.Protocol):
    """One held connection: `idle` (silent), `slow` (a header byte a second) or `pull` (a live
    pull sent at once, wait=60). Whatever the server does to it before the end is recorded."""

    def __init__(self, kind, stats, request=None, wait=60):
        self.kind, self.stats, self.request, self.wait = kind, stats, request, wait
        self.transport, self.buffer, self.sent = None, b"", 0
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport
        if self.kind == "pull":
            self.send_pull()
        elif self.kind == "slow":
            self.trickle()

    def send_pull(self):
        self.asked = time.monotonic()
        self.transport.write(self.request)

    def trickle(self):
        if not self.closed and self.sent < len(SLOW_HEADER):
            self.transport.write(SLOW_HEADER[self.sent:self.sent + 1])
            self.sent += 1

    def data_received(self, data):
        self.buffer += data
        if self.kind != "pull":
            self.stats["answered"][self.kind] += 1
            self.stats["samples"].append(f"{self.kind}: {self.buffer[:160]!r}")
            return
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            status, length = parse_head(head)
            if len(rest) < length:
                return
            body, self.buffer = rest[:length], rest[length:]
            elapsed = time.monotonic() - self.asked
            if status == 200 and elapsed >= self.wait - 1 and json.loads(body)["changes"] == []:
                self.stats["pulls_expired"] += 1  # the wait ran out, as it should: ask again
                self.send_pull()
            else:
                self.stats["answered"]["pull"] += 1
                self.stats["samples"].append(f"pull after {elapsed:.2f} s: HTTP {status} {body[:160]!r}")

    def connection_lost(self, exc):
        self.closed = True
        self.stats["closed"][self.kind] += 1
        if len(self.stats["samples"]) < 20:
            self.stats["samples"].append(f"{self.kind} closed by the server after "
                                         f"{time.monotonic() - self.stats['t0']:.1f} s ({exc})")


async def hold_main(plan):
    loop = asyncio.get_running_loop()
    stats = {"closed": {"idle": 0, "slow": 0, "pull": 0}, "answered": {"idle": 0, "slow": 0, "pull": 0},
             "connect_errors": 0, "connect_error_samples": [], "pulls_expired": 0, "samples": [],
             "t0": time.monotonic()}
    port, gate = plan["port"], asyncio.Semaphore(plan.get("connect_parallel", 200))
    conns = {"idle": [], "slow": [], "pull": []}

    async def open_one(kind, request=None):
        async with gate:
            try:
                _, proto = await loop.create_connection(lambda: Held(kind, stats, request), HOST, port)
                conns[kind].append(proto)
            except OSError as e:
                stats["connect_errors"] += 1
                if len(stats["connect_error_samples"]) < 5:
                    stats["connect_error_samples"].append(f"{kind}: {e}")

    started = time.monotonic()
    # Pulls first (they hold for 60 s), then the slow and silent ones (closed after the header timeout).
    await asyncio.gather(*(open_one("pull", request_bytes("GET", f"/v1/sync/pull?device_id={d}&cursor=0&limit=100"
                                                          "&wait=60", api_key=plan["api_key"], token=t))
                           for t, d in plan["pulls"]))
    pulls_open = time.monotonic() - started
    await asyncio.gather(*(open_one("slow") for _ in range(plan["slow"])))
    await asyncio.gather(*(open_one("idle") for _ in range(plan["idle"])))
    opened = {kind: len(c) for kind, c in conns.items()}

    stop = asyncio.Event()
    control = sys.stdin.fileno()
    loop.add_reader(control, lambda: (loop.remove_reader(control), stop.set()))
    print(json.dumps({"ready": True, "opened": opened, "open_seconds": time.monotonic() - started,
                      "pulls_open_seconds": pulls_open, "connect_errors": stats["connect_errors"],
                      "connect_error_samples": stats["connect_error_samples"]}), flush=True)

    # A byte a second to every slow connection, spread over the second in 50 slices.
    tick = 0
    while not stop.is_set():
        for proto in conns["slow"][tick % 50::50]:
            proto.trickle()
        tick += 1
        try:
            await asyncio.wait_for(stop.wait(), 0.02)
        except asyncio.TimeoutError:
            pass
    still = {kind: sum(1 for p in c if not p.closed) for kind, c in conns.items()}
    result = {"opened": opened, "still_open": still, "closed": stats["closed"], "answered": stats["answered"],
              "pulls_expired": stats["pulls_expired"], "samples": stats["samples"][:20],
              "held_seconds": time.monotonic() - started}
    for c in conns.values():
        for proto in c:
            if not proto.closed:
                proto.transport.abort()
    print(json.dumps(result), flush=True)


# ---- throughput: server_throughput against the new and the old server ----

def throughput_run(binary, bench, changes, work, tag):
    run_dir = tempfile.mkdtemp(dir=work, prefix=tag + "-")
    server = Server(binary, run_dir, "tp")
    out = os.path.join(run_dir, "client.json")
    try:
        done = subprocess.run([bench, server.url, server.api_key, str(changes), "--json", out],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"server_throughput against {tag} failed: {done.stderr[-1000:]}")
        with open(out) as f:
            result = json.load(f)
        cpu = proc_cpu_seconds(server.pid)
    finally:
        server.stop()
    return result["push_per_s"], result["pull_per_s"], cpu


def throughput(args, work):
    runs = {"new": [], "old": []}
    binaries = {"new": args.server, "old": args.old_server}
    # The server's CPU for a run without changes (start, sign-up with its Argon2id, devices, one
    # pull), taken off each round's so that what is left is per change pushed and pulled.
    setup_cpu = {tag: statistics.median(throughput_run(binaries[tag], args.throughput, 0, work, tag)[2]
                                        for _ in range(3)) for tag in binaries}
    for r in range(args.rounds):
        for tag in (("new", "old") if r % 2 == 0 else ("old", "new")):
            push, pull, cpu = throughput_run(binaries[tag], args.throughput, args.changes, work, tag)
            runs[tag].append({"push_per_s": push, "pull_per_s": pull, "server_cpu_s": cpu,
                              "server_cpu_us_per_change": (cpu - setup_cpu[tag]) / args.changes * 1e6})
            log(f"throughput round {r + 1} {tag}: push {push:,.0f} pull {pull:,.0f} changes/s, server CPU "
                f"{cpu:.2f} s")
    med = {tag: {k: statistics.median(x[k] for x in runs[tag])
                 for k in ("push_per_s", "pull_per_s", "server_cpu_us_per_change")} for tag in runs}
    return {"changes": args.changes, "rounds": args.rounds, "runs": runs, "median": med, "setup_cpu_s": setup_cpu,
            "push_ratio": med["new"]["push_per_s"] / med["old"]["push_per_s"],
            "pull_ratio": med["new"]["pull_per_s"] / med["old"]["pull_per_s"]}


# ---- the report ----

def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.2f} ms" if abs(v) < 10 else f"{v:.1f} ms" if abs(v) < 1000 else f"{v / 1000:.2f} s"


def verdict(ok):
    return "met" if ok else "NOT MET"


def report(res, args):
    load = res["load"]
    holder = load["holder"]
    held_total = sum(holder["opened"].values())
    still_total = sum(holder["still_open"].values())
    wanted = args.idle + args.slow + args.held
    print(f"server under load, one synckit-server (SQLite), {os.cpu_count()} cores, load average "
          f"{res['loadavg_start'][0]:.2f} at the start, {res['loadavg_end'][0]:.2f} at the end")
    print(f"held at once: {holder['opened']['idle']:,} silent + {holder['opened']['slow']:,} slow-header "
          f"(a byte a second) + {holder['opened']['pull']:,} live pulls (wait=60, {args.users} users); "
          f"{still_total:,} of {wanted:,} still open after {load['loaded_seconds']:.1f} s")
    fresh_u, fresh_l = load["unloaded"]["fresh"], load["loaded"]["fresh"]
    wake_u, wake_l = load["unloaded"]["wake"], load["loaded"]["wake"]
    rows = []
    rows.append(("held connections dropped or answered early", "",
                 f"{held_total - still_total + sum(holder['answered'].values()) + (wanted - held_total):,}",
                 "0", verdict(still_total == wanted and not any(holder["answered"].values()))))
    rows.append((f"fresh requests ({fresh_l['requests']:,}, {args.parallel} at once): failures",
                 f"{fresh_u['failures']}", f"{fresh_l['failures']}", "0",
                 verdict(fresh_u["failures"] == 0 and fresh_l["failures"] == 0)))
    rows.append(("  p50 latency", fmt_ms(fresh_u["p50_ms"]), fmt_ms(fresh_l["p50_ms"]), "", ""))
    rows.append(("  p99 latency", fmt_ms(fresh_u["p99_ms"]), fmt_ms(fresh_l["p99_ms"]), "< 100 ms",
                 verdict(fresh_l["p99_ms"] is not None and fresh_l["p99_ms"] < 100)))
    rows.append((f"wake, push reply to pull reply ({wake_l['measured']} rounds): p50",
                 fmt_ms(wake_u["p50_ms"]), fmt_ms(wake_l["p50_ms"]), "< 20 ms",
                 verdict(all(w["p50_ms"] is not None and w["p50_ms"] < 20 for w in (wake_u, wake_l)))))
    rows.append(("  p99", fmt_ms(wake_u["p99_ms"]), fmt_ms(wake_l["p99_ms"]), "< 100 ms",
                 verdict(all(w["p99_ms"] is not None and w["p99_ms"] < 100 for w in (wake_u, wake_l)))))
    rows.append(("  failures, pulls not held at the push", f"{wake_u['failures']}, {wake_u['not_held']}",
                 f"{wake_l['failures']}, {wake_l['not_held']}", "0",
                 verdict(wake_u["failures"] == 0 and wake_l["failures"] == 0)))
    rows.append(("  p50 / p99 from the push sent", f"{fmt_ms(wake_u['from_send_p50_ms'])} / {fmt_ms(wake_u['from_send_p99_ms'])}",
                 f"{fmt_ms(wake_l['from_send_p50_ms'])} / {fmt_ms(wake_l['from_send_p99_ms'])}", "", ""))
    before, peak = load["before"], load["loaded_peak"]
    per_conn = (peak["rss_kib"] - before["rss_kib"]) / max(1, held_total)
    rows.append(("server RSS (VmRSS)", f"{before['rss_kib'] / 1024:.1f} MiB",
                 f"{peak['rss_kib'] / 1024:.1f} MiB", "", f"{per_conn:.1f} KiB per held connection"))
    rows.append(("server threads / open fds", f"{before['threads']} / {before['fds']:,}",
                 f"{peak['threads']} / {peak['fds']:,}", "", ""))
    after = load["after"]
    rows.append(("  1 s after the holder closed its connections", "", f"{after['rss_kib'] / 1024:.1f} MiB", "",
                 f"{after['fds']:,} fds open"))
    print(f"{'figure':<50} {'unloaded':>19} {'loaded':>19} {'target':>9}  ")
    for name, u, l, target, note in rows:
        print(f"{name:<50} {u:>19} {l:>19} {target:>9}  {note}")
    if holder["samples"]:
        print("holder saw:", *holder["samples"][:5], sep="\n  ")
    for stage in ("unloaded", "loaded"):
        for part in ("fresh", "wake"):
            for sample in load[stage][part]["failure_samples"][:3]:
                print(f"{stage} {part} failure: {sample}")
    during = {k: v for k, v in load["server_log_loaded"]["statuses"].items() if not k.startswith("2")}
    after = {k: v - load["server_log_loaded"]["statuses"].get(k, 0)
             for k, v in load["server_log"]["statuses"].items() if not k.startswith("2")}
    after = {k: v for k, v in after.items() if v}
    print(f"server log: replies other than 2xx until the holder let go: {during or 'none'}; "
          f"after (its connections closing): {after or 'none'}; exit status {load['server_exit']}")
    for line in load["server_log"]["other_lines"]:
        if "stopped" not in line:
            print("  " + line)
    if load["loaded_seconds"] > HEADER_TIMEOUT - 2:
        print(f"note: the loaded stage took {load['loaded_seconds']:.1f} s; silent and slow connections are "
              f"closed after --header-timeout {HEADER_TIMEOUT} s by design")
    tp = res.get("throughput")
    if tp:
        print()
        print(f"throughput against the last cpp-httplib server (bcfc582), server_throughput {tp['changes']:,} "
              f"changes, {tp['rounds']} alternating rounds each, medians (changes/s)")
        print(f"{'operation':<34} {'new':>10} {'bcfc582':>10} {'new/old':>8} {'target':>8}")
        for op, key, ratio in (("push, 500-change batches", "push_per_s", tp["push_ratio"]),
                               ("pull, limit 1000", "pull_per_s", tp["pull_ratio"])):
            print(f"{op:<34} {tp['median']['new'][key]:>10,.0f} {tp['median']['old'][key]:>10,.0f} "
                  f"{ratio:>7.2f}x {'>= 0.9x':>8}  {verdict(ratio >= 0.9)}")
        cpu = {tag: tp["median"][tag]["server_cpu_us_per_change"] for tag in ("new", "old")}
        print(f"{'server CPU per change pushed+pulled':<34} {cpu['new']:>10.1f} {cpu['old']:>10.1f} "
              f"{cpu['new'] / cpu['old']:>7.2f}x  (µs, all threads, less a run of 0 changes)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--server", help="the synckit-server under test")
    parser.add_argument("--old-server", help="the cpp-httplib synckit-server (bcfc582) for the throughput ratio")
    parser.add_argument("--throughput", help="bench/server_throughput")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--idle", type=int, default=10000)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--held", type=int, default=1000, help="held live pulls")
    parser.add_argument("--users", type=int, default=20, help="users the held pulls are spread over")
    parser.add_argument("--fresh", type=int, default=2000, help="fresh health and as many status requests")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--wake-rounds", type=int, default=200)
    parser.add_argument("--settle", type=float, default=0.03, help="seconds a pull waits before the push")
    parser.add_argument("--changes", type=int, default=100000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.hold:
        asyncio.run(hold_main(json.loads(sys.stdin.readline())))
        return
    if not args.server:
        parser.error("--server is required")
    if bool(args.old_server) != bool(args.throughput):
        parser.error("--old-server and --throughput go together")

    raise_nofile(args.idle + args.slow + args.held + 256)
    res = {"cores": os.cpu_count(), "loadavg_start": os.getloadavg(),
           "counts": {k: getattr(args, k) for k in ("idle", "slow", "held", "users", "fresh", "parallel",
                                                    "wake_rounds", "settle")}}
    with tempfile.TemporaryDirectory(prefix="synckit-load-") as work:
        server = Server(args.server, work, "load",
                        ["--auth-rate-limit", "0", "--max-connections", "20000",
                         "--max-connections-per-address", "20000", "--header-timeout", str(HEADER_TIMEOUT)])
        try:
            load = {"started": proc_sample(server.pid)}
            per_user = -(-args.held // args.users)
            users = [register(server.port, server.api_key, f"held{u}", min(per_user, args.held - u * per_user))
                     for u in range(args.users) if args.held - u * per_user > 0]
            pulls = [(u["token"], d) for u in users for d in u["devices"]]
            wake_user = register(server.port, server.api_key, "wake", 2)
            status_user = users[0]
            log(f"registered {len(users) + 1} users, {len(pulls)} devices for held pulls")

            async def unloaded():
                wake = await wake_rounds(server.port, server.api_key, wake_user, args.wake_rounds, args.settle)
                fresh = await fresh_requests(server.port, server.api_key, status_user["token"], args.fresh,
                                             args.parallel)
                return {"wake": wake, "fresh": fresh}
            load["unloaded"] = asyncio.run(unloaded())
            log(f"unloaded: fresh p99 {fmt_ms(load['unloaded']['fresh']['p99_ms'])}, "
                f"wake p50 {fmt_ms(load['unloaded']['wake']['p50_ms'])}")
            time.sleep(0.5)
            load["before"] = proc_sample(server.pid)

            holder = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--hold"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)
            holder.stdin.write(json.dumps({"port": server.port, "api_key": server.api_key, "pulls": pulls,
                                           "slow": args.slow, "idle": args.idle}) + "\n")
            holder.stdin.flush()
            holder_started = time.monotonic()
            ready = json.loads(holder.stdout.readline())
            log(f"holder: {ready['opened']} open in {ready['open_seconds']:.1f} s "
                f"({ready['connect_errors']} connect errors)")
            time.sleep(1.0)  # the last pulls reach their hold
            load["loaded_start"] = proc_sample(server.pid)
            wake, fresh, samples, loaded_seconds = asyncio.run(
                loaded_stage(server, status_user, wake_user, args, holder_started))
            load["server_log_loaded"] = server.log_summary()  # before the holder lets go
            holder.stdin.write("stop\n")
            holder.stdin.flush()
            held = json.loads(holder.stdout.readline())
            holder.wait(30)
            held["ready"] = ready
            samples.append(load["loaded_start"])
            load.update({"loaded": {"wake": wake, "fresh": fresh}, "holder": held, "loaded_seconds": loaded_seconds,
                         "loaded_samples": len(samples),
                         "loaded_peak": max(samples, key=lambda s: s["rss_kib"]) | {
                             "threads": max(s["threads"] for s in samples), "fds": max(s["fds"] for s in samples)}})
            time.sleep(1.0)
            load["after"] = proc_sample(server.pid)
        finally:
            rc = server.stop()
        load["server_exit"] = rc
        load["server_log"] = server.log_summary()
        res["load"] = load
        if args.old_server:
            res["throughput"] = throughput(args, work)
    res["loadavg_end"] = os.getloadavg()
    report(res, args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
