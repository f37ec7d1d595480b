#include "support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>

#include "synckit/auth/url_encoding.hpp"

namespace synckit::integration {

using namespace std::chrono_literals;

void LogSink::add(std::string_view line) {
  std::lock_guard lock(mutex_);
  lines_.emplace_back(line);
}

std::vector<std::string> LogSink::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool LogSink::contains(std::string_view text) const { return count(text) > 0; }

std::size_t LogSink::count(std::string_view text) const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& line) {
    return line.find(text) != std::string::npos;
  }));
}

std::function<void(std::string_view)> LogSink::hook() {
  return [this](std::string_view line) { add(line); };
}

Config client_config(const ServerProcess& server, KeyCache cache, LogSink* log) {
  Config config;
  config.server_url = server.url();
  config.api_key = server.api_key();
  config.key_cache = cache;
  config.retry.base_delay = 5ms;
  config.retry.max_delay = 20ms;
  config.retry.max_retry_after = 20ms;
  config.transport.total_timeout = 30'000ms;
  if (log) config.log = log->hook();
  return config;
}

ChangeEntry change(ChangeOp op, std::string row_id, JsonValue data, std::string table) {
  // 2026-11-25T16:30:59.123Z, one millisecond later for every change made.
  static std::atomic<std::int64_t> next_ms{1'795'624'259'123};
  ChangeEntry entry;
  entry.table = std::move(table);
  entry.op = op;
  entry.row_id = std::move(row_id);
  entry.timestamp = SystemTime{std::chrono::milliseconds{next_ms++}};
  entry.data = std::move(data);
  return entry;
}

ChangeEntry numbered_change(int i) {
  return change(ChangeOp::insert, "row-" + std::to_string(i),
                JsonValue{{"i", i}, {"text", "nº " + std::to_string(i)}});
}

std::vector<PulledEntry> pull_all(Client& client, const std::string& device_id, std::int64_t cursor,
                                  int* calls) {
  std::vector<PulledEntry> out;
  int made = 0;
  for (;;) {
    PullResult page = client.pull(device_id, cursor);
    ++made;
    REQUIRE(page.cursor >= cursor);
    for (PulledEntry& entry : page.changes) {
      INFO("seq " << entry.seq << ": " << (entry.error ? entry.error->what() : "opened"));
      REQUIRE(entry.entry.has_value());
      out.push_back(std::move(entry));
    }
    cursor = page.cursor;
    if (!page.has_more) break;
    REQUIRE(made < 10'000);
  }
  if (calls) *calls = made;
  return out;
}

std::vector<ChangeEntry> entries_of(const std::vector<PulledEntry>& pulled) {
  std::vector<ChangeEntry> out;
  for (const PulledEntry& entry : pulled) out.push_back(*entry.entry);
  return out;
}

void check_exactly_once_in_order(const std::vector<PulledEntry>& pulled, const std::vector<ChangeEntry>& pushed) {
  REQUIRE(pulled.size() == pushed.size());
  std::set<std::string> ids;
  for (std::size_t i = 0; i < pulled.size(); ++i) {
    CHECK(ids.insert(pulled[i].change_id).second);
    if (i > 0) CHECK(pulled[i].seq > pulled[i - 1].seq);
  }
  CHECK(entries_of(pulled) == pushed);
}

std::vector<std::string> as_json(const std::vector<ChangeEntry>& entries) {
  std::vector<std::string> out;
  for (const ChangeEntry& entry : entries) out.push_back(change_entry_to_json(entry));
  return out;
}

std::string error_of(const std::function<void()>& call, std::vector<std::string>* whats) {
  try {
    call();
  } catch (const Error& e) {
    if (whats) whats->emplace_back(e.what());
    return std::string(error_kind_name(e.kind()));
  } catch (const std::exception& e) {
    return std::string("other exception: ") + e.what();
  }
  return "no error";
}

Bytes pattern_bytes(std::size_t size, std::uint32_t seed) {
  Bytes out(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& byte : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    byte = static_cast<std::uint8_t>(x);
  }
  return out;
}

Bytes text_bytes(std::string_view text) {
  const ByteView view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

std::unique_ptr<httplib::Client> raw_http(const ServerProcess& server) {
  auto client = std::make_unique<httplib::Client>(server.url());
  client->set_follow_location(false);
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(30, 0);
  return client;
}

std::string path_and_query(const std::string& url) {
  const auto scheme = url.find("://");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return path == std::string::npos ? "/" : url.substr(path);
}

std::vector<std::pair<std::string, std::string>> query_of(const std::string& url) {
  const auto start = url.find('?');
  if (start == std::string::npos) return {};
  const auto end = url.find('#', start);
  return parse_query(
      std::string_view(url).substr(start + 1, end == std::string::npos ? end : end - start - 1));
}

std::string hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

}  // namespace synckit::integration
