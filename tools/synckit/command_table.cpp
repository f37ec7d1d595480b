#include "command_table.hpp"

#include <algorithm>

namespace synckit::cli {
namespace {

const std::vector<std::string> kGlobalFlags = {"--server",    "--api-key", "--profile",
                                               "--key-cache", "--verbose", "--help"};

// "FILE" for --password-file, … as --help shows a flag's value.
std::string placeholder(const std::string& flag) {
  if (flag.find("password-file") != std::string::npos || flag == "--code-file") return "FILE";
  if (flag == "--redirect-uri") return "URI";
  if (flag == "--platform") return "P";
  if (flag == "--cursor") return "N";
  return "PATH";
}

std::size_t word_count(const std::string& name) { return name.find(' ') == std::string::npos ? 1 : 2; }

std::string first_word(const std::string& name) { return name.substr(0, name.find(' ')); }

// The command's name and operands as --help shows them ("blob put ID FILE").
std::string synopsis(const CommandSpec& spec) {
  std::string out = spec.name;
  for (const std::string& operand : spec.operands) out += " " + operand;
  return out;
}

// "'device' needs one of: add, list, revoke".
std::string subcommand_hint(const std::string& group) {
  std::string out = "'" + group + "' needs one of:";
  for (const CommandSpec& spec : command_table()) {
    if (first_word(spec.name) == group) out += " " + spec.name.substr(group.size() + 1) + ",";
  }
  out.pop_back();
  return out;
}

void check_flags(const Args& args, const CommandSpec& spec) {
  for (const std::string& flag : args.given_flags()) {
    const bool global = std::find(kGlobalFlags.begin(), kGlobalFlags.end(), flag) != kGlobalFlags.end();
    const bool own = std::find(spec.flags.begin(), spec.flags.end(), flag) != spec.flags.end();
    if (!global && !own) throw UsageError(spec.name + " does not take " + flag);
  }
  for (const std::string& flag : spec.required) {
    if (!args.value(flag)) throw UsageError(spec.name + " needs " + flag + " " + placeholder(flag));
  }
}

}  // namespace

const std::vector<CommandSpec>& command_table() {
  // clang-format off
  static const std::vector<CommandSpec> table = {
      {"register", {"EMAIL"}, {"--password-file"}, {}, register_account, "create an account and sign in"},
      {"login", {"EMAIL"}, {"--password-file"}, {}, login, "sign in with email and password"},
      {"oauth-login", {}, {"--redirect-uri"}, {"--redirect-uri"}, oauth_login,
       "sign in through the browser (prints the URL; reads the redirect URL on stdin)"},
      {"setup-encryption new", {}, {"--password-file"}, {}, setup_encryption_new,
       "first device: make the master key, wrap it with the password, upload it"},
      {"setup-encryption existing", {}, {"--password-file"}, {}, setup_encryption_existing,
       "other devices: download the master key and unwrap it with the password"},
      {"change-password", {}, {"--old-password-file", "--new-password-file"}, {}, change_password,
       "re-wrap the master key under a new password (the encryption password)"},
      {"change-sign-in-password", {}, {"--old-password-file", "--new-password-file"}, {}, change_sign_in_password,
       "change the sign-in password; every other session ends"},
      {"recovery create", {}, {"--password-file"}, {}, recovery_create,
       "make a recovery code (printed once; replaces the previous one)"},
      {"recover", {"EMAIL"}, {"--code-file", "--new-password-file"}, {}, recover,
       "forgot the password: set a new one with the recovery code (signs in and unlocks)"},
      {"sessions list", {}, {}, {}, sessions_list, "list the account's sessions (tab-separated)"},
      {"sessions end", {"ID"}, {}, {}, sessions_end, "end a session (a lost device): its tokens stop working"},
      {"delete-account", {}, {"--password-file"}, {}, delete_account,
       "delete the account and everything of it on the server"},
      {"device add", {"NAME"}, {"--platform"}, {}, device_add,
       "register this device (prints its id; it becomes current)"},
      {"device list", {}, {}, {}, device_list, "list the account's devices (tab-separated)"},
      {"device revoke", {"ID"}, {}, {}, device_revoke, "revoke a device"},
      {"push", {}, {"--password-file"}, {}, push, "push JSON lines of changes from stdin; prints the cursor"},
      {"pull", {}, {"--cursor", "--follow", "--password-file"}, {}, pull,
       "print other devices' changes as JSON lines (resumes from the saved cursor)"},
      {"replica put", {"TABLE", "ROW_ID", "JSON"}, {"--password-file"}, {}, replica_put,
       "set a row of the local replica (works offline; synced by replica sync)"},
      {"replica delete", {"TABLE", "ROW_ID"}, {"--password-file"}, {}, replica_delete,
       "delete a row of the local replica (works offline)"},
      {"replica get", {"TABLE", "ROW_ID"}, {"--password-file"}, {}, replica_get,
       "print a row's data from the local replica (null: no such row)"},
      {"replica list", {"TABLE"}, {"--password-file"}, {}, replica_list,
       "print a table's rows as JSON lines {\"row_id\",\"data\"}, by row id"},
      {"replica sync", {}, {"--follow", "--password-file"}, {}, replica_sync,
       "push local writes, pull and merge other devices' (--follow: keep syncing, print pulled rows)"},
      {"blob put", {"ID", "FILE"}, {"--password-file"}, {}, blob_put,
       "encrypt and upload a file (- for stdin)"},
      {"blob get", {"ID", "FILE"}, {"--password-file"}, {}, blob_get,
       "download and decrypt a blob (- for stdout)"},
      {"blob rm", {"ID"}, {}, {}, blob_rm, "delete a blob"},
      {"status", {}, {}, {}, status, "profile, session and server counts as JSON"},
      {"logout", {}, {}, {}, logout, "sign out and remove the master key from the key cache"},
      {"demo", {}, {"--server-binary", "--keep"}, {}, demo,
       "two devices syncing through a local synckit-server, showing what the server stores"},
  };
  // clang-format on
  return table;
}

const CommandSpec& find_command(const Args& args, Invocation& out) {
  if (args.words.empty()) throw UsageError("no command given");
  const std::string& first = args.words[0];
  bool group = false;
  for (const CommandSpec& spec : command_table()) {
    if (first_word(spec.name) != first) continue;
    const std::size_t words = word_count(spec.name);
    group = words == 2;
    if (words == 2 && (args.words.size() < 2 || spec.name != first + " " + args.words[1])) continue;
    out.operands.assign(args.words.begin() + static_cast<std::ptrdiff_t>(words), args.words.end());
    if (out.operands.size() != spec.operands.size()) throw UsageError("usage: synckit " + synopsis(spec));
    check_flags(args, spec);
    return spec;
  }
  if (group) throw UsageError(subcommand_hint(first));
  throw UsageError("unknown command '" + first + "'");
}

std::string usage_text() {
  std::string out =
      "usage: synckit [--server URL --api-key KEY] [--profile DIR] COMMAND [ARGS] [FLAGS]\n\ncommands:\n";
  for (const CommandSpec& spec : command_table()) {
    std::string line = "  " + synopsis(spec);
    for (const std::string& flag : spec.flags) {
      const bool required =
          std::find(spec.required.begin(), spec.required.end(), flag) != spec.required.end();
      const std::string text = flag + (takes_value(flag) ? " " + placeholder(flag) : "");
      line += required ? " " + text : " [" + text + "]";
    }
    out += line + "\n      " + spec.summary + "\n";
  }
  out +=
      "\nglobal flags:\n"
      "  --server URL        server (https://, or http:// on loopback); remembered in the profile\n"
      "  --api-key KEY       the app's API key; remembered in the profile\n"
      "  --profile DIR       profile directory (default $XDG_CONFIG_HOME/synckit or ~/.config/synckit)\n"
      "  --key-cache os|memory|none  where the master key is cached between commands (default os:\n"
      "                      the OS keychain); remembered in the profile\n"
      "  --verbose           log each request (method, path, status; never secrets) to stderr\n"
      "Passwords are asked for on the terminal unless --password-file FILE is given.\n"
      "Errors: one line on stderr and exit 2; usage mistakes exit 1. See docs/cli.md.\n";
  return out;
}

}  // namespace synckit::cli
