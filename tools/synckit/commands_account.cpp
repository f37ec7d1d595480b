// register, login, oauth-login, logout, status.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "file_io.hpp"
#include "password.hpp"
#include "session.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

// "registered ada@example.com (user …, app …)".
void print_signed_in(const std::string& what, const Account& account) {
  print_line(what + " (user " + account.user_id + ", app " + account.app_id + ")");
}

// Whether the key cache holds this account's master key; a key-cache failure is reported as text.
nlohmann::json key_cache_state(native::Client& client) {
  try {
    return client.unlock_from_key_store();
  } catch (const Error& e) {
    return std::string(e.what());
  }
}

}  // namespace

void register_account(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.client();
  Password password;
  read_password(in.args, "--password-file", "New password for " + in.operands[0] + ": ", true, password);
  const Account account = client.create_account(in.operands[0], password.str());
  session.check_saved();
  print_signed_in("registered " + in.operands[0], account);
}

void login(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.client();
  Password password;
  read_password(in.args, "--password-file", "Password for " + in.operands[0] + ": ", false, password);
  const Account account = client.authenticate(in.operands[0], password.str());
  session.check_saved();
  print_signed_in("signed in as " + in.operands[0], account);
}

void oauth_login(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.client();
  const auto redirect_uri = in.args.value("--redirect-uri");
  if (!redirect_uri) throw UsageError("oauth-login needs --redirect-uri URI");
  std::cerr << "Open this URL in a browser and sign in:\n";
  print_line(client.begin_oauth(*redirect_uri));
  std::cerr << "Then paste the URL the browser was sent to (it starts with " << *redirect_uri << "):\n";
  std::string landed;
  if (!std::getline(std::cin, landed)) {
    throw Error(ErrorKind::invalid_input, "no redirect URL on standard input");
  }
  while (!landed.empty() && (landed.back() == '\r' || landed.back() == ' ')) landed.pop_back();
  const Account account = client.complete_oauth(landed);
  session.check_saved();
  print_signed_in("signed in through OAuth", account);
}

void logout(const Invocation& in) {
  Session session(in.args);
  if (session.profile().access_token.empty()) return print_line("not signed in");
  native::Client& client = session.client();
  client.logout();
  session.update([](Profile& p) {
    p.access_token.clear();
    p.refresh_token.clear();
  });
  session.check_saved();
  print_line("signed out; the master key was removed from the key cache");
}

void status(const Invocation& in) {
  Session session(in.args);
  const Profile saved = session.profile();
  nlohmann::ordered_json out{{"profile", session.dir().string()},
                             {"server", saved.server},
                             {"signed_in", !saved.access_token.empty()},
                             {"user_id", saved.user_id},
                             {"app_id", saved.app_id},
                             {"device_id", saved.device_id},
                             {"cursor", saved.cursor},
                             {"key_cache", session.key_cache_name()}};
  if (!saved.access_token.empty()) {
    native::Client& client = session.signed_in();
    out["master_key_cached"] = key_cache_state(client);
    const SyncStatus server = client.status();
    out["server_status"] = nlohmann::ordered_json{{"devices", server.devices},
                                                  {"latest_cursor", server.latest_cursor},
                                                  {"changes", server.changes},
                                                  {"blobs", server.blobs},
                                                  {"blob_bytes", server.blob_bytes}};
    session.check_saved();
  }
  print_line(out.dump(2));
}

}  // namespace synckit::cli
