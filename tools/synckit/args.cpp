#include "args.hpp"

#include <algorithm>
#include <array>

namespace synckit::cli {
namespace {

// clang-format off
constexpr std::array kValueFlags = {"--server", "--api-key", "--profile", "--key-cache", "--password-file",
                                    "--old-password-file", "--new-password-file", "--redirect-uri",
                                    "--platform", "--cursor", "--server-binary", "--code-file"};
// clang-format on
constexpr std::array kSwitches = {"--follow", "--keep", "--verbose", "--help"};

void add_value(Args& args, const std::string& flag, std::string value) {
  if (!args.values.emplace(flag, std::move(value)).second) throw UsageError(flag + " given twice");
}

}  // namespace

std::optional<std::string> Args::value(const std::string& flag) const {
  const auto it = values.find(flag);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::given_flags() const {
  std::vector<std::string> out(switches.begin(), switches.end());
  for (const auto& [flag, value] : values) out.push_back(flag);
  return out;
}

bool takes_value(const std::string& flag) {
  return std::find(kValueFlags.begin(), kValueFlags.end(), flag) != kValueFlags.end();
}

bool is_switch(const std::string& flag) {
  return std::find(kSwitches.begin(), kSwitches.end(), flag) != kSwitches.end();
}

Args parse_args(const std::vector<std::string>& argv) {
  Args args;
  bool flags_done = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "-h") arg = "--help";
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      args.words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    const auto equals = arg.find('=');
    const std::string flag = arg.substr(0, equals);
    if (is_switch(flag)) {
      if (equals != std::string::npos) throw UsageError(flag + " takes no value");
      args.switches.insert(flag);
    } else if (!takes_value(flag)) {
      throw UsageError("unknown flag '" + flag + "'");
    } else if (equals != std::string::npos) {
      add_value(args, flag, arg.substr(equals + 1));
    } else {
      if (i + 1 >= argv.size()) throw UsageError(flag + " needs a value");
      add_value(args, flag, argv[++i]);
    }
  }
  return args;
}

}  // namespace synckit::cli
