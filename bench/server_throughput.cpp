// Server throughput over loopback: pushes of 500-change batches and pulls with limit 1000 against a
// running synckit-server, in changes per second. Payloads are random bytes of a sealed 200-byte
// row (240 bytes). Usage: server_throughput URL API_KEY [CHANGES] [--json FILE]
#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "synckit/bytes.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kBatch = 500;
constexpr int kPullLimit = 1000;
constexpr std::size_t kSealedBytes = 200 + 40;

struct Session {
  httplib::Client client;
  httplib::Headers headers;
};

nlohmann::json request_json(Session& s, const char* method, const std::string& path, const std::string& body,
                            int expected) {
  auto res = std::string(method) == "POST" ? s.client.Post(path, s.headers, body, "application/json")
                                           : s.client.Get(path, s.headers);
  if (!res || res->status != expected) {
    throw std::runtime_error(std::string(method) + " " + path + " failed: " +
                             (res ? std::to_string(res->status) : httplib::to_string(res.error())));
  }
  return nlohmann::json::parse(res->body);
}

std::string random_bytes_b64(std::size_t n) {
  synckit::Bytes bytes(n);
  randombytes_buf(bytes.data(), n);
  return synckit::base64_encode(bytes);
}

std::string add_device(Session& s, const char* name) {
  return request_json(s, "POST", "/v1/devices", nlohmann::json{{"name", name}, {"platform", "bench"}}.dump(), 201)["id"];
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: server_throughput URL API_KEY [CHANGES] [--json FILE]\n");
    return 1;
  }
  const std::string url = argv[1];
  const std::size_t total = argc > 3 && argv[3][0] != '-' ? std::stoul(argv[3]) : 100000;
  std::string json_path;
  for (int i = 3; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--json") json_path = argv[i + 1];
  }
  Session s{httplib::Client(url), {{"X-SyncKit-Api-Key", argv[2]}}};
  const auto email = "bench-" + random_bytes_b64(6) + "@example.com";
  const auto tokens = request_json(s, "POST", "/v1/auth/register",
                                   nlohmann::json{{"email", email}, {"auth_key", random_bytes_b64(32)}}.dump(), 201);
  s.headers.emplace("Authorization", "Bearer " + tokens["access_token"].get<std::string>());
  const std::string writer = add_device(s, "writer"), reader = add_device(s, "reader");

  // Bodies are built before the clock starts: the benchmark measures the server, not this client.
  std::vector<std::string> bodies;
  for (std::size_t done = 0; done < total; done += kBatch) {
    nlohmann::json changes = nlohmann::json::array();
    for (std::size_t i = done; i < std::min(total, done + kBatch); ++i) {
      changes.push_back({{"change_id", "c" + std::to_string(i)}, {"payload", random_bytes_b64(kSealedBytes)}});
    }
    bodies.push_back(nlohmann::json{{"device_id", writer}, {"changes", changes}}.dump());
  }

  const auto push_start = Clock::now();
  for (const std::string& body : bodies) request_json(s, "POST", "/v1/sync/push", body, 200);
  const double push_seconds = seconds_since(push_start);

  std::size_t pulled = 0;
  std::int64_t cursor = 0;
  const auto pull_start = Clock::now();
  for (bool more = true; more;) {
    const auto page = request_json(s, "GET", "/v1/sync/pull?device_id=" + reader + "&cursor=" +
                                                 std::to_string(cursor) + "&limit=" + std::to_string(kPullLimit), "", 200);
    pulled += page["changes"].size();
    cursor = page["cursor"];
    more = page["has_more"];
  }
  const double pull_seconds = seconds_since(pull_start);
  if (pulled != total) throw std::runtime_error("pulled " + std::to_string(pulled) + " of " + std::to_string(total));

  const double push_rate = static_cast<double>(total) / push_seconds;
  const double pull_rate = static_cast<double>(total) / pull_seconds;
  const unsigned cores = std::thread::hardware_concurrency();
  std::printf("server throughput, %u cores, %zu changes of %zu sealed bytes over loopback\n", cores, total,
              kSealedBytes);
  std::printf("%-34s %12s %10s %8s\n", "operation", "changes/s", "target", "ratio");
  std::printf("%-34s %12.0f %10d %7.2fx\n", "push (500-change batches)", push_rate, 20000, push_rate / 20000);
  std::printf("%-34s %12.0f %10d %7.2fx\n", "pull (limit 1000)", pull_rate, 50000, pull_rate / 50000);
  if (!json_path.empty()) {
    std::ofstream(json_path) << nlohmann::json{{"cores", cores},         {"changes", total},
                                               {"push_per_s", push_rate}, {"pull_per_s", pull_rate},
                                               {"push_target", 20000},    {"pull_target", 50000}}
                                    .dump(2)
                             << "\n";
  }
  return 0;
}
