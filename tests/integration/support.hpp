// What the integration tests share: client configs for a ServerProcess, change entries, a pull
// loop, error capture, a thread-safe log sink and a raw HTTP client for the "browser" parts.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server_process.hpp"
#include "synckit/error.hpp"
#include "synckit/native/client.hpp"

namespace synckit::integration {

// The tests say `using namespace synckit::integration;` (not synckit, whose Client is the core's).
using native::Client;
using native::Config;
using native::KeyCache;
using synckit::Account;
using synckit::Bytes;
using synckit::ByteView;
using synckit::ChangeEntry;
using synckit::ChangeOp;
using synckit::Device;
using synckit::Error;
using synckit::ErrorKind;
using synckit::JsonValue;
using synckit::PulledEntry;
using synckit::PullOptions;
using synckit::PullResult;
using synckit::Result;
using synckit::WatchOptions;
using synckit::SessionTokens;
using synckit::SyncStatus;

// Lines from Config.log (called on the client's loop thread) and anything else, kept in order.
class LogSink {
 public:
  void add(std::string_view line);
  std::vector<std::string> lines() const;
  bool contains(std::string_view text) const;
  std::size_t count(std::string_view text) const;
  // A Config.log callback that appends here; the sink must outlive the clients that use it.
  std::function<void(std::string_view)> hook();

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A client config for `server`: fast retries (5 ms backoff, Retry-After capped at 20 ms) so
// injected faults cost little time; KeyCache::memory unless told otherwise.
Config client_config(const ServerProcess& server, KeyCache cache = KeyCache::memory, LogSink* log = nullptr);

// An insert/update/delete of `table`/`row_id` at a fixed, distinct time (data must be null for delete).
ChangeEntry change(ChangeOp op, std::string row_id, JsonValue data, std::string table = "notes");
// An insert whose data is {"i": i, "text": ...}, for bulk tests.
ChangeEntry numbered_change(int i);

// Pulls from `cursor` until has_more is false; every entry must have opened (REQUIREd).
// `calls`, when given, receives the number of pull calls made.
std::vector<PulledEntry> pull_all(Client& client, const std::string& device_id, std::int64_t cursor = 0,
                                  int* calls = nullptr);
// The entries of pull_all(), opened.
std::vector<ChangeEntry> entries_of(const std::vector<PulledEntry>& pulled);
// Checks (Catch CHECKs) that `pulled` is `pushed` exactly once and in order: as many entries, no
// change id twice, sequence numbers rising, the same entries.
void check_exactly_once_in_order(const std::vector<PulledEntry>& pulled, const std::vector<ChangeEntry>& pushed);

// The format's JSON text of each entry (readable in assertion failures, unlike ChangeEntry).
std::vector<std::string> as_json(const std::vector<ChangeEntry>& entries);

// Runs `call`; returns the kind name of the synckit::Error it throws ("wrong_password"), "no error",
// or "other exception: <what>". Each Error's what() is appended to `whats` when given.
std::string error_of(const std::function<void()>& call, std::vector<std::string>* whats = nullptr);

// Bytes for blobs: `size` pseudo-random bytes from `seed` (deterministic), or the text's bytes.
Bytes pattern_bytes(std::size_t size, std::uint32_t seed);
Bytes text_bytes(std::string_view text);

// A raw HTTP client (cpp-httplib) for the server at `server.url()`; follows no redirects.
std::unique_ptr<httplib::Client> raw_http(const ServerProcess& server);

// The path and query of an absolute URL ("http://h:1/a?b" -> "/a?b").
std::string path_and_query(const std::string& url);
// The decoded query parameters of an URL, in order.
std::vector<std::pair<std::string, std::string>> query_of(const std::string& url);

// Lowercase hex of bytes.
std::string hex(ByteView bytes);

}  // namespace synckit::integration
