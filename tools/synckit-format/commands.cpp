#include "commands.hpp"

#include <string>
#include <string_view>

#include "file_io.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/error.hpp"

namespace synckit::format_tool {
namespace {

std::string_view text_of(const Bytes& bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }

std::string_view text_of(const SecretBuffer& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Standard input less trailing ASCII whitespace (a newline after base64).
std::string trimmed_stdin() {
  const Bytes in = read_stdin();
  std::string text(text_of(in));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void print_line(const std::string& line) { write_stdout(as_bytes(line + "\n")); }

}  // namespace

void wrap(const Args& args, RandomSource& random) {
  const MasterKey master = read_key_file(args.require("--key-file"));
  const SecretBuffer password = read_password_file(args.require("--password-file"));
  print_line(envelope_to_json(wrap_master_key(master, text_of(password), random)).dump());
}

void unwrap(const Args& args) {
  const SecretBuffer password = read_password_file(args.require("--password-file"));
  const Bytes in = read_stdin();
  const MasterKey master = unwrap_master_key(envelope_from_json_text(text_of(in)), text_of(password));
  std::string encoded = base64_encode(master.view());
  encoded += "\n";
  write_stdout(as_bytes(encoded));
  secure_wipe(encoded.data(), encoded.size());
}

void seal_change(const Args& args, RandomSource& random) {
  const ChangeKey key = derive_change_key(read_key_file(args.require("--key-file")));
  const Bytes in = read_stdin();
  const ChangeEntry entry = change_entry_from_json(text_of(in), ErrorKind::invalid_input);
  print_line(base64_encode(synckit::seal_change(key, args.require("--change-id"), entry, random)));
}

void open_change(const Args& args) {
  const ChangeKey key = derive_change_key(read_key_file(args.require("--key-file")));
  const Bytes sealed = base64_decode(trimmed_stdin(), "payload");
  print_line(change_entry_to_json(synckit::open_change(key, args.require("--change-id"), sealed)));
}

void seal_blob(const Args& args, RandomSource& random) {
  const BlobKey key = derive_blob_key(read_key_file(args.require("--key-file")));
  write_stdout(synckit::seal_blob(key, args.require("--blob-id"), read_stdin(), random));
}

void open_blob(const Args& args) {
  const BlobKey key = derive_blob_key(read_key_file(args.require("--key-file")));
  write_stdout(synckit::open_blob(key, args.require("--blob-id"), read_stdin()));
}

}  // namespace synckit::format_tool
