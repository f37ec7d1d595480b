// End-to-end native benchmark against a running synckit-server (bench/e2e_native starts one per run):
//  sync:   device A pushes CHANGES rows of ~200 B in 500-change batches through the native client,
//          device B pulls them all (limit 1000) and checks every one opened; changes/s for each.
//  put/get: peak resident memory of this process (one for the put, another for the get) for a blob
//          through the native client, as a multiple of the blob size (VmHWM, reset just before).
// Built twice: as is, and in a separate build dir with SYNCKIT_BENCH_COPY_CRYPTO=ON, where sealing
// is a copy (bench/CMakeLists.txt); the script compares the two.
// Usage: e2e_native URL API_KEY sync CHANGES JSON_FILE
//        e2e_native URL API_KEY (put | get) MIB EMAIL JSON_FILE
#include <sodium.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client_bench_support.hpp"
#include "synckit/native/client.hpp"
#include "synckit/timestamp.hpp"

namespace {

using synckit::bench::Clock;
constexpr std::size_t kBatch = 500;
constexpr const char* kPassword = "bench encryption password";

#ifdef SYNCKIT_BENCH_COPY_CRYPTO
constexpr const char* kVariant = "copy";
#else
constexpr const char* kVariant = "encrypted";
#endif

using synckit::bench::config_for;
using synckit::bench::cpu_seconds;
using synckit::bench::random_email;
using synckit::bench::reset_peak;
using synckit::bench::seconds_since;
using synckit::bench::status_bytes;

// A row whose plaintext JSON is about 200 bytes.
synckit::ChangeEntry row(std::size_t i, synckit::SystemTime when) {
  synckit::ChangeEntry entry{"todos", synckit::ChangeOp::update, "todo-" + std::to_string(i), when, nullptr};
  entry.data = {{"title", "Buy oat milk and coffee beans, then call the plumber about the kitchen"},
                {"done", i % 2 == 0},
                {"priority", static_cast<int>(i % 5)},
                {"list", "home"}};
  return entry;
}

nlohmann::json run_sync(const std::string& url, const std::string& api_key, std::size_t changes) {
  const std::string email = random_email();
  synckit::native::Client a(config_for(url, api_key));
  a.create_account(email, "bench sign-in password");
  a.setup_encryption_new(kPassword);
  const std::string device_a = a.register_device("bench A", "bench").id;
  synckit::native::Client b(config_for(url, api_key));
  b.authenticate(email, "bench sign-in password");
  b.setup_encryption_existing(kPassword);
  const std::string device_b = b.register_device("bench B", "bench").id;

  const auto when = *synckit::parse_timestamp("2026-11-25T16:30:59.123Z");
  std::vector<std::vector<synckit::ChangeEntry>> batches;
  for (std::size_t i = 0; i < changes; i += kBatch) {
    batches.emplace_back();
    for (std::size_t j = i; j < std::min(changes, i + kBatch); ++j) batches.back().push_back(row(j, when));
  }
  const std::size_t plaintext_bytes = synckit::change_entry_to_json(batches[0][0]).size();

  const double push_cpu_start = cpu_seconds();
  const auto push_start = Clock::now();
  for (const auto& batch : batches) a.push(device_a, batch);
  const double push_s = seconds_since(push_start);
  const double push_cpu_s = cpu_seconds() - push_cpu_start;

  const double pull_cpu_start = cpu_seconds();
  const auto pull_start = Clock::now();
  std::size_t pulled = 0;
  std::int64_t cursor = 0;
  for (;;) {
    const synckit::PullResult page = b.pull(device_b, cursor);
    for (const synckit::PulledEntry& change : page.changes) {
      if (!change.entry) throw std::runtime_error("a pulled change did not open: " + std::string(change.error->what()));
    }
    pulled += page.changes.size();
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  const double pull_s = seconds_since(pull_start);
  const double pull_cpu_s = cpu_seconds() - pull_cpu_start;
  if (pulled != changes) throw std::runtime_error("pulled " + std::to_string(pulled) + " changes, not " +
                                                  std::to_string(changes));
  return {{"variant", kVariant}, {"changes", changes}, {"plaintext_bytes", plaintext_bytes},
          {"push_s", push_s}, {"pull_s", pull_s}, {"push_cpu_s", push_cpu_s}, {"pull_cpu_s", pull_cpu_s}};
}

// put: a new account uploads a random blob of `mib` MiB; get (another process, the same account
// from `email`) downloads it. Each reports its peak resident memory above its size just before.
nlohmann::json run_memory(const std::string& url, const std::string& api_key, const std::string& mode,
                          std::size_t mib, const std::string& email) {
  synckit::native::Client client(config_for(url, api_key));
  if (mode == "put") {
    client.create_account(email, "bench sign-in password");
    client.setup_encryption_new(kPassword);  // Argon2id's 64 MiB come and go before the reset
  } else {
    client.authenticate(email, "bench sign-in password");
    client.setup_encryption_existing(kPassword);
  }
  const std::size_t size = mib << 20;
  reset_peak();
  const std::size_t base = status_bytes("VmRSS:");
  if (mode == "put") {
    synckit::Bytes blob(size);
    randombytes_buf(blob.data(), blob.size());  // the app's own copy counts: it is resident
    client.put_blob("bench-blob", blob);
  } else {
    const synckit::Bytes blob = client.get_blob("bench-blob");
    if (blob.size() != size) throw std::runtime_error("the blob came back with another size");
  }
  const std::size_t peak = status_bytes("VmHWM:") - base;
  return {{"variant", kVariant}, {"operation", mode}, {"blob_bytes", size}, {"peak_bytes", peak},
          {"ratio", double(peak) / double(size)}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 3 ? argv[3] : "";
  if (sodium_init() < 0 || !((mode == "sync" && argc == 6) || ((mode == "put" || mode == "get") && argc == 7))) {
    std::fprintf(stderr, "usage: e2e_native URL API_KEY sync CHANGES JSON_FILE\n"
                         "       e2e_native URL API_KEY (put | get) MIB EMAIL JSON_FILE\n");
    return 2;
  }
  try {
    const std::size_t amount = std::stoull(argv[4]);
    const nlohmann::json result = mode == "sync" ? run_sync(argv[1], argv[2], amount)
                                                 : run_memory(argv[1], argv[2], mode, amount, argv[5]);
    std::ofstream(argv[argc - 1]) << result.dump() << "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "e2e_native: %s\n", e.what());
    return 1;
  }
  return 0;
}
