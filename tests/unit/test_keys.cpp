#include <catch2/catch.hpp>

#include "crypto_fixtures.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

TEST_CASE("subkeys are deterministic, distinct and differ from the master key", "[keys]") {
  const MasterKey master = test::counting_master_key();
  const ChangeKey change = derive_change_key(master);
  const BlobKey blob = derive_blob_key(master);
  CHECK(constant_time_equal(change.view(), derive_change_key(master).view()));
  CHECK_FALSE(constant_time_equal(change.view(), blob.view()));
  CHECK_FALSE(constant_time_equal(change.view(), master.view()));
}

TEST_CASE("master keys come from the random source or from exactly 32 bytes", "[keys]") {
  test::FixedRandom fixed(test::counting_bytes(32, 100));
  const MasterKey from_random = generate_master_key(fixed);
  CHECK(from_random.data()[0] == 100);
  CHECK(from_random.data()[31] == 131);
  RandomSource& random = test::system_random();
  CHECK_FALSE(constant_time_equal(generate_master_key(random).view(), generate_master_key(random).view()));
  CHECK(test::kind_thrown([] { master_key_from_bytes(Bytes(31)); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([] { master_key_from_bytes(Bytes(33)); }) == ErrorKind::invalid_input);
}
