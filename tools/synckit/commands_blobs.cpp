// blob put, blob get, blob rm: files sealed on this device, stored as ciphertext.
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "session.hpp"

namespace synckit::cli {

void blob_put(const Invocation& in) {
  Session session(in.args);
  const Bytes plain = read_input(in.operands[1]);
  session.unlocked().put_blob(in.operands[0], plain);
  session.check_saved();
  print_line("stored blob " + in.operands[0] + ": " + std::to_string(plain.size()) +
             " bytes, sealed on this device");
}

void blob_get(const Invocation& in) {
  Session session(in.args);
  const Bytes plain = session.unlocked().get_blob(in.operands[0]);
  session.check_saved();
  write_output(in.operands[1], plain);
}

void blob_rm(const Invocation& in) {
  Session session(in.args);
  session.signed_in().delete_blob(in.operands[0]);
  session.check_saved();
  print_line("deleted blob " + in.operands[0]);
}

}  // namespace synckit::cli
