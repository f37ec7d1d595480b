// Keychains: the real Secret Service (run through run_in_private_session.sh, which starts a
// private D-Bus session and gnome-keyring), MemoryKeychain, NullKeychain and AsyncKeyStore.
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/native/async_key_store.hpp"
#include "synckit/native/keychain.hpp"
#include "synckit/native/sodium_random.hpp"

using synckit::Error;
using synckit::ErrorKind;
using synckit::KeyStoreEntry;
using synckit::MasterKey;
namespace native = synckit::native;

namespace {

constexpr auto kWait = std::chrono::seconds(30);

MasterKey random_key() {
  native::SodiumRandom random;
  return synckit::generate_master_key(random);
}

bool same(const MasterKey& a, const MasterKey& b) { return synckit::constant_time_equal(a.view(), b.view()); }

std::string base64_of(const MasterKey& key) { return synckit::base64_encode(key.view()); }

KeyStoreEntry entry_for(const std::string& user, const std::string& app = "io.synckit.tests",
                        const std::string& server = "https://sync.example.test") {
  return KeyStoreEntry{server, app, user};
}

// Writes `value` (printf %b escapes allowed) as the entry's secret with secret-tool, not the Keychain.
void store_raw(const KeyStoreEntry& entry, const std::string& value) {
  const std::string command = "printf '%b' '" + value + "' | secret-tool store --label='SyncKit test' " +
                              "xdg:schema io.synckit.MasterKey server '" + entry.server_url + "' app '" +
                              entry.app_id + "' user '" + entry.user_id + "'";
  REQUIRE(std::system(command.c_str()) == 0);
}

// What secret-tool prints for the entry's item: "lookup" (its secret) or "search" (its details).
std::string secret_tool(const char* verb, const KeyStoreEntry& entry) {
  const std::string command = std::string("secret-tool ") + verb + " xdg:schema io.synckit.MasterKey server '" +
                              entry.server_url + "' app '" + entry.app_id + "' user '" + entry.user_id + "'";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  pclose(pipe);
  return out;
}

// This test binary, to run hidden test cases in a child process.
std::string self_path() { return std::filesystem::read_symlink("/proc/self/exe").string(); }

// Runs `call` and returns the Error{keychain} it must throw.
template <class Call>
Error keychain_error_of(Call&& call) {
  try {
    call();
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::keychain);
    return error;
  }
  FAIL("no Error was thrown");
  return Error(ErrorKind::keychain);
}

// The Scheduler of the tests: one thread running posted tasks in order (delays are not needed:
// AsyncKeyStore posts with 0).
class ThreadScheduler final : public synckit::Scheduler {
 public:
  ThreadScheduler() : thread_([this] { run(); }) {}
  ~ThreadScheduler() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  void post(std::chrono::milliseconds delay, std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
      ++posted_;
      if (delay.count() != 0) ++delayed_;
    }
    wake_.notify_one();
  }
  std::thread::id thread_id() const { return thread_.get_id(); }
  int posted() {
    std::lock_guard lock(mutex_);
    return posted_;
  }
  int delayed() {
    std::lock_guard lock(mutex_);
    return delayed_;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  int posted_ = 0;
  int delayed_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

// A keychain whose every call fails (load with a non-SyncKit exception).
class FailingKeychain final : public native::Keychain {
 public:
  void save(const KeyStoreEntry&, const MasterKey&) override { throw Error(ErrorKind::keychain, "locked"); }
  std::optional<MasterKey> load(const KeyStoreEntry&) override { throw std::runtime_error("boom"); }
  void remove(const KeyStoreEntry&) override { throw Error(ErrorKind::keychain, "locked"); }
};

// The shared checks of every persistent or in-memory keychain.
void check_round_trip(native::Keychain& keychain, const std::string& user) {
  const KeyStoreEntry entry = entry_for(user);
  const MasterKey first = random_key();
  keychain.save(entry, first);
  std::optional<MasterKey> loaded = keychain.load(entry);
  REQUIRE(loaded);
  CHECK(same(*loaded, first));

  const MasterKey second = random_key();
  keychain.save(entry, second);
  loaded = keychain.load(entry);
  REQUIRE(loaded);
  CHECK(same(*loaded, second));

  keychain.remove(entry);
  CHECK_FALSE(keychain.load(entry));
  CHECK_NOTHROW(keychain.remove(entry));
  CHECK_NOTHROW(keychain.remove(entry_for(user + "-never-stored")));
}

void check_entries_do_not_collide(native::Keychain& keychain, const std::string& user) {
  const KeyStoreEntry entries[] = {entry_for(user), entry_for(user + "-2"),
                                   entry_for(user, "io.synckit.other"),
                                   entry_for(user, "io.synckit.tests", "https://other.example.test")};
  std::vector<MasterKey> keys;
  for (const KeyStoreEntry& entry : entries) {
    keys.push_back(random_key());
    keychain.save(entry, keys.back());
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::optional<MasterKey> loaded = keychain.load(entries[i]);
    REQUIRE(loaded);
    CHECK(same(*loaded, keys[i]));
  }
  keychain.remove(entries[0]);
  CHECK_FALSE(keychain.load(entries[0]));
  CHECK(keychain.load(entries[1]));
  for (const KeyStoreEntry& entry : entries) keychain.remove(entry);
}

}  // namespace

// ---- the OS keychain (Secret Service) ----

TEST_CASE("secret service: save, load, overwrite, remove", "[secret_service]") {
  const auto keychain = native::make_os_keychain();
  check_round_trip(*keychain, "round-trip");
}

TEST_CASE("secret service: entries are keyed by server, app and user", "[secret_service]") {
  const auto keychain = native::make_os_keychain();
  check_entries_do_not_collide(*keychain, "keyed");
}

TEST_CASE("secret service: the stored secret is the base64 of the key", "[secret_service]") {
  const KeyStoreEntry entry = entry_for("format");
  const MasterKey key = random_key();
  native::make_os_keychain()->save(entry, key);
  CHECK(secret_tool("lookup", entry) == base64_of(key));
  CHECK(secret_tool("search", entry).find("label = SyncKit master key (https://sync.example.test)\n") !=
        std::string::npos);
  native::make_os_keychain()->remove(entry);
}

TEST_CASE("secret service: a key saved by one keychain object loads in a fresh one", "[secret_service]") {
  const KeyStoreEntry entry = entry_for("restart");
  const MasterKey key = random_key();
  {
    const auto before = native::make_os_keychain();
    before->save(entry, key);
  }
  const auto after = native::make_os_keychain();
  const std::optional<MasterKey> loaded = after->load(entry);
  REQUIRE(loaded);
  CHECK(same(*loaded, key));
  after->remove(entry);
}

TEST_CASE("secret service: a key saved by one process loads in the next", "[secret_service]") {
  const KeyStoreEntry entry = entry_for("restart-process");
  const MasterKey key = random_key();
  native::make_os_keychain()->save(entry, key);
  const std::string command = "SYNCKIT_TEST_EXPECTED_KEY='" + base64_of(key) + "' '" + self_path() +
                              "' --warn NoTests '[restart_child]'";
  CHECK(std::system(command.c_str()) == 0);
  native::make_os_keychain()->remove(entry);
}

TEST_CASE("secret service: (child process) loads the key its parent saved", "[.restart_child]") {
  const char* expected = std::getenv("SYNCKIT_TEST_EXPECTED_KEY");
  REQUIRE(expected != nullptr);
  const std::optional<MasterKey> loaded = native::make_os_keychain()->load(entry_for("restart-process"));
  REQUIRE(loaded);
  CHECK(base64_of(*loaded) == expected);
}

TEST_CASE("secret service: a stored value that is not base64 of 32 bytes is corrupt", "[secret_service]") {
  const auto keychain = native::make_os_keychain();
  const MasterKey key = random_key();
  const std::string key64 = base64_of(key);
  const std::string longer = synckit::base64_encode(synckit::as_bytes(std::string(33, 'k')));
  const std::pair<const char*, std::string> values[] = {
      {"not base64", "not base64!"},
      {"16 bytes", synckit::base64_encode(key.view().first(16))},
      {"33 bytes", longer},
      {"key + junk", key64 + "!"},
      {"key + newline", key64 + "\\n"},  // printf %b turns \n into a newline
  };
  for (const auto& [name, value] : values) {
    INFO(name);
    const KeyStoreEntry entry = entry_for(std::string("corrupt-") + name);
    store_raw(entry, value);
    const Error error = keychain_error_of([&] { (void)keychain->load(entry); });
    CHECK(error.detail() == "the stored key is corrupt");
    CHECK(std::string(error.what()).find(key64) == std::string::npos);
    keychain->remove(entry);
    CHECK_FALSE(keychain->load(entry));
  }
}

TEST_CASE("secret service: errors without a bus are Error{keychain} without the key", "[.no_bus]") {
  // Run by the next test in a child process whose DBUS_SESSION_BUS_ADDRESS leads nowhere.
  const auto keychain = native::make_os_keychain();
  const KeyStoreEntry entry = entry_for("no-bus");
  const MasterKey key = random_key();
  const std::string key64 = base64_of(key);
  const Error saved = keychain_error_of([&] { keychain->save(entry, key); });
  const Error loaded = keychain_error_of([&] { (void)keychain->load(entry); });
  const Error removed = keychain_error_of([&] { keychain->remove(entry); });
  for (const Error* error : {&saved, &loaded, &removed}) {
    INFO(error->what());
    CHECK(std::string(error->what()).find(key64) == std::string::npos);
    CHECK(std::string(error->what()).find("Secret Service") != std::string::npos);
  }
}

TEST_CASE("secret service: D-Bus failures are Error{keychain} without the key", "[secret_service]") {
  const std::string command = "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/synckit-bus '" + self_path() +
                              "' --warn NoTests '[no_bus]'";
  CHECK(std::system(command.c_str()) == 0);
}

TEST_CASE("secret service: entries that are not UTF-8 are refused", "[secret_service]") {
  const auto keychain = native::make_os_keychain();
  const Error error = keychain_error_of([&] { keychain->remove(entry_for("bad\xff")); });
  CHECK(error.detail().find("UTF-8") != std::string::npos);
}

// ---- in-process keychains ----

TEST_CASE("memory keychain: save, load, overwrite, remove; entries do not collide", "[memory_keychain]") {
  native::MemoryKeychain keychain;
  check_round_trip(keychain, "memory");
  check_entries_do_not_collide(keychain, "memory-keyed");
}

TEST_CASE("memory keychain: a loaded key is a copy of the stored one", "[memory_keychain]") {
  native::MemoryKeychain keychain;
  const MasterKey key = random_key();
  keychain.save(entry_for("copy"), key);
  std::optional<MasterKey> first = keychain.load(entry_for("copy"));
  REQUIRE(first);
  first->wipe();
  const std::optional<MasterKey> second = keychain.load(entry_for("copy"));
  REQUIRE(second);
  CHECK(same(*second, key));
}

TEST_CASE("null keychain keeps nothing", "[null_keychain]") {
  native::NullKeychain keychain;
  keychain.save(entry_for("null"), random_key());
  CHECK_FALSE(keychain.load(entry_for("null")));
  CHECK_NOTHROW(keychain.remove(entry_for("null")));
}

// ---- AsyncKeyStore ----
// Catch2 assertions are not thread-safe: completions only record what they got; the test thread
// checks it.

namespace {

// What one completion saw.
struct Completion {
  std::thread::id thread;
  std::optional<Error> error;
  bool had_key = false;
  bool key_matches = false;
};

// Collects completions; wait() blocks until `expected` have arrived.
class Completions {
 public:
  synckit::KeyStoreDone done() {
    return [this](std::optional<Error> error) { add({std::this_thread::get_id(), std::move(error)}); };
  }
  synckit::KeyStoreLoaded loaded(const MasterKey* expected = nullptr) {
    return [this, expected](std::optional<MasterKey> key, std::optional<Error> error) {
      Completion c{std::this_thread::get_id(), std::move(error), key.has_value(), false};
      c.key_matches = key && expected != nullptr && same(*key, *expected);
      add(std::move(c));
    };
  }
  std::vector<Completion> wait(std::size_t expected) {
    std::unique_lock lock(mutex_);
    const bool arrived = changed_.wait_for(lock, kWait, [&] { return seen_.size() >= expected; });
    REQUIRE(arrived);
    return seen_;
  }

 private:
  void add(Completion completion) {
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(std::move(completion));
    }
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Completion> seen_;
};

}  // namespace

TEST_CASE("async key store: completions arrive in order on the scheduler's thread", "[async_key_store]") {
  ThreadScheduler scheduler;
  Completions completions;  // outlives the store: its pending completions refer to it
  native::AsyncKeyStore store(std::make_unique<native::MemoryKeychain>(), scheduler);
  const KeyStoreEntry entry = entry_for("async");
  const MasterKey key = random_key();

  store.save(entry, key, completions.done());
  store.load(entry, completions.loaded(&key));
  store.remove(entry, completions.done());
  store.load(entry, completions.loaded());
  const std::vector<Completion> seen = completions.wait(4);
  REQUIRE(seen.size() == 4);
  for (const Completion& c : seen) {
    CHECK(c.thread == scheduler.thread_id());
    CHECK_FALSE(c.error);
  }
  CHECK(seen[1].had_key);
  CHECK(seen[1].key_matches);
  CHECK_FALSE(seen[3].had_key);
  CHECK(scheduler.posted() == 4);
  CHECK(scheduler.delayed() == 0);
}

TEST_CASE("async key store: a completion never runs inside the call", "[async_key_store]") {
  ThreadScheduler scheduler;
  Completions completions;
  native::AsyncKeyStore store(std::make_unique<native::NullKeychain>(), scheduler);
  store.remove(entry_for("inline"), completions.done());
  const std::vector<Completion> seen = completions.wait(1);
  CHECK(seen[0].thread != std::this_thread::get_id());
  CHECK(seen[0].thread == scheduler.thread_id());
}

TEST_CASE("async key store: keychain failures arrive as Error{keychain}", "[async_key_store]") {
  ThreadScheduler scheduler;
  Completions completions;
  native::AsyncKeyStore store(std::make_unique<FailingKeychain>(), scheduler);
  const MasterKey key = random_key();
  store.save(entry_for("failing"), key, completions.done());
  store.load(entry_for("failing"), completions.loaded());  // throws a non-SyncKit exception
  store.remove(entry_for("failing"), completions.done());
  for (const Completion& c : completions.wait(3)) {
    REQUIRE(c.error);
    CHECK(c.error->kind() == ErrorKind::keychain);
    CHECK_FALSE(c.had_key);
    CHECK(std::string(c.error->what()).find(base64_of(key)) == std::string::npos);
  }
}

TEST_CASE("async key store: destruction completes every queued call", "[async_key_store]") {
  ThreadScheduler scheduler;  // declared first: outlives the store
  Completions completions;
  constexpr std::size_t kCalls = 50;
  {
    native::AsyncKeyStore store(std::make_unique<native::MemoryKeychain>(), scheduler);
    const MasterKey key = random_key();
    for (std::size_t i = 0; i < kCalls / 2; ++i) {
      store.save(entry_for("many"), key, completions.done());
      store.load(entry_for("many"), completions.loaded());
    }
  }
  CHECK(completions.wait(kCalls).size() == kCalls);
}

TEST_CASE("async key store: needs a keychain", "[async_key_store]") {
  ThreadScheduler scheduler;
  CHECK_THROWS_AS(native::AsyncKeyStore(nullptr, scheduler), Error);
}

TEST_CASE("async key store over the secret service: round trip, corrupt value",
          "[async_key_store][secret_service]") {
  ThreadScheduler scheduler;
  Completions completions;
  native::AsyncKeyStore store(native::make_os_keychain(), scheduler);
  const KeyStoreEntry entry = entry_for("async-os");
  const MasterKey key = random_key();
  store.save(entry, key, completions.done());
  store.load(entry, completions.loaded(&key));
  std::vector<Completion> seen = completions.wait(2);
  CHECK_FALSE(seen[0].error);
  CHECK_FALSE(seen[1].error);
  CHECK(seen[1].key_matches);
  CHECK(seen[1].thread == scheduler.thread_id());

  store_raw(entry, base64_of(key) + "=");
  store.load(entry, completions.loaded());
  store.remove(entry, completions.done());
  seen = completions.wait(4);
  REQUIRE(seen[2].error);
  CHECK(seen[2].error->kind() == ErrorKind::keychain);
  CHECK(seen[2].error->detail() == "the stored key is corrupt");
  CHECK(std::string(seen[2].error->what()).find(base64_of(key)) == std::string::npos);
  CHECK_FALSE(seen[3].error);
}
