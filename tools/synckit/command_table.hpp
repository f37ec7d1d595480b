// Which commands exist, what operands and flags each takes, and the --help text built from that.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"

namespace synckit::cli {

struct CommandSpec {
  std::string name;                   // "device add": one or two words
  std::vector<std::string> operands;  // "ID", "FILE": exactly these many follow the name
  std::vector<std::string> flags;     // command flags and switches it takes (global ones always)
  std::vector<std::string> required;  // those of `flags` it cannot do without
  void (*run)(const Invocation&);
  std::string summary;  // one line for --help
};

// Every command, in --help order.
const std::vector<CommandSpec>& command_table();
// The command args.words names, with its operands checked; throws UsageError (unknown command,
// wrong operand count, a flag it does not take or a required one missing).
const CommandSpec& find_command(const Args& args, Invocation& out);
// The --help text.
std::string usage_text();

}  // namespace synckit::cli
