// Scenario 11: the SDK refuses bad input with typed errors (invalid_input; not_set_up before
// sign-in or encryption setup) without crashing or sending it, and keeps working afterwards.
#include <catch2/catch.hpp>

#include <cctype>

#include "support.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kUnknownDevice = "00000000-0000-4000-8000-000000000000";

ChangeEntry good_change() { return change(ChangeOp::insert, "ok", {{"fine", true}}); }

}  // namespace

TEST_CASE("bad configurations are refused with invalid_input", "[input]") {
  ServerProcess server;
  auto make = [&](auto edit) {
    return error_of([&] {
      Config config = client_config(server);
      edit(config);
      Client client(config);
    });
  };
  CHECK(make([](Config&) {}) == "no error");
  CHECK(make([](Config& c) { c.server_url = "http://example.com"; }) ==
        "invalid_input");  // http off loopback
  CHECK(make([](Config& c) { c.server_url = "ftp://127.0.0.1:21"; }) == "invalid_input");
  CHECK(make([](Config& c) { c.server_url = "not a url"; }) == "invalid_input");
  CHECK(make([](Config& c) { c.server_url.clear(); }) == "invalid_input");
  CHECK(make([](Config& c) { c.api_key.clear(); }) == "invalid_input");
  CHECK(make([](Config& c) { c.pull_limit = 0; }) == "invalid_input");
  CHECK(make([](Config& c) { c.pull_limit = 1001; }) == "invalid_input");
}

TEST_CASE("bad input fails with typed errors, before sign-in with not_set_up; the client keeps working",
          "[input]") {
  ServerProcess server;
  Client client(client_config(server));
  const Bytes bytes = text_bytes("blob");

  // Not signed in.
  CHECK_FALSE(client.session());
  CHECK_FALSE(client.account());
  CHECK_FALSE(client.encryption_ready());
  CHECK(error_of([&] { client.push(kUnknownDevice, {good_change()}); }) == "not_set_up");
  CHECK(error_of([&] { client.pull(kUnknownDevice, 0); }) == "not_set_up");
  CHECK(error_of([&] { client.register_device("laptop", "linux"); }) == "not_set_up");
  CHECK(error_of([&] { client.list_devices(); }) == "not_set_up");
  CHECK(error_of([&] { client.revoke_device(kUnknownDevice); }) == "not_set_up");
  CHECK(error_of([&] { client.setup_encryption_new("password"); }) == "not_set_up");
  CHECK(error_of([&] { client.setup_encryption_existing("password"); }) == "not_set_up");
  CHECK(error_of([&] { client.unlock_from_key_store(); }) == "not_set_up");
  CHECK(error_of([&] { client.change_password("old", "new"); }) == "not_set_up");
  CHECK(error_of([&] { client.put_blob("b1", bytes); }) == "not_set_up");
  CHECK(error_of([&] { client.get_blob("b1"); }) == "not_set_up");
  CHECK(error_of([&] { client.delete_blob("b1"); }) == "not_set_up");
  CHECK(error_of([&] { client.status(); }) == "not_set_up");
  CHECK(error_of([&] { client.logout(); }) == "no error");
  CHECK(error_of([&] { client.complete_oauth("http://127.0.0.1:9/cb?code=c&state=s"); }) == "invalid_input");
  CHECK(error_of([&] { client.begin_oauth(""); }) == "invalid_input");
  CHECK(error_of([&] { client.create_account("", "password"); }) == "invalid_input");
  CHECK(error_of([&] { client.create_account("input@example.com", ""); }) == "invalid_input");
  CHECK(error_of([&] { client.create_account("bad-\xff-utf8@example.com", "password"); }) == "invalid_input");
  CHECK(error_of([&] { client.restore_session({"u", "a", "not a JWT", "refresh"}); }) == "invalid_input");
  CHECK_FALSE(client.session());

  // Signed in, encryption not set up.
  client.create_account("input@example.com", "login password");
  const Device device = client.register_device("laptop", "linux");
  CHECK(error_of([&] { client.push(device.id, {good_change()}); }) == "not_set_up");
  CHECK(error_of([&] { client.pull(device.id, 0); }) == "not_set_up");
  CHECK(error_of([&] { client.put_blob("b1", bytes); }) == "not_set_up");
  CHECK(error_of([&] { client.get_blob("b1"); }) == "not_set_up");
  CHECK(error_of([&] { client.register_device("", "linux"); }) == "invalid_input");
  CHECK(error_of([&] { client.register_device("bad \xc3\x28 name", "linux"); }) == "invalid_input");
  CHECK(error_of([&] { client.register_device(std::string(129, 'n'), "linux"); }) == "invalid_input");
  CHECK(error_of([&] { client.revoke_device("not-a-uuid"); }) == "invalid_input");
  CHECK(error_of([&] { client.revoke_device("../devices"); }) == "invalid_input");

  client.setup_encryption_new("envelope password");

  // Device ids.
  CHECK(error_of([&] { client.push("not-a-uuid", {good_change()}); }) == "invalid_input");
  CHECK(error_of([&] { client.push("", {good_change()}); }) == "invalid_input");
  std::string upper = device.id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(error_of([&] { client.push(upper, {good_change()}); }) == "invalid_input");
  CHECK(error_of([&] { client.push(device.id + "/../x", {good_change()}); }) == "invalid_input");
  CHECK(error_of([&] { client.pull("not-a-uuid", 0); }) == "invalid_input");
  CHECK(error_of([&] { client.pull(device.id, -1); }) == "invalid_input");
  // A well-formed id the user does not have: the server's 404.
  CHECK(error_of([&] { client.push(kUnknownDevice, {good_change()}); }) == "not_found");

  // Change lists and entries.
  auto push_one = [&](ChangeEntry entry) { return error_of([&] { client.push(device.id, {entry}); }); };
  CHECK(error_of([&] { client.push(device.id, {}); }) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "r", nullptr)) == "invalid_input");
  CHECK(push_one(change(ChangeOp::update, "r", nullptr)) == "invalid_input");
  CHECK(push_one(change(ChangeOp::remove, "r", {{"x", 1}})) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "", {{"x", 1}})) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "r", {{"x", 1}}, "")) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "r", 1, std::string(129, 't'))) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, std::string(257, 'r'), 1)) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "r", "bad \xff utf-8")) == "invalid_input");
  CHECK(push_one(change(ChangeOp::insert, "bad \xfe id", 1)) == "invalid_input");
  // One bad entry fails the whole call before anything is sent.
  const std::vector<ChangeEntry> mixed{good_change(), good_change(), change(ChangeOp::insert, "r", nullptr)};
  CHECK(error_of([&] { client.push(device.id, mixed); }) == "invalid_input");

  // Blob ids.
  CHECK(error_of([&] { client.put_blob("a/b", bytes); }) == "invalid_input");
  CHECK(error_of([&] { client.put_blob("", bytes); }) == "invalid_input");
  CHECK(error_of([&] { client.put_blob(std::string(129, 'b'), bytes); }) == "invalid_input");
  CHECK(error_of([&] { client.put_blob("with space", bytes); }) == "invalid_input");
  CHECK(error_of([&] { client.put_blob("blöb", bytes); }) == "invalid_input");
  CHECK(error_of([&] { client.get_blob("../keys/envelope"); }) == "invalid_input");
  CHECK(error_of([&] { client.get_blob("a?b"); }) == "invalid_input");
  CHECK(error_of([&] { client.delete_blob("a/b"); }) == "invalid_input");

  // OAuth redirects that carry no usable code.
  client.begin_oauth("http://127.0.0.1:9/callback");
  CHECK(error_of([&] { client.complete_oauth("http://127.0.0.1:9/callback"); }) == "invalid_input");
  CHECK(error_of([&] { client.complete_oauth("http://127.0.0.1:9/callback?error=access_denied"); }) ==
        "invalid_grant");

  // Still signed in and working; none of the refused calls stored anything.
  CHECK(client.session());
  CHECK(client.encryption_ready());
  CHECK(client.push(device.id, {good_change()}) == 1);
  client.put_blob(std::string(128, 'b'), bytes);
  const SyncStatus status = client.status();
  CHECK(status.changes == 1);
  CHECK(status.blobs == 1);
}
