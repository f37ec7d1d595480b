// Scenarios 2 and 3: another device joins with setup_encryption_existing (a wrong password caches
// nothing), and change_password re-wraps the master key so only the new password opens it.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kEmail = "grace@example.com";
constexpr const char* kLoginPassword = "login password";
constexpr const char* kPassword = "the envelope password";

}  // namespace

TEST_CASE("a second device joins with the password; a wrong one is refused and caches nothing",
          "[encryption]") {
  ServerProcess server;
  Client a(client_config(server));
  a.create_account(kEmail, kLoginPassword);
  CHECK(error_of([&] { a.setup_encryption_existing(kPassword); }) == "not_found");  // no envelope yet
  CHECK_FALSE(a.encryption_ready());
  a.setup_encryption_new(kPassword);
  const Device laptop = a.register_device("laptop", "linux");
  const std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "n1", {{"body", "for the second device"}})};
  a.push(laptop.id, pushed);

  Client b(client_config(server, KeyCache::memory));
  b.authenticate(kEmail, kLoginPassword);
  CHECK_FALSE(b.encryption_ready());
  CHECK(error_of([&] { b.setup_encryption_existing("not the password"); }) == "wrong_password");
  CHECK_FALSE(b.encryption_ready());
  CHECK_FALSE(b.unlock_from_key_store());  // nothing was cached
  const Device phone = b.register_device("phone", "ios");
  CHECK(error_of([&] { b.pull(phone.id, 0); }) == "not_set_up");

  b.setup_encryption_existing(kPassword);
  CHECK(b.encryption_ready());
  CHECK(b.unlock_from_key_store());  // now it is
  CHECK(entries_of(pull_all(b, phone.id)) == pushed);

  // A second master key cannot replace the first; the device keeps the right one.
  CHECK(error_of([&] { b.setup_encryption_new("another password"); }) == "conflict");
  CHECK(entries_of(pull_all(b, phone.id)) == pushed);
}

TEST_CASE("change_password: a fresh device unlocks with the new password, not the old", "[encryption]") {
  constexpr const char* kNewPassword = "a brand new envelope password";
  ServerProcess server;
  Client a(client_config(server));
  a.create_account(kEmail, kLoginPassword);
  a.setup_encryption_new(kPassword);
  const Device laptop = a.register_device("laptop", "linux");
  std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "n1", {{"before", "the change"}})};
  a.push(laptop.id, pushed);

  CHECK(error_of([&] { a.change_password("not the old password", kNewPassword); }) == "wrong_password");
  a.change_password(kPassword, kNewPassword);
  CHECK(a.encryption_ready());
  pushed.push_back(change(ChangeOp::update, "n1", {{"after", "the change"}}));
  a.push(laptop.id, {pushed.back()});  // same master key: older and newer changes open alike

  Client b(client_config(server));
  b.authenticate(kEmail, kLoginPassword);  // the login password did not change
  CHECK(error_of([&] { b.setup_encryption_existing(kPassword); }) == "wrong_password");
  CHECK_FALSE(b.unlock_from_key_store());
  b.setup_encryption_existing(kNewPassword);
  const Device phone = b.register_device("phone", "android");
  CHECK(entries_of(pull_all(b, phone.id)) == pushed);
}
