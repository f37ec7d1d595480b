// Local replica benchmark (synckit::native::Replica over SQLite, synchronous=FULL) against a running
// synckit-server (bench/replica_native_run starts one per run). One run, one new account:
//  puts:  durable local puts of ~200 B rows into a fresh replica file, (a) one thread, each put
//         waiting for its own transaction, and (b) 8 threads at once on one Replica (the core
//         commits the writes queued meanwhile in one transaction: group commit); puts/s for each.
//         Checked: list() returns every row with its data.
//  merge: device A pushes CHANGES rows of ~200 B (plain Client::push, 500-change batches); device
//         C pulls them all with plain Client::pull (limit 1000, the baseline) and device B's fresh
//         replica sync()s them (pull, merge, one transaction per page); changes/s for each, after
//         one untimed plain pull that warms the server. Checked: B's replica lists exactly the rows.
// The two put workloads and the two pulls run in an order that alternates with ROUND (odd: the
// baseline first). Built twice: as is, and in build/bench-plain-at-rest with
// SYNCKIT_BENCH_PLAIN_AT_REST=ON, where sealing records at rest is a copy (bench/CMakeLists.txt).
// Usage: replica_native URL API_KEY DIR PUTS CHANGES ROUND JSON_FILE
//   DIR: where the replica files go (an existing, empty directory on the filesystem to measure).
#include <sodium.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "client_bench_support.hpp"
#include "synckit/native/client.hpp"
#include "synckit/native/replica.hpp"
#include "synckit/timestamp.hpp"

namespace {

using synckit::bench::Clock;
using synckit::JsonValue;
constexpr std::size_t kBatch = 500;
constexpr std::size_t kThreads = 8;
constexpr const char* kTable = "todos";
constexpr const char* kPassword = "bench encryption password";
constexpr const char* kSignIn = "bench sign-in password";

#ifdef SYNCKIT_BENCH_PLAIN_AT_REST
constexpr const char* kVariant = "plain";
#else
constexpr const char* kVariant = "sealed";
#endif

using synckit::bench::config_for;
using synckit::bench::cpu_seconds;
using synckit::bench::random_email;
using synckit::bench::seconds_since;

// Row data whose change plaintext is about 200 bytes (the rows of bench/e2e_native).
JsonValue row_data(std::size_t i) {
  return {{"title", "Buy oat milk and coffee beans, then call the plumber about the kitchen"},
          {"done", i % 2 == 0},
          {"priority", static_cast<int>(i % 5)},
          {"list", "home"}};
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// The replica lists exactly the rows `expected_ids` (sorted as list() sorts: bytewise), each with
// the data row_data(index) of `index_of(id)`.
template <class IndexOf>
void check_rows(synckit::native::Replica& replica, std::vector<std::string> expected_ids, IndexOf index_of,
                const std::string& what) {
  std::sort(expected_ids.begin(), expected_ids.end());
  const auto rows = replica.list(kTable);
  if (rows.size() != expected_ids.size()) {
    fail(what + ": list() returned " + std::to_string(rows.size()) + " rows, not " +
         std::to_string(expected_ids.size()));
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].first != expected_ids[i]) fail(what + ": list() returned row " + rows[i].first + ", not " + expected_ids[i]);
    if (rows[i].second != row_data(index_of(rows[i].first))) fail(what + ": row " + rows[i].first + " holds other data");
  }
}

// Counts the replica's transactions that changed rows of the table (a subscriber hears each once,
// on the loop thread) and the rows they changed: rows per transaction shows the group commit.
struct TransactionCount {
  explicit TransactionCount(synckit::native::Replica& replica) {
    replica.subscribe(kTable, [this](const synckit::ReplicaEvent& event) {
      transactions.fetch_add(1, std::memory_order_relaxed);
      rows.fetch_add(event.rows.size(), std::memory_order_relaxed);
    });
  }
  nlohmann::json json() const { return {{"transactions", transactions.load()}, {"rows", rows.load()}}; }
  std::atomic<std::size_t> transactions{0};
  std::atomic<std::size_t> rows{0};
};

std::size_t index_after_dash(const std::string& id) { return std::stoull(id.substr(id.rfind('-') + 1)); }

// (a) one thread: every put waits for its own transaction.
nlohmann::json put_sequential(synckit::native::Client& client, const std::string& device, const std::string& path,
                              std::size_t puts) {
  synckit::native::Replica replica(client, path, device);
  TransactionCount count(replica);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < puts; ++i) ids.push_back("seq-" + std::to_string(i));
  std::vector<JsonValue> data;
  for (std::size_t i = 0; i < puts; ++i) data.push_back(row_data(i));
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  for (std::size_t i = 0; i < puts; ++i) replica.put(kTable, ids[i], data[i]);
  const double s = seconds_since(start);
  const double cpu_s = cpu_seconds() - cpu_start;
  check_rows(replica, ids, index_after_dash, "sequential puts");
  if (replica.status().pending != puts) fail("sequential puts: the outbox does not hold every put");
  return {{"puts", puts}, {"threads", 1}, {"s", s}, {"cpu_s", cpu_s}, {"commits", count.json()}};
}

// (b) kThreads threads at once on one Replica, puts / kThreads each.
nlohmann::json put_concurrent(synckit::native::Client& client, const std::string& device, const std::string& path,
                              std::size_t puts) {
  synckit::native::Replica replica(client, path, device);
  TransactionCount count(replica);
  const std::size_t each = puts / kThreads;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::vector<JsonValue>> data(kThreads);
  std::vector<std::string> all_ids;
  for (std::size_t t = 0; t < kThreads; ++t) {
    for (std::size_t i = 0; i < each; ++i) {
      const std::size_t n = t * each + i;
      ids[t].push_back("group-" + std::to_string(t) + "-" + std::to_string(n));
      data[t].push_back(row_data(n));
      all_ids.push_back(ids[t].back());
    }
  }
  std::mutex mutex;
  std::condition_variable cv;
  std::size_t ready = 0;
  bool go = false;
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      {
        std::unique_lock lock(mutex);
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      try {
        for (std::size_t i = 0; i < each; ++i) replica.put(kTable, ids[t][i], data[t][i]);
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  }
  {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return ready == kThreads; });
  }
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  {
    const std::lock_guard lock(mutex);
    go = true;
  }
  cv.notify_all();
  for (std::thread& thread : threads) thread.join();
  const double s = seconds_since(start);
  const double cpu_s = cpu_seconds() - cpu_start;
  for (const std::string& error : errors) {
    if (!error.empty()) fail("concurrent puts: " + error);
  }
  check_rows(replica, all_ids, index_after_dash, "concurrent puts");
  if (replica.status().pending != each * kThreads) fail("concurrent puts: the outbox does not hold every put");
  return {{"puts", each * kThreads}, {"threads", kThreads}, {"s", s}, {"cpu_s", cpu_s}, {"commits", count.json()}};
}

// Plain Client::pull from cursor 0 until the server has no more; every change must open.
std::size_t pull_all(synckit::native::Client& client, const std::string& device) {
  std::size_t pulled = 0;
  std::int64_t cursor = 0;
  for (;;) {
    const synckit::PullResult page = client.pull(device, cursor);
    for (const synckit::PulledEntry& change : page.changes) {
      if (!change.entry) fail("a pulled change did not open: " + std::string(change.error->what()));
    }
    pulled += page.changes.size();
    cursor = page.cursor;
    if (!page.has_more) return pulled;
  }
}

// The size of a file, 0 when there is none.
std::uintmax_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return ec ? 0 : size;
}

nlohmann::json run(const std::string& url, const std::string& api_key, const std::string& dir, std::size_t puts,
                   std::size_t changes, int round) {
  const bool baseline_first = round % 2 == 1;
  const std::string email = random_email();
  synckit::native::Client a(config_for(url, api_key));
  a.create_account(email, kSignIn);
  a.setup_encryption_new(kPassword);
  const std::string device_a = a.register_device("bench A", "bench").id;
  // The put replicas: one device each (replica.md, "One replica, one device"), on A's client.
  const std::string device_seq = a.register_device("bench puts 1", "bench").id;
  const std::string device_group = a.register_device("bench puts 8", "bench").id;
  synckit::native::Client b(config_for(url, api_key));
  b.authenticate(email, kSignIn);
  b.setup_encryption_existing(kPassword);
  const std::string device_b = b.register_device("bench B (replica)", "bench").id;
  synckit::native::Client c(config_for(url, api_key));
  c.authenticate(email, kSignIn);
  c.setup_encryption_existing(kPassword);
  const std::string device_c = c.register_device("bench C (plain pull)", "bench").id;

  // 1. Durable local puts.
  nlohmann::json sequential, concurrent;
  if (baseline_first) {
    sequential = put_sequential(a, device_seq, dir + "/puts-1.db", puts);
    concurrent = put_concurrent(a, device_group, dir + "/puts-8.db", puts);
  } else {
    concurrent = put_concurrent(a, device_group, dir + "/puts-8.db", puts);
    sequential = put_sequential(a, device_seq, dir + "/puts-1.db", puts);
  }

  // 2. Merge of pulled changes.
  const auto when = *synckit::parse_timestamp("2026-11-25T16:30:59.123Z");
  std::vector<std::vector<synckit::ChangeEntry>> batches;
  std::vector<std::string> merge_ids;
  for (std::size_t i = 0; i < changes; i += kBatch) {
    batches.emplace_back();
    for (std::size_t j = i; j < std::min(changes, i + kBatch); ++j) {
      merge_ids.push_back("todo-" + std::to_string(j));
      batches.back().push_back(synckit::ChangeEntry{kTable, synckit::ChangeOp::update, merge_ids.back(), when, row_data(j)});
    }
  }
  const std::size_t plaintext_bytes = synckit::change_entry_to_json(batches[0][0]).size();
  for (const auto& batch : batches) a.push(device_a, batch);
  if (pull_all(c, device_c) != changes) fail("the warm-up pull did not return every change");

  const std::string merge_path = dir + "/merge.db";
  synckit::native::Replica replica_b(b, merge_path, device_b);
  TransactionCount merge_count(replica_b);
  nlohmann::json plain_pull, replica_sync;
  const auto time_plain = [&] {
    const double cpu_start = cpu_seconds();
    const auto start = Clock::now();
    const std::size_t pulled = pull_all(c, device_c);
    const double s = seconds_since(start);
    const double cpu_s = cpu_seconds() - cpu_start;
    if (pulled != changes) fail("plain pull: " + std::to_string(pulled) + " changes, not " + std::to_string(changes));
    plain_pull = {{"changes", pulled}, {"s", s}, {"cpu_s", cpu_s}};
  };
  const auto time_replica = [&] {
    const double cpu_start = cpu_seconds();
    const auto start = Clock::now();
    const synckit::SyncReport report = replica_b.sync();
    const double s = seconds_since(start);
    const double cpu_s = cpu_seconds() - cpu_start;
    if (report.pulled != changes || !report.rejected.empty() || report.pushed != 0) {
      fail("replica sync: pulled " + std::to_string(report.pulled) + ", rejected " +
           std::to_string(report.rejected.size()) + ", pushed " + std::to_string(report.pushed) +
           "; expected to pull " + std::to_string(changes));
    }
    replica_sync = {{"changes", report.pulled}, {"s", s}, {"cpu_s", cpu_s}, {"commits", merge_count.json()}};
  };
  if (baseline_first) {
    time_plain();
    time_replica();
  } else {
    time_replica();
    time_plain();
  }
  check_rows(replica_b, merge_ids, index_after_dash, "merge");
  if (replica_b.sync().pulled != 0) fail("merge: a second sync pulled changes again");
  replica_sync["db_bytes"] = file_bytes(merge_path);
  replica_sync["wal_bytes"] = file_bytes(merge_path + "-wal");

  return {{"variant", kVariant}, {"round", round}, {"baseline_first", baseline_first},
          {"plaintext_bytes", plaintext_bytes}, {"row_data_bytes", synckit::dump_json(row_data(0)).size()},
          {"put_sequential", sequential}, {"put_concurrent", concurrent},
          {"plain_pull", plain_pull}, {"replica_sync", replica_sync}};
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0 || argc != 8) {
    std::fprintf(stderr, "usage: replica_native URL API_KEY DIR PUTS CHANGES ROUND JSON_FILE\n");
    return 2;
  }
  try {
    const std::size_t puts = std::stoull(argv[4]);
    const std::size_t changes = std::stoull(argv[5]);
    if (puts == 0 || puts % kThreads != 0) fail("PUTS must be a positive multiple of 8");
    if (changes == 0) fail("CHANGES must be positive");
    const nlohmann::json result = run(argv[1], argv[2], argv[3], puts, changes, std::stoi(argv[6]));
    std::ofstream(argv[7]) << result.dump() << "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replica_native: %s\n", e.what());
    return 1;
  }
  return 0;
}
