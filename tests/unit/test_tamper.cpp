#include <catch2/catch.hpp>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

TEST_CASE("every flipped bit and every truncation of a sealed change is a crypto error", "[tamper]") {
  RandomSource& random = test::system_random();
  const ChangeKey key = derive_change_key(test::counting_master_key());
  const Bytes sealed = seal_change(key, "c1", test::sample_entry(), random);
  for (std::size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    Bytes tampered = sealed;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    REQUIRE(test::kind_thrown([&] { open_change(key, "c1", tampered); }) == ErrorKind::crypto);
  }
  for (std::size_t size = 0; size < sealed.size(); ++size) {
    const Bytes truncated(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(size));
    REQUIRE(test::kind_thrown([&] { open_change(key, "c1", truncated); }) == ErrorKind::crypto);
  }
  Bytes extended = sealed;
  extended.push_back(0);
  CHECK(test::kind_thrown([&] { open_change(key, "c1", extended); }) == ErrorKind::crypto);
}

TEST_CASE("a sealed change does not open under another id or key", "[tamper]") {
  RandomSource& random = test::system_random();
  const MasterKey master = test::counting_master_key();
  const ChangeKey key = derive_change_key(master);
  const Bytes sealed = seal_change(key, "c1", test::sample_entry(), random);
  CHECK(test::kind_thrown([&] { open_change(key, "c2", sealed); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { open_change(key, "c1x", sealed); }) == ErrorKind::crypto);
  const ChangeKey other = derive_change_key(generate_master_key(random));
  CHECK(test::kind_thrown([&] { open_change(other, "c1", sealed); }) == ErrorKind::crypto);
  // The blob key is not the change key: a change cannot be opened as a blob or the other way.
  const BlobKey blob_key = derive_blob_key(master);
  CHECK(test::kind_thrown([&] { open_blob(blob_key, "c1", sealed); }) == ErrorKind::crypto);
}

TEST_CASE("every flipped bit and every truncation of a sealed blob is a crypto error", "[tamper]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  const Bytes sealed = seal_blob(key, "b1", test::counting_bytes(100), random);
  for (std::size_t bit = 0; bit < sealed.size() * 8; ++bit) {
    Bytes tampered = sealed;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    REQUIRE(test::kind_thrown([&] { open_blob(key, "b1", tampered); }) == ErrorKind::crypto);
  }
  for (std::size_t size = 0; size < sealed.size(); ++size) {
    const Bytes truncated(sealed.begin(), sealed.begin() + static_cast<std::ptrdiff_t>(size));
    REQUIRE(test::kind_thrown([&] { open_blob(key, "b1", truncated); }) == ErrorKind::crypto);
  }
}

TEST_CASE("a tampered envelope is a wrong-password error, never a crash", "[tamper]") {
  RandomSource& random = test::system_random();
  const KeyEnvelope envelope = wrap_master_key(test::counting_master_key(), "pw", random, {2, 16u << 20});
  // One flipped bit in every byte of salt, nonce and ciphertext (a different bit each time): each
  // unwrap runs Argon2id, so every bit of all 88 bytes would make a slow test.
  auto flip_each_byte = [&](auto member) {
    for (std::size_t i = 0; i < (envelope.*member).size(); ++i) {
      KeyEnvelope tampered = envelope;
      (tampered.*member)[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
      REQUIRE(test::kind_thrown([&] { unwrap_master_key(tampered, "pw"); }) == ErrorKind::wrong_password);
    }
  };
  flip_each_byte(&KeyEnvelope::salt);
  flip_each_byte(&KeyEnvelope::nonce);
  flip_each_byte(&KeyEnvelope::ciphertext);
  KeyEnvelope cheaper = envelope;
  cheaper.opslimit = 3;  // the cost is part of what the password opens
  CHECK(test::kind_thrown([&] { unwrap_master_key(cheaper, "pw"); }) == ErrorKind::wrong_password);
}
