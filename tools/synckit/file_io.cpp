#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw Error(ErrorKind::invalid_input, what + " '" + path + "': " + std::strerror(error));
}

// Writes all of `bytes` to `fd`; false on a write error (errno says which).
bool write_all(int fd, ByteView bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return false;
    done += static_cast<std::size_t>(wrote);
  }
  return true;
}

Bytes read_fd(int fd, const std::string& path) {
  Bytes bytes;
  std::uint8_t chunk[65536];
  while (true) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("cannot read", path, errno);
    if (got == 0) return bytes;
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
}

}  // namespace

Bytes read_input(const std::string& path) {
  if (path == "-") return read_fd(STDIN_FILENO, "standard input");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open", path, errno);
  try {
    Bytes bytes = read_fd(fd, path);
    ::close(fd);
    return bytes;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

void write_output(const std::string& path, ByteView bytes) {
  if (path == "-") {
    std::fflush(stdout);
    if (!write_all(STDOUT_FILENO, bytes)) fail("cannot write", "standard output", errno);
    return;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", path, errno);
  const bool written = write_all(fd, bytes);
  const int error = errno;
  if (::close(fd) != 0 || !written) fail("cannot write", path, written ? errno : error);
}

void print_line(std::string_view line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  if (std::fflush(stdout) != 0) fail("cannot write", "standard output", errno);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  std::string temp = (path.parent_path() / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());  // mode 0600
  if (fd < 0) fail("cannot create a file next to", path.string(), errno);
  const bool written = write_all(fd, as_bytes(text)) && ::fsync(fd) == 0;
  const int error = errno;
  if (::close(fd) != 0 || !written || ::rename(temp.c_str(), path.c_str()) != 0) {
    const int reported = written ? errno : error;
    ::unlink(temp.c_str());
    fail("cannot write", path.string(), reported);
  }
}

void ensure_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (ec) fail("cannot create the directory", dir.parent_path().string(), ec.value());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail("cannot create the directory", dir.string(), errno);
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) fail("cannot inspect", dir.string(), errno);
  if (!S_ISDIR(info.st_mode))
    throw Error(ErrorKind::invalid_input, "'" + dir.string() + "' is not a directory");
  if ((info.st_mode & 07777) == 0700) return;
  // Tighten a directory of ours; never one shared with others (a sticky /tmp, another user's).
  if (info.st_uid != ::getuid() || (info.st_mode & S_ISVTX) != 0) {
    throw Error(ErrorKind::invalid_input,
                "the profile directory '" + dir.string() + "' is open to other users and not ours to change");
  }
  if (::chmod(dir.c_str(), 0700) != 0) fail("cannot make owner-only", dir.string(), errno);
}

}  // namespace synckit::cli
