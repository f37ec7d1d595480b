// The account endpoints' bodies (protocol.md 1.1): protocol texts parse to the expected values,
// to_json then parse round-trips, and malformed bodies are typed errors naming the field without
// quoting any key.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"
#include "synckit/wire/account_messages.hpp"

namespace wire = synckit::wire;
using synckit::AuthKey;
using synckit::Error;
using synckit::ErrorKind;
using synckit::JsonValue;

namespace {

constexpr const char* kSession = "5e551011-aaaa-4bbb-8ccc-0123456789ab";

AuthKey key_of(std::uint8_t seed) {
  AuthKey key;
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(seed + i);
  return key;
}

std::string b64(const AuthKey& key) { return synckit::base64_encode(key.view()); }

synckit::RecoveryEnvelope sample_envelope() {
  synckit::RecoveryEnvelope envelope;
  for (std::size_t i = 0; i < envelope.nonce.size(); ++i) envelope.nonce[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < envelope.ciphertext.size(); ++i) {
    envelope.ciphertext[i] = static_cast<std::uint8_t>(200 - i);
  }
  return envelope;
}

// The Error a parse throws; FAILs when it does not throw.
template <class F>
Error error_of(F&& parse) {
  try {
    parse();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no error");
  return Error(ErrorKind::invalid_input, "no error");
}

}  // namespace

TEST_CASE("credential change request: JSON form, optional new_email, round trip", "[wire][account]") {
  const wire::CredentialChangeRequest plain{key_of(1), key_of(2), std::nullopt};
  const JsonValue json = wire::to_json(plain);
  CHECK(json == JsonValue{{"auth_key", b64(key_of(1))}, {"new_auth_key", b64(key_of(2))}});
  const auto parsed = wire::parse_credential_change_request_text(synckit::dump_json(json));
  CHECK(synckit::constant_time_equal(parsed.auth_key.view(), key_of(1).view()));
  CHECK(synckit::constant_time_equal(parsed.new_auth_key.view(), key_of(2).view()));
  CHECK_FALSE(parsed.new_email);

  const wire::CredentialChangeRequest moved{key_of(1), key_of(2), std::string("new@example.com")};
  const auto with_email = wire::parse_credential_change_request_text(synckit::dump_json(wire::to_json(moved)));
  CHECK(with_email.new_email == "new@example.com");

  const wire::CredentialChangeRequest empty_email{key_of(1), key_of(2), std::string()};
  CHECK(error_of([&] { (void)wire::to_json(empty_email); }).kind() == ErrorKind::invalid_input);
}

TEST_CASE("account request bodies refuse malformed keys, naming the field and never quoting it",
          "[wire][account]") {
  const std::string good = b64(key_of(9));
  const std::string short_key = synckit::base64_encode(synckit::as_bytes("sixteen bytes!!!"));
  struct Case {
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases{
      {R"({"auth_key":")" + good + R"("})", "new_auth_key"},
      {R"({"auth_key":")" + short_key + R"(","new_auth_key":")" + good + R"("})", "auth_key"},
      {R"({"auth_key":")" + good + R"(","new_auth_key":"not base64!"})", "new_auth_key"},
      {R"({"auth_key":")" + good + R"(","new_auth_key":")" + good + R"(","new_email":""})", "new_email"},
  };
  for (const Case& c : cases) {
    const Error e = error_of([&] { (void)wire::parse_credential_change_request_text(c.body); });
    CHECK(e.kind() == ErrorKind::json);
    CHECK(e.field() == c.field);
    CHECK(std::string(e.what()).find(good) == std::string::npos);
  }
  CHECK(error_of([] { (void)wire::parse_delete_account_request_text("{}"); }).field() == "auth_key");
  CHECK(error_of([] { (void)wire::parse_delete_account_request_text("[1]"); }).kind() == ErrorKind::json);
  const auto deleted = wire::parse_delete_account_request_text(R"({"auth_key":")" + good + R"("})");
  CHECK(synckit::constant_time_equal(deleted.auth_key.view(), key_of(9).view()));
}

TEST_CASE("session list: protocol text, round trip and strictness", "[wire][account]") {
  const std::string text = std::string(R"({"sessions":[{"id":")") + kSession +
                           R"(","created_at":"2026-12-01T10:00:00.000Z","last_used_at":"2026-12-03T09:30:15.250Z",)"
                           R"("current":true}]})";
  const wire::SessionList list = wire::parse_session_list_text(text);
  REQUIRE(list.sessions.size() == 1);
  CHECK(list.sessions[0].id == kSession);
  CHECK(synckit::format_timestamp(list.sessions[0].created_at) == "2026-12-01T10:00:00.000Z");
  CHECK(synckit::format_timestamp(list.sessions[0].last_used_at) == "2026-12-03T09:30:15.250Z");
  CHECK(list.sessions[0].current);
  CHECK(wire::parse_session_list_text(synckit::dump_json(wire::to_json(list))) == list);

  CHECK(error_of([] { (void)wire::parse_session_list_text(R"({"sessions":[{"id":"X"}]})"); }).field() ==
        "sessions[0].id");
  const std::string no_current = std::string(R"({"sessions":[{"id":")") + kSession +
                                 R"(","created_at":"2026-12-01T10:00:00.000Z","last_used_at":"2026-12-01T10:00:00.000Z"}]})";
  CHECK(error_of([&] { (void)wire::parse_session_list_text(no_current); }).field() == "sessions[0].current");
  const std::string bad_time = std::string(R"({"sessions":[{"id":")") + kSession +
                               R"(","created_at":"yesterday","last_used_at":"2026-12-01T10:00:00.000Z","current":false}]})";
  CHECK(error_of([&] { (void)wire::parse_session_list_text(bad_time); }).field() == "sessions[0].created_at");
}

TEST_CASE("recovery messages: put request, reply and recover request", "[wire][account]") {
  const wire::PutRecoveryRequest put{sample_envelope(), key_of(3), 4};
  const JsonValue json = wire::to_json(put);
  CHECK(json["envelope"] == synckit::recovery_envelope_to_json(sample_envelope()));
  CHECK(json["recovery_auth_key"] == b64(key_of(3)));
  CHECK(json["expected_version"] == 4);
  const auto parsed = wire::parse_put_recovery_request_text(synckit::dump_json(json));
  CHECK(parsed.envelope == sample_envelope());
  CHECK(synckit::constant_time_equal(parsed.recovery_auth_key.view(), key_of(3).view()));
  CHECK(parsed.expected_version == 4);
  const wire::PutRecoveryRequest negative{sample_envelope(), key_of(3), -1};
  CHECK(error_of([&] { (void)wire::to_json(negative); }).field() == "expected_version");

  const wire::RecoveryReply reply{sample_envelope(), 2};
  CHECK(wire::parse_recovery_reply_text(synckit::dump_json(wire::to_json(reply))) == reply);
  CHECK(error_of([] { (void)wire::parse_recovery_reply_text(R"({"version":1})"); }).field() == "envelope");

  const wire::RecoverRequest recover{"Ada@Example.com", key_of(5), key_of(6)};
  const JsonValue recover_json = wire::to_json(recover);
  CHECK(recover_json == JsonValue{{"email", "Ada@Example.com"},
                                  {"recovery_auth_key", b64(key_of(5))},
                                  {"new_auth_key", b64(key_of(6))}});
  const auto read = wire::parse_recover_request_text(synckit::dump_json(recover_json));
  CHECK(read.email == "Ada@Example.com");
  CHECK(synckit::constant_time_equal(read.new_auth_key.view(), key_of(6).view()));
  const wire::RecoverRequest no_email{"", key_of(5), key_of(6)};
  CHECK(error_of([&] { (void)wire::to_json(no_email); }).field() == "email");
}
