// change-sign-in-password, sessions list, sessions end, delete-account.
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "password.hpp"
#include "session.hpp"
#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::cli {

void change_sign_in_password(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  Password old_password;
  read_password(in.args, "--old-password-file", "Current sign-in password: ", false, old_password);
  Password new_password;
  read_password(in.args, "--new-password-file", "New sign-in password: ", true, new_password);
  client.change_sign_in_password(old_password.str(), new_password.str());
  session.check_saved();
  print_line("sign-in password changed; every other session has ended");
}

void sessions_list(const Invocation& in) {
  Session session(in.args);
  for (const SessionInfo& info : session.signed_in().list_sessions()) {
    std::string line = info.id + "\t" + format_timestamp(info.created_at) + "\t" + format_timestamp(info.last_used_at);
    if (info.current) line += "\tcurrent";
    print_line(line);
  }
  session.check_saved();
}

void sessions_end(const Invocation& in) {
  Session session(in.args);
  session.signed_in().end_session(in.operands[0]);
  session.check_saved();
  print_line("session " + in.operands[0] + " ended");
}

void delete_account(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  Password password;
  read_password(in.args, "--password-file", "Sign-in password (this deletes the account and all its data): ",
                false, password);
  client.delete_account(password.str());
  session.update([](Profile& p) { forget_account(p); });
  session.check_saved();
  print_line("account deleted: the server holds nothing of it any more; the master key was removed from the key cache");
}

}  // namespace synckit::cli
