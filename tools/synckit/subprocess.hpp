// Child processes for the demo: start one with its stdout in a pipe, read its lines with a
// deadline, stop it with SIGTERM and reap it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace synckit::cli {

struct Child {
  pid_t pid = -1;
  int stdout_fd = -1;  // read end of the child's stdout
};

// Starts argv[0] (a path) with stdin from /dev/null, stdout into a pipe and stderr appended to
// `stderr_path`. Throws Error{invalid_input} when it cannot be started.
Child spawn_child(const std::vector<std::string>& argv, const std::string& stderr_path);
// The next line of `fd` (without "\n"), or nullopt at end of file or when `timeout` passes first.
// `buffer` keeps what was read beyond the line.
std::optional<std::string> read_line(int fd, std::string& buffer, std::chrono::milliseconds timeout);
// Everything left on `fd` until end of file.
std::string read_to_end(int fd);
// Waits for the child; its exit status, or 128 + the signal that ended it.
int wait_child(pid_t pid);
// SIGTERM, then waits up to `grace` (SIGKILL after that); returns the status as wait_child does.
int stop_child(pid_t pid, std::chrono::milliseconds grace);

}  // namespace synckit::cli
