#include "blob_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "synckit/error.hpp"

namespace synckit::native {
namespace {

[[noreturn]] void file_error(const std::string& what, const std::string& path) {
  throw Error(ErrorKind::invalid_input, "cannot " + what + " '" + path + "': " + std::strerror(errno), "path");
}

}  // namespace

FileSource::FileSource(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) file_error("open", path);
  struct stat info {};
  if (::fstat(::fileno(file_), &info) != 0 || !S_ISREG(info.st_mode)) {
    std::fclose(file_);
    file_ = nullptr;
    throw Error(ErrorKind::invalid_input, "'" + path + "' is not a regular file", "path");
  }
  size_ = static_cast<std::uint64_t>(info.st_size);
}

FileSource::~FileSource() {
  if (file_) std::fclose(file_);
}

std::size_t FileSource::read(std::span<std::uint8_t> into) {
  const std::size_t got = std::fread(into.data(), 1, into.size(), file_);
  if (got < into.size() && std::ferror(file_)) file_error("read", path_);
  return got;
}

TempFileCommit::TempFileCommit(std::string path) : path_(std::move(path)) {
  std::string name = path_ + ".synckit-XXXXXX";
  fd_ = ::mkstemp(name.data());
  if (fd_ < 0) file_error("create a temporary file beside", path_);
  temp_ = std::move(name);
}

TempFileCommit::~TempFileCommit() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(temp_.c_str());
}

void TempFileCommit::write(ByteView bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) file_error("write", temp_);
    done += static_cast<std::size_t>(n);
  }
}

void TempFileCommit::commit() {
  const bool synced = ::fsync(fd_) == 0;
  const bool closed = ::close(fd_) == 0;
  fd_ = -1;
  if (!synced || !closed || ::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_.c_str());
    errno = error;
    file_error("move the download onto", path_);
  }
}

std::optional<UploadResume> load_resume_record(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  try {
    return parse_upload_resume(text.str());
  } catch (const Error&) {
    return std::nullopt;  // not a record (or from an incompatible version): start afresh
  }
}

void save_resume_record(const std::string& path, const UploadResume& record) {
  TempFileCommit file(path);
  const std::string text = upload_resume_to_json(record);
  file.write(as_bytes(text));
  file.commit();
}

void remove_resume_record(const std::string& path) noexcept { ::unlink(path.c_str()); }

}  // namespace synckit::native
