#include "demo_server.hpp"

#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "file_io.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

constexpr std::chrono::seconds kStartTimeout{20};
constexpr std::chrono::seconds kStopGrace{10};

bool is_executable(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

std::optional<std::filesystem::path> on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / name;
    if (end > start && is_executable(candidate)) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::filesystem::path make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/synckit-demo.XXXXXX";
  if (!::mkdtemp(pattern.data())) throw Error(ErrorKind::invalid_input, "cannot make a temporary directory");
  return pattern;
}

}  // namespace

std::filesystem::path find_server_binary(const std::optional<std::string>& flag) {
  if (flag) {
    if (!is_executable(*flag)) {
      throw Error(ErrorKind::invalid_input, "--server-binary " + *flag + " is not an executable file");
    }
    return *flag;
  }
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& candidate :
         {self.parent_path() / "../../server/synckit-server", self.parent_path() / "synckit-server"}) {
      if (is_executable(candidate)) return candidate.lexically_normal();
    }
  }
  if (auto found = on_path("synckit-server")) return *found;
  throw Error(
      ErrorKind::invalid_input,
      "cannot find synckit-server: build it (cmake --build --preset native-release --target synckit-server) "
      "or pass --server-binary PATH");
}

LocalServer::LocalServer(std::filesystem::path binary, bool keep)
    : binary_(std::move(binary)), keep_(keep), dir_(make_temp_dir()) {
  database_ = dir_ / "demo.db";
  log_ = dir_ / "server.log";
  try {
    api_key_ = create_app();
    serve();
  } catch (...) {
    if (child_.pid > 0) stop();
    if (!keep_) std::filesystem::remove_all(dir_);
    throw;
  }
}

LocalServer::~LocalServer() {
  if (child_.pid > 0) stop();
  std::error_code ec;
  if (!keep_) std::filesystem::remove_all(dir_, ec);
}

std::string LocalServer::create_app() {
  Child app =
      spawn_child({binary_.string(), "app", "create", "--db", database_.string(), "--name", "SyncKit demo"},
                  log_.string());
  const std::string out = read_to_end(app.stdout_fd);
  ::close(app.stdout_fd);
  const int status = wait_child(app.pid);
  std::string last;
  for (std::size_t start = 0; start < out.size();) {
    const std::size_t end = std::min(out.find('\n', start), out.size());
    if (end > start) last = out.substr(start, end - start);
    start = end + 1;
  }
  if (status != 0 || last.empty()) {
    throw Error(ErrorKind::invalid_input,
                "synckit-server app create failed (status " + std::to_string(status) + "): " + log_tail());
  }
  return last;
}

void LocalServer::serve() {
  child_ = spawn_child({binary_.string(), "serve", "--db", database_.string(), "--listen", "127.0.0.1:0"},
                       log_.string());
  std::string buffer;
  const auto line = read_line(child_.stdout_fd, buffer, kStartTimeout);
  static const std::regex listening(R"(synckit-server listening on (http://127\.0\.0\.1:(\d+)))");
  std::smatch match;
  if (!line || !std::regex_match(*line, match, listening)) {
    throw Error(ErrorKind::invalid_input, "synckit-server did not start: " + log_tail());
  }
  url_ = match[1].str();
  port_ = std::stoi(match[2].str());
}

int LocalServer::stop() {
  const int status = stop_child(child_.pid, kStopGrace);
  ::close(child_.stdout_fd);
  child_ = Child{};
  return status;
}

std::string LocalServer::database_bytes() const {
  std::string out;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const std::filesystem::path file = database_.string() + suffix;
    if (!std::filesystem::exists(file, ec)) continue;
    const Bytes bytes = read_input(file.string());
    out.append(bytes.begin(), bytes.end());
  }
  return out;
}

std::string LocalServer::log_tail() const {
  std::error_code ec;
  if (!std::filesystem::exists(log_, ec)) return "(no output)";
  const Bytes bytes = read_input(log_.string());
  std::string text(bytes.begin(), bytes.end());
  if (text.size() > 600) text = text.substr(text.size() - 600);
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

}  // namespace synckit::cli
