// Scenario 5: a small pull_limit pages through has_more; every change arrives exactly once, in seq
// order, and the pulling device's own changes in between are skipped.
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

using namespace synckit::integration;

TEST_CASE("pull pages through has_more: 50 changes with pull_limit 7, each exactly once, in order",
          "[sync]") {
  ServerProcess server;
  Config config = client_config(server);
  config.pull_limit = 7;
  Client client(config);
  client.create_account("barbara@example.com", "login password");
  client.setup_encryption_new("envelope password");
  const Device writer = client.register_device("writer", "linux");
  const Device reader = client.register_device("reader", "linux");

  std::vector<ChangeEntry> pushed;
  for (int i = 0; i < 50; ++i) pushed.push_back(numbered_change(i));
  client.push(writer.id, {pushed.begin(), pushed.begin() + 25});
  client.push(reader.id, {numbered_change(1000), numbered_change(1001), numbered_change(1002)});  // its own
  for (int i = 25; i < 50; i += 5) client.push(writer.id, {pushed.begin() + i, pushed.begin() + i + 5});

  std::vector<PulledEntry> pulled;
  std::set<std::string> change_ids;
  std::int64_t cursor = 0;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    REQUIRE(pages < 100);
    PullResult page = client.pull(reader.id, cursor);
    CHECK(page.changes.size() <= 7);
    CHECK(page.cursor >= cursor);
    if (page.has_more) {
      REQUIRE_FALSE(page.changes.empty());
      CHECK(page.cursor == page.changes.back().seq);
    }
    for (PulledEntry& entry : page.changes) {
      REQUIRE(entry.entry);
      CHECK(entry.device_id == writer.id);
      CHECK(entry.seq > cursor);
      CHECK(change_ids.insert(entry.change_id).second);
      if (!pulled.empty()) CHECK(entry.seq > pulled.back().seq);
      pulled.push_back(std::move(entry));
    }
    cursor = page.cursor;
    more = page.has_more;
  }

  CHECK(pulled.size() == 50);
  CHECK(entries_of(pulled) == pushed);
  CHECK(pages >= 8);    // 50 / 7, rounded up
  CHECK(cursor == 53);  // the user's latest seq, past the reader's own changes
  // Nothing new from the last cursor.
  const PullResult rest = client.pull(reader.id, cursor);
  CHECK(rest.changes.empty());
  CHECK_FALSE(rest.has_more);
  CHECK(rest.cursor == 53);
}

TEST_CASE("a push larger than one request is split within the limits (1000 changes, 8 MiB)", "[sync]") {
  ServerProcess server;
  LogSink log;
  Client client(client_config(server, KeyCache::memory, &log));
  client.create_account("batches@example.com", "login password");
  client.setup_encryption_new("envelope password");
  const Device writer = client.register_device("writer", "linux");
  const Device reader = client.register_device("reader", "linux");

  // 2500 small changes: three requests (1000, 1000, 500).
  std::vector<ChangeEntry> many;
  for (int i = 0; i < 2500; ++i) many.push_back(numbered_change(i));
  CHECK(client.push(writer.id, many) == 2500);
  CHECK(log.count("POST /v1/sync/push -> 200") == 3);

  // 16 changes of 700 KB (each under the 1 MiB payload limit, together over 8 MiB): two requests.
  std::vector<ChangeEntry> large;
  for (int i = 0; i < 16; ++i) {
    large.push_back(change(ChangeOp::insert, "big-" + std::to_string(i), std::string(700'000, 'a' + i)));
  }
  CHECK(client.push(writer.id, large) == 2516);
  CHECK(log.count("POST /v1/sync/push -> 200") == 5);
  CHECK_FALSE(log.contains("-> 413"));

  // One change whose sealed payload would exceed 1 MiB.
  const ChangeEntry too_big = change(ChangeOp::insert, "too-big", std::string(1100 * 1024, 'z'));
  CHECK(error_of([&] { client.push(writer.id, {too_big}); }) == "invalid_input");

  int calls = 0;
  const auto pulled = pull_all(client, reader.id, 0, &calls);
  std::vector<ChangeEntry> expected = many;
  expected.insert(expected.end(), large.begin(), large.end());
  CHECK(pulled.size() == expected.size());
  CHECK(entries_of(pulled) == expected);
  CHECK(calls >= 6);  // 2516 changes, 500 per page
  CHECK(client.status().changes == 2516);
}
