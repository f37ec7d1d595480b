// Files, standard input and output for synckit. Failures throw Error{invalid_input} naming the path.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"

namespace synckit::cli {

// The whole of a file, or of standard input for "-".
Bytes read_input(const std::string& path);
// Writes bytes to a file (created or truncated, mode 0600) or to standard output for "-".
void write_output(const std::string& path, ByteView bytes);
// Writes a line and a newline to standard output and flushes it.
void print_line(std::string_view line);

// Replaces `path` atomically with `text`: a 0600 temporary file in the same directory, written and
// fsynced, then renamed over it.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);
// Creates `dir` (and its parents) if missing and makes it owner-only (0700). An existing directory
// of this user's is tightened to 0700; one of another user or with the sticky bit (/tmp) is refused.
void ensure_private_dir(const std::filesystem::path& dir);

}  // namespace synckit::cli
