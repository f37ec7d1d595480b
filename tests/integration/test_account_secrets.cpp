// The recovery code and what comes from it (RK, the wrap key, the recovery auth key) never reach a
// client log line, an error message, the server's log or the server's files (its database file
// included: the server keeps only a hash of the recovery auth key).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "support.hpp"
#include "synckit/crypto/recovery.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kEmail = "ines@example.com";
constexpr const char* kPassword = "recovery secrets pw 1";

struct Leakable {
  std::string name;
  std::string value;
};

std::vector<Leakable> forms_of(const std::string& name, synckit::ByteView bytes) {
  return {{name + " (raw)", std::string(bytes.begin(), bytes.end())},
          {name + " (base64)", synckit::base64_encode(bytes)},
          {name + " (base64url)", synckit::base64url_encode(bytes)},
          {name + " (hex)", hex(bytes)}};
}

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("no recovery code, recovery key or recovery auth key in logs, errors or the server's files",
          "[account][logs]") {
  ServerProcess server;
  LogSink log;
  std::vector<std::string> whats;
  std::string code_text;
  {
    Client a(client_config(server, KeyCache::memory, &log));
    a.create_account(kEmail, kPassword);
    a.setup_encryption_new(kPassword);
    code_text = std::string(a.create_recovery_code().view());

    Client b(client_config(server, KeyCache::memory, &log));
    std::string typo = code_text;
    typo[20] = typo[20] == 'Q' ? 'R' : 'Q';
    CHECK(error_of([&] { b.recover(kEmail, typo, "new pw 2"); }, &whats) == "invalid_input");
    CHECK(error_of([&] { b.recover(kEmail, code_text.substr(0, 40), "new pw 2"); }, &whats) == "invalid_input");
    CHECK(error_of([&] { b.recover("someone@example.com", code_text, "new pw 2"); }, &whats) == "unauthorized");
    b.recover(kEmail, code_text, "new pw 2");
    b.create_recovery_code();
  }
  server.stop();  // the WAL is checkpointed into the database file

  const synckit::RecoveryKey key = synckit::recovery_key_from_code(code_text);
  std::vector<Leakable> secrets{{"recovery code", code_text}};
  std::string compact = code_text;
  std::erase(compact, '-');
  secrets.push_back({"recovery code without dashes", compact});
  secrets.push_back({"recovery code body", code_text.substr(5, 24)});
  for (auto& form : forms_of("recovery key", key.view())) secrets.push_back(form);
  for (auto& form : forms_of("wrap key", synckit::derive_recovery_wrap_key(key).view())) secrets.push_back(form);
  for (auto& form : forms_of("recovery auth key", synckit::derive_recovery_auth_key(key).view())) {
    secrets.push_back(form);
  }

  std::vector<std::pair<std::string, std::string>> places;
  for (const std::string& line : log.lines()) places.emplace_back("client log", line);
  for (const std::string& what : whats) places.emplace_back("error message", what);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(server.dir())) {
    if (!entry.is_regular_file()) continue;
    places.emplace_back(entry.path().filename().string(), file_text(entry.path()));
    ++files;
  }
  CHECK(files >= (server.on_postgres() ? 1u : 2u));  // the log, and on SQLite the database
  CHECK(whats.size() == 3);

  std::vector<std::string> leaks;
  for (const auto& [where, text] : places) {
    for (const Leakable& secret : secrets) {
      if (text.find(secret.value) != std::string::npos) leaks.push_back(secret.name + " in " + where);
    }
  }
  CHECK(leaks.empty());
}
