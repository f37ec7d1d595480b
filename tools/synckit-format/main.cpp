// synckit-format: SyncKit's encryption format (v1) on the command line, for inspecting data and
// for other implementations to test against. Errors: one line on stderr, exit 2; usage: exit 1.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "synckit/error.hpp"
#include "synckit/native/sodium_random.hpp"

namespace {

using synckit::format_tool::Args;

constexpr const char* kUsage =
    "usage: synckit-format COMMAND [FLAGS]\n"
    "  wrap --key-file K --password-file P            envelope JSON on stdout\n"
    "  unwrap --password-file P < envelope.json       base64 master key on stdout\n"
    "  seal-change --key-file K --change-id C < change.json\n"
    "  open-change --key-file K --change-id C < payload.b64\n"
    "  seal-blob --key-file K --blob-id B < plain > sealed\n"
    "  open-blob --key-file K --blob-id B < sealed > plain\n"
    "  seal-blob-stream --key-file K --blob-id B < plain > sealed   (streamed form, any size)\n"
    "  open-blob-stream --key-file K --blob-id B --out FILE < sealed (FILE appears only if whole)\n"
    "  recovery-code                                  a new recovery code on stdout\n"
    "  recovery-wrap --key-file K --code-file R       recovery envelope JSON on stdout\n"
    "  recovery-open --code-file R < recovery.json    base64 master key on stdout\n"
    "  recovery-auth-key --code-file R                base64 recovery auth key on stdout\n"
    "K holds the base64 master key; P holds the password; R holds a recovery code (case, spaces\n"
    "and dashes do not matter). One trailing newline in P and R is ignored.\n";

int run(const Args& args) {
  synckit::native::SodiumRandom random;
  if (args.command == "wrap") synckit::format_tool::wrap(args, random);
  if (args.command == "unwrap") synckit::format_tool::unwrap(args);
  if (args.command == "seal-change") synckit::format_tool::seal_change(args, random);
  if (args.command == "open-change") synckit::format_tool::open_change(args);
  if (args.command == "seal-blob") synckit::format_tool::seal_blob(args, random);
  if (args.command == "open-blob") synckit::format_tool::open_blob(args);
  if (args.command == "seal-blob-stream") synckit::format_tool::seal_blob_stream(args, random);
  if (args.command == "open-blob-stream") synckit::format_tool::open_blob_stream(args);
  if (args.command == "recovery-code") synckit::format_tool::recovery_code(random);
  if (args.command == "recovery-wrap") synckit::format_tool::recovery_wrap(args, random);
  if (args.command == "recovery-open") synckit::format_tool::recovery_open(args);
  if (args.command == "recovery-auth-key") synckit::format_tool::recovery_auth_key(args);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.size() == 1 && (words[0] == "--help" || words[0] == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    const Args args = synckit::format_tool::parse_args(
        words, {{"wrap", {"--key-file", "--password-file"}},
                {"unwrap", {"--password-file"}},
                {"seal-change", {"--key-file", "--change-id"}},
                {"open-change", {"--key-file", "--change-id"}},
                {"seal-blob", {"--key-file", "--blob-id"}},
                {"open-blob", {"--key-file", "--blob-id"}},
                {"seal-blob-stream", {"--key-file", "--blob-id"}},
                {"open-blob-stream", {"--key-file", "--blob-id", "--out"}},
                {"recovery-code", {}},
                {"recovery-wrap", {"--key-file", "--code-file"}},
                {"recovery-open", {"--code-file"}},
                {"recovery-auth-key", {"--code-file"}}});
    return run(args);
  } catch (const synckit::format_tool::UsageError& e) {
    std::fprintf(stderr, "synckit-format: %s (see synckit-format --help)\n", e.what());
    return 1;
  } catch (const synckit::Error& e) {
    std::fprintf(stderr, "synckit-format: %s (%s)\n", e.what(), std::string(synckit::error_kind_name(e.kind())).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "synckit-format: %s\n", e.what());
    return 2;
  }
}
