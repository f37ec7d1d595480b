// Secrets audit. A full session with a known password (for sign-in and encryption), known marker
// strings in row data, table, row id and blob, through the native client and the `synckit` CLI;
// then every place a secret could leak is scanned for the password, the master key and the login
// auth key (raw, base64, base64url, hex) and the plaintext markers: the client's log lines, every
// error message, the CLI's profile directory and its output, the server's database files (with
// WAL) and its stderr log. And: after logout, no live secret storage holds the master key and
// every block of secret storage handed back was wiped (KeepingAllocator, through the secret
// types' SecretAllocator hook; no undefined behaviour: freed blocks are kept, never reused).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hostile_support.hpp"
#include "keeping_allocator.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/wire/key_messages.hpp"

using namespace synckit::hostile;
using synckit::AuthKey;
using synckit::MasterKey;
using synckit::base64_encode;
using synckit::base64url_encode;
namespace native = synckit::native;
namespace net = synckit::net;
namespace wire = synckit::wire;
namespace fs = std::filesystem;

namespace {

const std::string kEmail = "secrets-audit@example.com";
const std::string kPassword = "Tr0ub4dor&3 audit-password";
const std::string kRowMarker = "MARKER-ROWDATA-c0ffee";
const std::string kTableMarker = "MARKERTABLE_bead";
const std::string kRowIdMarker = "MARKER-ROWID-f00d";
const std::string kBlobMarker = "MARKER-BLOB-deadbeef";
const std::string kCliMarker = "MARKER-CLI-abba";

struct Needle {
  std::string name;
  std::string bytes;
};

std::string text_of(ByteView bytes) { return std::string(bytes.begin(), bytes.end()); }

std::vector<Needle> key_needles(const std::string& name, ByteView key) {
  return {{name + " raw", text_of(key)},
          {name + " base64", base64_encode(key)},
          {name + " base64url", base64url_encode(key)},
          {name + " hex", hex(key)}};
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Fails (naming the place and the secret) for every needle found in `haystack`.
void scan(const std::string& where, const std::string& haystack, const std::vector<Needle>& needles) {
  for (const Needle& needle : needles) {
    INFO(where << " holds the " << needle.name);
    CHECK(haystack.find(needle.bytes) == std::string::npos);
  }
}

// Every regular file under `dir`, scanned.
int scan_dir(const std::string& what, const fs::path& dir, const std::vector<Needle>& needles) {
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    scan(what + " " + entry.path().filename().string(), read_file(entry.path()), needles);
    ++files;
  }
  return files;
}

// The master key, read the way the server cannot: the account's envelope unwrapped with the password.
MasterKey master_key_of(const ServerProcess& server, const SessionTokens& session) {
  auto http = raw_http(server);
  const auto reply = http->Get("/v1/keys/envelope", {{"X-SyncKit-Api-Key", server.api_key()},
                                                     {"Authorization", "Bearer " + session.access_token}});
  REQUIRE(reply);
  REQUIRE(reply->status == 200);
  return synckit::unwrap_master_key(wire::parse_envelope_reply_text(reply->body).envelope, kPassword);
}

net::RetryPolicy fast_retries() {
  net::RetryPolicy policy;
  policy.base_delay = std::chrono::milliseconds(5);
  policy.max_delay = std::chrono::milliseconds(20);
  return policy;
}

#ifdef SYNCKIT_CLI_BINARY
// Runs the CLI through the shell (every path here is a mkdtemp path: no quoting issues); stdout
// and stderr are appended to files in `dir`. Returns the exit status.
int cli(const fs::path& dir, const ServerProcess& server, const std::string& args, const std::string& stdin_file = "") {
  const std::string command = std::string(SYNCKIT_CLI_BINARY) + " --profile " + (dir / "profile").string() +
                              " --server " + server.url() + " --api-key " + server.api_key() +
                              " --key-cache none --verbose " + args +
                              (stdin_file.empty() ? " </dev/null" : " <" + stdin_file) + " >>" +
                              (dir / "stdout").string() + " 2>>" + (dir / "stderr").string();
  return std::system(command.c_str());
}
#endif

}  // namespace

TEST_CASE("no password, key or plaintext in logs, errors, the CLI profile, the server database or its log",
          "[secrets]") {
  ServerProcess server;
  LogSink log;
  std::vector<std::string> errors;
  RecordingKeychain keychain_a;
  RecordingKeychain keychain_b;
  std::optional<MasterKey> master;
  const Bytes blob = text_bytes(kBlobMarker + " blob body " + kBlobMarker);
  {
    InspectableClient a(server.url(), server.api_key(), keychain_a, {}, fast_retries(), &log);
    a.create_account(kEmail, kPassword);
    a.setup_encryption_new(kPassword);
    const Device laptop = a.register_device("laptop");
    a.push(laptop.id, {change(ChangeOp::insert, kRowIdMarker, {{"note", kRowMarker}}, kTableMarker),
                       change(ChangeOp::update, kRowIdMarker, {{"note", kRowMarker + " v2"}}, kTableMarker)});
    a.put_blob("audit-blob", blob);
    master = master_key_of(server, *a.session());

    // Errors on the way, some carrying the secrets as input.
    CHECK(error_of([&] { a.setup_encryption_new(kPassword); }, &errors) == "conflict");
    CHECK(error_of([&] { a.push(laptop.id, {change(ChangeOp::insert, kRowIdMarker, nullptr, kTableMarker)}); },
                   &errors) == "invalid_input");
    CHECK(error_of([&] { a.push(laptop.id, {change(ChangeOp::insert, kRowIdMarker, kRowMarker,
                                                   std::string(129, 'T') + kTableMarker)}); },
                   &errors) == "invalid_input");
    CHECK(error_of([&] { a.put_blob("bad/" + kBlobMarker, blob); }, &errors) == "invalid_input");

    InspectableClient b(server.url(), server.api_key(), keychain_b, {}, fast_retries(), &log);
    CHECK(error_of([&] { b.authenticate(kEmail, kPassword + "!"); }, &errors) == "unauthorized");
    b.authenticate(kEmail, kPassword);
    CHECK(error_of([&] { b.setup_encryption_existing(kPassword + "!"); }, &errors) == "wrong_password");
    b.setup_encryption_existing(kPassword);
    const Device phone = b.register_device("phone");
    const PullResult page = b.pull(phone.id, 0);
    REQUIRE(page.changes.size() == 2);
    REQUIRE(page.changes[0].entry);
    CHECK(page.changes[0].entry->table == kTableMarker);  // the markers did travel, sealed
    CHECK(b.get_blob("audit-blob") == blob);
    a.logout();
    b.logout();
    CHECK(error_of([&] { b.status(); }, &errors) == "not_set_up");
  }
  REQUIRE(master);
  CHECK(keychain_a.saves == 1);
  CHECK(keychain_a.removes == 1);

  // The same account from the CLI, its master key cached nowhere (--key-cache none), the password
  // from a file outside the profile.
  int cli_files = 0;
  std::string cli_stdout;
  std::string cli_stderr;
#ifdef SYNCKIT_CLI_BINARY
  const fs::path cli_dir = server.dir() / "cli";
  fs::create_directories(cli_dir);
  const fs::path password_file = server.dir() / "password.txt";
  std::ofstream(password_file) << kPassword;
  const fs::path changes_file = server.dir() / "changes.jsonl";
  std::ofstream(changes_file) << R"({"table":")" << kTableMarker << R"(","op":"insert","row_id":")" << kRowIdMarker
                              << R"(-cli","data":{"note":")" << kCliMarker << "\"}}\n";
  const fs::path blob_file = server.dir() / "blob.bin";
  std::ofstream(blob_file) << kCliMarker << " cli blob";
  const std::string pw = " --password-file " + password_file.string();
  CHECK(cli(cli_dir, server, "login " + kEmail + pw) == 0);
  CHECK(cli(cli_dir, server, "device add cli") == 0);
  CHECK(cli(cli_dir, server, "setup-encryption existing" + pw) == 0);
  CHECK(cli(cli_dir, server, "push" + pw, changes_file.string()) == 0);
  CHECK(cli(cli_dir, server, "pull" + pw) == 0);
  CHECK(cli(cli_dir, server, "blob put cli-blob " + blob_file.string() + pw) == 0);
  CHECK(cli(cli_dir, server, "blob get cli-blob " + (server.dir() / "blob-copy.bin").string() + pw) == 0);
  CHECK(cli(cli_dir, server, "status") == 0);
  CHECK(cli(cli_dir, server, "setup-encryption existing --password-file " + changes_file.string()) != 0);
  cli_stdout = read_file(cli_dir / "stdout");
  cli_stderr = read_file(cli_dir / "stderr");
  CHECK(cli_stdout.find(kRowMarker) != std::string::npos);  // pull printed the decrypted rows
  CHECK(cli_stderr.find("wrong password") != std::string::npos);
#endif

  // What to look for.
  std::vector<Needle> secrets{{"password", kPassword}};
  for (auto& needle : key_needles("master key", master->view())) secrets.push_back(needle);
  const AuthKey auth_key = synckit::derive_auth_key(kEmail, kPassword);
  for (auto& needle : key_needles("auth key", auth_key.view())) secrets.push_back(needle);
  std::vector<Needle> everything = secrets;
  for (const std::string& marker : {kRowMarker, kTableMarker, kRowIdMarker, kBlobMarker, kCliMarker}) {
    everything.push_back({"plaintext marker " + marker, marker});
  }

  // The client's log lines and every error message.
  std::string log_text;
  for (const std::string& line : log.lines()) log_text += line + "\n";
  CHECK(log.lines().size() > 10);
  scan("the client log", log_text, everything);
  CHECK(errors.size() == 7);
  for (const std::string& what : errors) scan("the error message '" + what + "'", what, everything);

#ifdef SYNCKIT_CLI_BINARY
  // The CLI: its profile, its log (--verbose, stderr) and errors; its stdout holds decrypted rows
  // by design, so only the secrets are looked for there.
  cli_files = scan_dir("the CLI profile file", cli_dir / "profile", everything);
  CHECK(cli_files >= 1);
  scan("the CLI's stderr", cli_stderr, everything);
  scan("the CLI's stdout", cli_stdout, secrets);
  fs::remove_all(cli_dir);
  fs::remove(password_file);
  fs::remove(changes_file);
  fs::remove(blob_file);
  fs::remove(server.dir() / "blob-copy.bin");
#endif

  // The server: database (and WAL, while it runs and after a clean stop) and its stderr log.
  const int server_files = scan_dir("the server file", server.dir(), everything);
  CHECK(server_files >= 2);
  server.stop();
  scan_dir("the server file (stopped)", server.dir(), everything);
  scan("the server's stderr log", server.stderr_text(), everything);
  std::cout << "secrets audit: " << everything.size() << " needles; " << log.lines().size() << " log lines, "
            << errors.size() << " error messages, " << cli_files << " CLI profile files, " << server_files
            << " server files scanned\n";
}

TEST_CASE("the master key is wiped from memory after logout", "[secrets]") {
  ServerProcess server;
  KeepingAllocator keeping;  // every Secret/SecretBuffer made from here on
  RecordingKeychain keychain;
  std::optional<MasterKey> master;
  {
    InspectableClient client(server.url(), server.api_key(), keychain, {}, fast_retries());
    client.create_account(kEmail, kPassword);
    client.setup_encryption_new(kPassword);
    const Device device = client.register_device("laptop");
    client.push(device.id, {change(ChangeOp::insert, "r1", {{"note", kRowMarker}})});
    client.put_blob("b1", text_bytes(kBlobMarker));
    master = master_key_of(server, *client.session());
    const std::uint8_t* own = master->data();  // the test's own copy

    auto others = [&](std::vector<KeepingAllocator::Block> blocks) {
      std::erase_if(blocks, [&](const KeepingAllocator::Block& b) { return b.data == own; });
      return blocks;
    };
    // Sanity: the method sees the key while the client holds it (its keys, the memory keychain).
    REQUIRE(KeepingAllocator::contains(others(keeping.live()), master->view()));

    client.logout();
    CHECK(keychain.removes == 1);
    CHECK_FALSE(client.encryption_ready());
    CHECK_FALSE(KeepingAllocator::contains(others(keeping.live()), master->view()));
    const auto freed = keeping.freed();
    CHECK(freed.size() > 3);
    CHECK_FALSE(KeepingAllocator::contains(freed, master->view()));
    for (const auto& block : freed) {
      INFO("a freed secret block of " << block.size << " bytes");
      CHECK(std::all_of(block.data, block.data + block.size, [](std::uint8_t b) { return b == 0; }));
    }
  }
  // And once the client is gone, nothing of it remains either.
  std::vector<KeepingAllocator::Block> rest = keeping.live();
  std::erase_if(rest, [&](const KeepingAllocator::Block& b) { return b.data == master->data(); });
  CHECK_FALSE(KeepingAllocator::contains(rest, master->view()));
  for (const auto& block : keeping.freed()) {
    CHECK(std::all_of(block.data, block.data + block.size, [](std::uint8_t b) { return b == 0; }));
  }
}
