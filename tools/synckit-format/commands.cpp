#include "commands.hpp"

#include <string>
#include <string_view>

#include "file_io.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/crypto/recovery.hpp"
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

// A string that wipes itself on every way out of the scope (throws included): keys in base64 and
// recovery codes on their way to stdout.
struct WipedString {
  std::string text;
  WipedString() = default;
  explicit WipedString(std::string value) : text(std::move(value)) {}
  WipedString(const WipedString&) = delete;
  WipedString& operator=(const WipedString&) = delete;
  ~WipedString() { secure_wipe(text.data(), text.size()); }
};

// A secret's text and a newline on stdout.
void print_secret_line(std::string_view secret) {
  WipedString line;
  line.text.reserve(secret.size() + 1);  // one allocation: no reallocation leaves a copy behind
  line.text += secret;
  line.text += '\n';
  write_stdout(as_bytes(line.text));
}

// A key as base64 and a newline on stdout.
template <std::size_t N, class Tag>
void print_key(const Secret<N, Tag>& key) {
  const WipedString encoded(base64_encode(key.view()));
  print_secret_line(encoded.text);
}

}  // namespace

void wrap(const Args& args, RandomSource& random) {
  const MasterKey master = read_key_file(args.require("--key-file"));
  const SecretBuffer password = read_password_file(args.require("--password-file"));
  print_line(envelope_to_json(wrap_master_key(master, text_of(password), random)).dump());
}

void unwrap(const Args& args) {
  const SecretBuffer password = read_password_file(args.require("--password-file"));
  const Bytes in = read_stdin();
  print_key(unwrap_master_key(envelope_from_json_text(text_of(in)), text_of(password)));
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

void seal_blob_stream(const Args& args, RandomSource& random) {
  const BlobKey key = derive_blob_key(read_key_file(args.require("--key-file")));
  BlobStreamSealer sealer(key, args.require("--blob-id"), random, write_stdout);
  read_stdin_pieces([&](ByteView piece) { sealer.update(piece); });
  sealer.finish();
}

void open_blob_stream(const Args& args) {
  const BlobKey key = derive_blob_key(read_key_file(args.require("--key-file")));
  FileCommit out(args.require("--out"));
  BlobStreamOpener opener(key, args.require("--blob-id"), [&](ByteView piece) { out.write(piece); });
  read_stdin_pieces([&](ByteView piece) { opener.update(piece); });
  opener.finish();
  out.commit();
}

void recovery_code(RandomSource& random) {
  print_secret_line(recovery_code_from_key(generate_recovery_key(random)).view());
}

void recovery_wrap(const Args& args, RandomSource& random) {
  const MasterKey master = read_key_file(args.require("--key-file"));
  const RecoveryKey key = read_code_file(args.require("--code-file"));
  print_line(recovery_envelope_to_json(seal_recovery_envelope(master, key, random)).dump());
}

void recovery_open(const Args& args) {
  const RecoveryKey key = read_code_file(args.require("--code-file"));
  const Bytes in = read_stdin();
  print_key(open_recovery_envelope(recovery_envelope_from_json_text(text_of(in)), key));
}

void recovery_auth_key(const Args& args) {
  print_key(derive_recovery_auth_key(read_code_file(args.require("--code-file"))));
}

}  // namespace synckit::format_tool
