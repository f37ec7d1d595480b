"""Writes or checks SyncKit's known-answer vectors for the encryption format, version 1.

    /usr/bin/python3 tests/vectors/generate.py --write tests/vectors
    /usr/bin/python3 tests/vectors/generate.py --check tests/vectors

Everything is deterministic: every "random" input (master keys, recovery keys, salts, nonces,
blob contents) is det_bytes(label, n), the concatenation of
SHA-256(b"synckit-vectors:" + label + b":" + i) for i = 0, 1, ... truncated to n bytes. The crypto is synckit_format.py (PyNaCl + hashlib),
independent of SyncKit's C++ code.
"""

import argparse
import base64
import hashlib
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synckit_format as fmt  # noqa: E402

CHEAP_OPSLIMIT = 2
CHEAP_MEMLIMIT = 16777216


def det_bytes(label, n):
    """n deterministic bytes for `label` (a str)."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"synckit-vectors:{label}:{counter}".encode("utf-8")).digest()
        counter += 1
    return out[:n]


def b64(data):
    return fmt.b64encode(data)


def b64url_id(label):
    """A 22-character base64url id (128 bits, no padding), like the ids clients make."""
    return base64.urlsafe_b64encode(det_bytes(label, 16)).decode("ascii").rstrip("=")


# --- one builder per file ---------------------------------------------------------------------

def subkeys_file():
    master_keys = [bytes(32), det_bytes("subkeys/1", 32), det_bytes("subkeys/2", 32)]
    vectors = [{"master_key": b64(mk),
                "change_key": b64(fmt.change_key(mk)),
                "blob_key": b64(fmt.blob_key(mk)),
                "replica_seal_key": b64(fmt.replica_seal_key(mk)),
                "replica_index_key": b64(fmt.replica_index_key(mk))} for mk in master_keys]
    return {
        "description": "crypto_kdf_derive_from_key(32, id, \"SYNCKIT1\", master_key): "
                       "change_key is subkey 1, blob_key is subkey 2, replica_seal_key 3, replica_index_key 4",
        "vectors": vectors,
    }


def envelope_file():
    cases = [
        ("default cost (opslimit 3, memlimit 64 MiB)", "envelope/default",
         "correct horse battery staple", fmt.DEFAULT_OPSLIMIT, fmt.DEFAULT_MEMLIMIT),
        ("minimum cost (opslimit 2, memlimit 16 MiB)", "envelope/cheap",
         "hunter2", CHEAP_OPSLIMIT, CHEAP_MEMLIMIT),
        ("minimum cost, non-ASCII password (UTF-8, NFC, no normalisation applied)",
         "envelope/unicode", "pässwörd ✓", CHEAP_OPSLIMIT, CHEAP_MEMLIMIT),
    ]
    vectors = []
    for description, label, password, opslimit, memlimit in cases:
        master_key = det_bytes(label + "/master_key", 32)
        salt = det_bytes(label + "/salt", fmt.SALT_BYTES)
        nonce = det_bytes(label + "/nonce", fmt.NONCE_BYTES)
        envelope = fmt.wrap(master_key, password, salt, nonce, opslimit, memlimit)
        assert fmt.unwrap(envelope, password) == master_key
        vectors.append({"description": description, "password": password,
                        "master_key": b64(master_key), "salt": b64(salt), "nonce": b64(nonce),
                        "opslimit": opslimit, "memlimit": memlimit, "envelope": envelope})
    return {"vectors": vectors}


def change_file():
    cases = [
        ("insert, object data with keys in non-sorted order", "c_0001",
         "todos", "insert", "row-1", "2026-11-25T16:30:59.123Z",
         {"title": "Milk", "done": False, "qty": 2}),
        ("update, nested arrays and objects, non-ASCII text", "c_0002",
         "recettes", "update", "crème-brûlée", "2026-11-25T16:31:00.000Z",
         {"title": "Crème brûlée ✓", "tags": ["dessert", "français", "日本語"],
          "meta": {"servings": 4, "steps": [{"n": 1, "text": "Chauffer à 90 °C"}, []], "ok": True},
          "note": None}),
        ("delete, data null", "c_0003",
         "todos", "delete", "row-1", "2026-11-25T16:32:01.999Z", None),
        ("limits: table of exactly 128 bytes (ASCII), row_id of exactly 256 bytes "
         "(128 two-byte characters), 22-character base64url change id",
         b64url_id("change/limits/id"),
         "t" * 128, "insert", "é" * 128, "2026-01-01T00:00:00.000Z", {}),
        ("data is a bare string", "c_0005",
         "notes", "insert", "n1", "2026-11-25T16:33:00.001Z", "hello, world"),
        ("data is a bare number (an integer)", "c_0006",
         "counters", "update", "visits", "2026-12-31T23:59:59.999Z", 42),
    ]
    vectors = []
    for index, (description, change_id, table, op, row_id, timestamp, data) in enumerate(cases, 1):
        label = f"change/{index}"
        master_key = det_bytes(label + "/master_key", 32)
        nonce = det_bytes(label + "/nonce", fmt.NONCE_BYTES)
        plaintext = fmt.change_plaintext(table, op, row_id, timestamp, data)
        sealed = fmt.seal_change(fmt.change_key(master_key), change_id, plaintext, nonce)
        entry = {"table": table, "op": op, "row_id": row_id, "timestamp": timestamp, "data": data}
        assert fmt.open_change(fmt.change_key(master_key), change_id, sealed) == entry
        vectors.append({"description": description, "master_key": b64(master_key),
                        "change_id": change_id, "nonce": b64(nonce), "entry": entry,
                        "plaintext": plaintext.decode("utf-8"), "payload": b64(sealed)})
    return {"vectors": vectors}


def blob_file():
    cases = [
        ("empty blob: sealed is exactly 40 bytes", "b_0001", 0),
        ("one byte", "b_0002", 1),
        ("1000 bytes", "b_0003", 1000),
        ("64 bytes, 22-character base64url blob id", b64url_id("blob/4/id"), 64),
    ]
    vectors = []
    for index, (description, blob_id, size) in enumerate(cases, 1):
        label = f"blob/{index}"
        master_key = det_bytes(label + "/master_key", 32)
        nonce = det_bytes(label + "/nonce", fmt.NONCE_BYTES)
        plain = det_bytes(label + "/plain", size)
        sealed = fmt.seal_blob(fmt.blob_key(master_key), blob_id, plain, nonce)
        assert len(sealed) == size + fmt.OVERHEAD
        assert fmt.open_blob(fmt.blob_key(master_key), blob_id, sealed) == plain
        vectors.append({"description": description, "master_key": b64(master_key),
                        "blob_id": blob_id, "nonce": b64(nonce), "plain": b64(plain),
                        "sealed": b64(sealed)})
    return {"vectors": vectors}


def blob_stream_file():
    # Small blobs in full; around and past the 64 KiB chunk the plaintext is det_bytes(plain_label,
    # size) and the sealed stream is pinned by its SHA-256 (and its last chunk in full when short).
    cases = [
        ("empty: one FINAL chunk of no plaintext, 41 bytes", "s_0001", 0),
        ("one byte", "s_0002", 1),
        ("1000 bytes, 22-character base64url blob id", b64url_id("blob-stream/3/id"), 1000),
        ("65535 bytes: one FINAL chunk one byte short of full", "s_0004", 65535),
        ("65536 bytes: one full MESSAGE chunk, then an empty FINAL one", "s_0005", 65536),
        ("65537 bytes: a full MESSAGE chunk, then a FINAL one of one byte", "s_0006", 65537),
        ("200000 bytes: three MESSAGE chunks, then a FINAL one of 3392 bytes", "s_0007", 200000),
    ]
    vectors = []
    for index, (description, blob_id, size) in enumerate(cases, 1):
        label = f"blob-stream/{index}"
        master_key = det_bytes(label + "/master_key", 32)
        header = det_bytes(label + "/header", fmt.STREAM_HEADER_BYTES)
        plain = det_bytes(label + "/plain", size)
        sealed = fmt.seal_blob_stream(fmt.blob_key(master_key), blob_id, plain, header)
        assert len(sealed) == fmt.stream_sealed_size(size)
        assert fmt.open_blob_stream(fmt.blob_key(master_key), blob_id, sealed) == plain
        vector = {"description": description, "master_key": b64(master_key), "blob_id": blob_id,
                  "header": b64(header), "plain_size": size, "sealed_size": len(sealed)}
        if size <= 1000:
            vector.update({"plain": b64(plain), "sealed": b64(sealed)})
        else:
            last = fmt.STREAM_CHUNK_OVERHEAD + size % fmt.STREAM_CHUNK
            vector.update({"plain_label": label + "/plain",
                           "plain_sha256": hashlib.sha256(plain).hexdigest(),
                           "sealed_sha256": hashlib.sha256(sealed).hexdigest()})
            if last <= 4096:
                vector["sealed_last_chunk"] = b64(sealed[-last:])
        vectors.append(vector)
    return {
        "description": "crypto_secretstream_xchacha20poly1305 under the blob key (subkey 2), header "
                       "given, 65536-byte chunks, AAD \"synckit:v1:blob-stream\" 0x00 blob_id",
        "vectors": vectors,
    }


def login_file():
    cases = [
        ("ASCII letters lowered", "Alice@Example.COM", "correct horse battery staple"),
        ("only ASCII A-Z lowered: non-ASCII letters kept as they are", "ÅSA@example.com",
         "pässwörd ✓"),
    ]
    vectors = []
    for description, email, password in cases:
        vectors.append({"description": description + " (Argon2id opslimit 3, memlimit 64 MiB)",
                        "email": email, "normalized_email": fmt.normalize_email(email),
                        "password": password, "salt": b64(fmt.login_salt(email)),
                        "auth_key": b64(fmt.auth_key(email, password))})
    return {"vectors": vectors}


def _refused_code(code, reason):
    """Checks that the Python reader refuses `code` and returns it (for the invalid_codes list)."""
    try:
        fmt.recovery_key_from_code(code)
    except fmt.InvalidCodeError as error:
        assert reason in str(error), (reason, str(error))
        return code
    raise AssertionError(f"accepted an invalid code ({reason})")


def _replace_body_char(code, index, char):
    """`code` with the index-th base32 character after the prefix replaced (dashes kept)."""
    positions = [i for i, c in enumerate(code) if c != "-"][len(fmt.RECOVERY_CODE_PREFIX):]
    at = positions[index]
    assert code[at] != char
    return code[:at] + char + code[at + 1:]


def _swap_groups(code, a, b):
    """`code` with its a-th and b-th dash-separated groups swapped (group 0 is the prefix)."""
    groups = code.split("-")
    assert groups[a] != groups[b]
    groups[a], groups[b] = groups[b], groups[a]
    return "-".join(groups)


def recovery_file():
    cases = [
        ("recovery key of 32 zero bytes", bytes(32)),
        ("recovery key of 32 0xff bytes", b"\xff" * 32),
        ("a random recovery key", det_bytes("recovery/3/recovery_key", 32)),
    ]
    vectors = []
    for index, (description, recovery_key) in enumerate(cases, 1):
        label = f"recovery/{index}"
        master_key = det_bytes(label + "/master_key", 32)
        nonce = det_bytes(label + "/nonce", fmt.NONCE_BYTES)
        code = fmt.recovery_code(recovery_key)
        groups = code.split("-")
        spellings = [code.lower().replace("-", " "), code.replace("-", ""),
                     " ".join(groups[:1] + ["".join(groups[1:8]).lower(), "-".join(groups[8:])]) + " "]
        envelope = fmt.seal_recovery_envelope(master_key, recovery_key, nonce)
        assert all(fmt.recovery_key_from_code(text) == recovery_key for text in [code] + spellings)
        assert fmt.open_recovery_envelope(envelope, recovery_key) == master_key
        vectors.append({"description": description, "recovery_key": b64(recovery_key),
                        "checksum": b64(fmt.recovery_checksum(recovery_key)), "code": code,
                        "code_spellings": spellings,
                        "wrap_key": b64(fmt.recovery_wrap_key(recovery_key)),
                        "recovery_auth_key": b64(fmt.recovery_auth_key(recovery_key)),
                        "master_key": b64(master_key), "nonce": b64(nonce), "envelope": envelope})
    code = vectors[-1]["code"]
    last = code[-1]
    invalid = [
        ("another prefix", "SKR2" + code[4:], "starts with SKR1"),
        ("no prefix", code[5:], "starts with SKR1"),
        ("empty", "", "starts with SKR1"),
        ("one character missing", code[:-1], "56 characters"),
        ("one character too many", code + "A", "56 characters"),
        ("a digit outside base32 (0)", _replace_body_char(code, 10, "0"), "only A-Z and 2-7"),
        ("a digit outside base32 (8)", _replace_body_char(code, 55, "8"), "only A-Z and 2-7"),
        ("a tab in place of a character (only spaces and dashes are ignored)",
         _replace_body_char(code, 20, "\t"), "only A-Z and 2-7"),
        ("the first character of the key mistyped",
         _replace_body_char(code, 0, "B" if code[5] != "B" else "C"), "checksum"),
        ("the last character (checksum) mistyped",
         _replace_body_char(code, 55, "A" if last != "A" else "B"), "checksum"),
        ("the first two groups swapped", _swap_groups(code, 1, 2), "checksum"),
    ]
    return {
        "description": "recovery code = \"SKR1-\" + base32(RK || BLAKE2b-256(RK)[0..3]) in groups of 4; "
                       "wrap_key and recovery_auth_key = crypto_kdf_derive_from_key(32, 1 and 2, "
                       "\"SKRECOV1\", RK); envelope = MK sealed under wrap_key, AAD "
                       "\"synckit:v1:recovery-key\". code_spellings are other accepted ways to type "
                       "the code; every invalid_codes entry is refused as invalid input",
        "vectors": vectors,
        "invalid_codes": [{"description": description, "code": _refused_code(text, reason)}
                          for description, text, reason in invalid],
    }


BUILDERS = {
    "subkeys.json": subkeys_file,
    "envelope.json": envelope_file,
    "change.json": change_file,
    "blob.json": blob_file,
    "blob_stream.json": blob_stream_file,
    "login.json": login_file,
    "recovery.json": recovery_file,
}


def render(document):
    """Pretty-printed JSON (indent 2, UTF-8, non-ASCII unescaped) with a trailing newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def generate():
    """{file name: file bytes} for every vector file."""
    return {name: render(build()) for name, build in BUILDERS.items()}


def write(directory):
    for name, content in generate().items():
        with open(os.path.join(directory, name), "wb") as out:
            out.write(content)
        print(f"wrote {os.path.join(directory, name)}")
    return 0


def check(directory):
    failed = 0
    for name, expected in generate().items():
        path = os.path.join(directory, name)
        try:
            with open(path, "rb") as existing:
                actual = existing.read()
        except OSError as error:
            print(f"{path}: cannot read ({error.strerror})")
            failed += 1
            continue
        if actual != expected:
            print(f"{path}: differs from the regenerated vectors")
            failed += 1
    if failed:
        print("regenerate with: /usr/bin/python3 tests/vectors/generate.py --write tests/vectors")
        return 1
    print(f"all {len(BUILDERS)} vector files are up to date")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="DIR", help="write the vector files into DIR")
    mode.add_argument("--check", metavar="DIR", help="exit 1 if the files in DIR are not up to date")
    args = parser.parse_args()
    return write(args.write) if args.write else check(args.check)


if __name__ == "__main__":
    sys.exit(main())
