#include <catch2/catch.hpp>

#include <sodium.h>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

namespace {
// Seals arbitrary plaintext the way the format does, to build authenticated but invalid payloads.
Bytes seal_raw(const ChangeKey& key, std::string_view change_id, std::string_view plaintext) {
  Bytes aad(as_bytes("synckit:v1:change").begin(), as_bytes("synckit:v1:change").end());
  aad.push_back(0);
  aad.insert(aad.end(), change_id.begin(), change_id.end());
  Bytes sealed(24 + plaintext.size() + 16);
  randombytes_buf(sealed.data(), 24);
  crypto_aead_xchacha20poly1305_ietf_encrypt(sealed.data() + 24, nullptr, as_bytes(plaintext).data(),
                                             plaintext.size(), aad.data(), aad.size(), nullptr, sealed.data(),
                                             key.data());
  return sealed;
}
}  // namespace

TEST_CASE("a sealed change opens to the same entry under the same id", "[change]") {
  RandomSource& random = test::system_random();
  const ChangeKey key = derive_change_key(test::counting_master_key());
  const ChangeEntry entry = test::sample_entry();
  const Bytes sealed = seal_change(key, "c_0001", entry, random);
  CHECK(sealed.size() == change_entry_to_json(entry).size() + kSealedOverhead);
  CHECK(open_change(key, "c_0001", sealed) == entry);
  CHECK(seal_change(key, "c_0001", entry, random) != sealed);  // fresh nonce each time
}

TEST_CASE("a change with a replica stamp opens with it", "[change]") {
  RandomSource& random = test::system_random();
  const ChangeKey key = derive_change_key(test::counting_master_key());
  ChangeEntry entry = test::sample_entry();
  entry.hlc = "001764772345123-0000-9f30ba274f874d50";
  const Bytes sealed = seal_change(key, "c_0001", entry, random);
  CHECK(sealed.size() == change_entry_to_json(test::sample_entry()).size() + 46 + kSealedOverhead);
  CHECK(open_change(key, "c_0001", sealed) == entry);
  entry.hlc = "001764772345123-0000-9F30BA274F874D50";
  CHECK(test::kind_thrown([&] { seal_change(key, "c_0001", entry, random); }) == ErrorKind::invalid_input);
}

TEST_CASE("a change sealed with a fixed nonce is nonce || ciphertext || tag", "[change]") {
  const ChangeKey key = derive_change_key(test::counting_master_key());
  test::FixedRandom nonce(test::counting_bytes(24));
  const Bytes sealed = seal_change(key, "c", test::sample_entry(), nonce);
  CHECK(Bytes(sealed.begin(), sealed.begin() + 24) == test::counting_bytes(24));
  CHECK(nonce.remaining() == 0);
}

TEST_CASE("change ids and oversized changes are refused before sealing", "[change]") {
  RandomSource& random = test::system_random();
  const ChangeKey key = derive_change_key(test::counting_master_key());
  for (const std::string id : {std::string(), std::string(65, 'a'), std::string("a b"), std::string("a/b"),
                               std::string("é")}) {
    CHECK(test::kind_thrown([&] { seal_change(key, id, test::sample_entry(), random); }) ==
          ErrorKind::invalid_input);
    CHECK(test::kind_thrown([&] { open_change(key, id, Bytes(64)); }) == ErrorKind::invalid_input);
  }
  CHECK_NOTHROW(seal_change(key, std::string(64, 'a'), test::sample_entry(), random));
  ChangeEntry big = test::sample_entry();
  big.data = std::string(1 << 20, 'x');
  CHECK(test::kind_thrown([&] { seal_change(key, "c", big, random); }) == ErrorKind::invalid_input);
}

TEST_CASE("authenticated payloads that break the format are invalid data", "[change]") {
  const ChangeKey key = derive_change_key(test::counting_master_key());
  const char* plaintexts[] = {
      "not json",
      "[1,2]",
      R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z"})",
      R"({"table":"t","op":"remove","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":null})",
      R"({"table":"t","op":"delete","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":{"x":1}})",
      "{\"table\":\"t\xff\",\"op\":\"insert\",\"row_id\":\"r\",\"timestamp\":\"2026-11-25T16:30:59.123Z\",\"data\":1}",
      R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1,"hlc":"x"})",
      R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1,"hlc":null})",
  };
  for (const char* plaintext : plaintexts) {
    INFO(plaintext);
    const Bytes sealed = seal_raw(key, "c1", plaintext);
    CHECK(test::kind_thrown([&] { open_change(key, "c1", sealed); }) == ErrorKind::invalid_data);
  }
}
