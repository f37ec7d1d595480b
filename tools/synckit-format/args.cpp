#include "args.hpp"

#include <algorithm>

namespace synckit::format_tool {

const std::string& Args::require(const std::string& flag) const {
  const auto it = flags.find(flag);
  if (it == flags.end()) throw UsageError(command + " needs " + flag);
  return it->second;
}

Args parse_args(const std::vector<std::string>& argv,
                const std::map<std::string, std::vector<std::string>>& allowed) {
  if (argv.empty()) throw UsageError("no command given");
  Args args;
  args.command = argv[0];
  const auto command = allowed.find(args.command);
  if (command == allowed.end()) throw UsageError("unknown command '" + args.command + "'");
  for (std::size_t i = 1; i < argv.size(); i += 2) {
    const std::string& flag = argv[i];
    if (std::find(command->second.begin(), command->second.end(), flag) == command->second.end()) {
      throw UsageError(args.command + " does not take '" + flag + "'");
    }
    if (i + 1 >= argv.size()) throw UsageError(flag + " needs a value");
    if (!args.flags.emplace(flag, argv[i + 1]).second) throw UsageError(flag + " given twice");
  }
  for (const std::string& flag : command->second) args.require(flag);
  return args;
}

}  // namespace synckit::format_tool
