#include "config.hpp"

#include <charconv>
#include <functional>
#include <map>

#include "storage/open_store.hpp"

namespace synckit::server {
namespace {

template <class Number>
Number number(const std::string& flag, const std::string& text, Number min, Number max) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw ConfigError(flag + " needs a number in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

void parse_listen(ServerConfig& config, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw ConfigError("--listen needs HOST:PORT");
  config.host = text.substr(0, colon);
  if (config.host.size() > 2 && config.host.front() == '[' && config.host.back() == ']') {
    config.host = config.host.substr(1, config.host.size() - 2);
  }
  config.port = number<int>("--listen", text.substr(colon + 1), 0, 65535);
}

}  // namespace

ServerConfig parse_serve_flags(const std::vector<std::string>& args) {
  ServerConfig config;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> flags = {
      {"--db", [&](const std::string& v) { config.db_path = v; }},
      {"--secret-file", [&](const std::string& v) { config.secret_file = v; }},
      {"--listen", [&](const std::string& v) { parse_listen(config, v); }},
      {"--token-ttl", [&](const std::string& v) { config.token_ttl = std::chrono::seconds(number<long>("--token-ttl", v, 1, 86400)); }},
      {"--cors-origin", [&](const std::string& v) { config.cors_origins.push_back(v); }},
      {"--rate-limit", [&](const std::string& v) { config.rate_limit = number<double>("--rate-limit", v, 0, 1e9); }},
      {"--auth-rate-limit", [&](const std::string& v) { config.auth_rate_limit = number<double>("--auth-rate-limit", v, 0, 1e9); }},
      {"--max-blob-bytes", [&](const std::string& v) { config.max_blob_bytes = number<std::size_t>("--max-blob-bytes", v, 40, std::size_t{1} << 30); }},
      {"--max-stream-bytes", [&](const std::string& v) { config.max_stream_bytes = number<std::int64_t>("--max-stream-bytes", v, 41, std::int64_t{1} << 53); }},
      {"--blob-part-size", [&](const std::string& v) { config.blob_part_size = number<std::size_t>("--blob-part-size", v, 1024, std::size_t{64} << 20); }},
      {"--upload-ttl", [&](const std::string& v) { config.upload_ttl = std::chrono::seconds(number<long>("--upload-ttl", v, 1, 30 * 86400)); }},
      {"--fault-rate", [&](const std::string& v) { config.fault_rate = number<double>("--fault-rate", v, 0, 1); }},
      {"--fault-status", [&](const std::string& v) {
         config.fault_status = number<int>("--fault-status", v, 429, 503);
         if (config.fault_status != 429 && config.fault_status != 500 && config.fault_status != 503) {
           throw ConfigError("--fault-status takes 429, 500 or 503");
         }
       }},
      {"--threads", [&](const std::string& v) { config.threads = number<int>("--threads", v, 1, 256); }},
      {"--io-threads", [&](const std::string& v) { config.io_threads = number<int>("--io-threads", v, 1, 64); }},
      {"--header-timeout", [&](const std::string& v) { config.header_timeout = std::chrono::seconds(number<long>("--header-timeout", v, 1, 3600)); }},
      {"--idle-timeout", [&](const std::string& v) { config.idle_timeout = std::chrono::seconds(number<long>("--idle-timeout", v, 1, 3600)); }},
      {"--min-body-rate", [&](const std::string& v) { config.min_body_rate = number<double>("--min-body-rate", v, 1, 1e12); }},
      {"--max-header-bytes", [&](const std::string& v) { config.max_header_bytes = number<std::size_t>("--max-header-bytes", v, 1024, 1u << 20); }},
      {"--max-connections", [&](const std::string& v) { config.max_connections = number<std::size_t>("--max-connections", v, 1, 1u << 22); }},
      {"--max-connections-per-address", [&](const std::string& v) { config.max_connections_per_address = number<std::size_t>("--max-connections-per-address", v, 1, 1u << 22); }},
  };
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const auto flag = flags.find(args[i]);
    if (flag == flags.end()) throw ConfigError("serve does not take '" + args[i] + "'");
    if (i + 1 >= args.size()) throw ConfigError(args[i] + " needs a value");
    flag->second(args[i + 1]);
  }
  signing_key_path(config);  // a PostgreSQL --db needs --secret-file
  return config;
}

std::string signing_key_path(const ServerConfig& config) {
  if (!config.secret_file.empty()) return config.secret_file;
  if (is_postgres_url(config.db_path)) {
    throw ConfigError("--secret-file is required with a PostgreSQL --db (give every node the same file)");
  }
  return sqlite_path(config.db_path) + ".secret";
}

}  // namespace synckit::server
