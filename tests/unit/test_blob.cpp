#include <catch2/catch.hpp>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

TEST_CASE("a blob has exactly 40 bytes of overhead and opens under its id", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{4096}, std::size_t{1} << 20}) {
    const Bytes plain = test::counting_bytes(size);
    const Bytes sealed = seal_blob(key, "photo-1", plain, random);
    CHECK(sealed.size() == size + kBlobOverhead);
    CHECK(open_blob(key, "photo-1", sealed) == plain);
  }
}

TEST_CASE("blob ids are checked and bind the ciphertext", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  const Bytes sealed = seal_blob(key, "a", test::counting_bytes(10), random);
  CHECK(test::kind_thrown([&] { open_blob(key, "b", sealed); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { seal_blob(key, std::string(129, 'x'), Bytes{}, random); }) ==
        ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { open_blob(key, "", sealed); }) == ErrorKind::invalid_input);
  CHECK_NOTHROW(seal_blob(key, std::string(128, 'x'), Bytes{}, random));
}

TEST_CASE("input shorter than 40 bytes is a crypto error", "[blob]") {
  const BlobKey key = derive_blob_key(test::counting_master_key());
  for (std::size_t size = 0; size < kBlobOverhead; ++size) {
    CHECK(test::kind_thrown([&] { open_blob(key, "a", Bytes(size)); }) == ErrorKind::crypto);
  }
}
