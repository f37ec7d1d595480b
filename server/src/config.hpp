// The server's settings, from the command line (see docs/server.md for every flag).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace synckit::server {

struct ServerConfig {
  std::string db_path = "synckit.db";         // SQLite path, "sqlite:PATH" or postgres://… URL
  std::string secret_file;                    // signing key file; empty = "<sqlite path>.secret"
  std::string host = "127.0.0.1";
  int port = 8787;                            // 0 = pick a free port
  std::chrono::seconds token_ttl{900};        // access token lifetime
  std::vector<std::string> cors_origins;      // exact origins allowed cross-origin
  double rate_limit = 1000;                   // requests per second per client; 0 = off
  double auth_rate_limit = 600;               // sign-in attempts per minute per address; 0 = off
  std::size_t max_blob_bytes = 64u << 20;     // single-shot sealed blob size limit
  std::int64_t max_stream_bytes = std::int64_t{16} << 30;  // streamed blob size limit
  std::size_t blob_part_size = 8u << 20;      // the part size of streamed uploads
  std::chrono::seconds upload_ttl{86400};     // uploads not completed within this are removed
  double fault_rate = 0;                      // share of sync/blob requests failed on purpose
  int fault_status = 503;                     // 429, 500 or 503
  int threads = 8;                            // worker threads: request handlers and the database
  int io_threads = 1;                         // threads running every socket (epoll)
  std::chrono::seconds header_timeout{10};    // a request header must arrive within this
  std::chrono::seconds idle_timeout{30};      // a kept-alive connection may stay silent this long
  double min_body_rate = 1024;                // bytes/s a body must keep after header_timeout
  std::size_t max_header_bytes = 16u << 10;
  std::size_t max_connections = 16384;        // open connections in all
  std::size_t max_connections_per_address = 1024;
};

// A command-line mistake: message for the user, exit status 1.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses `serve` flags (argv after "serve"). Throws ConfigError.
ServerConfig parse_serve_flags(const std::vector<std::string>& args);

// The signing key file: --secret-file, else the SQLite file's path + ".secret". Throws ConfigError
// for a PostgreSQL --db without --secret-file.
std::string signing_key_path(const ServerConfig& config);

}  // namespace synckit::server
