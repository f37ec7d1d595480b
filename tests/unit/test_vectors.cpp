// Known-answer tests against tests/vectors/, produced by an independent implementation (PyNaCl and
// Python's hashlib; see tests/vectors/README.md). SyncKit must open theirs and, given the same
// nonce and salt, produce theirs byte for byte.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <fstream>
#include <sstream>

#include "crypto_fixtures.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/error.hpp"

using namespace synckit;
using Json = nlohmann::ordered_json;

namespace {

Json load_document(const std::string& name) {
  std::ifstream in(std::string(SYNCKIT_VECTORS_DIR) + "/" + name);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  Json document = Json::parse(text.str());
  REQUIRE(document.at("vectors").size() > 0);
  return document;
}

Json load_vectors(const std::string& name) { return load_document(name).at("vectors"); }

Bytes b64(const Json& value) { return base64_decode(value.get<std::string>(), "vector"); }

MasterKey master_of(const Json& vector) { return master_key_from_bytes(b64(vector.at("master_key"))); }

template <class Key>
Bytes bytes_of(const Key& key) {
  return Bytes(key.view().begin(), key.view().end());
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("subkeys match the independent derivation", "[vectors]") {
  for (const Json& vector : load_vectors("subkeys.json")) {
    const MasterKey master = master_of(vector);
    CHECK(bytes_of(derive_change_key(master)) == b64(vector.at("change_key")));
    CHECK(bytes_of(derive_blob_key(master)) == b64(vector.at("blob_key")));
    CHECK(bytes_of(derive_replica_seal_key(master)) == b64(vector.at("replica_seal_key")));
    CHECK(bytes_of(derive_replica_index_key(master)) == b64(vector.at("replica_index_key")));
  }
}

TEST_CASE("envelopes: SyncKit unwraps the vectors and wraps to the same bytes", "[vectors]") {
  for (const Json& vector : load_vectors("envelope.json")) {
    INFO(vector.at("description").get<std::string>());
    const std::string password = vector.at("password").get<std::string>();
    const KeyEnvelope envelope = envelope_from_json_text(vector.at("envelope").dump());
    const MasterKey master = unwrap_master_key(envelope, password);
    CHECK(constant_time_equal(master.view(), master_of(vector).view()));

    test::FixedRandom salt_then_nonce(concat(b64(vector.at("salt")), b64(vector.at("nonce"))));
    const EnvelopeParams params{vector.at("opslimit").get<std::uint64_t>(), vector.at("memlimit").get<std::uint64_t>()};
    CHECK(envelope_to_json(wrap_master_key(master, password, salt_then_nonce, params)).dump() ==
          vector.at("envelope").dump());
  }
}

TEST_CASE("changes: SyncKit opens the vectors and seals to the same bytes", "[vectors]") {
  for (const Json& vector : load_vectors("change.json")) {
    INFO(vector.at("description").get<std::string>());
    const ChangeKey key = derive_change_key(master_of(vector));
    const std::string change_id = vector.at("change_id").get<std::string>();
    const std::string plaintext = vector.at("plaintext").get<std::string>();
    const ChangeEntry opened = open_change(key, change_id, b64(vector.at("payload")));
    CHECK(change_entry_to_json(opened) == plaintext);
    CHECK(opened == change_entry_from_json(vector.at("entry").dump(), ErrorKind::invalid_input));

    test::FixedRandom nonce(b64(vector.at("nonce")));
    CHECK(seal_change(key, change_id, opened, nonce) == b64(vector.at("payload")));
  }
}

TEST_CASE("blobs: SyncKit opens the vectors and seals to the same bytes", "[vectors]") {
  for (const Json& vector : load_vectors("blob.json")) {
    INFO(vector.at("description").get<std::string>());
    const BlobKey key = derive_blob_key(master_of(vector));
    const std::string blob_id = vector.at("blob_id").get<std::string>();
    const Bytes sealed = b64(vector.at("sealed"));
    CHECK(sealed.size() == b64(vector.at("plain")).size() + kBlobOverhead);
    CHECK(open_blob(key, blob_id, sealed) == b64(vector.at("plain")));
    test::FixedRandom nonce(b64(vector.at("nonce")));
    CHECK(seal_blob(key, blob_id, b64(vector.at("plain")), nonce) == sealed);
  }
}

namespace {

// det_bytes of tests/vectors/README.md: SHA-256("synckit-vectors:" label ":" i) for i = 0, 1, ...
Bytes det_bytes(const std::string& label, std::size_t size) {
  Bytes out;
  for (int counter = 0; out.size() < size; ++counter) {
    const std::string input = "synckit-vectors:" + label + ":" + std::to_string(counter);
    std::uint8_t digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    out.insert(out.end(), digest, digest + sizeof digest);
  }
  out.resize(size);
  return out;
}

std::string sha256_hex(ByteView bytes) {
  std::uint8_t digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes.data(), bytes.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace

TEST_CASE("streamed blobs: SyncKit opens the vectors and seals to the same bytes", "[vectors][blob_stream]") {
  for (const Json& vector : load_vectors("blob_stream.json")) {
    INFO(vector.at("description").get<std::string>());
    const BlobKey key = derive_blob_key(master_of(vector));
    const std::string blob_id = vector.at("blob_id").get<std::string>();
    const auto size = vector.at("plain_size").get<std::size_t>();
    const Bytes plain = vector.contains("plain") ? b64(vector.at("plain")) : det_bytes(vector.at("plain_label").get<std::string>(), size);
    REQUIRE(plain.size() == size);
    test::FixedRandom header(b64(vector.at("header")));
    const Bytes sealed = seal_blob_stream(key, blob_id, plain, header);
    CHECK(sealed.size() == vector.at("sealed_size").get<std::size_t>());
    CHECK(blob_stream_sealed_size(size) == sealed.size());
    CHECK(blob_stream_plain_size(sealed.size()) == size);
    if (vector.contains("sealed")) {
      CHECK(sealed == b64(vector.at("sealed")));
    } else {
      CHECK(sha256_hex(sealed) == vector.at("sealed_sha256").get<std::string>());
      CHECK(sha256_hex(plain) == vector.at("plain_sha256").get<std::string>());
      if (vector.contains("sealed_last_chunk")) {
        const Bytes last = b64(vector.at("sealed_last_chunk"));
        CHECK(Bytes(sealed.end() - static_cast<std::ptrdiff_t>(last.size()), sealed.end()) == last);
      }
    }
    CHECK(open_blob_stream(key, blob_id, sealed) == plain);
  }
}

TEST_CASE("login: normalised email, salt and auth key match the vectors", "[vectors]") {
  for (const Json& vector : load_vectors("login.json")) {
    INFO(vector.at("description").get<std::string>());
    const std::string email = vector.at("email").get<std::string>();
    CHECK(normalize_email(email) == vector.at("normalized_email").get<std::string>());
    const auto salt = login_salt(email);
    CHECK(Bytes(salt.begin(), salt.end()) == b64(vector.at("salt")));
    CHECK(bytes_of(derive_auth_key(email, vector.at("password").get<std::string>())) == b64(vector.at("auth_key")));
  }
}

TEST_CASE("recovery: code, subkeys and envelope match the vectors", "[vectors][recovery]") {
  for (const Json& vector : load_vectors("recovery.json")) {
    INFO(vector.at("description").get<std::string>());
    const RecoveryKey key = recovery_key_from_bytes(b64(vector.at("recovery_key")));
    const std::string code = vector.at("code").get<std::string>();
    CHECK(recovery_code_from_key(key).view() == code);
    CHECK(bytes_of(recovery_key_from_code(code)) == bytes_of(key));
    for (const Json& spelling : vector.at("code_spellings")) {
      CHECK(bytes_of(recovery_key_from_code(spelling.get<std::string>())) == bytes_of(key));
    }
    CHECK(bytes_of(derive_recovery_wrap_key(key)) == b64(vector.at("wrap_key")));
    CHECK(bytes_of(derive_recovery_auth_key(key)) == b64(vector.at("recovery_auth_key")));

    const RecoveryEnvelope envelope = recovery_envelope_from_json_text(vector.at("envelope").dump());
    CHECK(bytes_of(open_recovery_envelope(envelope, key)) == b64(vector.at("master_key")));
    test::FixedRandom nonce(b64(vector.at("nonce")));
    CHECK(recovery_envelope_to_json(seal_recovery_envelope(master_of(vector), key, nonce)).dump() ==
          vector.at("envelope").dump());
  }
}

TEST_CASE("recovery: every invalid code of the vectors is refused as invalid input", "[vectors][recovery]") {
  const Json invalid = load_document("recovery.json").at("invalid_codes");
  REQUIRE(invalid.size() > 0);
  for (const Json& item : invalid) {
    INFO(item.at("description").get<std::string>());
    try {
      recovery_key_from_code(item.at("code").get<std::string>());
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::invalid_input);
      CHECK(e.field() == "recovery_code");
    }
  }
}
