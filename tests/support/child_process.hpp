// Child processes for tests that run real programs (synckit-server, the hostile proxy): POSIX.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace synckit::test {

// A pipe with both ends closed on exec (a child gets the write end through dup2 only).
// Throws std::runtime_error.
void make_cloexec_pipe(int (&fds)[2]);

// Starts args[0] (an absolute path) with `args`: stdin /dev/null, stdout onto `stdout_fd`, stderr
// appended to `stderr_path` (created 0600) or inherited when that is empty; every signal back to
// its default and none blocked (the test's threads may block some). On Linux the child gets
// PR_SET_PDEATHSIG, so a crashed or timed-out test leaves no process behind: start it from a thread
// that outlives it. Returns the pid; throws std::runtime_error when fork fails (a failed exec exits
// the child with status 127).
pid_t spawn_child(const std::vector<std::string>& args, int stdout_fd, const std::string& stderr_path);

// Reads from `fd` until the text read so far contains `until`, EOF, or `deadline`; returns it.
std::string read_until(int fd, std::chrono::steady_clock::time_point deadline, const std::string& until);

}  // namespace synckit::test
