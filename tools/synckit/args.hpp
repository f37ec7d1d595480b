// Command-line parsing for synckit: command words and operands, `--flag VALUE` (or --flag=VALUE)
// options and on/off switches, in any order. Which command takes which flags is command_table's job.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace synckit::cli {

// A usage mistake (unknown command or flag, missing operand): one-line hint, exit status 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::vector<std::string> words;             // command words then operands, in order
  std::map<std::string, std::string> values;  // "--server" -> "http://…"
  std::set<std::string> switches;             // "--follow"

  // The value of a flag, or nullopt when it was not given.
  std::optional<std::string> value(const std::string& flag) const;
  // True when the switch was given.
  bool has(const std::string& flag) const { return switches.count(flag) != 0; }
  // Every flag and switch given, for checking them against what a command accepts.
  std::vector<std::string> given_flags() const;
};

// Flags that take a value, and switches, across all commands (the tokeniser must know which is which).
bool takes_value(const std::string& flag);
bool is_switch(const std::string& flag);

// Splits argv (without the program name) into words, values and switches. A lone "-" is a word
// (stdin/stdout); "--" ends the flags. Throws UsageError for an unknown flag, a missing value, or a
// flag given twice.
Args parse_args(const std::vector<std::string>& argv);

}  // namespace synckit::cli
