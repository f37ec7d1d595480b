// Wire messages of protocol.md: to_json then parse gives the same struct, and the documented JSON
// texts parse to the expected values.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"
#include "synckit/wire/auth_messages.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/device_messages.hpp"
#include "synckit/wire/error_body.hpp"
#include "synckit/wire/health.hpp"
#include "synckit/wire/key_messages.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace wire = synckit::wire;
using synckit::Bytes;
using synckit::Error;
using synckit::ErrorKind;
using synckit::JsonValue;

namespace {

constexpr const char* kUser = "6f1c2a1e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
constexpr const char* kApp = "0b9e8d7c-6a5b-4c3d-8e2f-1a0b9c8d7e6f";
constexpr const char* kDevice = "c0ffee00-1234-4abc-8def-0123456789ab";
constexpr const char* kOtherDevice = "deadbeef-0000-4000-8000-000000000001";

Bytes pattern(std::size_t size, std::uint8_t seed = 1) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 7);
  return out;
}

synckit::KeyEnvelope sample_envelope() {
  synckit::KeyEnvelope envelope;
  for (std::size_t i = 0; i < envelope.salt.size(); ++i) envelope.salt[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < envelope.nonce.size(); ++i)
    envelope.nonce[i] = static_cast<std::uint8_t>(100 + i);
  for (std::size_t i = 0; i < envelope.ciphertext.size(); ++i) {
    envelope.ciphertext[i] = static_cast<std::uint8_t>(200 + i);
  }
  return envelope;
}

synckit::SystemTime at(const char* text) { return *synckit::parse_timestamp(text); }

// Runs f, which must throw Error of `kind` naming `field`.
template <class F>
void require_error(F&& f, ErrorKind kind, const std::string& field) {
  try {
    f();
    FAIL("no error thrown");
  } catch (const Error& e) {
    CHECK(std::string(synckit::error_kind_name(e.kind())) == std::string(synckit::error_kind_name(kind)));
    CHECK(e.field() == field);
  }
}

}  // namespace

TEST_CASE("credentials request: JSON form and round trip", "[wire][auth]") {
  wire::CredentialsRequest request{"ada@example.com", {}};
  for (std::size_t i = 0; i < request.auth_key.size(); ++i)
    request.auth_key.data()[i] = static_cast<std::uint8_t>(i);
  const JsonValue json = wire::to_json(request);
  CHECK(json.dump() ==
        R"({"auth_key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","email":"ada@example.com"})");
  const wire::CredentialsRequest back = wire::parse_credentials_request_text(json.dump());
  CHECK(back == request);

  wire::CredentialsRequest other{"ada@example.com", request.auth_key.clone()};
  other.auth_key.data()[31] ^= 1;
  CHECK_FALSE(other == request);
}

TEST_CASE("credentials request: bad email is invalid input", "[wire][auth]") {
  require_error(
      [] {
        (void)wire::to_json(wire::CredentialsRequest{"", {}});
      },
      ErrorKind::invalid_input, "email");
  require_error(
      [] {
        (void)wire::to_json(wire::CredentialsRequest{std::string(255, 'a'), {}});
      },
      ErrorKind::invalid_input, "email");
  require_error(
      [] {
        (void)wire::to_json(wire::CredentialsRequest{"ada\xff@example.com", {}});
      },
      ErrorKind::invalid_input, "email");
  CHECK_NOTHROW(wire::to_json(wire::CredentialsRequest{std::string(254, 'a'), {}}));
  CHECK_NOTHROW(wire::to_json(wire::CredentialsRequest{"zo\xc3\xab@example.com", {}}));
}

TEST_CASE("refresh and logout requests", "[wire][auth]") {
  const wire::RefreshRequest refresh{"rt.abc-DEF_123~+/="};
  CHECK(wire::to_json(refresh).dump() == R"({"refresh_token":"rt.abc-DEF_123~+/="})");
  CHECK(wire::parse_refresh_request_text(wire::to_json(refresh).dump()) == refresh);
  const wire::LogoutRequest logout{"rt-1"};
  CHECK(wire::parse_logout_request_text(wire::to_json(logout).dump()) == logout);

  require_error([] { (void)wire::to_json(wire::RefreshRequest{""}); }, ErrorKind::invalid_input,
                "refresh_token");
  require_error([] { (void)wire::to_json(wire::LogoutRequest{"a b"}); }, ErrorKind::invalid_input,
                "refresh_token");
  require_error([] { (void)wire::to_json(wire::LogoutRequest{"a\r\nX-Evil: 1"}); }, ErrorKind::invalid_input,
                "refresh_token");
  require_error([] { (void)wire::to_json(wire::RefreshRequest{std::string(8193, 'a')}); },
                ErrorKind::invalid_input, "refresh_token");
  CHECK_NOTHROW(wire::to_json(wire::RefreshRequest{std::string(8192, 'a')}));
}

TEST_CASE("token reply: protocol text and round trip", "[wire][auth]") {
  const std::string text = R"({"user_id":"6f1c2a1e-8d3b-4c5a-9e7f-0a1b2c3d4e5f",
    "app_id":"0b9e8d7c-6a5b-4c3d-8e2f-1a0b9c8d7e6f","access_token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    "refresh_token":"r3fr3sh","token_type":"Bearer","expires_in":900,"scope":"ignored"})";
  const wire::TokenReply reply = wire::parse_token_reply_text(text);
  CHECK(reply.user_id == kUser);
  CHECK(reply.app_id == kApp);
  CHECK(reply.access_token == "eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
  CHECK(reply.refresh_token == "r3fr3sh");
  CHECK(reply.expires_in == 900);
  CHECK(wire::to_json(reply)["token_type"] == "Bearer");
  CHECK(wire::parse_token_reply_text(wire::to_json(reply).dump()) == reply);
}

TEST_CASE("OAuth token request form body", "[wire][auth]") {
  const std::string verifier(43, 'v');
  const wire::OAuthTokenRequest request{"c0de/+=", "http://127.0.0.1:8123/callback?a=b", "sk_app key",
                                        verifier};
  CHECK(
      wire::to_form(request) ==
      "grant_type=authorization_code&code=c0de%2F%2B%3D&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback"
      "%3Fa%3Db&client_id=sk_app%20key&code_verifier=" +
          verifier);

  auto with = [&](auto change) {
    wire::OAuthTokenRequest copy = request;
    change(copy);
    return copy;
  };
  require_error([&] { (void)wire::to_form(with([](auto& r) { r.code.clear(); })); }, ErrorKind::invalid_input,
                "code");
  require_error([&] { (void)wire::to_form(with([](auto& r) { r.redirect_uri.clear(); })); },
                ErrorKind::invalid_input, "redirect_uri");
  require_error([&] { (void)wire::to_form(with([](auto& r) { r.client_id.clear(); })); },
                ErrorKind::invalid_input, "client_id");
  require_error([&] { (void)wire::to_form(with([](auto& r) { r.code_verifier = std::string(42, 'v'); })); },
                ErrorKind::invalid_input, "code_verifier");
  require_error([&] { (void)wire::to_form(with([](auto& r) { r.code_verifier = std::string(129, 'v'); })); },
                ErrorKind::invalid_input, "code_verifier");
  require_error(
      [&] { (void)wire::to_form(with([](auto& r) { r.code_verifier = std::string(42, 'v') + "/"; })); },
      ErrorKind::invalid_input, "code_verifier");
  CHECK_NOTHROW(wire::to_form(with([](auto& r) { r.code_verifier = std::string(128, '~'); })));
}

TEST_CASE("key envelope messages: protocol shapes and round trips", "[wire][keys]") {
  const wire::EnvelopeReply reply{sample_envelope(), 3};
  const JsonValue json = wire::to_json(reply);
  CHECK(json["version"] == 3);
  CHECK(json["envelope"]["kdf"] == "argon2id13");
  CHECK(wire::parse_envelope_reply_text(json.dump()) == reply);

  const wire::PutEnvelopeRequest put{sample_envelope(), 0};
  CHECK(wire::to_json(put)["expected_version"] == 0);
  CHECK(wire::parse_put_envelope_request_text(wire::to_json(put).dump()) == put);
  require_error(
      [] {
        (void)wire::to_json(wire::PutEnvelopeRequest{sample_envelope(), -1});
      },
      ErrorKind::invalid_input, "expected_version");
  require_error(
      [] {
        (void)wire::to_json(wire::PutEnvelopeRequest{sample_envelope(), wire::kMaxCursor + 1});
      },
      ErrorKind::invalid_input, "expected_version");

  CHECK(wire::parse_put_envelope_reply_text(R"({"version":4})").version == 4);
  CHECK(wire::parse_put_envelope_reply_text(wire::to_json(wire::PutEnvelopeReply{9007199254740992}).dump())
            .version == 9007199254740992);
}

TEST_CASE("envelope reply: documented text", "[wire][keys]") {
  const std::string text = R"({"envelope":{"version":1,"kdf":"argon2id13","opslimit":3,"memlimit":67108864,)"
                           R"("salt":"AAECAwQFBgcICQoLDA0ODw==","nonce":"ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7",)"
                           R"("ciphertext":")" +
                           synckit::base64_encode(sample_envelope().ciphertext) + R"("},"version":1})";
  const wire::EnvelopeReply reply = wire::parse_envelope_reply_text(text);
  CHECK(reply.version == 1);
  CHECK(reply.envelope.opslimit == 3);
  CHECK(reply.envelope.memlimit == 67108864);
  CHECK(reply.envelope == sample_envelope());
}

TEST_CASE("device messages: protocol text and round trips", "[wire][devices]") {
  const wire::RegisterDeviceRequest request{"Ada's laptop \xe2\x9c\x93", "linux"};
  CHECK(wire::parse_register_device_request_text(wire::to_json(request).dump()) == request);

  const std::string text = R"({"id":"c0ffee00-1234-4abc-8def-0123456789ab","name":"phone","platform":"ios",
                               "created_at":"2026-11-25T16:30:59.123Z","last_seen":"ignored"})";
  const wire::Device device = wire::parse_device_text(text);
  CHECK(device.id == kDevice);
  CHECK(device.name == "phone");
  CHECK(device.platform == "ios");
  CHECK(device.created_at == at("2026-11-25T16:30:59.123Z"));
  CHECK(wire::to_json(device)["created_at"] == "2026-11-25T16:30:59.123Z");
  CHECK(wire::parse_device_text(wire::to_json(device).dump()) == device);

  const wire::DeviceList list{
      {device, wire::Device{kOtherDevice, "desk", "windows", at("2000-01-01T00:00:00.000Z")}}};
  CHECK(wire::parse_device_list_text(wire::to_json(list).dump()) == list);
  CHECK(wire::parse_device_list_text(R"({"devices":[]})").devices.empty());
}

TEST_CASE("register device request limits", "[wire][devices]") {
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{"", "linux"});
      },
      ErrorKind::invalid_input, "name");
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{"x", ""});
      },
      ErrorKind::invalid_input, "platform");
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{std::string(129, 'n'), "linux"});
      },
      ErrorKind::invalid_input, "name");
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{"x", std::string(129, 'p')});
      },
      ErrorKind::invalid_input, "platform");
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{"bad \xc0\xaf", "linux"});
      },
      ErrorKind::invalid_input, "name");
  require_error(
      [] {
        (void)wire::to_json(wire::RegisterDeviceRequest{"x", "\xed\xa0\x80"});
      },
      ErrorKind::invalid_input, "platform");
  const wire::RegisterDeviceRequest longest{std::string(128, 'n'), std::string(128, 'p')};
  CHECK(wire::parse_register_device_request_text(wire::to_json(longest).dump()) == longest);
}

TEST_CASE("push request: JSON form, round trip and size accounting", "[wire][sync]") {
  const wire::PushRequest request{kDevice, {{"chg_1", pattern(40)}, {"Z-9", pattern(100, 3)}}};
  const JsonValue json = wire::to_json(request);
  CHECK(json["device_id"] == kDevice);
  CHECK(json["changes"].size() == 2);
  CHECK(json["changes"][0]["payload"] == synckit::base64_encode(pattern(40)));
  CHECK(wire::parse_push_request_text(json.dump()) == request);

  for (const auto& change : request.changes) {
    CHECK(wire::sealed_change_json_bytes(change) == wire::to_json(change).dump().size());
  }
  const wire::SealedChange odd{std::string(64, 'a'), pattern(1000 + 1)};
  CHECK(wire::sealed_change_json_bytes(odd) == wire::to_json(odd).dump().size());
}

TEST_CASE("push request: invalid input names the field", "[wire][sync]") {
  const wire::SealedChange good{"ok", pattern(40)};
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{"C0FFEE00-1234-4ABC-8DEF-0123456789AB", {good}});
      },
      ErrorKind::invalid_input, "device_id");
  require_error(
      [] {
        (void)wire::to_json(wire::PushRequest{kDevice, {}});
      },
      ErrorKind::invalid_input, "changes");
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{kDevice, std::vector<wire::SealedChange>(1001, good)});
      },
      ErrorKind::invalid_input, "changes");
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{kDevice, {good, {"bad id", pattern(40)}}});
      },
      ErrorKind::invalid_input, "changes[1].change_id");
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{kDevice, {good, good, {"x", pattern(39)}}});
      },
      ErrorKind::invalid_input, "changes[2].payload");
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{kDevice, {{"x", pattern((1u << 20) + 1)}}});
      },
      ErrorKind::invalid_input, "changes[0].payload");
  require_error(
      [] {
        (void)wire::to_json(wire::SealedChange{"", pattern(40)});
      },
      ErrorKind::invalid_input, "change_id");
  CHECK_NOTHROW(wire::to_json(wire::PushRequest{kDevice, std::vector<wire::SealedChange>(1000, good)}));
  CHECK_NOTHROW(wire::to_json(wire::SealedChange{std::string(64, '_'), pattern(1u << 20)}));

  // A 1 MiB payload is 1398104 bytes of base64: six of them are just over the 8 MiB body limit.
  std::vector<wire::SealedChange> big;
  for (int i = 0; i < 6; ++i) big.push_back({"big" + std::to_string(i), pattern(1u << 20)});
  require_error(
      [&] {
        (void)wire::to_json(wire::PushRequest{kDevice, big});
      },
      ErrorKind::invalid_input, "changes");
  big.resize(5);
  const JsonValue ok = wire::to_json(wire::PushRequest{kDevice, big});
  CHECK(ok.dump().size() <= wire::kMaxPushBodyBytes);
}

TEST_CASE("push reply and pull reply: protocol texts and round trips", "[wire][sync]") {
  CHECK(wire::parse_push_reply_text(R"({"cursor":42})").cursor == 42);
  CHECK(wire::parse_push_reply_text(R"({"cursor":0})").cursor == 0);
  CHECK(wire::parse_push_reply_text(R"({"cursor":9007199254740992})").cursor == wire::kMaxCursor);

  const std::string payload = synckit::base64_encode(pattern(48));
  const std::string text = R"({"changes":[{"change_id":"a1","payload":")" + payload +
                           R"(","device_id":"deadbeef-0000-4000-8000-000000000001","seq":7},)"
                           R"({"change_id":"b2","payload":")" +
                           payload +
                           R"(","device_id":"deadbeef-0000-4000-8000-000000000001","seq":9,"extra":[1]}],)"
                           R"("cursor":12,"has_more":true})";
  const wire::PullReply reply = wire::parse_pull_reply_text(text);
  REQUIRE(reply.changes.size() == 2);
  CHECK(reply.changes[0].change.change_id == "a1");
  CHECK(reply.changes[0].change.payload == pattern(48));
  CHECK(reply.changes[0].device_id == kOtherDevice);
  CHECK(reply.changes[0].seq == 7);
  CHECK(reply.changes[1].seq == 9);
  CHECK(reply.cursor == 12);
  CHECK(reply.has_more);
  CHECK(wire::parse_pull_reply_text(wire::to_json(reply).dump()) == reply);

  const wire::PullReply empty = wire::parse_pull_reply_text(R"({"changes":[],"cursor":0,"has_more":false})");
  CHECK(empty.changes.empty());
  CHECK_FALSE(empty.has_more);
  CHECK(wire::parse_pull_reply_text(wire::to_json(wire::PullReply{{}, 55, true}).dump()) ==
        wire::PullReply{{}, 55, true});
}

TEST_CASE("pull reply: the largest legal reply parses", "[wire][sync]") {
  wire::PullReply reply{{}, wire::kMaxCursor, false};
  for (int i = 0; i < 1000; ++i) {
    reply.changes.push_back(
        {{"id" + std::to_string(i), pattern(40)}, kDevice, wire::kMaxCursor - 1000 + i + 1});
  }
  CHECK(wire::parse_pull_reply_text(wire::to_json(reply).dump()) == reply);
}

TEST_CASE("sync status: protocol text and round trip", "[wire][sync]") {
  const std::string text = R"({"user_id":"6f1c2a1e-8d3b-4c5a-9e7f-0a1b2c3d4e5f",
    "app_id":"0b9e8d7c-6a5b-4c3d-8e2f-1a0b9c8d7e6f","devices":2,"latest_cursor":120,"changes":118,
    "blobs":3,"blob_bytes":4096})";
  const wire::SyncStatus status = wire::parse_sync_status_text(text);
  CHECK(status == wire::SyncStatus{kUser, kApp, 2, 120, 118, 3, 4096});
  CHECK(wire::parse_sync_status_text(wire::to_json(status).dump()) == status);
  const wire::SyncStatus zero{kUser, kApp, 0, 0, 0, 0, 0};
  CHECK(wire::parse_sync_status_text(wire::to_json(zero).dump()) == zero);
}

TEST_CASE("blob put reply, health and error body", "[wire]") {
  const wire::BlobPutReply blob = wire::parse_blob_put_reply_text(R"({"blob_id":"photo_1-A","size":1040})");
  CHECK(blob == wire::BlobPutReply{"photo_1-A", 1040});
  CHECK(wire::parse_blob_put_reply_text(wire::to_json(blob).dump()) == blob);
  const wire::BlobPutReply longest{std::string(128, 'b'), 0};
  CHECK(wire::parse_blob_put_reply_text(wire::to_json(longest).dump()) == longest);

  const wire::Health health = wire::parse_health_text(R"({"status":"ok","version":"0.1.0"})");
  CHECK(health == wire::Health{"ok", "0.1.0"});
  CHECK(wire::parse_health_text(wire::to_json(health).dump()) == health);
  CHECK(wire::to_json(health).dump() == R"({"status":"ok","version":"0.1.0"})");
  const wire::Health live = wire::parse_health_text(
      R"({"status":"ok","version":"0.2.0","protocol":"1.0","features":["live_pull","other"]})");
  CHECK(live == wire::Health{"ok", "0.2.0", "1.0", {"live_pull", "other"}});
  CHECK(live.has_feature("live_pull"));
  CHECK_FALSE(live.has_feature("live"));
  CHECK_FALSE(health.has_feature("live_pull"));
  CHECK(wire::parse_health_text(wire::to_json(live).dump()) == live);
  for (const char* bad : {R"({"status":"ok","version":"","features":"live_pull"})",
                          R"({"status":"ok","version":"","features":[1]})",
                          R"({"status":"ok","version":"","features":[""]})",
                          R"({"status":"ok","version":"","protocol":""})",
                          R"({"status":"ok","version":"","protocol":1})"}) {
    INFO(bad);
    CHECK_THROWS_AS(wire::parse_health_text(bad), synckit::Error);
  }

  const wire::ErrorBody error =
      wire::parse_error_body_text(R"({"error":{"code":"not_found","message":"no envelope yet"}})");
  CHECK(error == wire::ErrorBody{"not_found", "no envelope yet"});
  CHECK(wire::to_json(error).dump() == R"({"error":{"code":"not_found","message":"no envelope yet"}})");
  CHECK(wire::parse_error_body_text(wire::to_json(error).dump()) == error);
  CHECK(
      wire::parse_error_body_text(R"({"error":{"code":"internal","message":""},"trace":1})").message.empty());
}

TEST_CASE("push request text: to_text writes the same bytes as to_json's dump, with the same checks", "[wire][sync]") {
  for (const std::size_t count : {1u, 2u, 7u}) {
    wire::PushRequest request{kOtherDevice, {}};
    for (std::size_t i = 0; i < count; ++i) {
      request.changes.push_back({"c_" + std::to_string(i), pattern(40 + 37 * i)});
    }
    CHECK(wire::to_text(request) == wire::to_json(request).dump());
    CHECK(wire::parse_push_request_text(wire::to_text(request)) == request);
  }
  const auto field_of = [](const wire::PushRequest& request) {
    try {
      wire::to_text(request);
    } catch (const Error& error) {
      return error.field();
    }
    return std::string("(no error)");
  };
  CHECK(field_of({"not-a-uuid", {{"c1", pattern(40)}}}) == "device_id");
  CHECK(field_of({kOtherDevice, {}}) == "changes");
  CHECK(field_of({kOtherDevice, {{"c1", pattern(40)}, {"bad id!", pattern(40)}}}) == "changes[1].change_id");
  CHECK(field_of({kOtherDevice, {{"c1", pattern(39)}}}) == "changes[0].payload");
}
