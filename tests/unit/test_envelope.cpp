#include <catch2/catch.hpp>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

namespace {
// The cheapest accepted cost, so tests stay quick (the default cost has its own vector).
constexpr EnvelopeParams kCheap{2, 16u << 20};

nlohmann::ordered_json cheap_envelope_json() {
  RandomSource& random = test::system_random();
  return envelope_to_json(wrap_master_key(test::counting_master_key(), "pw", random, kCheap));
}

Error envelope_error(const nlohmann::ordered_json& json) {
  try {
    envelope_from_json_text(json.dump());
  } catch (const Error& e) {
    return e;
  }
  FAIL("envelope accepted");
  throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("an envelope unwraps with its password and only with it", "[envelope]") {
  RandomSource& random = test::system_random();
  const MasterKey master = test::counting_master_key();
  const KeyEnvelope envelope = wrap_master_key(master, "correct horse", random, kCheap);
  CHECK(constant_time_equal(unwrap_master_key(envelope, "correct horse").view(), master.view()));
  CHECK(test::kind_thrown([&] { unwrap_master_key(envelope, "correct horsf"); }) == ErrorKind::wrong_password);
  CHECK(test::kind_thrown([&] { unwrap_master_key(envelope, ""); }) == ErrorKind::wrong_password);
}

TEST_CASE("every wrap takes a new salt and nonce", "[envelope]") {
  RandomSource& random = test::system_random();
  const MasterKey master = test::counting_master_key();
  const KeyEnvelope a = wrap_master_key(master, "pw", random, kCheap);
  const KeyEnvelope b = wrap_master_key(master, "pw", random, kCheap);
  CHECK(a.salt != b.salt);
  CHECK(a.nonce != b.nonce);
  CHECK(a.ciphertext != b.ciphertext);
}

TEST_CASE("the envelope JSON round-trips and has exactly the format's fields", "[envelope]") {
  const nlohmann::ordered_json json = cheap_envelope_json();
  CHECK(json.size() == 7);
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"version", "kdf", "opslimit", "memlimit", "salt", "nonce", "ciphertext"});
  CHECK(json["version"] == 1);
  CHECK(json["kdf"] == "argon2id13");
  CHECK(json["opslimit"] == 2);
  CHECK(json["memlimit"] == 16777216);
  CHECK(base64_decode(json["salt"].get<std::string>(), "salt").size() == 16);
  CHECK(base64_decode(json["nonce"].get<std::string>(), "nonce").size() == 24);
  CHECK(base64_decode(json["ciphertext"].get<std::string>(), "ciphertext").size() == 48);
  CHECK(envelope_to_json(envelope_from_json_text(json.dump())) == json);
}

TEST_CASE("wrapping refuses a cost outside the bounds and an empty password", "[envelope]") {
  RandomSource& random = test::system_random();
  const MasterKey master = test::counting_master_key();
  const EnvelopeParams bad[] = {{1, 16u << 20}, {17, 16u << 20}, {2, (16u << 20) - 1}, {2, (1u << 30) + 1}};
  for (const auto& params : bad) {
    CHECK(test::kind_thrown([&] { wrap_master_key(master, "pw", random, params); }) == ErrorKind::invalid_input);
  }
  CHECK(test::kind_thrown([&] { wrap_master_key(master, "", random, kCheap); }) == ErrorKind::invalid_input);
}

TEST_CASE("envelopes outside the format are refused with the field named", "[envelope]") {
  const nlohmann::ordered_json good = cheap_envelope_json();
  struct Case {
    const char* key;
    nlohmann::json value;  // null here means: remove the key
    ErrorKind kind;
  };
  const Case cases[] = {
      {"version", 2, ErrorKind::invalid_data},
      {"version", "1", ErrorKind::json},
      {"version", nullptr, ErrorKind::json},
      {"kdf", "scrypt", ErrorKind::invalid_data},
      {"kdf", nullptr, ErrorKind::json},
      {"opslimit", 1, ErrorKind::invalid_data},
      {"opslimit", 17, ErrorKind::invalid_data},
      {"opslimit", 3.0, ErrorKind::json},
      {"opslimit", -3, ErrorKind::json},
      {"memlimit", 16777215, ErrorKind::invalid_data},
      {"memlimit", 1073741825, ErrorKind::invalid_data},
      {"memlimit", "67108864", ErrorKind::json},
      {"salt", "AAAA", ErrorKind::json},
      {"salt", "not base64!", ErrorKind::json},
      {"salt", nullptr, ErrorKind::json},
      {"nonce", base64_encode(Bytes(23)), ErrorKind::json},
      {"nonce", base64_encode(Bytes(25)), ErrorKind::json},
      {"ciphertext", base64_encode(Bytes(32)), ErrorKind::json},
      {"ciphertext", base64_encode(Bytes(49)), ErrorKind::json},
      {"ciphertext", 12, ErrorKind::json},
  };
  for (const Case& c : cases) {
    nlohmann::ordered_json bad = good;
    if (c.value.is_null()) {
      bad.erase(c.key);
    } else {
      bad[c.key] = c.value;
    }
    INFO(bad.dump());
    const Error error = envelope_error(bad);
    CHECK(error.kind() == c.kind);
    CHECK(error.field() == c.key);
  }
  CHECK(envelope_error(nlohmann::ordered_json::array()).kind() == ErrorKind::json);
  CHECK(test::kind_thrown([] { envelope_from_json_text("{\"version\":1,"); }) == ErrorKind::json);
}

TEST_CASE("an envelope struct with bounds broken is refused before any key derivation", "[envelope]") {
  RandomSource& random = test::system_random();
  KeyEnvelope envelope = wrap_master_key(test::counting_master_key(), "pw", random, kCheap);
  envelope.memlimit = std::uint64_t{1} << 40;
  CHECK(test::kind_thrown([&] { unwrap_master_key(envelope, "pw"); }) == ErrorKind::invalid_data);
  envelope.memlimit = 16u << 20;
  envelope.version = 2;
  CHECK(test::kind_thrown([&] { unwrap_master_key(envelope, "pw"); }) == ErrorKind::invalid_data);
}
