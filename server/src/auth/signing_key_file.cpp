#include "auth/signing_key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

namespace synckit::server {
namespace {

SigningKey read_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the signing key file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string encoded = text.str();
  while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) encoded.pop_back();
  try {
    const SecretBuffer raw = base64_decode_secret(encoded, "signing key");
    secure_wipe(encoded.data(), encoded.size());
    if (raw.size() == 32) {
      SigningKey key;
      std::copy(raw.data(), raw.data() + 32, key.data());
      return key;
    }
  } catch (const Error&) {
  }
  secure_wipe(encoded.data(), encoded.size());
  throw std::runtime_error("the signing key file " + path + " must hold the base64 of 32 bytes");
}

// Writes a new key to a private temporary file, then links it into place: readers never see a
// half-written file, and when two processes race, the first link wins and both read its key.
void create_key(const std::string& path) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + temporary + ": " + std::strerror(errno));
  SigningKey key;
  randombytes_buf(key.data(), key.size());
  std::string line = base64_encode(key.view()) + "\n";
  const bool written =
      ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  secure_wipe(line.data(), line.size());
  ::close(fd);
  const bool linked = written && (::link(temporary.c_str(), path.c_str()) == 0 || errno == EEXIST);
  ::unlink(temporary.c_str());
  if (!linked) throw std::runtime_error("cannot write the signing key file " + path);
}

}  // namespace

SigningKey load_or_create_signing_key(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) create_key(path);
  return read_key(path);
}

}  // namespace synckit::server
