// Command-line parsing for synckit-format: one command word, then --flag VALUE pairs.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace synckit::format_tool {

// A usage mistake (unknown command or flag, missing value): exit status 1.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;  // "--key-file" -> "path"

  // The value of a required flag; throws UsageError when absent.
  const std::string& require(const std::string& flag) const;
};

// Parses argv; `allowed` lists the flags each command takes, all of them required. Throws UsageError.
Args parse_args(const std::vector<std::string>& argv, const std::map<std::string, std::vector<std::string>>& allowed);

}  // namespace synckit::format_tool
