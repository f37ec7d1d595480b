#!/usr/bin/python3
"""A hostile SyncKit server for client tests: a tampering reverse proxy in front of a real
synckit-server. Python standard library only, so any client test (native, JavaScript) can start it.

    /usr/bin/python3 tests/hostile/hostile_server.py --upstream http://127.0.0.1:PORT [--listen 127.0.0.1:0]

It prints one line on stdout once it listens, then serves until killed (SIGTERM/SIGKILL):

    hostile listening on http://127.0.0.1:NNNNN

Every request is forwarded to the upstream server unchanged (so sign-up, sign-in, envelopes, pushes
and pulls really work) and the reply is passed back unchanged, unless a misbehaviour ("scenario")
is armed for it. Arming, two ways:

1. Control endpoint (any client, any language; the native tests use this):
       POST /__hostile/scenario  {"scenario": NAME, "match": "/v1/sync/pull", "method": "GET",
                                  "times": 1, ...scenario parameters}
   arms NAME for the next `times` requests (0 = every one until reset) whose path starts with
   `match` (default "/v1/") and, when given, whose method is `method`. Several rules may be armed;
   the first armed rule that matches a request applies (and is used up). Replies 200 {"armed": id}.
       POST /__hostile/reset     disarms everything and forgets what was recorded (200 {}).
       GET  /__hostile/stats     200 {"applied": {NAME: count}, "redirect_hits": n, "forwarded": n}
   /__hostile/* is never forwarded.
2. Per request header (for clients that can set headers, e.g. a fetch in a JS test):
       X-Hostile-Scenario: NAME      (parameters then take their defaults)
   The header is stripped before forwarding and wins over armed rules.

Scenarios (the reply the client gets instead of the upstream one):
  garbage_json        200, application/json, a body that is not JSON.
  wrong_types         the upstream JSON with each top-level value swapped to another type
                      (numbers -> strings, strings -> numbers, booleans -> strings, arrays/objects ->
                      numbers); on a non-JSON reply, like garbage_json.
  huge_body           200, application/json, `size` (default 96 MiB) bytes of JSON whitespace after
                      "[", streamed until the client hangs up; announced in Content-Length, or with
                      "declare_length": false, not announced (the body ends when the connection does).
  truncated_body      the upstream status and headers, Content-Length larger than the body, half of
                      the body sent, then the connection closed.
  html_error          `status` (default 502), text/html, an nginx-style error page.
  html_ok             200 but text/html with an HTML page as the body.
  wrong_content_type  the upstream reply, byte for byte, with Content-Type: text/html.
  redirect            `status` (default 302) with Location to this proxy's /__hostile/redirect-target
                      (counted in stats as redirect_hits: a client that follows redirects shows up).
  slow_drip           the upstream status and headers, then the body one byte every `interval`
                      seconds (default 1.0), for at most `limit` seconds (default 120), then close.
  reset_mid_body      the upstream headers, half of the body, then a TCP reset (SO_LINGER 0).
  static              `status` (default 200), `content_type` (default application/json), `body`:
                      anything the test provides, e.g. another user's key envelope reply.
  move_payload        (pull replies) the first change's payload moved to the second change's id
                      and the other way round; with one change, its change_id replaced by a new id.
  replay_old          (pull replies) every change this proxy saw in earlier pull replies is put
                      back in front of the reply's changes, with their old seq numbers.
  replay_renumbered   (pull replies) the earlier changes put back with new seq numbers after the
                      reply's own (an authentic change delivered twice, under its own change id).
  cursor_backwards    (pull replies) the reply's cursor set to the asked cursor minus `by`
                      (default 1), at least -1.
  Blob reads (GET /v1/blobs/ID, 200 or 206; arm with times 0 to hit every range of a download).
  Offsets are within the whole blob; a range that does not hold them passes unchanged:
  blob_flip           the byte at `offset` (default 24 + 3 * 65553 + 5: inside chunk 3) flipped.
  blob_swap_chunks    stream chunks `a` and `b` (default 1 and 2, 65553 bytes each after the
                      24-byte header) swapped, where the reply holds both.
  blob_shorten        the blob made `by` bytes shorter (default 17: the FINAL chunk of a stream of
                      whole chunks): Content-Range's size lowered, the bytes past it cut, so the
                      reply is consistent and the blob simply ends early.
  blob_shift_range    Content-Range's first and last moved on by `by` (default 1) bytes: other bytes
                      than the client asked for.
  blob_format         X-SyncKit-Blob-Format set to `format` (default "sealed-v1").
"""

import argparse
import http.client
import http.server
import json
import socket
import socketserver
import struct
import sys
import threading
import time
import urllib.parse

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "host"}


class State:
    def __init__(self, upstream):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.lock = threading.Lock()
        self.rules = []  # dicts: id, scenario, match, method, times (remaining; 0 = unlimited), params
        self.next_id = 1
        self.applied = {}
        self.redirect_hits = 0
        self.forwarded = 0
        self.seen_changes = []  # every change of every pull reply, in order

    def arm(self, spec):
        with self.lock:
            rule = dict(spec)
            rule["id"] = self.next_id
            rule.setdefault("match", "/v1/")
            rule.setdefault("times", 1)
            self.next_id += 1
            self.rules.append(rule)
            return rule["id"]

    def reset(self):
        with self.lock:
            self.rules = []
            self.applied = {}
            self.redirect_hits = 0
            self.forwarded = 0
            self.seen_changes = []

    def take(self, method, path):
        with self.lock:
            for rule in self.rules:
                if not path.startswith(rule["match"]):
                    continue
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule["times"] > 0:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self.rules.remove(rule)
                return dict(rule)
        return None

    def count(self, name):
        with self.lock:
            self.applied[name] = self.applied.get(name, 0) + 1


GARBAGE = b'{"cursor": 12, "changes": [ {"change_id": ,,, }\x00\xff not json at all {{{'
HTML_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
             b"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


def swap_types(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return 12345
    if value is None:
        return "null"
    return 7  # arrays and objects


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hostile/1"

    def log_message(self, fmt, *args):  # quiet: the test prints what it needs
        pass

    # Every method goes through one place.
    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_HEAD = do_GET

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def handle_any(self):
        state = self.server.state
        path = self.path
        body = self.read_body()
        if path.startswith("/__hostile/"):
            return self.control(state, path, body)
        header_scenario = self.headers.get("X-Hostile-Scenario")
        if header_scenario:
            rule = {"scenario": header_scenario}
        else:
            rule = state.take(self.command, urllib.parse.urlsplit(path).path)
        status, headers, reply = self.forward(state, body)
        if rule is None:
            if path.startswith("/v1/sync/pull") and status == 200:
                self.record_pull(state, reply)
            return self.send(status, headers, reply)
        state.count(rule["scenario"])
        return self.misbehave(state, rule, status, headers, reply)

    # --- the control endpoint ---
    def control(self, state, path, body):
        if path == "/__hostile/scenario" and self.command == "POST":
            try:
                spec = json.loads(body or b"{}")
                if not isinstance(spec, dict) or not isinstance(spec.get("scenario"), str):
                    raise ValueError("scenario missing")
            except ValueError as e:
                return self.send_json(400, {"error": {"code": "invalid_request", "message": str(e)}})
            return self.send_json(200, {"armed": state.arm(spec)})
        if path == "/__hostile/reset" and self.command == "POST":
            state.reset()
            return self.send_json(200, {})
        if path == "/__hostile/stats" and self.command == "GET":
            with state.lock:
                stats = {"applied": dict(state.applied), "redirect_hits": state.redirect_hits,
                         "forwarded": state.forwarded}
            return self.send_json(200, stats)
        if path.startswith("/__hostile/redirect-target"):
            with state.lock:
                state.redirect_hits += 1
            return self.send_json(200, {"cursor": 0, "changes": [], "has_more": False})
        return self.send_json(404, {"error": {"code": "not_found", "message": "no such control endpoint"}})

    # --- forwarding ---
    def forward(self, state, body):
        up = state.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "x-hostile-scenario"}
        headers["Host"] = f"{up.hostname}:{up.port}"
        try:
            conn.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT") else None,
                         headers=headers)
            resp = conn.getresponse()
            reply = resp.read()
            out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP]
            with state.lock:
                state.forwarded += 1
            return resp.status, out_headers, reply
        except OSError:
            return 502, [("Content-Type", "text/html")], HTML_PAGE
        finally:
            conn.close()

    def record_pull(self, state, reply):
        try:
            doc = json.loads(reply)
            with state.lock:
                state.seen_changes.extend(doc.get("changes", []))
        except (ValueError, AttributeError):
            pass

    # --- replies ---
    def start_reply(self, status, headers, length):
        """Status line and headers, with Content-Length `length` (whatever the body will be)."""
        self.send_response(status)
        for k, v in headers:
            if k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def send(self, status, headers, body):
        self.start_reply(status, headers, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, status, doc):
        self.send(status, [("Content-Type", "application/json")], json.dumps(doc).encode())

    def hang_up(self, reset=False):
        self.wfile.flush()
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR) if not reset else None
        except OSError:
            pass
        self.connection.close()

    def misbehave(self, state, rule, status, headers, reply):
        name = rule["scenario"]
        json_type = [("Content-Type", "application/json")]
        if name == "garbage_json":
            return self.send(200, json_type, GARBAGE)
        if name == "wrong_types":
            try:
                doc = json.loads(reply)
            except ValueError:
                return self.send(200, json_type, GARBAGE)
            if isinstance(doc, dict):
                doc = {k: swap_types(v) for k, v in doc.items()}
            else:
                doc = swap_types(doc)
            return self.send(status, json_type, json.dumps(doc).encode())
        if name == "huge_body":
            size = int(rule.get("size", 96 * 1024 * 1024))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if rule.get("declare_length", True):
                self.send_header("Content-Length", str(size))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            chunk = b" " * 65536
            sent = 0
            try:
                self.wfile.write(b"[")
                sent = 1
                while sent < size:
                    piece = chunk[: min(len(chunk), size - sent)]
                    self.wfile.write(piece)
                    sent += len(piece)
            except OSError:
                pass
            return self.hang_up()
        if name == "truncated_body":
            self.start_reply(status, headers, len(reply) + 1000)
            self.wfile.write(reply[: len(reply) // 2])
            return self.hang_up()
        if name == "html_error":
            return self.send(int(rule.get("status", 502)), [("Content-Type", "text/html")], HTML_PAGE)
        if name == "html_ok":
            return self.send(200, [("Content-Type", "text/html; charset=utf-8")],
                             b"<!doctype html><html><body><h1>Welcome</h1><p>Sign in</p></body></html>")
        if name == "wrong_content_type":
            kept = [(k, v) for k, v in headers if k.lower() != "content-type"]
            return self.send(status, kept + [("Content-Type", "text/html")], reply)
        if name == "redirect":
            host, port = self.server.server_address[:2]
            location = f"http://{host}:{port}/__hostile/redirect-target{self.path}"
            return self.send(int(rule.get("status", 302)), [("Location", location),
                                                            ("Content-Type", "text/html")], b"<a>moved</a>")
        if name == "slow_drip":
            interval = float(rule.get("interval", 1.0))
            limit = float(rule.get("limit", 120))
            self.start_reply(status, headers, len(reply))
            started = time.monotonic()
            try:
                self.wfile.flush()
                for i in range(len(reply)):
                    if time.monotonic() - started > limit:
                        break
                    time.sleep(interval)
                    self.wfile.write(reply[i:i + 1])
                    self.wfile.flush()
            except OSError:
                pass
            return self.hang_up()
        if name == "reset_mid_body":
            self.start_reply(status, headers, len(reply))
            self.wfile.write(reply[: len(reply) // 2])
            return self.hang_up(reset=True)
        if name.startswith("blob_"):
            return self.blob_misbehave(rule, status, headers, reply)
        if name == "static":
            body = rule.get("body", "")
            body = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            return self.send(int(rule.get("status", 200)),
                             [("Content-Type", rule.get("content_type", "application/json"))], body)
        if name in ("move_payload", "replay_old", "replay_renumbered", "cursor_backwards"):
            try:
                doc = json.loads(reply)
                changes = doc["changes"]
            except (ValueError, KeyError, TypeError):
                return self.send(status, headers, reply)
            if name == "move_payload":
                if len(changes) >= 2:
                    changes[0]["payload"], changes[1]["payload"] = changes[1]["payload"], changes[0]["payload"]
                elif changes:
                    changes[0]["change_id"] = "moved" + changes[0]["change_id"][5:]
            elif name == "replay_old":
                with state.lock:
                    old = [dict(c) for c in state.seen_changes]
                doc["changes"] = old + changes
            elif name == "replay_renumbered":
                with state.lock:
                    old = [dict(c) for c in state.seen_changes]
                top = max([c["seq"] for c in changes] + [doc["cursor"]])
                for i, c in enumerate(old):
                    c["seq"] = top + 1 + i
                doc["changes"] = changes + old
                if old:
                    doc["cursor"] = old[-1]["seq"]
            else:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                asked = int(query.get("cursor", ["0"])[0])
                doc["cursor"] = max(asked - int(rule.get("by", 1)), -1)
            return self.send(status, json_type, json.dumps(doc).encode())
        return self.send(500, json_type, b'{"error":{"code":"internal","message":"unknown hostile scenario"}}')


def content_range(headers, body):
    """(first, last, size) of a blob reply: its Content-Range, or the whole body for a 200."""
    for k, v in headers:
        if k.lower() == "content-range" and v.startswith("bytes "):
            span, size = v[6:].split("/")
            first, last = span.split("-")
            return int(first), int(last), int(size)
    return 0, len(body) - 1, len(body)


def with_header(headers, name, value):
    return [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]


def blob_misbehave(self, rule, status, headers, reply):
    name = rule["scenario"]
    if status not in (200, 206):
        return self.send(status, headers, reply)
    first, last, size = content_range(headers, reply)
    body = bytearray(reply)
    if name == "blob_flip":
        at = int(rule.get("offset", 24 + 3 * 65553 + 5)) - first
        if 0 <= at < len(body):
            body[at] ^= 0x01
    elif name == "blob_swap_chunks":
        a, b = sorted((int(rule.get("a", 1)), int(rule.get("b", 2))))
        sa, sb = 24 + a * 65553 - first, 24 + b * 65553 - first
        if sa >= 0 and sb + 65553 <= len(body):
            chunk_a, chunk_b = bytes(body[sa:sa + 65553]), bytes(body[sb:sb + 65553])
            body[sa:sa + 65553], body[sb:sb + 65553] = chunk_b, chunk_a
    elif name == "blob_shorten":
        size -= int(rule.get("by", 17))
        last = min(last, size - 1)
        del body[max(0, last - first + 1):]
        if status == 206 or first > 0:
            headers = with_header(headers, "Content-Range", f"bytes {first}-{last}/{size}")
    elif name == "blob_shift_range":
        by = int(rule.get("by", 1))
        headers = with_header(headers, "Content-Range", f"bytes {first + by}-{last + by}/{size + by}")
        status = 206
    elif name == "blob_format":
        headers = with_header(headers, "X-SyncKit-Blob-Format", rule.get("format", "sealed-v1"))
    return self.send(status, headers, bytes(body))


Handler.blob_misbehave = blob_misbehave


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="the real server, http://127.0.0.1:PORT")
    parser.add_argument("--listen", default="127.0.0.1:0")
    args = parser.parse_args()
    host, port = args.listen.rsplit(":", 1)
    server = Server((host, int(port)), Handler)
    server.state = State(args.upstream)
    print(f"hostile listening on http://{server.server_address[0]}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
