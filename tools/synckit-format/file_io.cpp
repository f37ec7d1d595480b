#include "file_io.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "synckit/error.hpp"

namespace synckit::format_tool {
namespace {

// Reads a whole file into a wiping buffer.
SecretBuffer read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorKind::invalid_input, "cannot open '" + path + "'");
  const auto size = static_cast<std::size_t>(in.tellg());
  SecretBuffer buffer(size);
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(size))) {
    throw Error(ErrorKind::invalid_input, "cannot read '" + path + "'");
  }
  return buffer;
}

// Drops one trailing "\n" or "\r\n".
void drop_newline(SecretBuffer& buffer) {
  std::size_t size = buffer.size();
  if (size > 0 && buffer.data()[size - 1] == '\n') --size;
  if (size > 0 && size < buffer.size() && buffer.data()[size - 1] == '\r') --size;
  buffer.truncate(size);
}

}  // namespace

Bytes read_stdin() {
  Bytes bytes;
  read_stdin_pieces([&](ByteView piece) { bytes.insert(bytes.end(), piece.begin(), piece.end()); });
  return bytes;
}

void read_stdin_pieces(const std::function<void(ByteView)>& piece) {
  std::vector<std::uint8_t> chunk(65536);
  std::size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), stdin)) > 0) piece(ByteView(chunk.data(), got));
  if (std::ferror(stdin)) throw Error(ErrorKind::invalid_input, "cannot read standard input");
}

MasterKey read_key_file(const std::string& path) {
  SecretBuffer text = read_secret_file(path);
  drop_newline(text);
  const std::string_view base64(reinterpret_cast<const char*>(text.data()), text.size());
  try {
    const SecretBuffer raw = base64_decode_secret(base64, "key file");
    if (raw.size() == kKeyBytes) return master_key_from_bytes(raw.view());
  } catch (const Error&) {
    // reported below, as the same input problem
  }
  throw Error(ErrorKind::invalid_input, "the key file '" + path + "' must hold the base64 of 32 bytes", "key file");
}

SecretBuffer read_password_file(const std::string& path) {
  SecretBuffer password = read_secret_file(path);
  drop_newline(password);
  return password;
}

RecoveryKey read_code_file(const std::string& path) {
  SecretBuffer text = read_secret_file(path);
  drop_newline(text);
  return recovery_key_from_code({reinterpret_cast<const char*>(text.data()), text.size()});
}

void write_stdout(ByteView bytes) {
  const bool written = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
  if (!written || std::fflush(stdout) != 0) {
    throw Error(ErrorKind::invalid_input, "cannot write to standard output");
  }
}

FileCommit::FileCommit(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
  file_ = std::fopen(partial_.c_str(), "wbx");
  if (!file_) throw Error(ErrorKind::invalid_input, "cannot create '" + partial_ + "' (does it exist already?)");
}

FileCommit::~FileCommit() {
  if (!file_) return;
  std::fclose(file_);
  std::remove(partial_.c_str());
}

void FileCommit::write(ByteView bytes) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    throw Error(ErrorKind::invalid_input, "cannot write '" + partial_ + "'");
  }
}

void FileCommit::commit() {
  const bool flushed = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  std::error_code ec;
  if (flushed && closed) std::filesystem::rename(partial_, path_, ec);
  if (!flushed || !closed || ec) {
    std::remove(partial_.c_str());
    throw Error(ErrorKind::invalid_input, "cannot move '" + partial_ + "' into place");
  }
}

}  // namespace synckit::format_tool
