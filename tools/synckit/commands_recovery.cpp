// recovery create, recover.
#include <iostream>
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "password.hpp"
#include "session.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {

void recovery_create(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.unlocked();
  const RecoveryCode code = client.create_recovery_code();
  session.check_saved();
  std::cerr << "Your recovery code (shown once; SyncKit keeps no copy). Keep it somewhere safe and offline:\n"
               "with it and your email, you can set a new password and read your data if you forget the\n"
               "password. A new code replaces this one.\n";
  print_line(std::string(code.view()));
}

void recover(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.client();
  Password code;
  read_password(in.args, "--code-file", "Recovery code: ", false, code);
  Password new_password;
  read_password(in.args, "--new-password-file", "New password: ", true, new_password);
  const Account account = client.recover(in.operands[0], code.str(), new_password.str());
  session.check_saved();
  print_line("recovered " + in.operands[0] + " (user " + account.user_id +
             "): the new password now signs in and unlocks; every other session has ended");
}

}  // namespace synckit::cli
