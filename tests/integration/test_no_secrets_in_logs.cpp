// Scenario 10: every client log line, every error message raised along the way and the server's
// request log are free of the passwords, the master key, the auth key, the tokens and plaintext.
#include <catch2/catch.hpp>

#include <sstream>

#include "support.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/wire/key_messages.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kEmail = "secrets@example.com";
constexpr const char* kLoginPassword = "login-pw Zebra 42!";
constexpr const char* kEnvelopePassword = "envelope-pw Quokka 7?";
constexpr const char* kMarker = "PLAINTEXT-MARKER-c0ffee";

struct Secret {
  std::string name;
  std::string value;
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("no password, key, token or plaintext reaches a log line or an error message", "[logs]") {
  ServerProcess server;
  LogSink log;
  std::vector<std::string> whats;
  auto expect = [&](const std::string& kind, const std::function<void()>& call) {
    CHECK(error_of(call, &whats) == kind);
  };

  auto a_client = std::make_unique<Client>(client_config(server, KeyCache::memory, &log));
  Client& a = *a_client;
  a.create_account(kEmail, kLoginPassword);
  a.setup_encryption_new(kEnvelopePassword);
  const Device laptop = a.register_device("laptop", "linux");
  a.push(laptop.id, {change(ChangeOp::insert, "s1", {{"secret", kMarker}})});
  a.put_blob("blob-1", text_bytes(kMarker));

  auto b_client = std::make_unique<Client>(client_config(server, KeyCache::memory, &log));
  Client& b = *b_client;
  expect("unauthorized", [&] { b.authenticate(kEmail, "not the login password"); });
  b.authenticate(kEmail, kLoginPassword);
  expect("wrong_password", [&] { b.setup_encryption_existing("not the envelope password"); });
  b.setup_encryption_existing(kEnvelopePassword);
  const Device phone = b.register_device("phone", "android");
  const auto pulled = pull_all(b, phone.id);
  REQUIRE(pulled.size() == 1);
  CHECK(pulled[0].entry->data["secret"] == kMarker);
  CHECK(b.get_blob("blob-1") == text_bytes(kMarker));

  expect("invalid_input", [&] { b.get_blob("bad/blob"); });
  expect("not_found", [&] { b.get_blob("missing"); });
  expect("invalid_input", [&] { b.push(phone.id, {change(ChangeOp::insert, "s2", nullptr)}); });
  expect("conflict", [&] { b.create_account(kEmail, kLoginPassword); });
  expect("wrong_password", [&] { a.change_password("not the envelope password", kMarker); });
  b.begin_oauth("http://127.0.0.1:9/callback");
  expect("invalid_grant", [&] { b.complete_oauth("http://127.0.0.1:9/callback?code=abc&state=forged"); });
  a.revoke_device(phone.id);
  expect("forbidden", [&] { b.push(phone.id, {change(ChangeOp::insert, "s3", {{"secret", kMarker}})}); });
  expect("forbidden", [&] { b.pull(phone.id, 0); });

  // The secrets: the master key as the server's envelope holds it, opened with the known password.
  auto http = raw_http(server);
  const SessionTokens tokens_a = *a.session();
  const SessionTokens tokens_b = *b.session();
  const auto envelope = http->Get(
      "/v1/keys/envelope",
      {{"X-SyncKit-Api-Key", server.api_key()}, {"Authorization", "Bearer " + tokens_a.access_token}});
  REQUIRE(envelope);
  REQUIRE(envelope->status == 200);
  const auto reply = synckit::wire::parse_envelope_reply_text(envelope->body);
  const synckit::MasterKey master = synckit::unwrap_master_key(reply.envelope, kEnvelopePassword);
  const synckit::AuthKey auth_key = synckit::derive_auth_key(kEmail, kLoginPassword);
  const std::vector<Secret> secrets{
      {"login password", kLoginPassword},
      {"envelope password", kEnvelopePassword},
      {"plaintext marker", kMarker},
      {"master key (base64)", synckit::base64_encode(master.view())},
      {"master key (base64url)", synckit::base64url_encode(master.view())},
      {"master key (hex)", hex(master.view())},
      {"auth key (base64)", synckit::base64_encode(auth_key.view())},
      {"auth key (base64url)", synckit::base64url_encode(auth_key.view())},
      {"auth key (hex)", hex(auth_key.view())},
      {"access token A", tokens_a.access_token},
      {"refresh token A", tokens_a.refresh_token},
      {"access token B", tokens_b.access_token},
      {"refresh token B", tokens_b.refresh_token},
  };

  a.logout();
  b.logout();
  a_client.reset();  // closes their connections: SIGTERM waits for idle keep-alive ones (up to 5 s)
  b_client.reset();
  server.stop();  // every request is logged once the server has exited

  const auto client_lines = log.lines();
  const auto server_lines = split_lines(server.stderr_text());
  CHECK(whats.size() == 10);
  CHECK(log.contains("POST /v1/sync/push -> 200"));
  CHECK(log.contains("POST /v1/sync/push -> 403"));
  CHECK(server.log_shows(" POST /v1/sync/push 200 "));
  CHECK(server.log_shows(" GET /v1/keys/envelope 200 "));

  std::vector<std::string> leaks;
  auto scan = [&](const char* source, const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      for (const Secret& secret : secrets) {
        if (line.find(secret.value) != std::string::npos)
          leaks.push_back(secret.name + " in " + source + ": " + line);
      }
    }
  };
  scan("client log", client_lines);
  scan("error message", whats);
  scan("server log", server_lines);
  INFO(client_lines.size() << " client log lines, " << whats.size() << " error messages, "
                           << server_lines.size() << " server log lines");
  CHECK(leaks.empty());
}
