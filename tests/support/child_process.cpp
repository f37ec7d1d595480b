#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace synckit::test {
namespace {

[[noreturn]] void fail(const char* call) {
  throw std::runtime_error(std::string("child process: ") + call + ": " + std::strerror(errno));
}

}  // namespace

void make_cloexec_pipe(int (&fds)[2]) {
  if (::pipe(fds) != 0) fail("pipe");
  ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
}

pid_t spawn_child(const std::vector<std::string>& args, int stdout_fd, const std::string& stderr_path) {
  // Everything the child needs is prepared before fork(): after it, in a process with threads,
  // the child may only make async-signal-safe calls until execve.
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const char* log = stderr_path.empty() ? nullptr : stderr_path.c_str();
  [[maybe_unused]] const pid_t parent = ::getpid();
  sigset_t none;
  sigemptyset(&none);

  const pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
#ifdef __linux__
    // Dies with the test process, even when that one crashes or is killed by a CTest timeout.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
#endif
    const int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, 0) < 0 || ::dup2(stdout_fd, 1) < 0) ::_exit(127);
    if (in > 2) ::close(in);
    if (log != nullptr) {
      const int err = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (err < 0 || ::dup2(err, 2) < 0) ::_exit(127);
      if (err > 2) ::close(err);
    }
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(argv[0], argv.data(), environ);
    ::_exit(127);
  }
  return pid;
}

std::string read_until(int fd, std::chrono::steady_clock::time_point deadline, const std::string& until) {
  std::string text;
  char buffer[4096];
  while (until.empty() || text.find(until) == std::string::npos) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child closed stdout (exited)
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace synckit::test
