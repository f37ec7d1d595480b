// The server goes away and comes back on the same database and port: after a crash (SIGKILL) and
// after a clean stop (SIGTERM, exit status 0) the client's session still works (the signing key
// is kept beside the database) and every acknowledged change is there exactly once. A new signing
// key makes the client refresh on the 401.
#include <catch2/catch.hpp>

#include <filesystem>

#include "support.hpp"

using namespace synckit::integration;

TEST_CASE("the session and the data survive a server crash and a clean restart", "[server]") {
  ServerProcess server;
  std::vector<ChangeEntry> pushed;
  for (int i = 0; i < 10; ++i) pushed.push_back(numbered_change(i));
  SessionTokens saved;
  std::string reader_id;
  {
    Client client(client_config(server));
    client.create_account("restart@example.com", "login password");
    client.setup_encryption_new("envelope password");
    const Device writer = client.register_device("writer", "linux");
    reader_id = client.register_device("reader", "linux").id;

    CHECK(client.push(writer.id, {pushed.begin(), pushed.begin() + 5}) == 5);
    server.kill9();
    CHECK(error_of([&] { client.status(); }) == "network");
    server.restart();
    CHECK(client.status().changes == 5);
    CHECK(client.push(writer.id, {pushed.begin() + 5, pushed.end()}) == 10);
    saved = *client.session();
  }  // The client goes first: SIGTERM waits for idle keep-alive connections (up to 5 s).

  server.stop();  // throws unless the exit status is 0
  CHECK(server.log_shows("synckit-server stopped"));
  server.restart();

  Client client(client_config(server));
  client.restore_session(saved);
  client.setup_encryption_existing("envelope password");
  const auto pulled = pull_all(client, reader_id);
  CHECK(entries_of(pulled) == pushed);
  CHECK(client.status().changes == 10);
}

TEST_CASE("a replaced signing key: the client refreshes once on 401 and carries on; logout works offline",
          "[server]") {
  ServerProcess server;
  LogSink log;
  Client client(client_config(server, KeyCache::memory, &log));
  const Account account = client.create_account("rekey@example.com", "login password");
  const SessionTokens before = *client.session();

  // A new signing key invalidates every access token; refresh tokens live in the database.
  server.kill9();
  REQUIRE(std::filesystem::remove(server.db_path().string() + ".secret"));
  server.restart();
  const auto lines_before = log.lines().size();
  CHECK(client.status().user_id == account.user_id);
  const auto lines = log.lines();
  CHECK(std::vector<std::string>(lines.begin() + static_cast<std::ptrdiff_t>(lines_before), lines.end()) ==
        std::vector<std::string>{"GET /v1/sync/status -> 401", "POST /v1/auth/refresh -> 200",
                                 "GET /v1/sync/status -> 200"});
  CHECK(client.session()->refresh_token != before.refresh_token);

  // The server is gone: logout still forgets the session and the key (the server side is best effort).
  server.kill9();
  CHECK(error_of([&] { client.logout(); }) == "no error");
  CHECK_FALSE(client.session());
  CHECK_FALSE(client.encryption_ready());
}
