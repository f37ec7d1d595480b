// setup-encryption new|existing, change-password.
#include "commands.hpp"
#include "file_io.hpp"
#include "password.hpp"
#include "session.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

// Where this device keeps the master key now, for the success message.
std::string kept_where(const Session& session) {
  const std::string cache = session.key_cache_name();
  if (cache == "os") return "this device keeps it in the OS keychain";
  return "with --key-cache " + cache +
         " this device keeps it for this command only: later commands need "
         "--password-file";
}

}  // namespace

void setup_encryption_new(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  Password password;
  read_password(in.args, "--password-file", "Password to protect the master key: ", true, password);
  try {
    client.setup_encryption_new(password.str());
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::keychain) throw;
    // The envelope is on the server already: only the local cache failed.
    throw Error(ErrorKind::keychain, "the master key is set up on the server but could not be cached here (" +
                                         e.detail() +
                                         "); run: synckit --key-cache none setup-encryption existing");
  }
  session.check_saved();
  print_line("encryption set up: a new master key, wrapped by the password, is on the server; " +
             kept_where(session));
}

void setup_encryption_existing(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  Password password;
  read_password(in.args, "--password-file", "Password of the master key: ", false, password);
  client.setup_encryption_existing(password.str());
  session.check_saved();
  print_line("encryption unlocked: " + kept_where(session));
}

void change_password(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  client.unlock_from_key_store();  // when cached, the key is checked against the server's envelope
  Password old_password;
  read_password(in.args, "--old-password-file", "Current password: ", false, old_password);
  Password new_password;
  read_password(in.args, "--new-password-file", "New password: ", true, new_password);
  client.change_password(old_password.str(), new_password.str());
  session.check_saved();
  print_line("password changed: the master key is now wrapped by the new password");
}

}  // namespace synckit::cli
