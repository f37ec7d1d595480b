// Scenario 9 (needs a Secret Service: CTest runs "[keychain]" in a private gnome-keyring session):
// the master key cached in the OS keychain lets a restarted app unlock without the password;
// logout removes it.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace synckit::integration;

TEST_CASE("a restarted client unlocks from the OS keychain without the password; logout forgets it",
          "[keychain]") {
  ServerProcess server;
  const std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "k1", {{"kept", "in the keychain"}})};
  SessionTokens saved;
  std::string reader_id;
  {
    Client first(client_config(server, KeyCache::os_keychain));
    first.create_account("keychain@example.com", "login password");
    first.setup_encryption_new("envelope password");
    const Device writer = first.register_device("writer", "linux");
    reader_id = first.register_device("reader", "linux").id;
    first.push(writer.id, pushed);
    saved = *first.session();
  }  // the app quits

  {
    Client restarted(client_config(server, KeyCache::os_keychain));
    CHECK(error_of([&] { restarted.unlock_from_key_store(); }) == "not_set_up");  // no session yet
    restarted.restore_session(saved);
    CHECK_FALSE(restarted.encryption_ready());
    REQUIRE(restarted.unlock_from_key_store());  // no password
    CHECK(restarted.encryption_ready());
    CHECK(entries_of(pull_all(restarted, reader_id)) == pushed);

    // The entry is the keychain's, not the Client object's: any other client finds it too.
    Client other(client_config(server, KeyCache::os_keychain));
    other.restore_session(saved);
    CHECK(other.unlock_from_key_store());

    restarted.logout();
    CHECK_FALSE(restarted.session());
    CHECK_FALSE(restarted.encryption_ready());
  }

  Client after_logout(client_config(server, KeyCache::os_keychain));
  after_logout.restore_session(saved);  // offline: the tokens are dead on the server, but readable
  CHECK_FALSE(after_logout.unlock_from_key_store());
  // logout also ended the session on the server: its refresh token is spent.
  auto http = raw_http(server);
  const auto refresh =
      http->Post("/v1/auth/refresh", {{"X-SyncKit-Api-Key", server.api_key()}},
                 R"({"refresh_token":")" + saved.refresh_token + R"("})", "application/json");
  REQUIRE(refresh);
  CHECK(refresh->status == 401);
}
