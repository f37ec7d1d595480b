#include "server_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "../support/child_process.hpp"

namespace synckit::integration {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kBinary = SYNCKIT_SERVER_BINARY;
constexpr std::string_view kListening = "synckit-server listening on ";

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("ServerProcess: " + what); }

std::string errno_text(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

std::filesystem::path make_temp_dir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/synckit-integration.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) fail(errno_text("mkdtemp"));
  return pattern;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}


}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> serve_flags) : serve_flags_(std::move(serve_flags)) {
  dir_ = make_temp_dir();
  // SYNCKIT_TEST_PG_URL (tests/server/postgres_cluster.py --exec): the database is PostgreSQL.
  const char* postgres = std::getenv("SYNCKIT_TEST_PG_URL");
  db_ = postgres && *postgres ? std::filesystem::path(postgres) : dir_ / "synckit.db";
  log_ = dir_ / "server-stderr.log";
  try {
    const std::string out =
        run_to_end({kBinary, "app", "create", "--db", db_.string(), "--name", "integration", "--redirect-uri",
                    kTestRedirectUri});
    std::string last;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) last = line;
    }
    if (last.empty()) fail("`app create` printed no API key");
    api_key_ = last;
    start_serve(0);
  } catch (...) {
    cleanup();
    throw;
  }
}

ServerProcess::~ServerProcess() { cleanup(); }

int ServerProcess::open_sockets() const {
  int sockets = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid_) + "/fd", ec)) {
    std::error_code link_ec;
    const auto target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    if (!link_ec && target.rfind("socket:", 0) == 0) ++sockets;
  }
  return sockets;
}

void ServerProcess::cleanup() noexcept {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    dir_.clear();
  }
}

std::string ServerProcess::stderr_text() const {
  std::ifstream in(log_, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::size_t ServerProcess::log_count(std::string_view text) const {
  const std::string log = stderr_text();
  std::size_t count = 0;
  for (std::size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + text.size())) ++count;
  return count;
}

bool ServerProcess::log_shows(std::string_view text, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (stderr_text().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

pid_t ServerProcess::spawn(const std::vector<std::string>& args, int stdout_fd) {
  return test::spawn_child(args, stdout_fd, log_.string());
}

std::string ServerProcess::run_to_end(const std::vector<std::string>& args) {
  int fds[2];
  test::make_cloexec_pipe(fds);
  const pid_t pid = spawn(args, fds[1]);
  ::close(fds[1]);
  const std::string out = test::read_until(fds[0], Clock::now() + kStartTimeout, {});
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fail("`" + args[1] + " " + args[2] + "` failed (" + describe_status(status) + "): " + stderr_text());
  }
  return out;
}

void ServerProcess::start_serve(int port) {
  if (pid_ > 0) fail("the server is already running");
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args{kBinary, "serve", "--db", db_.string(), "--listen", listen};
  if (on_postgres()) {
    args.push_back("--secret-file");  // made on first start; kept in the temp dir
    args.push_back((dir_ / "signing.secret").string());
  }
  args.insert(args.end(), serve_flags_.begin(), serve_flags_.end());
  int fds[2];
  test::make_cloexec_pipe(fds);
  pid_ = spawn(args, fds[1]);
  ::close(fds[1]);
  stdout_fd_ = fds[0];

  const std::string out = test::read_until(stdout_fd_, Clock::now() + kStartTimeout, "\n");
  const auto at = out.find(kListening);
  const auto end = out.find('\n');
  if (at != 0 || end == std::string::npos) {
    kill9();
    fail("serve did not report listening within " + std::to_string(kStartTimeout.count()) + " ms; stdout: '" +
         out + "'; stderr: " + stderr_text());
  }
  url_ = out.substr(kListening.size(), end - kListening.size());
  port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) return status;
    if (done < 0 && errno != EINTR) fail(errno_text("waitpid"));
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

void ServerProcess::stop() {
  if (pid_ <= 0) fail("stop(): the server is not running");
  ::kill(pid_, SIGTERM);
  const std::optional<int> status = wait_exit(10'000ms);
  if (!status) {
    kill9();
    fail("the server did not exit within 10 s of SIGTERM");
  }
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    fail("the server did not shut down cleanly on SIGTERM (" + describe_status(*status) +
         "): " + stderr_text());
  }
}

void ServerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  ::close(stdout_fd_);
  stdout_fd_ = -1;
}

void ServerProcess::restart() {
  if (port_ == 0) fail("restart(): the server never listened");
  // The old port is free again (the listener sets SO_REUSEADDR); retry briefly in case the
  // kernel has not released it yet.
  for (int attempt = 1;; ++attempt) {
    try {
      return start_serve(port_);
    } catch (const std::runtime_error&) {
      if (attempt == 3) throw;
      std::this_thread::sleep_for(200ms);
    }
  }
}

}  // namespace synckit::integration
