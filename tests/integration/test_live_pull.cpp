// Live pull (protocol 1.1) through the native client against the real server: a held pull ends
// when another device pushes; a cancelled pull and a stopped watch leave no request (connection)
// behind on the server; a watch delivers pages as they come and rides out a server restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "support.hpp"

using namespace synckit::integration;
using namespace std::chrono_literals;

namespace {

using Steady = std::chrono::steady_clock;

struct TwoDevices {
  ServerProcess server;
  Client a{client_config(server)};
  Client b{client_config(server)};
  Device laptop;
  Device phone;

  TwoDevices() {
    a.create_account("live@example.com", "sign-in password");
    a.setup_encryption_new("envelope password");
    laptop = a.register_device("laptop", "linux");
    b.authenticate("live@example.com", "sign-in password");
    b.setup_encryption_existing("envelope password");
    phone = b.register_device("phone", "android");
  }
};

// Waits up to `limit` for `predicate`, checking every 10 ms.
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds limit = 5000ms) {
  const auto until = Steady::now() + limit;
  while (!predicate()) {
    if (Steady::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// Pages a watch delivered, for the test thread to wait on.
struct Pages {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<PullResult> pages;
  std::optional<Error> error;

  void add(Result<PullResult> page) {
    const std::lock_guard lock(mutex);
    if (page) {
      pages.push_back(std::move(page.value()));
    } else {
      error = page.error();
    }
    changed.notify_all();
  }
  // The entries delivered so far, once at least `count` have come (or after `limit`).
  std::vector<ChangeEntry> wait_for(std::size_t count, std::chrono::milliseconds limit = 10'000ms) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, limit, [&] { return entries().size() >= count || error; });
    return entries();
  }
  std::vector<ChangeEntry> entries() {
    std::vector<ChangeEntry> out;
    for (const auto& page : pages) {
      for (const auto& entry : page.changes) out.push_back(*entry.entry);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("live pull: a held pull ends when another device pushes", "[live]") {
  TwoDevices t;
  const std::int64_t cursor = t.b.pull(t.phone.id, 0).cursor;
  auto held = std::async(std::launch::async, [&] {
    return t.b.pull(t.phone.id, cursor, PullOptions{30, nullptr});
  });
  REQUIRE(eventually([&] { return t.server.open_sockets() >= 3; }));  // listener + a, b connections
  CHECK(held.wait_for(300ms) == std::future_status::timeout);        // held: nothing to pull yet
  const std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "n1", {{"title", "now"}})};
  t.a.push(t.laptop.id, pushed);
  const auto pushed_at = Steady::now();
  REQUIRE(held.wait_for(5s) == std::future_status::ready);
  const auto latency = Steady::now() - pushed_at;
  const PullResult page = held.get();
  CHECK(entries_of(page.changes) == pushed);
  CHECK_FALSE(page.has_more);
  CHECK(latency < 1s);  // the figures (p50, p99) are bench/server_load's

  // Nothing comes: the wait ends empty after its seconds.
  const auto asked = Steady::now();
  const PullResult empty = t.b.pull(t.phone.id, page.cursor, PullOptions{1, nullptr});
  CHECK(empty.changes.empty());
  CHECK(empty.cursor == page.cursor);
  CHECK(Steady::now() - asked >= 900ms);

  CHECK(error_of([&] { t.b.pull(t.phone.id, 0, PullOptions{61, nullptr}); }) == "invalid_input");
  CHECK(error_of([&] { t.b.pull(t.phone.id, 0, PullOptions{-1, nullptr}); }) == "invalid_input");
}

TEST_CASE("live pull: a cancelled pull ends at once and leaves no connection on the server", "[live]") {
  TwoDevices t;
  const std::int64_t cursor = t.b.pull(t.phone.id, 0).cursor;
  const int idle_sockets = t.server.open_sockets();
  auto cancel = std::make_shared<synckit::CancelSignal>();
  auto held = std::async(std::launch::async, [&] { return t.b.pull(t.phone.id, cursor, PullOptions{30, cancel}); });
  CHECK(held.wait_for(300ms) == std::future_status::timeout);
  const auto cancelled_at = Steady::now();
  cancel->cancel();
  REQUIRE(held.wait_for(3s) == std::future_status::ready);
  CHECK(Steady::now() - cancelled_at < 1500ms);
  CHECK(error_of([&] { held.get(); }) == "cancelled");
  // The held request's connection is gone from the server too (it notices the hang-up).
  CHECK(eventually([&] { return t.server.open_sockets() < idle_sockets + 1; }));
  // And the client works on.
  t.a.push(t.laptop.id, {change(ChangeOp::insert, "n2", {{"after", "cancel"}})});
  CHECK(t.b.pull(t.phone.id, cursor).changes.size() == 1);
}

TEST_CASE("watch: pages arrive as other devices push; stop leaves no request behind", "[live]") {
  TwoDevices t;
  std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "w0", {{"before", "the watch"}})};
  t.a.push(t.laptop.id, pushed);
  Pages pages;
  auto watch = t.b.watch(t.phone.id, 0, [&](Result<PullResult> page) { pages.add(std::move(page)); });
  CHECK(as_json(pages.wait_for(1)) == as_json(pushed));  // what was there already
  for (int i = 1; i <= 3; ++i) {
    const std::vector<ChangeEntry> batch{change(ChangeOp::insert, "w" + std::to_string(i), {{"i", i}})};
    t.a.push(t.laptop.id, batch);
    pushed.insert(pushed.end(), batch.begin(), batch.end());
    CHECK(as_json(pages.wait_for(pushed.size(), 3000ms)) == as_json(pushed));
  }
  std::this_thread::sleep_for(200ms);  // the watch's next pull is held now
  const int watching_sockets = t.server.open_sockets();
  watch->stop();
  CHECK(eventually([&] { return t.server.open_sockets() < watching_sockets; }));
  INFO("sockets while watching: " << watching_sockets << ", after stop: " << t.server.open_sockets());
  t.a.push(t.laptop.id, {change(ChangeOp::insert, "w4", {{"after", "stop"}})});
  std::this_thread::sleep_for(300ms);
  CHECK(pages.entries().size() == pushed.size());  // nothing after stop
  CHECK_FALSE(pages.error);
}

TEST_CASE("watch: rides out a server restart, then delivers again", "[live]") {
  TwoDevices t;
  Pages pages;
  std::atomic<int> retries{0};
  WatchOptions options;
  options.first_backoff = 100ms;
  options.max_backoff = 400ms;
  options.on_retry = [&](const Error&) { ++retries; };
  auto watch = t.b.watch(
      t.phone.id, 0, [&](Result<PullResult> page) { pages.add(std::move(page)); }, options);
  std::this_thread::sleep_for(300ms);
  t.server.kill9();
  std::this_thread::sleep_for(1500ms);  // the watch's pull fails over and over meanwhile
  t.server.restart();
  const std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "r1", {{"after", "restart"}})};
  t.a.push(t.laptop.id, pushed);
  CHECK(as_json(pages.wait_for(1, 15'000ms)) == as_json(pushed));
  CHECK(retries > 0);
  CHECK_FALSE(pages.error);
  watch->stop();
}

TEST_CASE("watch: an error that will not pass ends it, once", "[live]") {
  TwoDevices t;
  Pages pages;
  auto watch = t.b.watch(t.phone.id, 0, [&](Result<PullResult> page) { pages.add(std::move(page)); });
  t.a.revoke_device(t.phone.id);
  t.a.push(t.laptop.id, {change(ChangeOp::insert, "x", {{"wakes", "the held pull"}})});
  std::unique_lock lock(pages.mutex);
  REQUIRE(pages.changed.wait_for(lock, 10s, [&] { return pages.error.has_value(); }));
  CHECK(pages.error->kind() == ErrorKind::forbidden);
}
