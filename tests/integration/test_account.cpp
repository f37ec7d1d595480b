// The account's life against the real server (protocol 1.1): a recovery code, recovering with it
// on a new device, changing the sign-in password (alone and with the encryption password, also
// interrupted half way), sessions, deleting the account. Tagged [account]: CTest runs them on
// SQLite and again on PostgreSQL (integration.account_pg).
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "support.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/native/sodium_random.hpp"

using namespace synckit::integration;
using synckit::RecoveryCode;
using synckit::SessionInfo;

namespace {

constexpr const char* kEmail = "grace@example.com";
constexpr const char* kPassword = "first password 1";
constexpr const char* kNewPassword = "second password 2";

// A signed-in, unlocked client with a device, as an app that uses one password for both.
struct SignedIn {
  std::unique_ptr<Client> client;
  Device device;
};

SignedIn first_device(const ServerProcess& server, const std::string& email = kEmail) {
  auto client = std::make_unique<Client>(client_config(server));
  client->create_account(email, kPassword);
  client->setup_encryption_new(kPassword);
  Device device = client->register_device("laptop", "linux");
  return {std::move(client), std::move(device)};
}

SignedIn signed_in_device(const ServerProcess& server, const std::string& password, const std::string& name) {
  auto client = std::make_unique<Client>(client_config(server));
  client->authenticate(kEmail, password);
  client->setup_encryption_existing(password);
  Device device = client->register_device(name, "linux");
  return {std::move(client), std::move(device)};
}

// A well-formed code of some other recovery key: right checksum, wrong key.
std::string unrelated_code() {
  synckit::native::SodiumRandom random;
  return std::string(synckit::recovery_code_from_key(synckit::generate_recovery_key(random)).view());
}

// The code with one character changed (still a base32 character): a typo.
std::string with_typo(std::string code) {
  char& c = code[10];
  c = c == 'A' ? 'B' : 'A';
  return code;
}

std::string kind_of_sign_in(const ServerProcess& server, const std::string& password) {
  Client probe(client_config(server));
  return error_of([&] { probe.authenticate(kEmail, password); });
}

}  // namespace

TEST_CASE("forgot the password: the recovery code on a new device brings back every change and blob",
          "[account]") {
  ServerProcess server;
  SignedIn laptop = first_device(server);
  SignedIn tablet = signed_in_device(server, kPassword, "tablet");
  std::vector<ChangeEntry> pushed;
  for (int i = 0; i < 30; ++i) pushed.push_back(numbered_change(i));
  laptop.client->push(laptop.device.id, pushed);
  const Bytes photo = pattern_bytes(300'000, 7);
  laptop.client->put_blob("photo", photo);

  const RecoveryCode code = laptop.client->create_recovery_code();
  const std::string code_text(code.view());
  CHECK(code_text.size() == synckit::kRecoveryCodeChars);
  CHECK(code_text.rfind("SKR1-", 0) == 0);

  // The password is forgotten. A typo and a wrong code change nothing stored.
  Client phone(client_config(server));
  CHECK(error_of([&] { phone.recover(kEmail, with_typo(code_text), kNewPassword); }) == "invalid_input");
  CHECK(error_of([&] { phone.recover(kEmail, unrelated_code(), kNewPassword); }) == "unauthorized");
  CHECK(error_of([&] { phone.recover("nobody@example.com", code_text, kNewPassword); }) == "unauthorized");
  CHECK_FALSE(phone.session());
  CHECK(kind_of_sign_in(server, kPassword) == "no error");
  CHECK(tablet.client->list_devices().size() == 2);

  // Lower case, spaces instead of dashes: still the same code.
  std::string typed = code_text;
  for (char& c : typed) c = c == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const Account account = phone.recover(kEmail, typed, kNewPassword);
  CHECK(account.user_id == laptop.client->account()->user_id);
  CHECK(phone.encryption_ready());
  const Device phone_device = phone.register_device("phone", "android");
  const auto pulled = pull_all(phone, phone_device.id);
  check_exactly_once_in_order(pulled, pushed);
  CHECK(phone.get_blob("photo") == photo);

  // The old password signs in no more; the new one signs in and unlocks on yet another device.
  CHECK(kind_of_sign_in(server, kPassword) == "unauthorized");
  SignedIn desktop = signed_in_device(server, kNewPassword, "desktop");
  CHECK(desktop.client->get_blob("photo") == photo);
  // Every session from before the recovery is refused at once (the access token too).
  CHECK(error_of([&] { laptop.client->list_devices(); }) == "token_expired");
  CHECK(error_of([&] { tablet.client->status(); }) == "token_expired");

  // A new code replaces the old one: the old code no longer recovers, the new one does.
  const RecoveryCode second = phone.create_recovery_code();
  Client other(client_config(server));
  CHECK(error_of([&] { other.recover(kEmail, code_text, "third password 3"); }) == "unauthorized");
  other.recover(kEmail, second.view(), "third password 3");
  CHECK(other.get_blob("photo") == photo);
  CHECK(kind_of_sign_in(server, "third password 3") == "no error");
}

TEST_CASE("a recovery code needs an unlocked client", "[account]") {
  ServerProcess server;
  Client client(client_config(server));
  CHECK(error_of([&] { client.create_recovery_code(); }) == "not_set_up");
  client.create_account(kEmail, kPassword);
  CHECK(error_of([&] { client.create_recovery_code(); }) == "not_set_up");
}

TEST_CASE("changing the sign-in password ends every other session and keeps the encryption password",
          "[account]") {
  ServerProcess server;
  SignedIn laptop = first_device(server);
  SignedIn tablet = signed_in_device(server, kPassword, "tablet");
  CHECK(error_of([&] { laptop.client->change_sign_in_password("not it", kNewPassword); }) == "unauthorized");
  CHECK(tablet.client->list_devices().size() == 2);

  laptop.client->change_sign_in_password(kPassword, kNewPassword);
  CHECK(laptop.client->list_devices().size() == 2);  // this session goes on with its new tokens
  CHECK(error_of([&] { tablet.client->list_devices(); }) == "token_expired");
  CHECK(kind_of_sign_in(server, kPassword) == "unauthorized");
  Client fresh(client_config(server));
  fresh.authenticate(kEmail, kNewPassword);
  CHECK(error_of([&] { fresh.setup_encryption_existing(kNewPassword); }) == "wrong_password");
  fresh.setup_encryption_existing(kPassword);  // the encryption password did not change
}

TEST_CASE("change_passwords stopped half way: nothing stops working, and running it again finishes",
          "[account]") {
  ServerProcess server;
  SignedIn laptop = first_device(server);
  SignedIn tablet = signed_in_device(server, kPassword, "tablet");

  // The server goes away between the two steps: after the envelope's PUT, while the client derives
  // the auth keys for the credential change (two Argon2id runs: hundreds of milliseconds).
  constexpr const char* kEnvelopePut = " PUT /v1/keys/envelope 200 ";
  const std::size_t puts_before = server.log_count(kEnvelopePut);
  auto running = std::async(std::launch::async, [&] {
    return error_of([&] { laptop.client->change_passwords(kPassword, kNewPassword); });
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (server.log_count(kEnvelopePut) == puts_before && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  REQUIRE(server.log_count(kEnvelopePut) == puts_before + 1);
  server.kill9();
  CHECK(running.get() == "network");
  server.restart();

  // Half way: the envelope opens with the new password, the old one still signs in, every device is
  // still signed in and unlocked.
  CHECK(tablet.client->list_devices().size() == 2);
  CHECK(kind_of_sign_in(server, kPassword) == "no error");
  CHECK(kind_of_sign_in(server, kNewPassword) == "unauthorized");
  Client fresh(client_config(server));
  fresh.authenticate(kEmail, kPassword);
  fresh.setup_encryption_existing(kNewPassword);

  laptop.client->change_passwords(kPassword, kNewPassword);
  CHECK(kind_of_sign_in(server, kPassword) == "unauthorized");
  SignedIn desktop = signed_in_device(server, kNewPassword, "desktop");
  CHECK(error_of([&] { tablet.client->list_devices(); }) == "token_expired");

  // Both steps done already (a reply lost after the server committed): it still succeeds.
  desktop.client->change_passwords(kPassword, kNewPassword);
  CHECK(desktop.client->list_devices().size() == 3);
  // A wrong old password is refused while the new one is not in effect anywhere yet.
  CHECK(error_of([&] { desktop.client->change_passwords("wrong", "third password 3"); }) == "wrong_password");
}

TEST_CASE("sessions: listed with the current one marked, and ended one by one", "[account]") {
  ServerProcess server;
  SignedIn laptop = first_device(server);
  SignedIn tablet = signed_in_device(server, kPassword, "tablet");
  const std::vector<SessionInfo> sessions = laptop.client->list_sessions();
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].current);
  CHECK_FALSE(sessions[1].current);
  CHECK(sessions[0].created_at <= sessions[1].created_at);
  for (const SessionInfo& session : sessions) CHECK(session.last_used_at >= session.created_at);
  const std::vector<SessionInfo> from_tablet = tablet.client->list_sessions();
  REQUIRE(from_tablet.size() == 2);
  CHECK(from_tablet[1].current);

  CHECK(error_of([&] { laptop.client->end_session("not-a-uuid"); }) == "invalid_input");
  CHECK(error_of([&] { laptop.client->end_session("00000000-0000-4000-8000-000000000000"); }) == "not_found");
  laptop.client->end_session(sessions[1].id);
  CHECK(error_of([&] { tablet.client->list_devices(); }) == "token_expired");
  CHECK(laptop.client->list_sessions().size() == 1);

  // Ending one's own session signs this client out.
  laptop.client->end_session(sessions[0].id);
  CHECK(error_of([&] { laptop.client->list_devices(); }) == "token_expired");
}

TEST_CASE("deleting the account: the server forgets it, this client signs out, other users keep theirs",
          "[account]") {
  ServerProcess server;
  SignedIn grace = first_device(server);
  grace.client->push(grace.device.id, {numbered_change(1)});
  grace.client->put_blob("b1", text_bytes("grace's blob"));
  SignedIn other = first_device(server, "other@example.com");
  other.client->push(other.device.id, {numbered_change(2)});
  other.client->put_blob("b1", text_bytes("other's blob"));

  CHECK(error_of([&] { grace.client->delete_account("not it"); }) == "unauthorized");
  CHECK(grace.client->status().changes == 1);
  grace.client->delete_account(kPassword);
  CHECK_FALSE(grace.client->session());
  CHECK_FALSE(grace.client->encryption_ready());
  CHECK(kind_of_sign_in(server, kPassword) == "unauthorized");

  // The email is free again: a new account under it sees nothing of the old one.
  Client again(client_config(server));
  again.create_account(kEmail, kPassword);
  CHECK(error_of([&] { again.setup_encryption_existing(kPassword); }) == "not_found");
  CHECK(again.status().changes == 0);
  CHECK(again.status().blobs == 0);

  CHECK(other.client->status().changes == 1);
  CHECK(other.client->get_blob("b1") == text_bytes("other's blob"));
}

TEST_CASE("after an OAuth sign-in the password calls say the email is unknown", "[account]") {
  ServerProcess server;
  SignedIn grace = first_device(server);
  SessionTokens tokens = *grace.client->session();
  tokens.email.clear();  // as a session restored from an OAuth sign-in
  Client restored(client_config(server));
  restored.restore_session(tokens);
  CHECK(error_of([&] { restored.change_sign_in_password(kPassword, kNewPassword); }) == "not_set_up");
  CHECK(error_of([&] { restored.delete_account(kPassword); }) == "not_set_up");
  CHECK(restored.list_sessions().size() == 1);
}
