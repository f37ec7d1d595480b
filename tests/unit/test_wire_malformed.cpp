// Malformed wire messages: each row of the table is one broken body, the error kind it must raise
// and the field that error must name. Nothing but synckit::Error may come out of a parse function.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/wire/auth_messages.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/device_messages.hpp"
#include "synckit/wire/error_body.hpp"
#include "synckit/wire/health.hpp"
#include "synckit/wire/json_reader.hpp"
#include "synckit/wire/key_messages.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace wire = synckit::wire;
using nlohmann::json;
using synckit::Bytes;
using synckit::Error;
using synckit::ErrorKind;

namespace {

constexpr const char* kUser = "6f1c2a1e-8d3b-4c5a-9e7f-0a1b2c3d4e5f";
constexpr const char* kApp = "0b9e8d7c-6a5b-4c3d-8e2f-1a0b9c8d7e6f";
constexpr const char* kDevice = "c0ffee00-1234-4abc-8def-0123456789ab";
constexpr const char* kAccessToken = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LWNsYWltcw.c2lnbmF0dXJl";
constexpr const char* kRefreshToken = "refresh-SECRET-0123456789";
constexpr std::uint64_t kOverMax = (std::uint64_t{1} << 53) + 1;

using Parser = std::function<void(std::string_view)>;

template <auto F>
Parser parser() {
  return [](std::string_view body) { (void)F(body); };
}

Bytes pattern(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(0x5a + i * 13);
  return out;
}

std::string b64(std::size_t size) { return synckit::base64_encode(pattern(size)); }

// The same base64 with a nonzero bit where padding bits must be zero (tail of 1 or 2 bytes).
std::string noncanonical(std::string text) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::size_t last = text.find('=') - 1;
  text[last] = kAlphabet[kAlphabet.find(text[last]) ^ 1];
  return text;
}

std::string unpadded(std::string text) {
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string with(json base, const std::string& pointer, json value) {
  base[json::json_pointer(pointer)] = std::move(value);
  return base.dump();
}

std::string without(json base, const std::string& pointer) {
  const json::json_pointer ptr(pointer);
  base[ptr.parent_pointer()].erase(ptr.back());
  return base.dump();
}

synckit::KeyEnvelope sample_envelope() {
  synckit::KeyEnvelope envelope;
  envelope.salt.fill(1);
  envelope.nonce.fill(2);
  envelope.ciphertext.fill(3);
  return envelope;
}

json token_reply() {
  return {{"user_id", kUser},
          {"app_id", kApp},
          {"access_token", kAccessToken},
          {"refresh_token", kRefreshToken},
          {"token_type", "Bearer"},
          {"expires_in", 900}};
}

const std::string& auth_key_text() {
  static const std::string text = b64(32);
  return text;
}

json credentials() { return {{"email", "ada@example.com"}, {"auth_key", auth_key_text()}}; }

json device(const char* id = kDevice) {
  return {{"id", id}, {"name", "phone"}, {"platform", "ios"}, {"created_at", "2026-11-25T16:30:59.123Z"}};
}

json device_list() {
  return {{"devices", json::array({device(), device("deadbeef-0000-4000-8000-000000000001")})}};
}

json pulled(const char* id, std::int64_t seq) {
  return {{"change_id", id}, {"payload", b64(48)}, {"device_id", kDevice}, {"seq", seq}};
}

json pull_reply() {
  return {{"changes", json::array({pulled("a", 3), pulled("b", 5)})}, {"cursor", 6}, {"has_more", false}};
}

json push_request() {
  return {{"device_id", kDevice},
          {"changes", json::array({{{"change_id", "a"}, {"payload", b64(40)}},
                                   {{"change_id", "b"}, {"payload", b64(41)}}})}};
}

json sync_status() {
  return {{"user_id", kUser}, {"app_id", kApp}, {"devices", 2},     {"latest_cursor", 10},
          {"changes", 9},     {"blobs", 1},     {"blob_bytes", 100}};
}

json many_pulled(std::size_t count) {
  json changes = json::array();
  for (std::size_t i = 0; i < count; ++i)
    changes.push_back(pulled(("c" + std::to_string(i)).c_str(), std::int64_t(i) + 1));
  return {{"changes", changes}, {"cursor", count}, {"has_more", true}};
}

json many_sealed(std::size_t count) {
  json changes = json::array();
  for (std::size_t i = 0; i < count; ++i)
    changes.push_back({{"change_id", "c" + std::to_string(i)}, {"payload", b64(40)}});
  return {{"device_id", kDevice}, {"changes", changes}};
}

struct Case {
  std::string name;
  Parser parse;
  std::string body;
  ErrorKind kind;
  std::string field;
  std::string secret = {};  // text that must not appear in the error message
};

std::vector<Case> cases() {
  const auto token = parser<wire::parse_token_reply_text>();
  const auto creds = parser<wire::parse_credentials_request_text>();
  const auto refresh = parser<wire::parse_refresh_request_text>();
  const auto logout = parser<wire::parse_logout_request_text>();
  const auto env_reply = parser<wire::parse_envelope_reply_text>();
  const auto put_req = parser<wire::parse_put_envelope_request_text>();
  const auto put_reply = parser<wire::parse_put_envelope_reply_text>();
  const auto dev = parser<wire::parse_device_text>();
  const auto devs = parser<wire::parse_device_list_text>();
  const auto reg = parser<wire::parse_register_device_request_text>();
  const auto push_reply = parser<wire::parse_push_reply_text>();
  const auto push = parser<wire::parse_push_request_text>();
  const auto pull = parser<wire::parse_pull_reply_text>();
  const auto status = parser<wire::parse_sync_status_text>();
  const auto blob = parser<wire::parse_blob_put_reply_text>();
  const auto health = parser<wire::parse_health_text>();
  const auto error = parser<wire::parse_error_body_text>();
  const ErrorKind J = ErrorKind::json;
  const json env = wire::to_json(wire::EnvelopeReply{sample_envelope(), 1});
  const json put = wire::to_json(wire::PutEnvelopeRequest{sample_envelope(), 0});
  const std::string payload = b64(48);
  const std::string key = auth_key_text();

  return {
      // Not JSON, or not an object.
      {"invalid JSON text", token, R"({"user_id":)", J, ""},
      {"empty body", pull, "", J, ""},
      {"HTML from a proxy", status, "<html><body>502 Bad Gateway</body></html>", J, ""},
      {"trailing garbage", push_reply, R"({"cursor":1} x)", J, ""},
      {"invalid UTF-8 in a string", health, "{\"status\":\"ok\xff\",\"version\":\"1\"}", J, ""},
      {"array instead of object", token, "[]", J, ""},
      {"null instead of object", pull, "null", J, ""},
      {"number instead of object", push_reply, "42", J, ""},
      {"string instead of object", devs, R"("devices")", J, ""},
      // Token reply.
      {"token: missing access_token", token, without(token_reply(), "/access_token"), J, "access_token",
       kRefreshToken},
      {"token: missing refresh_token", token, without(token_reply(), "/refresh_token"), J, "refresh_token",
       kAccessToken},
      {"token: uppercase user_id", token,
       with(token_reply(), "/user_id", "6F1C2A1E-8D3B-4C5A-9E7F-0A1B2C3D4E5F"), J, "user_id"},
      {"token: app_id not a UUID", token, with(token_reply(), "/app_id", "app-1"), J, "app_id"},
      {"token: app_id a number", token, with(token_reply(), "/app_id", 7), J, "app_id"},
      {"token: empty access_token", token, with(token_reply(), "/access_token", ""), J, "access_token"},
      {"token: access_token with a line break", token,
       with(token_reply(), "/access_token", "abc\r\nX-Evil: 1"), J, "access_token", "X-Evil"},
      {"token: access_token too long", token, with(token_reply(), "/access_token", std::string(8193, 'a')), J,
       "access_token"},
      {"token: refresh_token a number", token, with(token_reply(), "/refresh_token", 12345), J,
       "refresh_token"},
      {"token: refresh_token with a space", token, with(token_reply(), "/refresh_token", "SECRET part"), J,
       "refresh_token", "SECRET"},
      {"token: token_type lowercase", token, with(token_reply(), "/token_type", "bearer"), J, "token_type",
       kAccessToken},
      {"token: token_type missing", token, without(token_reply(), "/token_type"), J, "token_type"},
      {"token: expires_in zero", token, with(token_reply(), "/expires_in", 0), J, "expires_in"},
      {"token: expires_in negative", token, with(token_reply(), "/expires_in", -5), J, "expires_in"},
      {"token: expires_in float", token, with(token_reply(), "/expires_in", 900.5), J, "expires_in"},
      {"token: expires_in integral float", token, with(token_reply(), "/expires_in", 900.0), J, "expires_in"},
      {"token: expires_in string", token, with(token_reply(), "/expires_in", "900"), J, "expires_in"},
      {"token: expires_in over 2^31-1", token, with(token_reply(), "/expires_in", 2147483648LL), J,
       "expires_in"},
      {"token: expires_in null", token, with(token_reply(), "/expires_in", nullptr), J, "expires_in"},
      // Credentials and refresh/logout requests (what a server or fake reads).
      {"credentials: auth_key 31 bytes", creds, with(credentials(), "/auth_key", b64(31)), J, "auth_key",
       b64(31)},
      {"credentials: auth_key 33 bytes", creds, with(credentials(), "/auth_key", b64(33)), J, "auth_key",
       b64(33)},
      {"credentials: auth_key bad character", creds, with(credentials(), "/auth_key", "!" + key.substr(1)), J,
       "auth_key", key.substr(1)},
      {"credentials: auth_key base64url alphabet", creds,
       with(credentials(), "/auth_key", "-_" + key.substr(2)), J, "auth_key", key.substr(2)},
      {"credentials: auth_key missing padding", creds, with(credentials(), "/auth_key", unpadded(key)), J,
       "auth_key", unpadded(key)},
      {"credentials: auth_key non-canonical bits", creds, with(credentials(), "/auth_key", noncanonical(key)),
       J, "auth_key", noncanonical(key).substr(0, 40)},
      {"credentials: auth_key with whitespace", creds,
       with(credentials(), "/auth_key", key.substr(0, 20) + " " + key.substr(20)), J, "auth_key",
       key.substr(0, 20)},
      {"credentials: auth_key null", creds, with(credentials(), "/auth_key", nullptr), J, "auth_key"},
      {"credentials: auth_key missing", creds, without(credentials(), "/auth_key"), J, "auth_key"},
      {"credentials: empty email", creds, with(credentials(), "/email", ""), J, "email", key},
      {"credentials: email too long", creds, with(credentials(), "/email", std::string(255, 'e')), J,
       "email"},
      {"refresh: missing token", refresh, "{}", J, "refresh_token"},
      {"refresh: token with a tab", refresh, R"({"refresh_token":"SECRET\tx"})", J, "refresh_token",
       "SECRET"},
      {"logout: empty token", logout, R"({"refresh_token":""})", J, "refresh_token"},
      // Key envelope messages.
      {"envelope reply: missing version", env_reply, without(env, "/version"), J, "version"},
      {"envelope reply: version 0", env_reply, with(env, "/version", 0), J, "version"},
      {"envelope reply: version float", env_reply, with(env, "/version", 1.5), J, "version"},
      {"envelope reply: version over 2^53", env_reply, with(env, "/version", kOverMax), J, "version"},
      {"envelope reply: missing envelope", env_reply, without(env, "/envelope"), J, "envelope"},
      {"envelope reply: envelope a string", env_reply, with(env, "/envelope", "opaque"), J, "envelope"},
      {"envelope reply: salt wrong length", env_reply, with(env, "/envelope/salt", b64(15)), J,
       "envelope.salt"},
      {"envelope reply: nonce bad base64", env_reply, with(env, "/envelope/nonce", "%%%%"), J,
       "envelope.nonce"},
      {"envelope reply: ciphertext missing", env_reply, without(env, "/envelope/ciphertext"), J,
       "envelope.ciphertext"},
      {"envelope reply: envelope version 2", env_reply, with(env, "/envelope/version", 2),
       ErrorKind::invalid_data, "envelope.version"},
      {"envelope reply: unknown kdf", env_reply, with(env, "/envelope/kdf", "scrypt"),
       ErrorKind::invalid_data, "envelope.kdf"},
      {"put request: expected_version negative", put_req, with(put, "/expected_version", -1), J,
       "expected_version"},
      {"put request: expected_version missing", put_req, without(put, "/expected_version"), J,
       "expected_version"},
      {"put reply: version 0", put_reply, R"({"version":0})", J, "version"},
      {"put reply: version string", put_reply, R"({"version":"2"})", J, "version"},
      // Devices.
      {"device: uppercase id", dev, with(device(), "/id", "C0FFEE00-1234-4ABC-8DEF-0123456789AB"), J, "id"},
      {"device: id without dashes", dev, with(device(), "/id", "c0ffee0012344abc8def0123456789ab"), J, "id"},
      {"device: timestamp without milliseconds", dev, with(device(), "/created_at", "2026-11-25T16:30:59Z"),
       J, "created_at"},
      {"device: timestamp with an offset", dev,
       with(device(), "/created_at", "2026-11-25T16:30:59.123+01:00"), J, "created_at"},
      {"device: impossible date", dev, with(device(), "/created_at", "2026-02-30T16:30:59.123Z"), J,
       "created_at"},
      {"device: timestamp a number", dev, with(device(), "/created_at", 1764088259123LL), J, "created_at"},
      {"device: empty name", dev, with(device(), "/name", ""), J, "name"},
      {"device: name too long", dev, with(device(), "/name", std::string(129, 'n')), J, "name"},
      {"device: platform missing", dev, without(device(), "/platform"), J, "platform"},
      {"device list: devices missing", devs, "{}", J, "devices"},
      {"device list: devices an object", devs, R"({"devices":{}})", J, "devices"},
      {"device list: element not an object", devs, with(device_list(), "/devices/1", "phone"), J,
       "devices[1]"},
      {"device list: bad timestamp in element", devs,
       with(device_list(), "/devices/1/created_at", "yesterday"), J, "devices[1].created_at"},
      {"device list: uppercase id in element", devs,
       with(device_list(), "/devices/0/id", "C0FFEE00-1234-4ABC-8DEF-0123456789AB"), J, "devices[0].id"},
      {"register device: name missing", reg, R"({"platform":"linux"})", J, "name"},
      {"register device: platform too long", reg,
       json{{"name", "x"}, {"platform", std::string(129, 'p')}}.dump(), J, "platform"},
      // Push reply.
      {"push reply: negative cursor", push_reply, R"({"cursor":-1})", J, "cursor"},
      {"push reply: cursor over 2^53", push_reply, R"({"cursor":9007199254740993})", J, "cursor"},
      {"push reply: cursor over 2^64", push_reply, R"({"cursor":18446744073709551616})", J, "cursor"},
      {"push reply: cursor float", push_reply, R"({"cursor":1.5})", J, "cursor"},
      {"push reply: cursor exponent", push_reply, R"({"cursor":1e3})", J, "cursor"},
      {"push reply: cursor string", push_reply, R"({"cursor":"5"})", J, "cursor"},
      {"push reply: cursor boolean", push_reply, R"({"cursor":true})", J, "cursor"},
      {"push reply: cursor missing", push_reply, R"({"cursor_":5})", J, "cursor"},
      // Pull reply.
      {"pull: changes missing", pull, without(pull_reply(), "/changes"), J, "changes"},
      {"pull: changes not an array", pull, with(pull_reply(), "/changes", "none"), J, "changes"},
      {"pull: too many changes", pull, many_pulled(1001).dump(), J, "changes"},
      {"pull: change not an object", pull, with(pull_reply(), "/changes/0", 3), J, "changes[0]"},
      {"pull: cursor missing", pull, without(pull_reply(), "/cursor"), J, "cursor"},
      {"pull: negative cursor", pull, with(pull_reply(), "/cursor", -1), J, "cursor"},
      {"pull: cursor over 2^53", pull, with(pull_reply(), "/cursor", kOverMax), J, "cursor"},
      {"pull: has_more missing", pull, without(pull_reply(), "/has_more"), J, "has_more"},
      {"pull: has_more a string", pull, with(pull_reply(), "/has_more", "true"), J, "has_more"},
      {"pull: has_more a number", pull, with(pull_reply(), "/has_more", 1), J, "has_more"},
      {"pull: payload < 40 bytes", pull, with(pull_reply(), "/changes/1/payload", b64(39)), J,
       "changes[1].payload"},
      {"pull: payload empty", pull, with(pull_reply(), "/changes/0/payload", ""), J, "changes[0].payload"},
      {"pull: payload > 1 MiB", pull, with(pull_reply(), "/changes/0/payload", b64((1u << 20) + 1)), J,
       "changes[0].payload"},
      {"pull: payload bad character", pull, with(pull_reply(), "/changes/0/payload", "*" + payload.substr(1)),
       J, "changes[0].payload", payload.substr(1)},
      {"pull: payload missing padding", pull, with(pull_reply(), "/changes/0/payload", unpadded(b64(40))), J,
       "changes[0].payload", unpadded(b64(40))},
      {"pull: payload non-canonical bits", pull,
       with(pull_reply(), "/changes/0/payload", noncanonical(b64(40))), J, "changes[0].payload"},
      {"pull: payload with a line break", pull,
       with(pull_reply(), "/changes/0/payload", payload.substr(0, 32) + "\n" + payload.substr(32)), J,
       "changes[0].payload"},
      {"pull: payload a number", pull, with(pull_reply(), "/changes/0/payload", 12), J, "changes[0].payload"},
      {"pull: payload missing", pull, without(pull_reply(), "/changes/1/payload"), J, "changes[1].payload"},
      {"pull: change_id with a space", pull, with(pull_reply(), "/changes/0/change_id", "a b"), J,
       "changes[0].change_id"},
      {"pull: change_id empty", pull, with(pull_reply(), "/changes/0/change_id", ""), J,
       "changes[0].change_id"},
      {"pull: change_id 65 chars", pull, with(pull_reply(), "/changes/1/change_id", std::string(65, 'x')), J,
       "changes[1].change_id"},
      {"pull: change_id a number", pull, with(pull_reply(), "/changes/1/change_id", 5), J,
       "changes[1].change_id"},
      {"pull: uppercase device_id", pull,
       with(pull_reply(), "/changes/1/device_id", "C0FFEE00-1234-4ABC-8DEF-0123456789AB"), J,
       "changes[1].device_id"},
      {"pull: device_id missing", pull, without(pull_reply(), "/changes/0/device_id"), J,
       "changes[0].device_id"},
      {"pull: seq 0", pull, with(pull_reply(), "/changes/0/seq", 0), J, "changes[0].seq"},
      {"pull: seq negative", pull, with(pull_reply(), "/changes/0/seq", -3), J, "changes[0].seq"},
      {"pull: seq over 2^53", pull, with(pull_reply(), "/changes/0/seq", kOverMax), J, "changes[0].seq"},
      {"pull: seq float", pull, with(pull_reply(), "/changes/0/seq", 3.0), J, "changes[0].seq"},
      {"pull: seq decreasing", pull, with(pull_reply(), "/changes/1/seq", 2), J, "changes[1].seq"},
      {"pull: seq repeated", pull, with(pull_reply(), "/changes/1/seq", 3), J, "changes[1].seq"},
      {"pull: seq beyond cursor", pull, with(pull_reply(), "/cursor", 4), J, "changes[1].seq"},
      {"pull: change_id repeated", pull, with(pull_reply(), "/changes/1/change_id", "a"), J,
       "changes[1].change_id"},
      // Push request (what a server or fake reads).
      {"push: no changes", push, many_sealed(0).dump(), J, "changes"},
      {"push: 1001 changes", push, many_sealed(1001).dump(), J, "changes"},
      {"push: device_id missing", push, without(push_request(), "/device_id"), J, "device_id"},
      {"push: payload 39 bytes", push, with(push_request(), "/changes/1/payload", b64(39)), J,
       "changes[1].payload"},
      {"push: change_id with a dot", push, with(push_request(), "/changes/0/change_id", "a.b"), J,
       "changes[0].change_id"},
      // Sync status.
      {"status: uppercase user_id", status,
       with(sync_status(), "/user_id", "6F1C2A1E-8D3B-4C5A-9E7F-0A1B2C3D4E5F"), J, "user_id"},
      {"status: app_id missing", status, without(sync_status(), "/app_id"), J, "app_id"},
      {"status: devices float", status, with(sync_status(), "/devices", 2.0), J, "devices"},
      {"status: devices negative", status, with(sync_status(), "/devices", -1), J, "devices"},
      {"status: latest_cursor over 2^53", status, with(sync_status(), "/latest_cursor", kOverMax), J,
       "latest_cursor"},
      {"status: changes beyond latest_cursor", status, with(sync_status(), "/changes", 11), J, "changes"},
      {"status: blobs string", status, with(sync_status(), "/blobs", "1"), J, "blobs"},
      {"status: blob_bytes negative", status, with(sync_status(), "/blob_bytes", -100), J, "blob_bytes"},
      {"status: blob_bytes missing", status, without(sync_status(), "/blob_bytes"), J, "blob_bytes"},
      // Blob put reply, health, error body.
      {"blob: blob_id with a slash", blob, R"({"blob_id":"a/b","size":1})", J, "blob_id"},
      {"blob: blob_id empty", blob, R"({"blob_id":"","size":1})", J, "blob_id"},
      {"blob: blob_id 129 chars", blob, json{{"blob_id", std::string(129, 'b')}, {"size", 1}}.dump(), J,
       "blob_id"},
      {"blob: size negative", blob, R"({"blob_id":"b","size":-1})", J, "size"},
      {"blob: size float", blob, R"({"blob_id":"b","size":10.0})", J, "size"},
      {"blob: size missing", blob, R"({"blob_id":"b"})", J, "size"},
      {"health: status missing", health, R"({"version":"1"})", J, "status"},
      {"health: status empty", health, R"({"status":"","version":"1"})", J, "status"},
      {"health: version a number", health, R"({"status":"ok","version":1})", J, "version"},
      {"error body: error missing", error, R"({"code":"not_found"})", J, "error"},
      {"error body: error a string", error, R"({"error":"not_found"})", J, "error"},
      {"error body: code missing", error, R"({"error":{"message":"m"}})", J, "error.code"},
      {"error body: code empty", error, R"({"error":{"code":"","message":"m"}})", J, "error.code"},
      {"error body: message a number", error, R"({"error":{"code":"internal","message":5}})", J,
       "error.message"},
  };
}

}  // namespace

TEST_CASE("malformed messages raise the expected kind naming the field", "[wire][malformed]") {
  for (const Case& c : cases()) {
    INFO(c.name);
    try {
      c.parse(c.body);
      FAIL_CHECK("accepted a malformed body");
    } catch (const Error& e) {
      INFO(e.what());
      CHECK(std::string(synckit::error_kind_name(e.kind())) == std::string(synckit::error_kind_name(c.kind)));
      CHECK(e.field() == c.field);
      CHECK(e.status() == 0);
      if (!c.secret.empty()) CHECK(std::string(e.what()).find(c.secret) == std::string::npos);
      if (c.kind == ErrorKind::json && !c.field.empty()) {
        CHECK(std::string(e.what()).find("'" + c.field + "'") != std::string::npos);
      }
    } catch (const std::exception& e) {
      FAIL_CHECK("not a synckit::Error: " << e.what());
    }
  }
}

TEST_CASE("the valid bases of the table parse", "[wire][malformed]") {
  CHECK_NOTHROW(wire::parse_token_reply_text(token_reply().dump()));
  CHECK_NOTHROW(wire::parse_credentials_request_text(credentials().dump()));
  CHECK_NOTHROW(wire::parse_device_text(device().dump()));
  CHECK_NOTHROW(wire::parse_device_list_text(device_list().dump()));
  CHECK_NOTHROW(wire::parse_pull_reply_text(pull_reply().dump()));
  CHECK_NOTHROW(wire::parse_pull_reply_text(many_pulled(1000).dump()));
  CHECK_NOTHROW(wire::parse_push_request_text(push_request().dump()));
  CHECK_NOTHROW(wire::parse_push_request_text(many_sealed(1000).dump()));
  CHECK_NOTHROW(wire::parse_sync_status_text(sync_status().dump()));
  CHECK_NOTHROW(wire::parse_sync_status_text(with(sync_status(), "/changes", 10)));
  CHECK_NOTHROW(wire::parse_pull_reply_text(with(pull_reply(), "/cursor", 5)));
  CHECK_NOTHROW(wire::parse_pull_reply_text(with(pull_reply(), "/changes/0/payload", b64(1u << 20))));
  CHECK_NOTHROW(wire::parse_pull_reply_text(with(pull_reply(), "/changes/0/seq", 1)));
  CHECK_NOTHROW(wire::parse_push_reply_text(R"({"cursor":9007199254740992})"));
  CHECK_NOTHROW(
      wire::parse_envelope_reply_text(wire::to_json(wire::EnvelopeReply{sample_envelope(), 1}).dump()));
}

namespace {

std::vector<Parser> all_text_parsers() {
  return {parser<wire::parse_token_reply_text>(),        parser<wire::parse_credentials_request_text>(),
          parser<wire::parse_refresh_request_text>(),    parser<wire::parse_logout_request_text>(),
          parser<wire::parse_envelope_reply_text>(),     parser<wire::parse_put_envelope_request_text>(),
          parser<wire::parse_put_envelope_reply_text>(), parser<wire::parse_device_text>(),
          parser<wire::parse_device_list_text>(),        parser<wire::parse_register_device_request_text>(),
          parser<wire::parse_push_reply_text>(),         parser<wire::parse_push_request_text>(),
          parser<wire::parse_pull_reply_text>(),         parser<wire::parse_sync_status_text>(),
          parser<wire::parse_blob_put_reply_text>(),     parser<wire::parse_health_text>(),
          parser<wire::parse_error_body_text>()};
}

// Parses; returns false if anything but synckit::Error escaped.
bool only_synckit_errors(const Parser& parse, std::string_view body) {
  try {
    parse(body);
  } catch (const Error&) {
  } catch (...) {
    return false;
  }
  return true;
}

}  // namespace

TEST_CASE("garbage never escapes as anything but synckit::Error{json}", "[wire][malformed]") {
  const std::vector<std::string> garbage = {"",
                                            " ",
                                            "null",
                                            "true",
                                            "0",
                                            "-1",
                                            "1e999",
                                            "[]",
                                            "{}",
                                            "\"\"",
                                            "{",
                                            "}",
                                            "[{}]",
                                            "<!doctype html>",
                                            std::string("\0\0\0", 3),
                                            "\xef\xbb\xbf{}",
                                            "\xff\xfe{\x00}",
                                            R"({"a":"\ud800"})",
                                            R"({"cursor":1,"cursor":2})",
                                            std::string(10000, '[') + std::string(10000, ']'),
                                            R"({"changes":[[[[]]]],"cursor":{"x":1}})"};
  for (const Parser& parse : all_text_parsers()) {
    for (const std::string& body : garbage) {
      INFO(body.substr(0, 40));
      CHECK(only_synckit_errors(parse, body));
    }
  }
}

TEST_CASE("every prefix and single-byte corruption of valid replies gives a typed result",
          "[wire][malformed]") {
  const std::vector<std::pair<Parser, std::string>> valid = {
      {parser<wire::parse_pull_reply_text>(), pull_reply().dump()},
      {parser<wire::parse_token_reply_text>(), token_reply().dump()},
      {parser<wire::parse_device_list_text>(), device_list().dump()},
      {parser<wire::parse_sync_status_text>(), sync_status().dump()},
      {parser<wire::parse_envelope_reply_text>(),
       wire::to_json(wire::EnvelopeReply{sample_envelope(), 1}).dump()},
  };
  const char replacements[] = {'"', '{', ']', '-', '0', '\\', '\xff', 'A', ' '};
  for (const auto& [parse, text] : valid) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      CHECK(only_synckit_errors(parse, std::string_view(text).substr(0, i)));
      for (const char r : replacements) {
        std::string corrupt = text;
        corrupt[i] = r;
        if (!only_synckit_errors(parse, corrupt)) FAIL_CHECK("escaped at " << i << " with " << int(r));
      }
    }
  }
}

TEST_CASE("a reply with a raw NUL byte is not JSON, even after a complete value", "[wire][malformed]") {
  using namespace std::string_literals;
  CHECK(wire::parse_json(R"({"a":1})", "reply").is_object());
  for (const std::string& text : {R"({"a":1})"s + "\0junk"s, "\0"s, R"({"a":)"s + "\0"s + "1}"s}) {
    try {
      wire::parse_json(text, "reply");
      FAIL("accepted a reply with a NUL byte");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::json);
    }
  }
}
