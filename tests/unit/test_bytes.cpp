#include <catch2/catch.hpp>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

using synckit::Bytes;
using synckit::ErrorKind;

TEST_CASE("base64 follows RFC 4648 test vectors", "[bytes]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(synckit::base64_encode(synckit::as_bytes(plain)) == encoded);
    const Bytes decoded = synckit::base64_decode(encoded, "x");
    CHECK(std::string(decoded.begin(), decoded.end()) == plain);
  }
  CHECK(synckit::base64url_encode(Bytes{0xfb, 0xff}) == "-_8");
  CHECK(synckit::base64url_decode("-_8", "x") == Bytes{0xfb, 0xff});
}

TEST_CASE("base64 decoding is strict and names the field", "[bytes]") {
  const char* bad[] = {"Zg", "Zg=", "Zh==", "Zm9v\n", " Zm9v", "Zm9v!", "Zm-v", "Zm9vYg==Zg==", "===="};
  for (const char* text : bad) {
    INFO(text);
    try {
      synckit::base64_decode(text, "salt");
      FAIL("accepted malformed base64");
    } catch (const synckit::Error& e) {
      CHECK(e.kind() == ErrorKind::json);
      CHECK(e.field() == "salt");
    }
  }
  for (const char* high : {"AAA\x80", "AA\xc3\xbf", "Zm9\xff"}) {  // libsodium alone reads these as '/'
    CHECK_THROWS_AS(synckit::base64_decode(high, "x"), synckit::Error);
    CHECK_THROWS_AS(synckit::base64url_decode(high, "x"), synckit::Error);
  }
  CHECK_THROWS_AS(synckit::base64url_decode("Zg==", "x"), synckit::Error);
  CHECK_THROWS_AS(synckit::base64url_decode("+/8", "x"), synckit::Error);
}

TEST_CASE("secret base64 decoding gives the same bytes in a wiping buffer", "[bytes]") {
  const synckit::SecretBuffer secret = synckit::base64_decode_secret("Zm9vYmE=", "k");
  CHECK(std::string(secret.view().begin(), secret.view().end()) == "fooba");
  CHECK_THROWS_AS(synckit::base64_decode_secret("Zm9vYmE", "k"), synckit::Error);
}
