// Local replicas (replica.md) against the real server: devices that write offline converge on the
// same rows by the merge rule, writes reach the server exactly once across restarts and a server
// crash, the loop wakes on another device's push (live pull), and the file holds no plaintext.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <random>
#include <set>

#include "support.hpp"
#include "synckit/native/replica.hpp"
#include "synckit/replica/merge.hpp"

using namespace synckit::integration;
using synckit::ChangeOrigin;
using synckit::ReplicaEvent;
using synckit::ReplicaOptions;
using synckit::native::Replica;

namespace {

namespace fs = std::filesystem;

constexpr const char* kPassword = "replica password";

// A temporary directory for replica files, removed at the end.
struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("synckit-replica-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  fs::path path;
};

// One device of the account: a signed-in, unlocked client and its registered device.
struct DeviceRig {
  DeviceRig(const ServerProcess& server, const std::string& email, bool first, const std::string& name)
      : client(client_config(server)) {
    if (first) {
      client.create_account(email, kPassword);
      client.setup_encryption_new(kPassword);
    } else {
      client.authenticate(email, kPassword);
      client.setup_encryption_existing(kPassword);
    }
    device = client.register_device(name, "linux");
  }
  Client client;
  Device device;
};

using Rows = std::vector<std::pair<std::string, JsonValue>>;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Waits (on events, not sleeps) for a subscriber to hear a row.
class Heard {
 public:
  std::function<void(const ReplicaEvent&)> callback() {
    return [this](const ReplicaEvent& event) {
      const std::lock_guard lock(mutex_);
      for (const auto& row : event.rows) {
        if (event.origin == ChangeOrigin::remote) rows_.insert(row.row_id);
      }
      changed_.notify_all();
    };
  }
  bool wait_for(const std::string& row_id, std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return rows_.count(row_id) > 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> rows_;
};

// Two devices of one account on a fresh server, each with its replica file.
struct TwoReplicas {
  explicit TwoReplicas(const std::string& email)
      : a(server, email, true, "laptop"),
        b(server, email, false, "phone"),
        ra(a.client, dir.file("a.db"), a.device.id),
        rb(b.client, dir.file("b.db"), b.device.id) {}
  ServerProcess server;
  TempDir dir;
  DeviceRig a;
  DeviceRig b;
  Replica ra;
  Replica rb;
};

}  // namespace

TEST_CASE("replicas written offline converge by the merge rule through the server", "[replica]") {
  TwoReplicas rig("converge@example.com");
  auto& [server, dir, a, b, ra, rb] = rig;

  // Offline (no sync yet): each writes, and both edit "shared".
  ra.put("todos", "milk", {{"title", "Buy milk"}});
  ra.put("todos", "shared", {{"title", "from a"}});
  ra.put("todos", "gone", {{"title", "to delete"}});
  rb.put("todos", "eggs", {{"title", "Buy eggs"}});
  rb.put("todos", "shared", {{"title", "from b, later"}});
  rb.put("notes", "n1", "a note");

  CHECK(ra.sync().pushed == 3);
  const auto report_b = rb.sync();
  CHECK(report_b.pushed == 3);
  CHECK(report_b.pulled == 3);
  CHECK(ra.sync().pulled == 3);

  // Both edited "shared" offline: the greater stamp wins (what the server holds decides it, as
  // any replica would from the same changes).
  DeviceRig c(server, "converge@example.com", false, "tablet");
  std::optional<std::pair<synckit::RowVersion, JsonValue>> winner;
  for (const PulledEntry& p : pull_all(c.client, c.device.id)) {
    CHECK(p.entry->hlc.size() == 37);  // a plain v1 client sees the stamps
    const synckit::RowVersion version{p.entry->hlc, p.change_id};
    if (p.entry->row_id == "shared" && (!winner || synckit::supersedes(version, winner->first))) {
      winner.emplace(version, p.entry->data);
    }
  }
  REQUIRE(winner);
  const Rows expected{{"eggs", {{"title", "Buy eggs"}}},
                      {"gone", {{"title", "to delete"}}},
                      {"milk", {{"title", "Buy milk"}}},
                      {"shared", winner->second}};
  CHECK(ra.list("todos") == expected);
  CHECK(rb.list("todos") == expected);
  CHECK(ra.get("notes", "n1") == JsonValue("a note"));

  // A write made after seeing the other's wins everywhere; a delete stays deleted.
  ra.put("todos", "shared", {{"title", "a saw b's edit"}});
  rb.remove("todos", "gone");
  ra.sync();
  rb.sync();
  ra.sync();
  CHECK(ra.list("todos") == rb.list("todos"));
  CHECK(rb.get("todos", "shared") == JsonValue{{"title", "a saw b's edit"}});
  CHECK(ra.get("todos", "gone") == std::nullopt);
  CHECK(ra.status().pending == 0);
  CHECK(rb.status().pending == 0);
}

TEST_CASE("replica writes reach the server exactly once across restarts and a server crash", "[replica]") {
  ServerProcess server;
  TempDir dir;
  DeviceRig a(server, "once@example.com", true, "laptop");
  const std::string path = dir.file("a.db");
  const SessionTokens tokens = *a.client.session();
  std::set<std::string> written;
  {
    Replica replica(a.client, path, a.device.id);
    for (int i = 0; i < 40; ++i) {
      replica.put("items", "r" + std::to_string(i), {{"i", i}});
      written.insert("r" + std::to_string(i));
    }
    replica.sync();  // all 40 stored
    for (int i = 40; i < 80; ++i) {
      replica.put("items", "r" + std::to_string(i), {{"i", i}});
      written.insert("r" + std::to_string(i));
    }
    server.kill9();  // pushes fail now: the outbox keeps them
    CHECK(error_of([&] { replica.sync(); }) == "network");
    CHECK(replica.status().pending == 40);
  }
  server.restart();
  {
    // A new process: a new client from the saved session, the same file.
    Client again(client_config(server));
    again.restore_session(tokens);
    again.setup_encryption_existing(kPassword);
    Replica replica(again, path, a.device.id);
    CHECK(replica.status().pending == 40);
    CHECK(replica.list("items").size() == 80);
    CHECK(replica.sync().pushed == 40);
    CHECK(replica.status().pending == 0);
  }
  DeviceRig reader(server, "once@example.com", false, "reader");
  const auto pulled = pull_all(reader.client, reader.device.id);
  std::multiset<std::string> rows;
  for (const auto& entry : pulled) rows.insert(entry.entry->row_id);
  CHECK(rows.size() == 80);
  CHECK(std::set<std::string>(rows.begin(), rows.end()) == written);
}

TEST_CASE("the sync loop wakes on another device's push (live pull) and pushes local writes", "[replica]") {
  TwoReplicas rig("loop@example.com");
  auto& [server, dir, a, b, ra, rb] = rig;
  Heard heard_a;
  Heard heard_b;
  ra.subscribe("todos", heard_a.callback());
  rb.subscribe("todos", heard_b.callback());
  ra.start();
  rb.start();
  CHECK(ra.status().running);
  rb.put("todos", "from-b", "hello");  // b's loop pushes it; a's held pull wakes
  REQUIRE(heard_a.wait_for("from-b", std::chrono::seconds(10)));
  CHECK(ra.get("todos", "from-b") == JsonValue("hello"));
  ra.put("todos", "from-a", "hi");
  REQUIRE(heard_b.wait_for("from-a", std::chrono::seconds(10)));
  ra.stop();
  rb.stop();
  CHECK_FALSE(ra.status().running);
  CHECK(ra.status().last_error == std::nullopt);
  CHECK(ra.status().online);
}

TEST_CASE("a replica file holds no plaintext and belongs to one device", "[replica]") {
  ServerProcess server;
  TempDir dir;
  DeviceRig a(server, "rest@example.com", true, "laptop");
  const std::string path = dir.file("a.db");
  const std::vector<std::string> secrets{"plaintext-title-marker", "secret-row-id-42", "secret-table-name",
                                         "Grüße-marker", a.device.id};
  {
    Replica replica(a.client, path, a.device.id);
    replica.put("secret-table-name", "secret-row-id-42", {{"title", "plaintext-title-marker"}});
    replica.put("todos", "x", {{"t", "Grüße-marker"}});
    // While it is open the data sits in the WAL too: scan both.
    const std::string bytes = read_bytes(path) + read_bytes(path + "-wal");
    for (const auto& secret : secrets) {
      INFO(secret);
      CHECK(bytes.find(secret) == std::string::npos);
    }
    // One writer per file.
    CHECK(error_of([&] { Replica second(a.client, path, a.device.id); }) == "storage");
    replica.sync();
  }
  const std::string bytes = read_bytes(path) + (fs::exists(path + "-wal") ? read_bytes(path + "-wal") : "");
  REQUIRE(bytes.size() > 0);
  for (const auto& secret : secrets) CHECK(bytes.find(secret) == std::string::npos);
  DeviceRig other(server, "rest@example.com", false, "other");
  CHECK(error_of([&] { Replica wrong(other.client, path, other.device.id); }) == "invalid_input");
  DeviceRig stranger(server, "stranger@example.com", true, "stranger");
  CHECK(error_of([&] { Replica wrong(stranger.client, path, a.device.id); }) == "crypto");
}
