// device add, device list, device revoke.
#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "session.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::cli {
namespace {

// This system's name in lower case ("linux", "darwin"), the default --platform.
std::string this_platform() {
  utsname name{};
  if (::uname(&name) != 0) return "unknown";
  std::string out = name.sysname;
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out.empty() ? "unknown" : out;
}

}  // namespace

void device_add(const Invocation& in) {
  Session session(in.args);
  native::Client& client = session.signed_in();
  const Device device =
      client.register_device(in.operands[0], in.args.value("--platform").value_or(this_platform()));
  session.update([&](Profile& p) {
    p.device_id = device.id;
    p.cursor = 0;
  });
  session.check_saved();
  print_line(device.id);
}

void device_list(const Invocation& in) {
  Session session(in.args);
  const std::string current = session.profile().device_id;
  for (const Device& device : session.signed_in().list_devices()) {
    std::string line =
        device.id + "\t" + device.name + "\t" + device.platform + "\t" + format_timestamp(device.created_at);
    if (device.id == current) line += "\tcurrent";
    print_line(line);
  }
  session.check_saved();
}

void device_revoke(const Invocation& in) {
  Session session(in.args);
  session.signed_in().revoke_device(in.operands[0]);
  if (session.profile().device_id == in.operands[0]) {
    session.update([](Profile& p) {
      p.device_id.clear();
      p.cursor = 0;
    });
  }
  session.check_saved();
  print_line("revoked device " + in.operands[0]);
}

}  // namespace synckit::cli
