"""Interoperability of SyncKit's `synckit-format` tool with the independent Python implementation.

    /usr/bin/python3 tests/interop/pynacl_interop.py --tool build/tools/synckit-format/synckit-format

SyncKit must open what PyNaCl (tests/vectors/synckit_format.py) writes, and the other way round:
key envelopes, sealed changes, sealed blobs (both forms: single-shot and streamed) and recovery
envelopes (with recovery codes both ways).
It must also refuse bad input with exit status 2 and a one-line message that never holds a
password, a key or a recovery code, and exit 1 on usage errors. The recovery vectors
(tests/vectors/recovery.json) are also recomputed here from the recovery key alone, with
base64.b32encode, hashlib.blake2b and PyNaCl, and checked through the tool.

Key files always hold the base64 master key; the tool derives the change and blob keys from it.
Prints "ok - ..." / "not ok - ..." per check, then "N passed, M failed"; exits 1 if any failed.
"""

import argparse
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
import synckit_format as fmt  # noqa: E402
from nacl import bindings  # noqa: E402

TIMEOUT_SECONDS = 120
PASSWORD = "pässwörd ✓ interop"
WRONG_PASSWORD = "pässwörd ✗ interop"
CHEAP = {"opslimit": 2, "memlimit": 16777216}

ENTRIES = {
    "insert, object data": {"table": "todos", "op": "insert", "row_id": "row-1",
                            "timestamp": "2026-11-25T16:30:59.123Z",
                            "data": {"title": "Milk", "done": False, "qty": 2}},
    "update, nested non-ASCII data": {"table": "recettes", "op": "update", "row_id": "crème",
                                      "timestamp": "2026-11-25T16:31:00.000Z",
                                      "data": {"title": "Crème brûlée ✓",
                                               "tags": ["日本語", {"n": [1, 2.5, None]}]}},
    "delete, null data": {"table": "todos", "op": "delete", "row_id": "row-1",
                          "timestamp": "2026-11-25T16:32:01.999Z", "data": None},
    "128-byte table, 256-byte row id": {"table": "t" * 128, "op": "insert", "row_id": "é" * 128,
                                        "timestamp": "2026-01-01T00:00:00.000Z", "data": "text"},
}
BLOB_SIZES = {"empty": 0, "small": 13, "100 KiB": 100 * 1024}
STREAM_SIZES = {"empty": 0, "small": 13, "64 KiB": 65536, "300 KiB + 1": 300 * 1024 + 1}
VECTORS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors")


class CheckFailed(Exception):
    """A check's expectation did not hold; the message says which."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Tool:
    """Runs synckit-format in a scratch directory and keeps every stderr it printed."""

    def __init__(self, path, directory):
        self.path = path
        self.directory = directory
        self.stderr_seen = []
        self.file_count = 0

    def run(self, *args, stdin=b""):
        """Runs the tool; returns the CompletedProcess (bytes stdout/stderr)."""
        result = subprocess.run([self.path, *args], input=stdin, capture_output=True,
                                timeout=TIMEOUT_SECONDS, cwd=self.directory)
        self.stderr_seen.append(result.stderr)
        return result

    def run_ok(self, *args, stdin=b""):
        """Runs the tool and requires exit status 0; returns stdout."""
        result = self.run(*args, stdin=stdin)
        expect(result.returncode == 0,
               f"{args[0]} exited {result.returncode}: {result.stderr.decode('utf-8', 'replace').strip()}")
        return result.stdout

    def file(self, content):
        """Writes `content` (bytes) to a new file in the scratch directory; returns its path."""
        self.file_count += 1
        path = os.path.join(self.directory, f"input-{self.file_count}")
        with open(path, "wb") as out:
            out.write(content)
        return path

    def key_file(self, master_key):
        return self.file((fmt.b64encode(master_key) + "\n").encode("ascii"))

    def password_file(self, password):
        return self.file(password.encode("utf-8"))  # no trailing newline

    def code_file(self, code):
        return self.file((code + "\n").encode("utf-8"))


def expect_error(result, status=2):
    """The tool failed with `status`, wrote nothing to stdout and one line to stderr."""
    expect(result.returncode == status, f"exit status {result.returncode}, expected {status}")
    expect(result.stdout == b"", "wrote to stdout on failure")
    lines = result.stderr.decode("utf-8", "replace").rstrip("\n").split("\n")
    expect(len(lines) == 1 and lines[0].strip(), f"stderr is {len(lines)} lines, expected one")
    return lines[0]


def decode_b64_output(stdout):
    return fmt.b64decode(stdout.decode("ascii").strip())


def random_id():
    """A random 128-bit id in base64url without padding (22 characters), as clients make them."""
    return base64.urlsafe_b64encode(os.urandom(16)).decode("ascii").rstrip("=")


def flip_byte(data, index):
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1:]


def load_recovery_vectors():
    with open(os.path.join(VECTORS_DIR, "recovery.json"), encoding="utf-8") as vectors:
        return json.load(vectors, object_pairs_hook=dict)


def kdf_from_first_principles(key, subkey_id, context):
    """crypto_kdf_derive_from_key as BLAKE2b-256 keyed with `key`, empty message, salt = subkey_id
    (8 bytes little-endian) and 8 zero bytes, person = the 8-byte context and 8 zero bytes. Written
    out here again so this check does not lean on synckit_format.py."""
    return hashlib.blake2b(b"", digest_size=32, key=key,
                           salt=subkey_id.to_bytes(8, "little") + bytes(8),
                           person=context + bytes(8)).digest()


def recovery_code_from_first_principles(recovery_key):
    """"SKR1-" + base32(RK || BLAKE2b-256(RK)[:3]) in groups of 4, joined by "-"."""
    checksum = hashlib.blake2b(recovery_key, digest_size=32).digest()[:3]
    body = base64.b32encode(recovery_key + checksum).decode("ascii")
    return "SKR1-" + "-".join(body[i:i + 4] for i in range(0, len(body), 4))


def code_pieces(code):
    """The code, its body without dashes and 8-character slices of it: none may reach stderr."""
    bare = code.replace("-", "")[4:]
    return [code, bare] + [bare[i:i + 8] for i in range(0, len(bare), 8)]


# --- the checks: each returns normally or raises ----------------------------------------------

def build_checks(tool):
    """[(name, function)] in the order they run."""
    master_key = os.urandom(32)
    other_key = os.urandom(32)
    key_path = tool.key_file(master_key)
    other_key_path = tool.key_file(other_key)
    password_path = tool.password_file(PASSWORD)
    wrong_password_path = tool.password_file(WRONG_PASSWORD)
    change_key = fmt.change_key(master_key)
    blob_key = fmt.blob_key(master_key)
    checks = []

    def add(name):
        def register(function):
            checks.append((name, function))
            return function
        return register

    def synckit_wrap():
        out = tool.run_ok("wrap", "--key-file", key_path, "--password-file", password_path)
        return out, json.loads(out.decode("utf-8"), object_pairs_hook=list)

    @add("SyncKit wrap -> Python unwrap gives the same master key")
    def _():
        out, _ = synckit_wrap()
        expect(fmt.unwrap(json.loads(out), PASSWORD) == master_key, "different master key")

    @add("SyncKit envelope has exactly the spec's fields, in the spec's order")
    def _():
        _, pairs = synckit_wrap()
        names = [name for name, _ in pairs]
        expect(names == ["version", "kdf", "opslimit", "memlimit", "salt", "nonce", "ciphertext"],
               f"fields {names}")

    @add("SyncKit wrap uses the default cost and a new salt and nonce each time")
    def _():
        first, second = (dict(synckit_wrap()[1]) for _ in range(2))
        expect((first["version"], first["kdf"]) == (1, "argon2id13"), "version or kdf")
        expect((first["opslimit"], first["memlimit"]) == (3, 67108864), "not the default cost")
        expect(first["salt"] != second["salt"] and first["nonce"] != second["nonce"],
               "salt or nonce reused")

    for label, cost in (("default cost", {}), ("opslimit 2, memlimit 16 MiB", CHEAP)):
        @add(f"Python wrap ({label}) -> SyncKit unwrap gives the same master key")
        def _(cost=cost):
            envelope = fmt.wrap(master_key, PASSWORD, os.urandom(16), os.urandom(24), **cost)
            out = tool.run_ok("unwrap", "--password-file", password_path,
                              stdin=fmt.envelope_json(envelope).encode("utf-8"))
            expect(out == (fmt.b64encode(master_key) + "\n").encode("ascii"),
                   "stdout is not the base64 master key and a newline")

    for label, entry in ENTRIES.items():
        @add(f"SyncKit seal-change -> Python open-change ({label})")
        def _(entry=entry):
            change_id = "c_interop_1"
            out = tool.run_ok("seal-change", "--key-file", key_path, "--change-id", change_id,
                              stdin=json.dumps(entry).encode("utf-8"))
            sealed = decode_b64_output(out)
            expect(fmt.open_change(change_key, change_id, sealed) == entry, "different fields")
            plaintext = fmt.decrypt_change(change_key, change_id, sealed)
            expect(plaintext == fmt.change_plaintext(**entry),
                   "plaintext is not the canonical form (key order, no whitespace)")

        @add(f"Python seal-change -> SyncKit open-change ({label})")
        def _(entry=entry):
            change_id = random_id()
            sealed = fmt.seal_change(change_key, change_id, fmt.change_plaintext(**entry),
                                     os.urandom(24))
            out = tool.run_ok("open-change", "--key-file", key_path, "--change-id", change_id,
                              stdin=(fmt.b64encode(sealed) + "\n").encode("ascii"))
            expect(json.loads(out.decode("utf-8")) == entry, "different JSON")

    @add("SyncKit open-change accepts keys in another order and ignores unknown keys")
    def _():
        entry = ENTRIES["insert, object data"]
        text = json.dumps({"future": [1], "data": entry["data"], "timestamp": entry["timestamp"],
                           "row_id": entry["row_id"], "op": entry["op"], "table": entry["table"]})
        sealed = fmt.seal_change(change_key, "c_order", text.encode("utf-8"), os.urandom(24))
        out = tool.run_ok("open-change", "--key-file", key_path, "--change-id", "c_order",
                          stdin=fmt.b64encode(sealed).encode("ascii"))
        opened = json.loads(out.decode("utf-8"))
        expect({name: opened.get(name) for name in entry} == entry, "different fields")

    for label, size in BLOB_SIZES.items():
        @add(f"SyncKit seal-blob -> Python open-blob ({label})")
        def _(size=size):
            plain = os.urandom(size)
            sealed = tool.run_ok("seal-blob", "--key-file", key_path, "--blob-id", "b_interop",
                                 stdin=plain)
            expect(len(sealed) == size + 40, f"sealed is {len(sealed)} bytes, expected {size + 40}")
            expect(fmt.open_blob(blob_key, "b_interop", sealed) == plain, "different bytes")

        @add(f"Python seal-blob -> SyncKit open-blob ({label})")
        def _(size=size):
            plain = os.urandom(size)
            sealed = fmt.seal_blob(blob_key, "b_interop", plain, os.urandom(24))
            out = tool.run_ok("open-blob", "--key-file", key_path, "--blob-id", "b_interop",
                              stdin=sealed)
            expect(out == plain, "different bytes")

    for label, size in STREAM_SIZES.items():
        @add(f"SyncKit seal-blob-stream -> Python open (streamed, {label})")
        def _(size=size):
            plain = os.urandom(size)
            sealed = tool.run_ok("seal-blob-stream", "--key-file", key_path, "--blob-id", "s_interop",
                                 stdin=plain)
            expect(len(sealed) == fmt.stream_sealed_size(size),
                   f"sealed is {len(sealed)} bytes, expected {fmt.stream_sealed_size(size)}")
            expect(fmt.open_blob_stream(blob_key, "s_interop", sealed) == plain, "different bytes")

        @add(f"Python seal (streamed, {label}) -> SyncKit open-blob-stream")
        def _(size=size):
            plain = os.urandom(size)
            sealed = fmt.seal_blob_stream(blob_key, "s_interop", plain, os.urandom(24))
            path = os.path.join(tool.directory, f"opened-{size}")
            tool.run_ok("open-blob-stream", "--key-file", key_path, "--blob-id", "s_interop",
                        "--out", path, stdin=sealed)
            with open(path, "rb") as opened:
                expect(opened.read() == plain, "different bytes")

    # --- refusals ---

    @add("SyncKit unwrap with the wrong password: exit 2, one line saying \"wrong password\"")
    def _():
        envelope = fmt.wrap(master_key, PASSWORD, os.urandom(16), os.urandom(24), **CHEAP)
        result = tool.run("unwrap", "--password-file", wrong_password_path,
                          stdin=fmt.envelope_json(envelope).encode("utf-8"))
        line = expect_error(result)
        expect("wrong password" in line.lower(), f"message {line!r}")

    @add("SyncKit unwrap refuses envelopes outside the format (exit 2)")
    def _():
        base = fmt.wrap(master_key, PASSWORD, os.urandom(16), os.urandom(24), **CHEAP)
        variants = {
            "version 2": {"version": 2},
            "kdf argon2i13": {"kdf": "argon2i13"},
            "opslimit 1": {"opslimit": 1},
            "opslimit 17": {"opslimit": 17},
            "memlimit 16 MiB - 1": {"memlimit": 16777215},
            "memlimit 1 GiB + 1": {"memlimit": 1073741825},
            "15-byte salt": {"salt": fmt.b64encode(os.urandom(15))},
            "23-byte nonce": {"nonce": fmt.b64encode(os.urandom(23))},
            "47-byte ciphertext": {"ciphertext": fmt.b64encode(os.urandom(47))},
        }
        wrong = []
        for label, change in variants.items():
            result = tool.run("unwrap", "--password-file", password_path,
                              stdin=fmt.envelope_json({**base, **change}).encode("utf-8"))
            try:
                expect_error(result)
            except CheckFailed as failure:
                wrong.append(f"{label}: {failure}")
        expect(not wrong, "; ".join(wrong))

    def sealed_change(change_id):
        entry = ENTRIES["insert, object data"]
        return fmt.seal_change(change_key, change_id, fmt.change_plaintext(**entry), os.urandom(24))

    @add("SyncKit open-change with the wrong change id: exit 2")
    def _():
        sealed = sealed_change("c_neg")
        expect_error(tool.run("open-change", "--key-file", key_path, "--change-id", "c_other",
                              stdin=fmt.b64encode(sealed).encode("ascii")))

    @add("SyncKit open-change under another master key: exit 2")
    def _():
        sealed = sealed_change("c_neg")
        expect_error(tool.run("open-change", "--key-file", other_key_path, "--change-id", "c_neg",
                              stdin=fmt.b64encode(sealed).encode("ascii")))

    @add("SyncKit open-change with a flipped byte (nonce, ciphertext, tag): exit 2")
    def _():
        sealed = sealed_change("c_neg")
        for index in (0, 30, len(sealed) - 1):
            expect_error(tool.run("open-change", "--key-file", key_path, "--change-id", "c_neg",
                                  stdin=fmt.b64encode(flip_byte(sealed, index)).encode("ascii")))

    @add("SyncKit open-change refuses authentic payloads that break the format (exit 2)")
    def _():
        good = json.loads(fmt.change_plaintext(**ENTRIES["insert, object data"]))
        variants = {
            "op upsert": {**good, "op": "upsert"},
            "delete with data": {**good, "op": "delete"},
            "insert with null data": {**good, "data": None},
            "129-byte table": {**good, "table": "t" * 129},
            "257-byte row id": {**good, "row_id": "r" * 257},
            "empty table": {**good, "table": ""},
            "timestamp without milliseconds": {**good, "timestamp": "2026-11-25T16:30:59Z"},
            "missing data": {name: value for name, value in good.items() if name != "data"},
            "not an object": ["todos"],
        }
        payloads = {label: json.dumps(value).encode("utf-8") for label, value in variants.items()}
        payloads["not JSON"] = b"{\"table\":"
        payloads["not UTF-8"] = b"\xff\xfe"
        wrong = []
        for label, plaintext in payloads.items():
            sealed = fmt.seal_change(change_key, "c_bad", plaintext, os.urandom(24))
            result = tool.run("open-change", "--key-file", key_path, "--change-id", "c_bad",
                              stdin=fmt.b64encode(sealed).encode("ascii"))
            try:
                expect_error(result)
            except CheckFailed as failure:
                wrong.append(f"{label}: {failure}")
        expect(not wrong, "; ".join(wrong))

    @add("SyncKit open-blob with the wrong blob id: exit 2")
    def _():
        sealed = fmt.seal_blob(blob_key, "b_one", b"secret bytes", os.urandom(24))
        expect_error(tool.run("open-blob", "--key-file", key_path, "--blob-id", "b_two",
                              stdin=sealed))

    @add("SyncKit open-blob with a flipped byte or fewer than 40 bytes: exit 2")
    def _():
        sealed = fmt.seal_blob(blob_key, "b_one", b"secret bytes", os.urandom(24))
        for stdin in (flip_byte(sealed, 0), flip_byte(sealed, 30), flip_byte(sealed, len(sealed) - 1),
                      sealed[:39], b""):
            expect_error(tool.run("open-blob", "--key-file", key_path, "--blob-id", "b_one",
                                  stdin=stdin))

    @add("SyncKit open-blob-stream refuses a cut, a flipped byte, a wrong id or bytes after FINAL: "
         "exit 2, and no file (not even the partial one) is left")
    def _():
        sealed = fmt.seal_blob_stream(blob_key, "s_one", os.urandom(70000), os.urandom(24))
        path = os.path.join(tool.directory, "refused")
        for blob_id, stdin in (("s_one", sealed[:-1]), ("s_one", sealed[:24 + 65553]),
                               ("s_one", flip_byte(sealed, 24 + 65553 + 3)), ("s_one", sealed + b"\0"),
                               ("s_two", sealed), ("s_one", b"")):
            expect_error(tool.run("open-blob-stream", "--key-file", key_path, "--blob-id", blob_id,
                                  "--out", path, stdin=stdin))
            expect(not os.path.exists(path) and not os.path.exists(path + ".partial"), "a file was left")

    # --- recovery key ---

    recovery_codes = []  # every code used, so the last check can look for them on stderr

    def new_code_file(recovery_key, spelling=None):
        code = fmt.recovery_code(recovery_key)
        recovery_codes.append(code)
        return tool.code_file(code if spelling is None else spelling(code))

    @add("recovery vectors: code, wrap key, auth key and envelope recomputed from RK alone")
    def _():
        for vector in load_recovery_vectors()["vectors"]:
            recovery_key = fmt.b64decode(vector["recovery_key"])
            expect(recovery_code_from_first_principles(recovery_key) == vector["code"],
                   f"code ({vector['description']})")
            wrap_key = kdf_from_first_principles(recovery_key, 1, b"SKRECOV1")
            auth_key = kdf_from_first_principles(recovery_key, 2, b"SKRECOV1")
            expect(fmt.b64encode(wrap_key) == vector["wrap_key"], "wrap key")
            expect(fmt.b64encode(auth_key) == vector["recovery_auth_key"], "recovery auth key")
            envelope = vector["envelope"]
            expect(list(envelope) == ["version", "kind", "nonce", "ciphertext"], "envelope fields")
            expect((envelope["version"], envelope["kind"]) == (1, "recovery"), "version or kind")
            master_key = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                fmt.b64decode(envelope["ciphertext"]), b"synckit:v1:recovery-key",
                fmt.b64decode(envelope["nonce"]), wrap_key)
            expect(fmt.b64encode(master_key) == vector["master_key"], "master key")

    @add("recovery vectors: SyncKit recovery-open and recovery-auth-key agree, for every spelling")
    def _():
        for vector in load_recovery_vectors()["vectors"]:
            recovery_codes.append(vector["code"])
            envelope = json.dumps(vector["envelope"]).encode("utf-8")
            for spelling in [vector["code"]] + vector["code_spellings"]:
                code_path = tool.code_file(spelling)
                out = tool.run_ok("recovery-open", "--code-file", code_path, stdin=envelope)
                expect(out == (vector["master_key"] + "\n").encode("ascii"),
                       f"master key ({vector['description']}, {spelling!r})")
                out = tool.run_ok("recovery-auth-key", "--code-file", code_path)
                expect(out == (vector["recovery_auth_key"] + "\n").encode("ascii"), "auth key")

    @add("recovery vectors: SyncKit refuses every invalid code (exit 2, invalid input)")
    def _():
        document = load_recovery_vectors()
        envelope = json.dumps(document["vectors"][0]["envelope"]).encode("utf-8")
        wrong = []
        for item in document["invalid_codes"]:
            result = tool.run("recovery-open", "--code-file", tool.file(item["code"].encode("utf-8")),
                              stdin=envelope)
            try:
                line = expect_error(result)
                expect("(invalid_input)" in line, f"message {line!r}")
            except CheckFailed as failure:
                wrong.append(f"{item['description']}: {failure}")
        expect(not wrong, "; ".join(wrong))

    @add("SyncKit recovery-code: a new code each time, in the format's layout, that Python reads")
    def _():
        first, second = (tool.run_ok("recovery-code").decode("ascii") for _ in range(2))
        for out in (first, second):
            expect(out.endswith("\n") and out.count("\n") == 1, "not one line")
            code = out.rstrip("\n")
            recovery_codes.append(code)
            expect(len(code) == 74 and code.startswith("SKR1-"), "not SKR1- and 69 characters")
            expect([len(group) for group in code.split("-")] == [4] * 15, "not groups of 4")
            expect(fmt.recovery_code(fmt.recovery_key_from_code(code)) == code, "Python reads it differently")
        expect(first != second, "the same code twice")

    @add("SyncKit recovery-wrap -> Python open gives the same master key")
    def _():
        recovery_key = os.urandom(32)
        out = tool.run_ok("recovery-wrap", "--key-file", key_path, "--code-file", new_code_file(recovery_key))
        pairs = json.loads(out.decode("utf-8"), object_pairs_hook=list)
        expect([name for name, _ in pairs] == ["version", "kind", "nonce", "ciphertext"],
               f"fields {[name for name, _ in pairs]}")
        expect(fmt.open_recovery_envelope(dict(pairs), recovery_key) == master_key, "different master key")
        again = json.loads(tool.run_ok("recovery-wrap", "--key-file", key_path, "--code-file",
                                       new_code_file(recovery_key)))
        expect(again["nonce"] != dict(pairs)["nonce"], "nonce reused")

    @add("Python seal -> SyncKit recovery-open (code lowercase, spaces for dashes)")
    def _():
        recovery_key = os.urandom(32)
        envelope = fmt.seal_recovery_envelope(master_key, recovery_key, os.urandom(24))
        code_path = new_code_file(recovery_key, lambda code: code.lower().replace("-", " "))
        out = tool.run_ok("recovery-open", "--code-file", code_path,
                          stdin=json.dumps(envelope).encode("utf-8"))
        expect(out == (fmt.b64encode(master_key) + "\n").encode("ascii"), "different master key")
        out = tool.run_ok("recovery-auth-key", "--code-file", code_path)
        expect(decode_b64_output(out) == fmt.recovery_auth_key(recovery_key), "different auth key")

    @add("SyncKit recovery-open with another valid code: exit 2, \"wrong password\"")
    def _():
        envelope = fmt.seal_recovery_envelope(master_key, os.urandom(32), os.urandom(24))
        result = tool.run("recovery-open", "--code-file", new_code_file(os.urandom(32)),
                          stdin=json.dumps(envelope).encode("utf-8"))
        line = expect_error(result)
        expect("wrong password" in line.lower() and "(wrong_password)" in line, f"message {line!r}")

    @add("SyncKit recovery-open: a mistyped code is invalid input, never a crypto error")
    def _():
        recovery_key = os.urandom(32)
        envelope = json.dumps(fmt.seal_recovery_envelope(master_key, recovery_key, os.urandom(24)))
        code = fmt.recovery_code(recovery_key)
        recovery_codes.append(code)
        wrong = []
        for index in (5, 30, len(code) - 1):  # in RK, in the middle, in the checksum
            typo = code[:index] + ("B" if code[index] == "A" else "A") + code[index + 1:]
            result = tool.run("recovery-open", "--code-file", tool.code_file(typo),
                              stdin=envelope.encode("utf-8"))
            try:
                line = expect_error(result)
                expect("(invalid_input)" in line, f"message {line!r}")
            except CheckFailed as failure:
                wrong.append(f"character {index}: {failure}")
        expect(not wrong, "; ".join(wrong))

    @add("SyncKit recovery-open refuses envelopes outside the format or tampered (exit 2)")
    def _():
        recovery_key = os.urandom(32)
        code_path = new_code_file(recovery_key)
        base = fmt.seal_recovery_envelope(master_key, recovery_key, os.urandom(24))
        ciphertext = fmt.b64decode(base["ciphertext"])
        variants = {
            "version 2": {**base, "version": 2},
            "kind password": {**base, "kind": "password"},
            "no kind": {name: value for name, value in base.items() if name != "kind"},
            "23-byte nonce": {**base, "nonce": fmt.b64encode(os.urandom(23))},
            "47-byte ciphertext": {**base, "ciphertext": fmt.b64encode(os.urandom(47))},
            "flipped ciphertext byte": {**base, "ciphertext": fmt.b64encode(flip_byte(ciphertext, 7))},
            "a password envelope": fmt.wrap(master_key, PASSWORD, os.urandom(16), os.urandom(24), **CHEAP),
        }
        wrong = []
        for label, envelope in variants.items():
            result = tool.run("recovery-open", "--code-file", code_path,
                              stdin=json.dumps(envelope).encode("utf-8"))
            try:
                expect_error(result)
            except CheckFailed as failure:
                wrong.append(f"{label}: {failure}")
        expect(not wrong, "; ".join(wrong))

    @add("SyncKit with an unknown command: exit 1")
    def _():
        result = tool.run("frobnicate")
        expect(result.returncode == 1, f"exit status {result.returncode}, expected 1")

    @add("no stderr line holds a password, a key or a recovery code")
    def _():
        secrets = [PASSWORD, WRONG_PASSWORD] + [fmt.b64encode(key) for key in
                                                (master_key, other_key, change_key, blob_key)]
        expect(recovery_codes, "no recovery code was used")
        for code in recovery_codes:
            secrets += code_pieces(code) + [code.lower()]
        for stderr in tool.stderr_seen:
            text = stderr.decode("utf-8", "replace")
            for secret in secrets:
                expect(secret not in text, "a password, base64 key or recovery code appears on stderr")

    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="path to the synckit-format executable")
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="synckit-interop-") as directory:
        tool = Tool(os.path.abspath(args.tool), directory)
        for name, check in build_checks(tool):
            try:
                check()
            except Exception as error:  # any failure, including a crash of the tool or bad output
                failed += 1
                print(f"not ok - {name}")
                print(f"#   {type(error).__name__}: {error}")
            else:
                passed += 1
                print(f"ok - {name}")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
