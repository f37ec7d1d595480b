#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "crypto_fixtures.hpp"
#include "fixed_random.hpp"
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

namespace {

std::span<std::uint8_t> span_of(std::string& text) {
  return {reinterpret_cast<std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

TEST_CASE("open_blob_into opens into a buffer apart or in place, as open_blob does", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1} << 20}) {
    const Bytes plain = test::counting_bytes(size);
    const Bytes sealed = seal_blob(key, "photo-1", plain, random);
    Bytes apart(size, 0xee);
    open_blob_into(key, "photo-1", sealed, apart);
    CHECK(apart == plain);

    Bytes in_place = sealed;
    const std::span<std::uint8_t> whole(in_place);
    open_blob_into(key, "photo-1", whole, whole.subspan(kBlobOffset, size));
    CHECK(Bytes(in_place.begin() + kBlobOffset, in_place.end() - 16) == plain);
  }
}

TEST_CASE("open_blob_into refuses a wrong output size or overlap, and tampering", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  Bytes sealed = seal_blob(key, "a", test::counting_bytes(64), random);
  Bytes out(64);
  CHECK(test::kind_thrown([&] { Bytes small(63); open_blob_into(key, "a", sealed, small); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { Bytes big(65); open_blob_into(key, "a", sealed, big); }) == ErrorKind::invalid_input);
  const std::span<std::uint8_t> whole(sealed);
  for (const std::size_t offset : {std::size_t{0}, std::size_t{23}, std::size_t{25}, std::size_t{40}}) {
    CHECK(test::kind_thrown([&] { open_blob_into(key, "a", whole, whole.subspan(offset, 64)); }) ==
          ErrorKind::invalid_input);
  }
  CHECK(test::kind_thrown([&] { open_blob_into(key, "b", sealed, out); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { open_blob_into(key, "", sealed, out); }) == ErrorKind::invalid_input);
  for (std::size_t size = 0; size < kBlobOverhead; ++size) {
    CHECK(test::kind_thrown([&] { open_blob_into(key, "a", Bytes(size), {}); }) == ErrorKind::crypto);
  }
  // A tampered blob opened in place leaves no plaintext behind (libsodium zeroes the output).
  sealed.back() ^= 1;
  CHECK(test::kind_thrown([&] { open_blob_into(key, "a", whole, whole.subspan(kBlobOffset, 64)); }) ==
        ErrorKind::crypto);
  CHECK(std::all_of(sealed.begin() + kBlobOffset, sealed.end() - 16, [](std::uint8_t b) { return b == 0; }));
}

TEST_CASE("seal_blob_into seals in place to the same bytes as apart", "[blob]") {
  const BlobKey key = derive_blob_key(test::counting_master_key());
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1} << 20}) {
    const Bytes plain = test::counting_bytes(size);
    const Bytes nonce = test::counting_bytes(24);
    test::FixedRandom apart_nonce(nonce);
    const Bytes apart = seal_blob(key, "photo-1", plain, apart_nonce);

    Bytes buffer(size + kBlobOverhead, 0xee);
    std::copy(plain.begin(), plain.end(), buffer.begin() + kBlobOffset);
    const std::span<std::uint8_t> whole(buffer);
    test::FixedRandom in_place_nonce(nonce);
    seal_blob_into(key, "photo-1", whole.subspan(kBlobOffset, size), in_place_nonce, whole);
    CHECK(buffer == apart);
    CHECK(open_blob(key, "photo-1", buffer) == plain);
  }
}

TEST_CASE("seal_blob_into refuses any overlap but in place", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  Bytes buffer(64 + kBlobOverhead);
  const std::span<std::uint8_t> whole(buffer);
  for (const std::size_t offset : {std::size_t{0}, std::size_t{23}, std::size_t{25}, std::size_t{40}}) {
    CHECK(test::kind_thrown([&] { seal_blob_into(key, "a", whole.subspan(offset, 64), random, whole); }) ==
          ErrorKind::invalid_input);
  }
  CHECK_NOTHROW(seal_blob_into(key, "a", whole.subspan(kBlobOffset, 64), random, whole));
}

TEST_CASE("open_blob_in_place keeps the blob in the buffer it arrived in", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  for (const std::size_t size : {std::size_t{0}, std::size_t{5}, std::size_t{4096}}) {
    const Bytes plain = test::counting_bytes(size);
    const Bytes sealed = seal_blob(key, "photo-1", plain, random);
    std::string arrived(sealed.begin(), sealed.end());
    const std::uint8_t* where = span_of(arrived).data();
    OpenedBlob opened = open_blob_in_place(key, "photo-1", std::move(arrived));
    CHECK(Bytes(opened.bytes().begin(), opened.bytes().end()) == plain);
    CHECK(opened.bytes().data() == where + kBlobOffset);  // no copy was made

    OpenedBlob moved = std::move(opened);
    CHECK(opened.bytes().empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    CHECK(Bytes(moved.bytes().begin(), moved.bytes().end()) == plain);
    moved = OpenedBlob();
    CHECK(moved.bytes().empty());
  }
  CHECK(OpenedBlob().bytes().empty());
}

TEST_CASE("open_blob_in_place throws as open_blob", "[blob]") {
  RandomSource& random = test::system_random();
  const BlobKey key = derive_blob_key(test::counting_master_key());
  const Bytes sealed = seal_blob(key, "a", test::counting_bytes(10), random);
  const std::string text(sealed.begin(), sealed.end());
  CHECK(test::kind_thrown([&] { open_blob_in_place(key, "b", text); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { open_blob_in_place(key, "", text); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { open_blob_in_place(key, "a", text.substr(0, 39)); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { open_blob_in_place(key, "a", std::string()); }) == ErrorKind::crypto);
}
