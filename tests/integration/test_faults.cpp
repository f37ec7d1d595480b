// Scenario 6: a server that fails 30% of sync and blob requests (503, then 429) before touching the
// database. The client's retries absorb most faults; a call that still fails after its 3 retries
// is retried by the test, as an app would (safe: an injected fault stores nothing). Every change
// must arrive exactly once, in order.
#include <catch2/catch.hpp>

#include <iostream>

#include "support.hpp"

using namespace synckit::integration;

namespace {

constexpr int kChanges = 300;
constexpr int kPerPush = 10;

// Calls `call` until it does not fail with a transient kind; counts the extra calls in `retries`.
template <class F>
auto with_app_retries(F call, int& retries) {
  for (;;) {
    try {
      return call();
    } catch (const Error& e) {
      const bool transient = e.kind() == ErrorKind::server_status || e.kind() == ErrorKind::rate_limited;
      if (!transient || retries >= 100) throw;
      ++retries;
    }
  }
}

void sync_through_faults(const std::string& status) {
  ServerProcess server({"--fault-rate", "0.3", "--fault-status", status});
  LogSink log;
  Config config = client_config(server, KeyCache::memory, &log);
  config.pull_limit = 40;
  Client client(config);
  // Sign-in, envelope and devices are not faulted (only /v1/sync/* and /v1/blobs/*).
  client.create_account("faults-" + status + "@example.com", "login password");
  client.setup_encryption_new("envelope password");
  const Device writer = client.register_device("writer", "linux");
  const Device reader = client.register_device("reader", "linux");

  int app_retries = 0;
  std::vector<ChangeEntry> pushed;
  for (int i = 0; i < kChanges; i += kPerPush) {
    std::vector<ChangeEntry> batch;
    for (int j = i; j < i + kPerPush; ++j) batch.push_back(numbered_change(j));
    with_app_retries([&] { return client.push(writer.id, batch); }, app_retries);
    pushed.insert(pushed.end(), batch.begin(), batch.end());
  }

  std::vector<PulledEntry> pulled;
  std::int64_t cursor = 0;
  for (bool more = true; more;) {
    const PullResult page = with_app_retries([&] { return client.pull(reader.id, cursor); }, app_retries);
    for (const PulledEntry& entry : page.changes) {
      REQUIRE(entry.entry);
      pulled.push_back(entry);
    }
    cursor = page.cursor;
    more = page.has_more;
  }

  const Bytes blob = pattern_bytes(64 * 1024, 7);
  with_app_retries([&] { client.put_blob("through-faults", blob); }, app_retries);
  CHECK(with_app_retries([&] { return client.get_blob("through-faults"); }, app_retries) == blob);

  check_exactly_once_in_order(pulled, pushed);
  // The server stored each change once: no push was stored twice.
  const SyncStatus stored = with_app_retries([&] { return client.status(); }, app_retries);
  CHECK(stored.changes == kChanges);
  CHECK(stored.latest_cursor == kChanges);

  const std::size_t client_retries = log.count(": retry ");
  const std::string faulted = " -> " + status;
  std::cout << "fault status " << status << ": " << log.count(faulted) << " faulted replies, "
            << client_retries << " client retries, " << app_retries << " app-level retries\n";
  CHECK(client_retries > 0);
  CHECK(log.count(faulted) > 0);
  CHECK(server.log_shows(" " + status + " "));
}

}  // namespace

TEST_CASE("30% injected 503s: every change arrives exactly once, in order", "[faults]") {
  sync_through_faults("503");
}

TEST_CASE("30% injected 429s: every change arrives exactly once, in order", "[faults]") {
  sync_through_faults("429");
}
