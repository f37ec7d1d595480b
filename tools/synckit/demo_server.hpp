// The demo's own synckit-server: a temporary directory with an embedded SQLite database, one app,
// a free loopback port. Stopped cleanly (SIGTERM, waitpid) and its directory removed at the end.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "subprocess.hpp"

namespace synckit::cli {

// `flag` if given, else synckit-server in this build tree (../../server/ from this executable),
// next to this executable, or on PATH. Throws Error{invalid_input} when there is none.
std::filesystem::path find_server_binary(const std::optional<std::string>& flag);

class LocalServer {
 public:
  // Makes the directory, creates the app, starts `serve` and waits for its "listening" line.
  // Throws Error{invalid_input} (with the server's stderr tail) when any step fails.
  LocalServer(std::filesystem::path binary, bool keep);
  // Stops the server if it still runs; removes the directory unless `keep`.
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  const std::filesystem::path& binary() const noexcept { return binary_; }
  const std::filesystem::path& dir() const noexcept { return dir_; }
  const std::filesystem::path& database() const noexcept { return database_; }
  const std::string& url() const noexcept { return url_; }
  int port() const noexcept { return port_; }
  const std::string& api_key() const noexcept { return api_key_; }
  // Every byte of the database files (the database and its write-ahead log), to search.
  std::string database_bytes() const;
  // SIGTERM, then waitpid; the exit status (0 is a clean stop).
  int stop();

 private:
  std::string create_app();
  void serve();
  std::string log_tail() const;

  std::filesystem::path binary_;
  bool keep_;
  std::filesystem::path dir_;
  std::filesystem::path database_;
  std::filesystem::path log_;
  std::string api_key_;
  std::string url_;
  int port_ = 0;
  Child child_;
};

}  // namespace synckit::cli
