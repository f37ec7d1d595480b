// SqliteReplicaStore: reads and writes per space, prefix scans (0xFF edges, empty prefix, limits),
// all-or-nothing commits (a write failure forced with RLIMIT_FSIZE), reopening, file mode, the
// one-writer lock (this process and another), refused files, and a writer killed at random.
#include <catch2/catch.hpp>

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/native/sqlite_replica_store.hpp"

using synckit::Bytes;
using synckit::Error;
using synckit::ErrorKind;
using synckit::StoreEntry;
using synckit::StoreSpace;
using synckit::StoreWrite;
using synckit::native::SqliteReplicaStore;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    char name[64];
    std::snprintf(name, sizeof name, "synckit-sqlite-store-%08x%08x", random(), random());
    path_ = fs::temp_directory_path() / name;
    fs::create_directory(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

Bytes bytes(std::string_view text) { return Bytes(text.begin(), text.end()); }
Bytes raw(std::initializer_list<int> values) {
  Bytes out;
  for (int value : values) out.push_back(static_cast<std::uint8_t>(value));
  return out;
}
Bytes be64(std::uint64_t value) {
  Bytes out(8);
  for (int i = 7; i >= 0; --i, value >>= 8) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(value);
  return out;
}
std::uint64_t from_be64(const Bytes& in) {
  std::uint64_t value = 0;
  for (std::uint8_t byte : in) value = (value << 8) | byte;
  return value;
}

StoreWrite put(StoreSpace space, Bytes key, Bytes value) { return {space, std::move(key), std::move(value)}; }
StoreWrite erase(StoreSpace space, Bytes key) { return {space, std::move(key), std::nullopt}; }

// Commits and returns what `done` got; fails the test if done was not called inside commit.
std::optional<Error> try_commit(SqliteReplicaStore& store, std::vector<StoreWrite> writes) {
  bool called = false;
  std::optional<Error> result;
  store.commit(std::move(writes), [&](std::optional<Error> error) {
    called = true;
    result = std::move(error);
  });
  REQUIRE(called);
  return result;
}
void commit_ok(SqliteReplicaStore& store, std::vector<StoreWrite> writes) {
  const std::optional<Error> error = try_commit(store, std::move(writes));
  if (error) FAIL("commit failed: " << error->what());
}

// The Error{storage} that opening `path` throws (fails the test if it opens or throws another).
Error open_error(const std::string& path) {
  try {
    SqliteReplicaStore::open(path);
  } catch (const Error& error) {
    return error;
  }
  FAIL("the store opened");
  throw std::logic_error("unreachable");
}

// Bytewise, unsigned, a shorter prefix first: the store's key order.
bool bytewise_less(const Bytes& a, const Bytes& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return a.size() < b.size();
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::vector<Bytes> keys_of(const std::vector<StoreEntry>& entries) {
  std::vector<Bytes> keys;
  for (const StoreEntry& entry : entries) keys.push_back(entry.key);
  return keys;
}

// Overwrites the 4-byte big-endian PRAGMA user_version in a closed database file's header.
void set_user_version(const std::string& path, std::uint32_t version) {
  REQUIRE_FALSE(fs::exists(path + "-wal"));  // everything is in the main file
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(file);
  file.seekp(60);
  const char header[4] = {static_cast<char>(version >> 24), static_cast<char>(version >> 16),
                          static_cast<char>(version >> 8), static_cast<char>(version)};
  file.write(header, 4);
  REQUIRE(file);
}

// Lowers this process's file size limit for its lifetime, with SIGXFSZ ignored so an oversized
// write fails with EFBIG instead of killing the process.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    saved_handler_ = signal(SIGXFSZ, SIG_IGN);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &lower) == 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    signal(SIGXFSZ, saved_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  sighandler_t saved_handler_ = SIG_DFL;
};

}  // namespace

TEST_CASE("sqlite replica store: put, get, overwrite and delete", "[sqlite]") {
  TempDir dir;
  auto store = SqliteReplicaStore::open(dir.file("replica.db"));
  CHECK_FALSE(store->get(StoreSpace::state, bytes("state")));
  CHECK(store->count(StoreSpace::state) == 0);

  commit_ok(*store, {put(StoreSpace::state, bytes("state"), bytes("s1")),
                     put(StoreSpace::rows, raw({0x00, 0xFF}), raw({0x00, 0x01, 0x00})),
                     put(StoreSpace::rows, Bytes{}, bytes("empty key")),
                     put(StoreSpace::rows, bytes("empty value"), Bytes{})});
  CHECK(store->get(StoreSpace::state, bytes("state")) == bytes("s1"));
  CHECK(store->get(StoreSpace::rows, raw({0x00, 0xFF})) == raw({0x00, 0x01, 0x00}));
  CHECK(store->get(StoreSpace::rows, Bytes{}) == bytes("empty key"));
  const std::optional<Bytes> empty = store->get(StoreSpace::rows, bytes("empty value"));
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK_FALSE(store->get(StoreSpace::rows, raw({0x00})));  // a prefix of a key is another key

  // Overwrite, delete, delete a missing key; and within one transaction the last write wins.
  commit_ok(*store, {put(StoreSpace::state, bytes("state"), bytes("s2")), erase(StoreSpace::rows, Bytes{}),
                     erase(StoreSpace::rows, bytes("never written")),
                     put(StoreSpace::outbox, be64(1), bytes("first")), put(StoreSpace::outbox, be64(1), bytes("second")),
                     put(StoreSpace::outbox, be64(2), bytes("gone")), erase(StoreSpace::outbox, be64(2))});
  CHECK(store->get(StoreSpace::state, bytes("state")) == bytes("s2"));
  CHECK_FALSE(store->get(StoreSpace::rows, Bytes{}));
  CHECK(store->get(StoreSpace::outbox, be64(1)) == bytes("second"));
  CHECK_FALSE(store->get(StoreSpace::outbox, be64(2)));
  CHECK(store->count(StoreSpace::rows) == 2);
  CHECK(store->count(StoreSpace::outbox) == 1);

  commit_ok(*store, {});  // an empty transaction is fine
  CHECK(store->count(StoreSpace::state) == 1);
}

TEST_CASE("sqlite replica store: scan by prefix, in key order, with a limit", "[sqlite]") {
  TempDir dir;
  auto store = SqliteReplicaStore::open(dir.file("replica.db"));
  std::vector<Bytes> keys = {Bytes{},           raw({0x00}),       raw({0x00, 0x00}), raw({0x01}),
                             raw({0x01, 0x00}), raw({0x01, 0xFF}), raw({0x01, 0xFF, 0x00}),
                             raw({0x01, 0xFF, 0xFF}), raw({0x01, 0xFF, 0xFF, 0x07}), raw({0x02}),
                             raw({0x7F}),       raw({0x80}),       raw({0xFE, 0xFF}), raw({0xFF}),
                             raw({0xFF, 0x00}), raw({0xFF, 0xFF}), raw({0xFF, 0xFF, 0x01}),
                             bytes("a"),        bytes("ab"),       bytes("abc"),      bytes("b")};
  std::vector<Bytes> shuffled = keys;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  std::vector<StoreWrite> writes;
  for (const Bytes& key : shuffled) {
    Bytes value = key;
    value.push_back(0x42);
    writes.push_back(put(StoreSpace::rows, key, value));
  }
  // The same keys in the neighbouring spaces must not leak into scans of rows.
  writes.push_back(put(StoreSpace::state, raw({0x01, 0x55}), bytes("state")));
  writes.push_back(put(StoreSpace::outbox, raw({0x01, 0x56}), bytes("outbox")));
  commit_ok(*store, std::move(writes));
  std::sort(keys.begin(), keys.end(), bytewise_less);

  const std::vector<Bytes> prefixes = {Bytes{},           raw({0x00}),       raw({0x01}),
                                       raw({0x01, 0xFF}), raw({0x01, 0xFF, 0xFF}), raw({0xFE}),
                                       raw({0xFF}),       raw({0xFF, 0xFF}), raw({0xFF, 0xFF, 0xFF}),
                                       bytes("a"),        bytes("ab"),       bytes("abcd"), raw({0x03})};
  for (const Bytes& prefix : prefixes) {
    std::vector<Bytes> expected;
    for (const Bytes& key : keys) {
      if (key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin())) expected.push_back(key);
    }
    INFO("prefix size " << prefix.size() << ", first byte " << (prefix.empty() ? -1 : prefix[0]));
    const std::vector<StoreEntry> all = store->scan(StoreSpace::rows, prefix, 0);
    CHECK(keys_of(all) == expected);
    for (const StoreEntry& entry : all) {
      Bytes value = entry.key;
      value.push_back(0x42);
      CHECK(entry.value == value);
    }
    for (std::size_t limit : {std::size_t{1}, std::size_t{2}, std::size_t{3}, expected.size() + 5}) {
      const std::vector<Bytes> head(expected.begin(),
                                    expected.begin() + static_cast<std::ptrdiff_t>(std::min(limit, expected.size())));
      CHECK(keys_of(store->scan(StoreSpace::rows, prefix, limit)) == head);
    }
  }
  CHECK(store->scan(StoreSpace::rows, Bytes{}, 0).size() == keys.size());
  CHECK(keys_of(store->scan(StoreSpace::state, Bytes{}, 0)) == std::vector<Bytes>{raw({0x01, 0x55})});
  CHECK(store->scan(StoreSpace::outbox, raw({0x01, 0x55}), 0).empty());
}

TEST_CASE("sqlite replica store: spaces are kept apart and counted separately", "[sqlite]") {
  TempDir dir;
  auto store = SqliteReplicaStore::open(dir.file("replica.db"));
  commit_ok(*store, {put(StoreSpace::state, bytes("k"), bytes("state")), put(StoreSpace::rows, bytes("k"), bytes("rows")),
                     put(StoreSpace::rows, bytes("k2"), bytes("rows 2")),
                     put(StoreSpace::outbox, be64(1), bytes("o1")), put(StoreSpace::outbox, be64(2), bytes("o2")),
                     put(StoreSpace::outbox, be64(3), bytes("o3"))});
  CHECK(store->count(StoreSpace::state) == 1);
  CHECK(store->count(StoreSpace::rows) == 2);
  CHECK(store->count(StoreSpace::outbox) == 3);
  CHECK(store->get(StoreSpace::state, bytes("k")) == bytes("state"));
  CHECK(store->get(StoreSpace::rows, bytes("k")) == bytes("rows"));
  CHECK_FALSE(store->get(StoreSpace::outbox, bytes("k")));

  commit_ok(*store, {erase(StoreSpace::rows, bytes("k"))});
  CHECK(store->get(StoreSpace::state, bytes("k")) == bytes("state"));
  CHECK_FALSE(store->get(StoreSpace::rows, bytes("k")));
  CHECK(store->count(StoreSpace::state) == 1);
  CHECK(store->count(StoreSpace::rows) == 1);
}

TEST_CASE("sqlite replica store: a failed commit changes nothing and reports storage", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.file("replica.db");
  auto store = SqliteReplicaStore::open(path);
  commit_ok(*store, {put(StoreSpace::state, bytes("state"), bytes("before")),
                     put(StoreSpace::rows, bytes("kept"), bytes("kept value"))});

  // Files may not grow past 256 KiB while the transaction writes more than that: a WAL write fails
  // (EFBIG) at COMMIT, or while a statement spills pages from a cache that is full.
  std::size_t value_size = 0;
  SECTION("the failure comes at COMMIT") { value_size = 100 * 1024; }
  SECTION("the failure comes during a write") { value_size = 1024 * 1024; }
  std::vector<StoreWrite> writes = {put(StoreSpace::state, bytes("state"), bytes("after")),
                                    erase(StoreSpace::rows, bytes("kept")),
                                    put(StoreSpace::rows, bytes("new-key-must-not-leak"), bytes("small"))};
  for (std::uint64_t i = 0; i < 6; ++i) {
    writes.push_back(put(StoreSpace::outbox, be64(i), Bytes(value_size, static_cast<std::uint8_t>('V'))));
  }
  std::optional<Error> error;
  {
    FileSizeLimit limit(256 * 1024);
    error = try_commit(*store, std::move(writes));
  }
  REQUIRE(error);
  CHECK(error->kind() == ErrorKind::storage);
  CHECK(error->detail().rfind("sqlite: ", 0) == 0);
  CHECK_FALSE(contains(error->what(), "new-key-must-not-leak"));
  CHECK_FALSE(contains(error->what(), "VVVV"));
  INFO(error->what());

  // Nothing of it is visible, and the store goes on working.
  CHECK(store->get(StoreSpace::state, bytes("state")) == bytes("before"));
  CHECK(store->get(StoreSpace::rows, bytes("kept")) == bytes("kept value"));
  CHECK_FALSE(store->get(StoreSpace::rows, bytes("new-key-must-not-leak")));
  CHECK(store->count(StoreSpace::outbox) == 0);
  commit_ok(*store, {put(StoreSpace::rows, bytes("later"), bytes("later value"))});

  store.reset();
  store = SqliteReplicaStore::open(path);
  CHECK(store->get(StoreSpace::state, bytes("state")) == bytes("before"));
  CHECK(store->get(StoreSpace::rows, bytes("kept")) == bytes("kept value"));
  CHECK(store->get(StoreSpace::rows, bytes("later")) == bytes("later value"));
  CHECK(store->count(StoreSpace::rows) == 2);
  CHECK(store->count(StoreSpace::outbox) == 0);
}

TEST_CASE("sqlite replica store: a throw from done leaves no transaction open", "[sqlite]") {
  TempDir dir;
  auto store = SqliteReplicaStore::open(dir.file("replica.db"));
  CHECK_THROWS_AS(store->commit({put(StoreSpace::rows, bytes("a"), bytes("1"))},
                                [](std::optional<Error>) { throw std::runtime_error("from done"); }),
                  std::runtime_error);
  CHECK(store->get(StoreSpace::rows, bytes("a")) == bytes("1"));
  commit_ok(*store, {put(StoreSpace::rows, bytes("b"), bytes("2"))});  // BEGIN works: none was open
  CHECK(store->count(StoreSpace::rows) == 2);
}

TEST_CASE("sqlite replica store: reopening keeps the data; the file is owner-only", "[sqlite]") {
  TempDir dir;
  const std::string path = dir.file("replica.db");
  {
    auto store = SqliteReplicaStore::open(path);
    commit_ok(*store, {put(StoreSpace::state, bytes("state"), bytes("s")), put(StoreSpace::rows, raw({1, 2}), raw({3})),
                       put(StoreSpace::outbox, be64(9), bytes("change"))});
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    if (::stat((path + "-wal").c_str(), &info) == 0) CHECK((info.st_mode & 0777) == 0600);
    CHECK_FALSE(fs::exists(path + "-shm"));  // the WAL index is in memory (exclusive locking)
  }
  auto store = SqliteReplicaStore::open(path);
  CHECK(store->get(StoreSpace::state, bytes("state")) == bytes("s"));
  CHECK(store->get(StoreSpace::rows, raw({1, 2})) == raw({3}));
  CHECK(store->get(StoreSpace::outbox, be64(9)) == bytes("change"));
  CHECK(store->count(StoreSpace::rows) == 1);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}

TEST_CASE("sqlite replica store: a second open fails while the file is open, here or in another process",
          "[sqlite]") {
  TempDir dir;
  const std::string path = dir.file("replica.db");
  auto first = SqliteReplicaStore::open(path);
  commit_ok(*first, {put(StoreSpace::rows, bytes("k"), bytes("v"))});

  const Error here = open_error(path);
  CHECK(here.kind() == ErrorKind::storage);
  CHECK(contains(here.detail(), "the replica file is in use by another process"));

  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      SqliteReplicaStore::open(path);
      code = 2;
    } catch (const Error& error) {
      if (error.kind() == ErrorKind::storage && contains(error.detail(), "in use by another process")) code = 0;
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  // The failed opens disturbed nothing: the first store still works, and once it is closed the
  // file opens again.
  commit_ok(*first, {put(StoreSpace::rows, bytes("k2"), bytes("v2"))});
  first.reset();
  auto second = SqliteReplicaStore::open(path);
  CHECK(second->get(StoreSpace::rows, bytes("k")) == bytes("v"));
  CHECK(second->get(StoreSpace::rows, bytes("k2")) == bytes("v2"));
}

TEST_CASE("sqlite replica store: refuses a missing directory, a garbage file, a foreign or newer schema",
          "[sqlite]") {
  TempDir dir;

  SECTION("the parent directory must exist") {
    const Error error = open_error(dir.file("missing/replica.db"));
    CHECK(error.kind() == ErrorKind::storage);
    CHECK(contains(error.detail(), "directory must exist"));
  }
  SECTION("an empty path") { CHECK(open_error("").kind() == ErrorKind::storage); }
  SECTION("a file that is not a SQLite database") {
    const std::string path = dir.file("garbage.db");
    {
      std::ofstream file(path, std::ios::binary);
      for (int i = 0; i < 512; ++i) file << "this is not a database, just text. ";
    }
    const Error error = open_error(path);
    CHECK(error.kind() == ErrorKind::storage);
    CHECK(contains(error.detail(), "not a database"));
    std::ifstream file(path, std::ios::binary);  // and it was not changed
    std::string start(35, '\0');
    file.read(start.data(), 35);
    CHECK(start == "this is not a database, just text. ");
  }
  SECTION("a newer schema version") {
    const std::string path = dir.file("newer.db");
    SqliteReplicaStore::open(path).reset();
    set_user_version(path, 2);
    const Error error = open_error(path);
    CHECK(error.kind() == ErrorKind::storage);
    CHECK(contains(error.detail(), "schema version 2, newer"));
    CHECK(contains(error.detail(), path));
  }
  SECTION("a SQLite database that is not a replica") {
    const std::string path = dir.file("foreign.db");
    SqliteReplicaStore::open(path).reset();
    set_user_version(path, 0);  // tables, but no SyncKit schema version
    const Error error = open_error(path);
    CHECK(error.kind() == ErrorKind::storage);
    CHECK(contains(error.detail(), "not a SyncKit replica"));
  }
}

namespace {

// Transaction i of the crash test: a row, its outbox marker and the state, all or none.
std::vector<StoreWrite> crash_transaction(std::uint64_t i) {
  return {put(StoreSpace::rows, be64(i), bytes("row " + std::to_string(i) + std::string(200, 'r'))),
          put(StoreSpace::outbox, be64(i), bytes("marker " + std::to_string(i))),
          put(StoreSpace::state, bytes("state"), be64(i))};
}

// Forks a writer that commits transactions first, first+1, ... and writes each i to a pipe once
// its commit returned; SIGKILLs it after `run`. Returns the last acknowledged i (first-1: none).
std::uint64_t run_writer_until_killed(const std::string& path, std::uint64_t first, std::chrono::milliseconds run) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    try {
      auto store = SqliteReplicaStore::open(path);
      for (std::uint64_t i = first;; ++i) {
        bool ok = false;
        store->commit(crash_transaction(i), [&ok](std::optional<Error> error) { ok = !error; });
        if (!ok) _exit(3);
        const Bytes ack = be64(i);
        if (::write(fds[1], ack.data(), ack.size()) != static_cast<ssize_t>(ack.size())) _exit(4);
      }
    } catch (...) {
      _exit(2);
    }
  }
  ::close(fds[1]);

  std::uint64_t acknowledged = first - 1;
  Bytes pending;
  auto read_acks = [&](int timeout_ms) {
    pollfd poll_fd{fds[0], POLLIN, 0};
    if (::poll(&poll_fd, 1, timeout_ms) <= 0) return false;
    std::uint8_t buffer[4096];
    const ssize_t got = ::read(fds[0], buffer, sizeof buffer);
    if (got <= 0) return false;  // EOF: the writer is gone
    pending.insert(pending.end(), buffer, buffer + got);
    std::size_t used = 0;
    for (; pending.size() - used >= 8; used += 8) {
      acknowledged = from_be64(Bytes(pending.begin() + static_cast<std::ptrdiff_t>(used),
                                     pending.begin() + static_cast<std::ptrdiff_t>(used + 8)));
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(used));
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + run;
  for (auto now = std::chrono::steady_clock::now(); now < deadline; now = std::chrono::steady_clock::now()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
    read_acks(static_cast<int>(std::max<long long>(1, left)));
  }
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  while (read_acks(1000)) {
  }  // acknowledgements still in the pipe count too
  ::close(fds[0]);
  INFO("writer exit status " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  return acknowledged;
}

}  // namespace

TEST_CASE("sqlite replica store: a killed writer loses no acknowledged transaction and leaves none half done",
          "[sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.file("replica.db");
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> run_ms(20, 250);
  std::uint64_t stored = 0;  // transactions 1..stored are in the file
  for (int round = 0; round < 4; ++round) {
    const std::uint64_t acknowledged =
        run_writer_until_killed(path, stored + 1, std::chrono::milliseconds(run_ms(random)));
    auto store = SqliteReplicaStore::open(path);
    const std::optional<Bytes> state = store->get(StoreSpace::state, bytes("state"));
    const std::uint64_t last = state ? from_be64(*state) : 0;
    INFO("round " << round << ": acknowledged " << acknowledged << ", stored " << last);
    // Every acknowledged transaction is there; at most the one in flight at the kill is too.
    REQUIRE(last >= acknowledged);
    REQUIRE(last <= acknowledged + 1);
    REQUIRE(last >= stored);
    // Transactions 1..last are there completely, and nothing of a later one.
    const std::vector<StoreEntry> rows = store->scan(StoreSpace::rows, Bytes{}, 0);
    const std::vector<StoreEntry> outbox = store->scan(StoreSpace::outbox, Bytes{}, 0);
    REQUIRE(rows.size() == last);
    REQUIRE(outbox.size() == last);
    for (std::uint64_t i = 1; i <= last; ++i) {
      const std::vector<StoreWrite> expected = crash_transaction(i);
      REQUIRE(rows[i - 1].key == expected[0].key);
      REQUIRE(rows[i - 1].value == *expected[0].value);
      REQUIRE(outbox[i - 1].key == expected[1].key);
      REQUIRE(outbox[i - 1].value == *expected[1].value);
    }
    CHECK(store->count(StoreSpace::state) == (last > 0 ? 1U : 0U));
    stored = last;
  }
  CHECK(stored > 0);  // the writer got to commit something
}
