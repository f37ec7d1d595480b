"""SyncKit encryption format, version 1, in Python (PyNaCl + the standard library).

An independent implementation of the SyncKit format (docs/crypto.md, the recovery key included)
and of the auth key of protocol.md ("Auth"), written without looking at SyncKit's C++ code. It
produces the known-answer vectors in this directory and checks interoperability with the
`synckit-format` tool.

Subkeys, the recovery code's checksum and the login salt use hashlib.blake2b directly (that is what
libsodium's crypto_kdf_derive_from_key and crypto_generichash compute), and the recovery code
base64.b32encode, so none of it depends on libsodium. Argon2id and XChaCha20-Poly1305 come from
PyNaCl's bindings.

All random inputs (salts, nonces) are parameters so that the vectors are deterministic; callers
that want fresh values pass os.urandom(...).
"""

import base64
import binascii
import datetime
import hashlib
import json
import re

from nacl import bindings
from nacl.exceptions import CryptoError as _NaclCryptoError

KEY_BYTES = 32
SALT_BYTES = 16
NONCE_BYTES = 24
TAG_BYTES = 16
OVERHEAD = NONCE_BYTES + TAG_BYTES  # 40 bytes of a sealed change or blob beyond its plaintext

KDF_CONTEXT = b"SYNCKIT1"
CHANGE_SUBKEY_ID = 1
BLOB_SUBKEY_ID = 2
REPLICA_SEAL_SUBKEY_ID = 3
REPLICA_INDEX_SUBKEY_ID = 4

DEFAULT_OPSLIMIT = 3
DEFAULT_MEMLIMIT = 67108864  # 64 MiB
MIN_OPSLIMIT, MAX_OPSLIMIT = 2, 16
MIN_MEMLIMIT, MAX_MEMLIMIT = 16 * 1024 * 1024, 1024 * 1024 * 1024

ENVELOPE_AAD = b"synckit:v1:master-key"
CHANGE_AAD_PREFIX = b"synckit:v1:change\x00"
BLOB_AAD_PREFIX = b"synckit:v1:blob\x00"
STREAM_AAD_PREFIX = b"synckit:v1:blob-stream\x00"
STREAM_CHUNK = 65536  # plaintext bytes per chunk but the last (shorter, possibly empty)
STREAM_HEADER_BYTES = 24
STREAM_CHUNK_OVERHEAD = 17
LOGIN_SALT_PREFIX = b"synckit:v1:login\x00"

RECOVERY_KDF_CONTEXT = b"SKRECOV1"
RECOVERY_WRAP_SUBKEY_ID = 1
RECOVERY_AUTH_SUBKEY_ID = 2
RECOVERY_AAD = b"synckit:v1:recovery-key"
RECOVERY_CODE_PREFIX = "SKR1"
RECOVERY_CHECKSUM_BYTES = 3
RECOVERY_CODE_GROUP = 4

OPS = ("insert", "update", "delete")
MAX_TABLE_BYTES = 128
MAX_ROW_ID_BYTES = 256
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")


class FormatError(Exception):
    """Base class of every error this module raises."""


class SyncKitCryptoError(FormatError):
    """Short, tampered or wrongly keyed/bound ciphertext."""


class WrongPasswordError(SyncKitCryptoError):
    """The envelope did not authenticate under the password."""


class InvalidDataError(FormatError):
    """Well-formed crypto, but the content breaks the format (bad envelope fields, bad change)."""


class InvalidCodeError(FormatError):
    """A recovery code with a wrong prefix, length, character or checksum (a typo)."""


# --- base64 -----------------------------------------------------------------------------------

def b64encode(data):
    """Standard base64 with padding (RFC 4648 section 4), as a str."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text):
    """Strict standard base64 decode; raises InvalidDataError on anything else."""
    if not isinstance(text, str):
        raise InvalidDataError("base64 value is not a string")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise InvalidDataError("invalid base64") from None


# --- keys -------------------------------------------------------------------------------------

def kdf_derive(key, subkey_id, context):
    """crypto_kdf_derive_from_key(32, subkey_id, context, key), via BLAKE2b: keyed with `key`,
    empty message, salt = subkey_id as 8 bytes little-endian then 8 zero bytes,
    person = the 8-byte context then 8 zero bytes."""
    if len(key) != KEY_BYTES or len(context) != 8:
        raise ValueError("key must be 32 bytes and context 8 bytes")
    salt = subkey_id.to_bytes(8, "little") + bytes(8)
    person = context + bytes(8)
    return hashlib.blake2b(key=key, digest_size=KEY_BYTES, salt=salt, person=person).digest()


def derive_subkey(master_key, subkey_id):
    """crypto_kdf_derive_from_key(32, subkey_id, "SYNCKIT1", master_key), via BLAKE2b."""
    if len(master_key) != KEY_BYTES:
        raise ValueError("master key must be 32 bytes")
    return kdf_derive(master_key, subkey_id, KDF_CONTEXT)


def change_key(master_key):
    """The change key: subkey 1."""
    return derive_subkey(master_key, CHANGE_SUBKEY_ID)


def blob_key(master_key):
    """The blob key: subkey 2."""
    return derive_subkey(master_key, BLOB_SUBKEY_ID)


def replica_seal_key(master_key):
    """Subkey 3: seals a local replica's records at rest (replica.md)."""
    return derive_subkey(master_key, REPLICA_SEAL_SUBKEY_ID)


def replica_index_key(master_key):
    """Subkey 4: keys a local replica's table and row tags (replica.md)."""
    return derive_subkey(master_key, REPLICA_INDEX_SUBKEY_ID)


def argon2id(password_bytes, salt, opslimit, memlimit):
    """crypto_pwhash(32, password, salt, opslimit, memlimit, ARGON2ID13)."""
    return bindings.crypto_pwhash_alg(KEY_BYTES, password_bytes, salt, opslimit, memlimit,
                                      bindings.crypto_pwhash_ALG_ARGON2ID13)


def _password_bytes(password):
    """Passwords are UTF-8 with no normalisation; bytes are taken as they are."""
    return password if isinstance(password, bytes) else password.encode("utf-8")


# --- key envelope -----------------------------------------------------------------------------

def wrap(master_key, password, salt, nonce, opslimit=DEFAULT_OPSLIMIT, memlimit=DEFAULT_MEMLIMIT):
    """Wraps the master key under the password; returns the envelope dict in the spec's key order."""
    if len(master_key) != KEY_BYTES or len(salt) != SALT_BYTES or len(nonce) != NONCE_BYTES:
        raise ValueError("master key, salt or nonce has the wrong length")
    _check_cost(opslimit, memlimit)
    kek = argon2id(_password_bytes(password), salt, opslimit, memlimit)
    ciphertext = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(master_key, ENVELOPE_AAD,
                                                                     nonce, kek)
    return {
        "version": 1,
        "kdf": "argon2id13",
        "opslimit": opslimit,
        "memlimit": memlimit,
        "salt": b64encode(salt),
        "nonce": b64encode(nonce),
        "ciphertext": b64encode(ciphertext),
    }


def envelope_json(envelope):
    """The envelope's JSON text: spec key order, no whitespace."""
    return json.dumps(envelope, separators=(",", ":"))


def unwrap(envelope, password):
    """Returns the master key. Raises InvalidDataError for an envelope outside the format,
    WrongPasswordError when the AEAD does not authenticate."""
    if not isinstance(envelope, dict):
        raise InvalidDataError("envelope is not an object")
    if _int_field(envelope, "version") != 1:
        raise InvalidDataError("unsupported envelope version")
    if envelope.get("kdf") != "argon2id13":
        raise InvalidDataError("unsupported kdf")
    opslimit = _int_field(envelope, "opslimit")
    memlimit = _int_field(envelope, "memlimit")
    _check_cost(opslimit, memlimit)
    salt = _bytes_field(envelope, "salt", SALT_BYTES)
    nonce = _bytes_field(envelope, "nonce", NONCE_BYTES)
    ciphertext = _bytes_field(envelope, "ciphertext", KEY_BYTES + TAG_BYTES)
    kek = argon2id(_password_bytes(password), salt, opslimit, memlimit)
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ENVELOPE_AAD,
                                                                   nonce, kek)
    except _NaclCryptoError:
        raise WrongPasswordError("wrong password") from None


def _check_cost(opslimit, memlimit):
    if not MIN_OPSLIMIT <= opslimit <= MAX_OPSLIMIT:
        raise InvalidDataError("opslimit outside 2..16")
    if not MIN_MEMLIMIT <= memlimit <= MAX_MEMLIMIT:
        raise InvalidDataError("memlimit outside 16 MiB..1 GiB")


def _int_field(obj, name):
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidDataError(f"envelope field {name} is missing or not an integer")
    return value


def _bytes_field(obj, name, length):
    value = b64decode(obj.get(name))
    if len(value) != length:
        raise InvalidDataError(f"envelope field {name} has the wrong length")
    return value


# --- recovery key (format v1 addition) -------------------------------------------------------

def recovery_checksum(recovery_key):
    """The first 3 bytes of BLAKE2b-256(RK), unkeyed (crypto_generichash with 32-byte output)."""
    return hashlib.blake2b(recovery_key, digest_size=32).digest()[:RECOVERY_CHECKSUM_BYTES]


def recovery_code(recovery_key):
    """"SKR1-" then base32 (RFC 4648, no padding) of RK || checksum in groups of 4 joined by "-"."""
    if len(recovery_key) != KEY_BYTES:
        raise ValueError("recovery key must be 32 bytes")
    body = base64.b32encode(recovery_key + recovery_checksum(recovery_key)).decode("ascii")
    assert len(body) == 56 and "=" not in body  # 35 bytes fill 56 characters exactly
    groups = [body[i:i + RECOVERY_CODE_GROUP] for i in range(0, len(body), RECOVERY_CODE_GROUP)]
    return RECOVERY_CODE_PREFIX + "-" + "-".join(groups)


def recovery_key_from_code(code):
    """RK from a code read case-insensitively (ASCII only), spaces and dashes ignored anywhere.
    Raises InvalidCodeError for a wrong prefix, length, character or checksum."""
    normalized = code.encode("utf-8").replace(b" ", b"").replace(b"-", b"").upper()  # ASCII-only upper
    prefix = RECOVERY_CODE_PREFIX.encode("ascii")
    if not normalized.startswith(prefix):
        raise InvalidCodeError("a recovery code starts with SKR1")
    body = normalized[len(prefix):]
    if len(body) != 56:
        raise InvalidCodeError("a recovery code has 56 characters after SKR1")
    try:
        payload = base64.b32decode(body, casefold=False)
    except binascii.Error:
        raise InvalidCodeError("a recovery code holds only A-Z and 2-7 after SKR1") from None
    recovery_key, checksum = payload[:KEY_BYTES], payload[KEY_BYTES:]
    if recovery_checksum(recovery_key) != checksum:
        raise InvalidCodeError("the recovery code's checksum does not match")
    return recovery_key


def recovery_wrap_key(recovery_key):
    """crypto_kdf_derive_from_key(32, 1, "SKRECOV1", RK)."""
    return kdf_derive(recovery_key, RECOVERY_WRAP_SUBKEY_ID, RECOVERY_KDF_CONTEXT)


def recovery_auth_key(recovery_key):
    """crypto_kdf_derive_from_key(32, 2, "SKRECOV1", RK)."""
    return kdf_derive(recovery_key, RECOVERY_AUTH_SUBKEY_ID, RECOVERY_KDF_CONTEXT)


def seal_recovery_envelope(master_key, recovery_key, nonce):
    """MK sealed under the wrap key; returns the envelope dict in the spec's key order."""
    if len(master_key) != KEY_BYTES or len(nonce) != NONCE_BYTES:
        raise ValueError("master key or nonce has the wrong length")
    ciphertext = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        master_key, RECOVERY_AAD, nonce, recovery_wrap_key(recovery_key))
    return {"version": 1, "kind": "recovery", "nonce": b64encode(nonce),
            "ciphertext": b64encode(ciphertext)}


def open_recovery_envelope(envelope, recovery_key):
    """Returns MK. Raises InvalidDataError for an envelope outside the format, WrongPasswordError
    when it does not authenticate under the code's wrap key."""
    if not isinstance(envelope, dict):
        raise InvalidDataError("recovery envelope is not an object")
    if _int_field(envelope, "version") != 1:
        raise InvalidDataError("unsupported recovery envelope version")
    if envelope.get("kind") != "recovery":
        raise InvalidDataError("not a recovery envelope")
    nonce = _bytes_field(envelope, "nonce", NONCE_BYTES)
    ciphertext = _bytes_field(envelope, "ciphertext", KEY_BYTES + TAG_BYTES)
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            ciphertext, RECOVERY_AAD, nonce, recovery_wrap_key(recovery_key))
    except _NaclCryptoError:
        raise WrongPasswordError("the recovery code does not open the envelope") from None


# --- changes ----------------------------------------------------------------------------------

def dumps_compact(value):
    """JSON text as the format writes it: no whitespace, non-ASCII kept as UTF-8 characters."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def change_plaintext(table, op, row_id, timestamp, data):
    """The plaintext of one change as UTF-8 bytes, keys in the order the spec writes them."""
    entry = {"table": table, "op": op, "row_id": row_id, "timestamp": timestamp, "data": data}
    validate_entry(entry)
    return dumps_compact(entry).encode("utf-8")


def validate_entry(entry):
    """Checks a change entry dict against the format; raises InvalidDataError naming the field."""
    for name in ("table", "op", "row_id", "timestamp", "data"):
        if name not in entry:
            raise InvalidDataError(f"change field {name} is missing")
    _check_name(entry["table"], "table", MAX_TABLE_BYTES)
    _check_name(entry["row_id"], "row_id", MAX_ROW_ID_BYTES)
    if entry["op"] not in OPS:
        raise InvalidDataError("change field op is not insert, update or delete")
    if not _valid_timestamp(entry["timestamp"]):
        raise InvalidDataError("change field timestamp is not RFC 3339 UTC with milliseconds")
    if (entry["data"] is None) != (entry["op"] == "delete"):
        raise InvalidDataError("change field data must be null exactly when op is delete")


def _check_name(value, name, max_bytes):
    if not isinstance(value, str) or not value:
        raise InvalidDataError(f"change field {name} must be a non-empty string")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:  # lone surrogates are not UTF-8
        raise InvalidDataError(f"change field {name} is not valid UTF-8") from None
    if size > max_bytes:
        raise InvalidDataError(f"change field {name} is longer than {max_bytes} bytes")


def _valid_timestamp(value):
    """YYYY-MM-DDTHH:MM:SS.mmmZ, and a real calendar date and time."""
    if not isinstance(value, str) or not TIMESTAMP_RE.fullmatch(value):
        return False
    try:
        datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def _change_aad(change_id):
    """AAD = "synckit:v1:change" 0x00 change_id (ASCII)."""
    return CHANGE_AAD_PREFIX + change_id.encode("ascii")


def seal_change(change_key, change_id, plaintext, nonce):
    """nonce || XChaCha20-Poly1305(plaintext) || tag under the change key, bound to change_id."""
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonce must be 24 bytes")
    return nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, _change_aad(change_id), nonce, change_key)


def decrypt_change(change_key, change_id, sealed):
    """Authenticates and decrypts a sealed change; returns the plaintext bytes unchecked."""
    if len(sealed) < OVERHEAD:
        raise SyncKitCryptoError("sealed change is too short")
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed[NONCE_BYTES:], _change_aad(change_id), sealed[:NONCE_BYTES], change_key)
    except _NaclCryptoError:
        raise SyncKitCryptoError("sealed change does not authenticate") from None


def open_change(change_key, change_id, sealed):
    """Opens a sealed change; returns {"table","op","row_id","timestamp","data"}.
    Raises SyncKitCryptoError if it does not authenticate, InvalidDataError if it breaks the format."""
    plaintext = decrypt_change(change_key, change_id, sealed)
    try:
        entry = json.loads(plaintext.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError):
        raise InvalidDataError("change plaintext is not UTF-8 JSON") from None
    if not isinstance(entry, dict):
        raise InvalidDataError("change plaintext is not a JSON object")
    validate_entry(entry)
    return {name: entry[name] for name in ("table", "op", "row_id", "timestamp", "data")}


def _reject_constant(name):
    """NaN and Infinity are not JSON; Python's json would accept them otherwise."""
    raise ValueError(f"{name} is not JSON")


# --- blobs ------------------------------------------------------------------------------------

def _blob_aad(blob_id):
    """AAD = "synckit:v1:blob" 0x00 blob_id (UTF-8)."""
    return BLOB_AAD_PREFIX + blob_id.encode("utf-8")


def seal_blob(blob_key, blob_id, plain, nonce):
    """nonce || ciphertext || tag under the blob key: exactly 40 bytes more than `plain`."""
    if len(nonce) != NONCE_BYTES:
        raise ValueError("nonce must be 24 bytes")
    return nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plain, _blob_aad(blob_id), nonce, blob_key)


def open_blob(blob_key, blob_id, sealed):
    """Opens a sealed blob; raises SyncKitCryptoError if short or not authentic."""
    if len(sealed) < OVERHEAD:
        raise SyncKitCryptoError("sealed blob is shorter than 40 bytes")
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            sealed[NONCE_BYTES:], _blob_aad(blob_id), sealed[:NONCE_BYTES], blob_key)
    except _NaclCryptoError:
        raise SyncKitCryptoError("sealed blob does not authenticate") from None


# --- streamed blobs (crypto-format.md, "Streamed blobs") ---------------------------------------

def stream_sealed_size(plain_size):
    """24 + n + 17 * (n // 65536 + 1)."""
    return STREAM_HEADER_BYTES + plain_size + STREAM_CHUNK_OVERHEAD * (plain_size // STREAM_CHUNK + 1)


def _stream_state(blob_key, header):
    # init_pull derives the state from key and header; libsodium's init_push is the same on a
    # random header, so sealing with a given header starts from init_pull too.
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, header, blob_key)
    return state


def seal_blob_stream(blob_key, blob_id, plain, header):
    """header || chunks: 65536-byte MESSAGE chunks, then a shorter FINAL one (possibly empty)."""
    if len(header) != STREAM_HEADER_BYTES:
        raise ValueError("header must be 24 bytes")
    state = _stream_state(blob_key, header)
    aad = STREAM_AAD_PREFIX + blob_id.encode("utf-8")
    out = [header]
    full = len(plain) // STREAM_CHUNK
    for i in range(full):
        out.append(bindings.crypto_secretstream_xchacha20poly1305_push(
            state, plain[i * STREAM_CHUNK:(i + 1) * STREAM_CHUNK], aad,
            bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE))
    out.append(bindings.crypto_secretstream_xchacha20poly1305_push(
        state, plain[full * STREAM_CHUNK:], aad, bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL))
    return b"".join(out)


def open_blob_stream(blob_key, blob_id, sealed):
    """Opens a streamed blob; raises SyncKitCryptoError if truncated, reordered, padded or tampered."""
    if len(sealed) < STREAM_HEADER_BYTES + STREAM_CHUNK_OVERHEAD:
        raise SyncKitCryptoError("streamed blob is shorter than 41 bytes")
    state = _stream_state(blob_key, sealed[:STREAM_HEADER_BYTES])
    aad = STREAM_AAD_PREFIX + blob_id.encode("utf-8")
    sealed_chunk = STREAM_CHUNK + STREAM_CHUNK_OVERHEAD
    body = sealed[STREAM_HEADER_BYTES:]
    # Every chunk but the last is exactly 65553 bytes; the last is shorter (at least 17).
    chunks = [body[i:i + sealed_chunk] for i in range(0, len(body), sealed_chunk)]
    if len(chunks[-1]) == sealed_chunk:
        raise SyncKitCryptoError("streamed blob ends on a full chunk: its FINAL chunk is missing")
    if len(chunks[-1]) < STREAM_CHUNK_OVERHEAD:
        raise SyncKitCryptoError("streamed blob's last chunk is shorter than 17 bytes")
    out = []
    for index, chunk in enumerate(chunks):
        try:
            plain, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(state, chunk, aad)
        except _NaclCryptoError:
            raise SyncKitCryptoError(f"streamed blob chunk {index} does not authenticate") from None
        last = index == len(chunks) - 1
        want = (bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL if last
                else bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        if tag != want:
            raise SyncKitCryptoError(f"streamed blob chunk {index} has the wrong tag")
        out.append(plain)
    return b"".join(out)


# --- login (protocol.md, "Auth") --------------------------------------------------------------

def normalize_email(email):
    """The UTF-8 address with ASCII A-Z lowered and nothing else changed (bytes.lower() is ASCII-only)."""
    return email.encode("utf-8").lower().decode("utf-8")


def login_salt(email):
    """BLAKE2b-128("synckit:v1:login" 0x00 normalised email), unkeyed: 16 bytes."""
    message = LOGIN_SALT_PREFIX + normalize_email(email).encode("utf-8")
    return hashlib.blake2b(message, digest_size=SALT_BYTES).digest()


def auth_key(email, password):
    """Argon2id(password, login_salt(email), opslimit 3, memlimit 64 MiB): 32 bytes."""
    return argon2id(_password_bytes(password), login_salt(email), DEFAULT_OPSLIMIT, DEFAULT_MEMLIMIT)
