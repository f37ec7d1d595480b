#include <catch2/catch.hpp>

#include <string>

#include "synckit/auth/login_key.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

using namespace synckit;

namespace {

std::string hex(ByteView bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const auto b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0F];
  }
  return out;
}

ErrorKind kind_of(auto&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.kind();
  }
  FAIL("no synckit::Error thrown");
  return ErrorKind::invalid_input;
}

}  // namespace

TEST_CASE("normalize_email lowers ASCII letters only", "[auth][login_key]") {
  CHECK(normalize_email("Alice@Example.COM") == "alice@example.com");
  CHECK(normalize_email("already.lower+tag@x.io") == "already.lower+tag@x.io");
  CHECK(normalize_email("  MiXeD  ") == "  mixed  ");
  // Non-ASCII bytes stay as they are: Ö (C3 96) and É (C3 89) are not lowered.
  CHECK(normalize_email("J\xC3\x96RG@Ex\xC3\x89mple.DE") == "j\xC3\x96rg@ex\xC3\x89mple.de");
  CHECK(normalize_email("") == "");
}

TEST_CASE("login_salt matches an independent BLAKE2b-128 computation", "[auth][login_key]") {
  // hashlib.blake2b(b"synckit:v1:login\x00" + email.encode(), digest_size=16).hexdigest()
  CHECK(hex(login_salt("alice@example.com")) == "14b091cf851e5752df9799d3a1f17f68");
  CHECK(hex(login_salt("Alice@EXAMPLE.com")) == "14b091cf851e5752df9799d3a1f17f68");
  // "jÖrg@example.de": only the ASCII letters were lowered before hashing.
  CHECK(hex(login_salt("J\xC3\x96RG@Example.DE")) == "c8b6e315539b2f45b5dd6804e16fa4d7");
  CHECK(login_salt("bob@example.com") != login_salt("alice@example.com"));
}

TEST_CASE("login_salt rejects an empty email", "[auth][login_key]") {
  CHECK(kind_of([] { login_salt(""); }) == ErrorKind::invalid_input);
}

TEST_CASE("derive_auth_key known answer (PyNaCl crypto_pwhash_alg, Argon2id13, 3, 64 MiB)",
          "[auth][login_key]") {
  const AuthKey key = derive_auth_key("Alice@Example.com", "correct horse battery staple");
  CHECK(base64_encode(key.view()) == "/ULDKmjmQv8kGTgzNaOwscyRRN9Iw4gjSK8Y8CVbvUY=");
}

TEST_CASE("derive_auth_key rejects empty inputs without leaking the password", "[auth][login_key]") {
  try {
    derive_auth_key("", "hunter2-secret");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(e.field() == "email");
    CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
  }
  try {
    derive_auth_key("alice@example.com", "");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(e.field() == "password");
  }
}
