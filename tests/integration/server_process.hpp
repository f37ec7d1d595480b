// The real synckit-server binary (SYNCKIT_SERVER_BINARY) as a child process of the test: a fresh
// database in a temporary directory (or, when SYNCKIT_TEST_PG_URL is set, that PostgreSQL database,
// shared by the test's servers: each has its own app), an app made with `app create` (kTestRedirectUri registered), then `serve --listen
// 127.0.0.1:0` plus the test's flags. The server's stderr (its request log) goes to a file there.
// POSIX. On Linux the child gets PR_SET_PDEATHSIG, so a crashed or timed-out test leaves no server
// behind; create ServerProcess on a thread that outlives it (the test's own thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace synckit::integration {

// The OAuth redirect URI registered for the test app (loopback: any port matches it).
inline constexpr const char* kTestRedirectUri = "http://127.0.0.1/callback";

class ServerProcess {
 public:
  // Creates the temp dir and the app, then starts `serve` with `serve_flags` appended (for example
  // {"--fault-rate", "0.3"}). Throws std::runtime_error when the server does not come up.
  explicit ServerProcess(std::vector<std::string> serve_flags = {});
  // Kills a running server (SIGKILL), reaps it and removes the temp dir; never throws.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const std::string& url() const { return url_; }  // http://127.0.0.1:PORT
  const std::string& api_key() const { return api_key_; }
  int port() const { return port_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // How many TCP sockets the server process holds open (its listener included), from /proc.
  int open_sockets() const;
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& db_path() const { return db_; }  // the file, or the PostgreSQL URL
  bool on_postgres() const { return db_.string().rfind("postgres", 0) == 0; }
  // How many times the server's log holds `text` so far.
  std::size_t log_count(std::string_view text) const;
  // Everything the server wrote on stderr so far (one line per request, plus start/stop lines).
  std::string stderr_text() const;
  // Whether the server's log contains `text` within `limit`: it logs a request after sending the
  // reply, so a test that has just read a reply waits for the line rather than racing it.
  bool log_shows(std::string_view text, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) const;

  // SIGTERM, then waits for the exit; throws std::runtime_error unless it exits with status 0.
  // Destroy the clients first: the server waits up to 5 s for their idle keep-alive connections.
  void stop();
  // SIGKILL and reap, as a crash would.
  void kill9();
  // Serves again on the same database and the same port (so url() stays valid). Stops nothing:
  // call stop() or kill9() first.
  void restart();
  // The `serve` flags the next restart() uses (for example another --fault-status).
  void set_serve_flags(std::vector<std::string> flags) { serve_flags_ = std::move(flags); }

  // How long `app create` and the listening line may take.
  static constexpr std::chrono::milliseconds kStartTimeout{15'000};

 private:
  void start_serve(int port);
  void cleanup() noexcept;
  // Runs `args` to completion with stdout captured (stderr to the log file); returns stdout.
  std::string run_to_end(const std::vector<std::string>& args);
  pid_t spawn(const std::vector<std::string>& args, int stdout_fd);
  // The child's wait status, or nullopt when it is still running after `limit`.
  std::optional<int> wait_exit(std::chrono::milliseconds limit);

  std::vector<std::string> serve_flags_;
  std::filesystem::path dir_;
  std::filesystem::path db_;
  std::filesystem::path log_;
  std::string api_key_;
  std::string url_;
  int port_ = 0;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;  // read end of the server's stdout, kept open while it runs
};

}  // namespace synckit::integration
