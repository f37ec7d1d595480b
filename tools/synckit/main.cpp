// synckit: SyncKit on the command line. Sign in, set up encryption, register devices, push and pull
// encrypted changes, store blobs, and `synckit demo`. Errors: one line on stderr, exit 2; usage
// mistakes: exit 1. See docs/cli.md.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "args.hpp"
#include "command_table.hpp"
#include "synckit/error.hpp"

namespace {

using synckit::cli::UsageError;

// The message on one line (a server's detail could hold a line break).
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

// What to add to a key-store failure so the user knows the way out.
std::string hint_for(const synckit::Error& e) {
  if (e.kind() == synckit::ErrorKind::keychain && e.detail().find("--key-cache") == std::string::npos) {
    return "; without an OS keychain pass --key-cache none";
  }
  return "";
}

int run(const std::vector<std::string>& words) {
  const synckit::cli::Args args = synckit::cli::parse_args(words);
  if (args.has("--help") || args.words.empty()) {
    std::fputs(synckit::cli::usage_text().c_str(), args.has("--help") ? stdout : stderr);
    return args.has("--help") ? 0 : 1;
  }
  synckit::cli::Invocation invocation{args, {}};
  const auto& command = synckit::cli::find_command(args, invocation);
  command.run(invocation);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "synckit: %s (run: synckit --help)\n", e.what());
    return 1;
  } catch (const synckit::Error& e) {
    std::fprintf(stderr, "synckit: %s%s (%s)\n", one_line(e.what()).c_str(), hint_for(e).c_str(),
                 std::string(synckit::error_kind_name(e.kind())).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "synckit: %s\n", one_line(e.what()).c_str());
    return 2;
  }
}
