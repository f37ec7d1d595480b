// Chaos: device A pushes 10,000 changes in calls of 500 while the server is killed (SIGKILL) and
// restarted on the same port and database several times mid-push, and fails 30% of sync requests
// with 503 or 429 (the status alternates with each restart); device B pulls everything through
// the same faults. Every change must arrive exactly once, in order. The app-level loop is what an
// app does: a push() or pull() that fails with a transient error is called again with the same
// arguments (push() then reuses the change ids it gave those changes, so nothing is stored twice).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <random>
#include <set>
#include <thread>

#include "hostile_support.hpp"

using namespace synckit::hostile;
using namespace std::chrono_literals;

namespace {

constexpr int kChanges = 10'000;
constexpr int kPerPush = 500;
constexpr int kKills = 8;

std::vector<std::string> fault_flags(int status) {
  return {"--fault-rate", "0.3", "--fault-status", std::to_string(status)};
}

bool transient(const Error& e) {
  return e.kind() == ErrorKind::network || e.kind() == ErrorKind::server_status ||
         e.kind() == ErrorKind::rate_limited;
}

}  // namespace

TEST_CASE("10,000 changes through SIGKILLed restarts and 30% 503/429: each arrives exactly once, in order",
          "[chaos]") {
  const auto started = std::chrono::steady_clock::now();
  ServerProcess server(fault_flags(503));
  LogSink log_a;
  LogSink log_b;
  Client device_a(client_config(server, KeyCache::memory, &log_a));
  device_a.create_account("chaos@example.com", "chaos login");
  device_a.setup_encryption_new("chaos envelope");
  const Device a = device_a.register_device("device A", "linux");
  Client device_b(client_config(server, KeyCache::memory, &log_b));
  device_b.authenticate("chaos@example.com", "chaos login");
  device_b.setup_encryption_existing("chaos envelope");
  const Device b = device_b.register_device("device B", "linux");

  std::mt19937 rng(20261125);
  // Which push calls get a kill while in flight: spread over the run.
  std::set<int> kill_during;
  for (int k = 0; k < kKills; ++k) kill_during.insert(1 + k * (kChanges / kPerPush) / kKills + k % 2);
  int restarts = 0;
  int failed_pushes = 0;
  int app_retries = 0;
  int fault_status = 503;
  // Restarts a killed server (on this thread: ServerProcess children die with the thread that
  // forked them), switching between 503 and 429 faults.
  auto revive = [&] {
    if (server.running()) return;
    fault_status = fault_status == 503 ? 429 : 503;
    server.set_serve_flags(fault_flags(fault_status));
    server.restart();
    ++restarts;
  };

  std::vector<ChangeEntry> pushed;
  for (int call = 0; call * kPerPush < kChanges; ++call) {
    std::vector<ChangeEntry> batch;
    for (int i = call * kPerPush; i < (call + 1) * kPerPush; ++i) batch.push_back(numbered_change(i));
    for (int attempt = 0;; ++attempt) {
      REQUIRE(attempt < 50);
      std::thread killer;
      if (attempt == 0 && kill_during.count(call)) {
        const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(1, 10)(rng));
        killer = std::thread([&server, delay] {
          std::this_thread::sleep_for(delay);
          server.kill9();
        });
      }
      bool ok = true;
      try {
        device_a.push(a.id, batch);
      } catch (const Error& e) {
        INFO(e.what());
        REQUIRE(transient(e));
        if (std::getenv("SYNCKIT_CHAOS_VERBOSE")) std::cout << "push call " << call << ": " << e.what() << "\n";
        ok = false;
      }
      if (killer.joinable()) killer.join();
      revive();
      if (ok) break;
      ++failed_pushes;
      ++app_retries;
    }
    pushed.insert(pushed.end(), batch.begin(), batch.end());
  }
  REQUIRE(restarts >= kKills);

  // Device B pulls everything (retrying what fails transiently) and must see each change once.
  const auto pull_everything = [&] {
    std::vector<PulledEntry> pulled;
    std::int64_t cursor = 0;
    for (bool more = true; more;) {
      std::optional<PullResult> page;
      for (int attempt = 0; !page; ++attempt) {
        REQUIRE(attempt < 50);
        try {
          page = device_b.pull(b.id, cursor);
        } catch (const Error& e) {
          INFO(e.what());
          REQUIRE(transient(e));
          ++app_retries;
        }
      }
      for (PulledEntry& entry : page->changes) {
        INFO("seq " << entry.seq);
        REQUIRE(entry.entry);
        pulled.push_back(std::move(entry));
      }
      REQUIRE(page->cursor >= cursor);
      cursor = page->cursor;
      more = page->has_more;
    }
    check_exactly_once_in_order(pulled, pushed);
  };
  // Once under each fault status, so that 503s and 429s both meet real traffic: a push call now
  // takes a few ms, so a kill often lands between calls and a push-phase fault mode may see only
  // a handful of requests before the next restart.
  pull_everything();
  server.kill9();
  revive();
  pull_everything();
  std::optional<SyncStatus> stored;
  while (!stored) {
    try {
      stored = device_a.status();
    } catch (const Error& e) {
      REQUIRE(transient(e));
    }
  }
  CHECK(stored->changes == kChanges);

  const std::size_t faults_503 = log_a.count(" -> 503") + log_b.count(" -> 503");
  const std::size_t faults_429 = log_a.count(" -> 429") + log_b.count(" -> 429");
  const std::size_t refused = log_a.count(" -> connection") + log_b.count(" -> connection");
  const double took = seconds_since(started);
  std::cout << "chaos: " << kChanges << " changes in " << kChanges / kPerPush << " push calls, " << restarts
            << " SIGKILL restarts, " << failed_pushes << " failed push calls pushed again, " << faults_503
            << " injected 503s, " << faults_429 << " injected 429s, " << refused << " connection failures, "
            << log_a.count(": retry ") + log_b.count(": retry ") << " client retries, " << app_retries
            << " app-level retries, " << took << " s\n";
  CHECK(faults_503 > 0);
  CHECK(faults_429 > 0);
  CHECK(failed_pushes > 0);
}
