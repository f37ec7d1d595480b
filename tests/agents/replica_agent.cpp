// A native replica driven over stdin/stdout, so that tests in other languages (the npm package's
// chaos test, js/test/node/replica-chaos.test.mjs) can mix native replicas with wasm ones.
//   synckit_replica_agent SERVER_URL API_KEY EMAIL PASSWORD REPLICA_FILE
// signs in, unlocks (the password is also the encryption password), registers a device, opens
// the replica and prints "ready DEVICE_ID". Then one command per line, one answer line each:
//   put TABLE ROW JSON   -> ok            delete TABLE ROW -> ok
//   sync                 -> ok PUSHED PULLED
//   list TABLE           -> rows JSON_ARRAY_OF_[ROW,DATA]
//   pending              -> ok N
//   quit                 -> (exits 0)
// Any error: "error KIND MESSAGE". Tables and row ids must not contain spaces.
#include <iostream>
#include <sstream>
#include <string>

#include "synckit/error.hpp"
#include "synckit/json_value.hpp"
#include "synckit/native/client.hpp"
#include "synckit/native/replica.hpp"

namespace {

using synckit::Error;
using synckit::JsonValue;

std::string answer(synckit::native::Replica& replica, const std::string& line) {
  std::istringstream in(line);
  std::string command;
  std::string table;
  std::string row;
  in >> command;
  if (command == "put") {
    in >> table >> row;
    std::string json;
    std::getline(in, json);
    const JsonValue data = synckit::parse_json_value(json);
    if (data.is_discarded()) throw Error(synckit::ErrorKind::invalid_input, "put: the data is not JSON");
    replica.put(table, row, data);
    return "ok";
  }
  if (command == "delete") {
    in >> table >> row;
    replica.remove(table, row);
    return "ok";
  }
  if (command == "sync") {
    const synckit::SyncReport report = replica.sync();
    return "ok " + std::to_string(report.pushed) + " " + std::to_string(report.pulled);
  }
  if (command == "list") {
    in >> table;
    JsonValue rows = JsonValue::array();
    for (auto& [row_id, data] : replica.list(table)) rows.push_back(JsonValue::array({row_id, data}));
    return "rows " + synckit::dump_json(rows);
  }
  if (command == "pending") return "ok " + std::to_string(replica.status().pending);
  throw Error(synckit::ErrorKind::invalid_input, "unknown command");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: synckit_replica_agent SERVER_URL API_KEY EMAIL PASSWORD REPLICA_FILE\n";
    return 1;
  }
  try {
    synckit::native::Config config;
    config.server_url = argv[1];
    config.api_key = argv[2];
    config.key_cache = synckit::native::KeyCache::memory;
    config.retry.base_delay = std::chrono::milliseconds(5);
    config.retry.max_delay = std::chrono::milliseconds(40);
    config.retry.max_retry_after = std::chrono::milliseconds(40);
    synckit::native::Client client(config);
    client.authenticate(argv[3], argv[4]);
    client.setup_encryption_existing(argv[4]);
    const synckit::Device device = client.register_device("agent", "linux");
    synckit::native::Replica replica(client, argv[5], device.id);
    std::cout << "ready " << device.id << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
      if (line == "quit") return 0;
      try {
        std::cout << answer(replica, line) << std::endl;
      } catch (const Error& e) {
        std::string message = e.what();
        for (char& c : message) c = c == '\n' ? ' ' : c;
        std::cout << "error " << synckit::error_kind_name(e.kind()) << " " << message << std::endl;
      }
    }
    return 0;
  } catch (const Error& e) {
    std::cerr << "synckit_replica_agent: " << e.what() << "\n";
    return 2;
  }
}
