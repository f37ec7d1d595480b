// The recovery key (crypto-format.md, "Recovery key"): the code's layout and reading, typo
// detection, the envelope and its JSON. The known answers are in test_vectors.cpp.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <type_traits>
#include <vector>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;
using Json = nlohmann::ordered_json;

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// RK of bytes start, start + 1, ... (mod 256).
RecoveryKey counting_recovery_key(std::uint8_t start = 0) {
  return recovery_key_from_bytes(test::counting_bytes(32, start));
}

std::string code_text(const RecoveryKey& key) { return std::string(recovery_code_from_key(key).view()); }

bool same_key(const RecoveryKey& a, const RecoveryKey& b) { return constant_time_equal(a.view(), b.view()); }

// The Error that reading `code` throws; fails the test when it reads.
Error code_error(std::string_view code) {
  try {
    recovery_key_from_code(code);
  } catch (const Error& e) {
    return e;
  }
  FAIL("recovery code accepted");
  throw std::logic_error("unreachable");
}

// Index in the code text of the i-th base32 character after "SKR1-" (dashes skipped).
std::size_t body_index(std::size_t i) { return 5 + i + i / 4; }

Json sealed_envelope_json() {
  RandomSource& random = test::system_random();
  return recovery_envelope_to_json(
      seal_recovery_envelope(test::counting_master_key(), counting_recovery_key(), random));
}

Error envelope_error(const Json& json) {
  try {
    recovery_envelope_from_json_text(json.dump());
  } catch (const Error& e) {
    return e;
  }
  FAIL("recovery envelope accepted");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a recovery code reads back to its key", "[recovery]") {
  RandomSource& random = test::system_random();
  for (int i = 0; i < 50; ++i) {
    const RecoveryKey key = generate_recovery_key(random);
    CHECK(same_key(recovery_key_from_code(recovery_code_from_key(key).view()), key));
  }
  CHECK(same_key(recovery_key_from_code(code_text(counting_recovery_key())), counting_recovery_key()));
}

TEST_CASE("a recovery code is SKR1 and 14 groups of 4 base32 characters", "[recovery]") {
  RandomSource& random = test::system_random();
  for (int i = 0; i < 20; ++i) {
    const std::string code = code_text(generate_recovery_key(random));
    REQUIRE(code.size() == kRecoveryCodeChars);
    CHECK(code.size() == 74);
    CHECK(code.substr(0, 5) == "SKR1-");
    for (std::size_t group = 0; group < 14; ++group) {
      const std::size_t at = 5 + group * 5;
      for (std::size_t j = 0; j < 4; ++j) CHECK(kBase32.find(code[at + j]) != std::string_view::npos);
      if (group < 13) CHECK(code[at + 4] == '-');
    }
  }
}

TEST_CASE("a recovery code reads case-insensitively, spaces and dashes ignored anywhere", "[recovery]") {
  const RecoveryKey key = counting_recovery_key(7);
  const std::string code = code_text(key);
  std::string lower = code;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string spaced = code;
  std::replace(spaced.begin(), spaced.end(), '-', ' ');
  std::string bare = code;
  bare.erase(std::remove(bare.begin(), bare.end(), '-'), bare.end());
  std::string scattered;  // a space or dash after every character, the prefix too
  for (const char c : bare) scattered += std::string(1, c) + (scattered.size() % 3 == 0 ? " " : "--");
  const std::string variants[] = {lower, spaced, bare, "  " + bare + "  ", scattered, "s k r 1" + bare.substr(4),
                                  "skr1 " + lower.substr(5), "-" + code + "-"};
  for (const std::string& variant : variants) {
    INFO(variant);
    CHECK(same_key(recovery_key_from_code(variant), key));
  }
}

TEST_CASE("every single-character typo in a recovery code is refused as invalid input", "[recovery]") {
  // A substitution inside RK changes RK, so its 24-bit checksum matches by chance only (2^-24 per
  // typo; these keys are fixed, so the test is deterministic); one inside the checksum breaks it.
  for (const std::uint8_t start : {std::uint8_t{0}, std::uint8_t{100}, std::uint8_t{200}}) {
    const std::string code = code_text(counting_recovery_key(start));
    std::size_t refused = 0;
    for (std::size_t i = 0; i < 56; ++i) {
      const std::size_t at = body_index(i);
      for (const char replacement : std::string(kBase32) + "0189!a") {
        if (replacement == code[at] || std::toupper(static_cast<unsigned char>(replacement)) == code[at]) continue;
        std::string typo = code;
        typo[at] = replacement;
        const Error error = code_error(typo);
        CHECK(error.kind() == ErrorKind::invalid_input);
        CHECK(error.field() == "recovery_code");
        ++refused;
      }
    }
    CHECK(refused >= 56 * 31);
  }
}

TEST_CASE("swapped neighbours, a dropped or a doubled character are refused", "[recovery]") {
  const std::string code = code_text(counting_recovery_key(42));
  for (std::size_t i = 0; i + 1 < 56; ++i) {
    std::string swapped = code;
    std::swap(swapped[body_index(i)], swapped[body_index(i + 1)]);
    if (swapped == code) continue;
    CHECK(code_error(swapped).kind() == ErrorKind::invalid_input);
  }
  for (std::size_t i = 0; i < 56; ++i) {
    std::string dropped = code;
    dropped.erase(body_index(i), 1);
    CHECK(code_error(dropped).kind() == ErrorKind::invalid_input);
    std::string doubled = code;
    doubled.insert(body_index(i), 1, code[body_index(i)]);
    CHECK(code_error(doubled).kind() == ErrorKind::invalid_input);
  }
}

TEST_CASE("a wrong prefix, length or character is invalid input naming recovery_code", "[recovery]") {
  const std::string code = code_text(counting_recovery_key());
  const std::string body = code.substr(5);
  const std::string cases[] = {
      "",
      "   - -",
      "SKR",
      "SKR1",
      "SKR2-" + body,
      "SKRI-" + body,
      "SKR-" + body,
      "SKR11-" + body,
      body,
      "XSKR1-" + body,
      code.substr(0, code.size() - 1),
      code + "A",
      code + code,
      std::string(10000, 'A'),
      "SKR1-" + std::string(56, 'A'),  // right shape, wrong checksum
      code.substr(0, 10) + "\t" + code.substr(11),
      code.substr(0, 10) + "\n" + code.substr(11),
      code.substr(0, 10) + "_" + code.substr(11),
      code.substr(0, 10) + "\xc3\xa9" + code.substr(12),  // é (UTF-8) for two characters
      code.substr(0, 10) + std::string(1, '\0') + code.substr(11),
      code + "\n",
  };
  for (const std::string& bad : cases) {
    INFO(bad.size() << " bytes");
    const Error error = code_error(bad);
    CHECK(error.kind() == ErrorKind::invalid_input);
    CHECK(error.field() == "recovery_code");
  }
  CHECK(code_error("SKR2-" + body).detail().find("SKR1") != std::string::npos);
  CHECK(code_error(code + "A").detail().find("56") != std::string::npos);
  CHECK(code_error("SKR1-" + std::string(56, 'A')).detail().find("checksum") != std::string::npos);
}

TEST_CASE("error messages never quote the code or any part of it", "[recovery]") {
  const std::string code = code_text(counting_recovery_key(9));
  std::string bare = code;
  bare.erase(std::remove(bare.begin(), bare.end(), '-'), bare.end());
  std::vector<std::string> inputs = {code + "A", code.substr(0, 40), "SKR2" + code.substr(4), code.substr(5)};
  for (const std::size_t i : {std::size_t{0}, std::size_t{27}, std::size_t{55}}) {
    std::string typo = code;
    typo[body_index(i)] = typo[body_index(i)] == 'Q' ? 'R' : 'Q';
    inputs.push_back(typo);
    typo[body_index(i)] = '0';
    inputs.push_back(typo);
  }
  for (const std::string& input : inputs) {
    const Error error = code_error(input);
    const std::string message = std::string(error.what()) + " " + error.field();
    INFO(message);
    for (std::size_t group = 0; group < 14; ++group) {
      CHECK(message.find(code.substr(5 + group * 5, 4)) == std::string::npos);
      const std::string piece = input.substr(std::min(input.size(), 5 + group * 5), 4);
      if (piece.size() == 4) CHECK(message.find(piece) == std::string::npos);
    }
    CHECK(message.find(bare.substr(4, 8)) == std::string::npos);
  }
}

TEST_CASE("the wrap key and recovery auth key are distinct subkeys of RK", "[recovery]") {
  const RecoveryKey a = counting_recovery_key(0);
  const RecoveryKey b = counting_recovery_key(1);
  const RecoveryWrapKey wrap_a = derive_recovery_wrap_key(a);
  const AuthKey auth_a = derive_recovery_auth_key(a);
  CHECK_FALSE(constant_time_equal(wrap_a.view(), auth_a.view()));
  CHECK_FALSE(constant_time_equal(wrap_a.view(), a.view()));
  CHECK_FALSE(constant_time_equal(wrap_a.view(), derive_recovery_wrap_key(b).view()));
  CHECK_FALSE(constant_time_equal(auth_a.view(), derive_recovery_auth_key(b).view()));
  CHECK(constant_time_equal(wrap_a.view(), derive_recovery_wrap_key(a).view()));
  // Not the master key's subkeys of the same bytes: another KDF context.
  const MasterKey same_bytes = master_key_from_bytes(a.view());
  CHECK_FALSE(constant_time_equal(wrap_a.view(), derive_change_key(same_bytes).view()));
  CHECK_FALSE(constant_time_equal(auth_a.view(), derive_blob_key(same_bytes).view()));
}

TEST_CASE("a recovery key is exactly 32 bytes", "[recovery]") {
  CHECK(test::kind_thrown([] { recovery_key_from_bytes(Bytes(31)); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([] { recovery_key_from_bytes(Bytes(33)); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([] { recovery_key_from_bytes(Bytes{}); }) == ErrorKind::invalid_input);
}

TEST_CASE("the recovery envelope opens with its code and only with it", "[recovery]") {
  RandomSource& random = test::system_random();
  const MasterKey master = test::counting_master_key();
  const RecoveryKey key = generate_recovery_key(random);
  const RecoveryEnvelope envelope = seal_recovery_envelope(master, key, random);
  const RecoveryKey read_back = recovery_key_from_code(recovery_code_from_key(key).view());
  CHECK(constant_time_equal(open_recovery_envelope(envelope, read_back).view(), master.view()));

  const RecoveryKey other = generate_recovery_key(random);
  const Error wrong = [&] {
    try {
      open_recovery_envelope(envelope, recovery_key_from_code(recovery_code_from_key(other).view()));
    } catch (const Error& e) {
      return e;
    }
    FAIL("another code opened the envelope");
    throw std::logic_error("unreachable");
  }();
  CHECK(wrong.kind() == ErrorKind::wrong_password);
}

TEST_CASE("every seal takes a new nonce", "[recovery]") {
  RandomSource& random = test::system_random();
  const RecoveryKey key = counting_recovery_key();
  const RecoveryEnvelope a = seal_recovery_envelope(test::counting_master_key(), key, random);
  const RecoveryEnvelope b = seal_recovery_envelope(test::counting_master_key(), key, random);
  CHECK(a.nonce != b.nonce);
  CHECK(a.ciphertext != b.ciphertext);
  CHECK(a.version == 1);
}

TEST_CASE("a tampered recovery envelope does not open", "[recovery]") {
  RandomSource& random = test::system_random();
  const RecoveryKey key = counting_recovery_key();
  const RecoveryEnvelope good = seal_recovery_envelope(test::counting_master_key(), key, random);
  for (std::size_t i = 0; i < good.nonce.size(); ++i) {
    RecoveryEnvelope bad = good;
    bad.nonce[i] ^= 0x01;
    CHECK(test::kind_thrown([&] { open_recovery_envelope(bad, key); }) == ErrorKind::wrong_password);
  }
  for (std::size_t i = 0; i < good.ciphertext.size(); ++i) {
    RecoveryEnvelope bad = good;
    bad.ciphertext[i] ^= 0x80;
    CHECK(test::kind_thrown([&] { open_recovery_envelope(bad, key); }) == ErrorKind::wrong_password);
  }
  RecoveryEnvelope version_2 = good;
  version_2.version = 2;
  CHECK(test::kind_thrown([&] { open_recovery_envelope(version_2, key); }) == ErrorKind::invalid_data);
}

TEST_CASE("sealing takes exactly its nonce from the random source", "[recovery]") {
  const RecoveryKey key = counting_recovery_key();
  test::FixedRandom first(test::counting_bytes(24));
  const RecoveryEnvelope envelope = seal_recovery_envelope(test::counting_master_key(), key, first);
  CHECK(first.remaining() == 0);
  CHECK(Bytes(envelope.nonce.begin(), envelope.nonce.end()) == test::counting_bytes(24));
  test::FixedRandom again(test::counting_bytes(24));
  CHECK(seal_recovery_envelope(test::counting_master_key(), key, again) == envelope);
  CHECK(test::kind_thrown([&] { open_recovery_envelope(envelope, counting_recovery_key(1)); }) ==
        ErrorKind::wrong_password);
}

TEST_CASE("the recovery envelope JSON has exactly the format's fields and round-trips", "[recovery]") {
  const Json json = sealed_envelope_json();
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"version", "kind", "nonce", "ciphertext"});
  CHECK(json["version"] == 1);
  CHECK(json["kind"] == "recovery");
  CHECK(base64_decode(json["nonce"].get<std::string>(), "nonce").size() == 24);
  CHECK(base64_decode(json["ciphertext"].get<std::string>(), "ciphertext").size() == 48);
  const RecoveryEnvelope parsed = recovery_envelope_from_json_text(json.dump());
  CHECK(recovery_envelope_to_json(parsed) == json);
  CHECK(recovery_envelope_to_json(parsed).dump() == json.dump());
  // The reader inside another document (the protocol's {"envelope":{...}}), with the field path.
  const Json outer = {{"envelope", json}};
  const wire::ObjectReader reader(outer, "reply");
  CHECK(recovery_envelope_from_json(reader.object("envelope")) == parsed);
}

TEST_CASE("recovery envelopes outside the format are refused with the field named", "[recovery]") {
  const Json good = sealed_envelope_json();
  struct Case {
    const char* key;
    nlohmann::json value;  // null here means: remove the key
    ErrorKind kind;
  };
  const Case cases[] = {
      {"version", 2, ErrorKind::invalid_data},
      {"version", 0, ErrorKind::invalid_data},
      {"version", -1, ErrorKind::invalid_data},
      {"version", "1", ErrorKind::json},
      {"version", 1.0, ErrorKind::json},
      {"version", nullptr, ErrorKind::json},
      {"kind", "password", ErrorKind::invalid_data},
      {"kind", "Recovery", ErrorKind::invalid_data},
      {"kind", "", ErrorKind::invalid_data},
      {"kind", 1, ErrorKind::json},
      {"kind", nullptr, ErrorKind::json},
      {"nonce", "AAAA", ErrorKind::json},
      {"nonce", "not base64!", ErrorKind::json},
      {"nonce", base64_encode(Bytes(23)), ErrorKind::json},
      {"nonce", base64_encode(Bytes(25)), ErrorKind::json},
      {"nonce", nullptr, ErrorKind::json},
      {"ciphertext", base64_encode(Bytes(47)), ErrorKind::json},
      {"ciphertext", base64_encode(Bytes(49)), ErrorKind::json},
      {"ciphertext", 12, ErrorKind::json},
      {"ciphertext", nullptr, ErrorKind::json},
  };
  for (const Case& c : cases) {
    Json bad = good;
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
  // A JSON null value is a wrong type, not a missing key.
  Json null_nonce = good;
  null_nonce["nonce"] = nullptr;
  CHECK(envelope_error(null_nonce).kind() == ErrorKind::json);
  CHECK(envelope_error(Json::array()).kind() == ErrorKind::json);
  CHECK(envelope_error("recovery").kind() == ErrorKind::json);
  CHECK(test::kind_thrown([] { recovery_envelope_from_json_text("{\"version\":1,"); }) == ErrorKind::json);
  CHECK(test::kind_thrown([] { recovery_envelope_from_json_text(""); }) == ErrorKind::json);
  CHECK(test::kind_thrown([&] { recovery_envelope_from_json_text(good.dump() + std::string(1, '\0')); }) ==
        ErrorKind::json);
  // The password envelope is not a recovery envelope.
  const Json password_envelope = {{"version", 1}, {"kdf", "argon2id13"}, {"opslimit", 3}, {"memlimit", 67108864},
                                  {"salt", good["nonce"]}, {"nonce", good["nonce"]}, {"ciphertext", good["ciphertext"]}};
  CHECK(envelope_error(password_envelope).field() == "kind");
}

TEST_CASE("a recovery code wipes what it leaves when moved", "[recovery]") {
  RecoveryCode code = recovery_code_from_key(counting_recovery_key());
  const std::string text(code.view());
  RecoveryCode moved = std::move(code);
  CHECK(code.view().empty());  // NOLINT(bugprone-use-after-move): the moved-from code is emptied
  CHECK(moved.view() == text);
  RecoveryCode assigned(std::string("short"));
  assigned = std::move(moved);
  CHECK(assigned.view() == text);
  CHECK(moved.view().empty());  // NOLINT(bugprone-use-after-move)
  static_assert(!std::is_copy_constructible_v<RecoveryCode>);
  static_assert(std::is_nothrow_move_constructible_v<RecoveryCode>);
}
