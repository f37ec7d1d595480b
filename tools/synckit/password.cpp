#include "password.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "file_io.hpp"
#include "synckit/error.hpp"
#include "synckit/secret.hpp"

namespace synckit::cli {
namespace {

constexpr std::size_t kMaxPasswordBytes = 4096;
using Handler = void (*)(int);

// The terminal whose echo is off, so a signal can turn it back on.
int g_tty = -1;
termios g_saved{};

void restore_and_reraise(int sig) {
  if (g_tty >= 0) ::tcsetattr(g_tty, TCSAFLUSH, &g_saved);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void read_file_password(const std::string& path, Password& out) {
  Bytes bytes = read_input(path);
  std::size_t size = bytes.size();
  if (size > 0 && bytes[size - 1] == '\n') --size;
  if (size > 0 && size < bytes.size() && bytes[size - 1] == '\r') --size;
  if (size > kMaxPasswordBytes) size = kMaxPasswordBytes + 1;  // rejected below
  for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<char>(bytes[i]));
  secure_wipe(bytes.data(), bytes.size());
  if (size > kMaxPasswordBytes) throw Error(ErrorKind::invalid_input, "the password file is too long");
}

// Reads one line from the terminal with echo off; the prompt and the newline go to stderr.
void prompt_password(const std::string& prompt, Password& out) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (tty < 0)
    throw Error(ErrorKind::invalid_input,
                "no terminal to ask for the password on: pass --password-file FILE");
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  termios saved{};
  const bool is_tty = ::tcgetattr(tty, &saved) == 0;
  Handler previous_int = SIG_DFL;
  Handler previous_term = SIG_DFL;
  if (is_tty) {
    g_tty = tty;
    g_saved = saved;
    previous_int = std::signal(SIGINT, restore_and_reraise);
    previous_term = std::signal(SIGTERM, restore_and_reraise);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(tty, TCSAFLUSH, &quiet);
  }
  char c = 0;
  bool too_long = false;
  while (::read(tty, &c, 1) == 1 && c != '\n') {
    if (c == '\r') continue;
    if (out.str().size() < kMaxPasswordBytes) {
      out.push_back(c);
    } else {
      too_long = true;
    }
  }
  c = 0;
  if (is_tty) {
    ::tcsetattr(tty, TCSAFLUSH, &saved);
    g_tty = -1;
    std::signal(SIGINT, previous_int);
    std::signal(SIGTERM, previous_term);
  }
  ::close(tty);
  std::fputc('\n', stderr);
  if (too_long) throw Error(ErrorKind::invalid_input, "the password is too long");
}

}  // namespace

Password::~Password() { secure_wipe(text_.data(), text_.capacity()); }

void Password::push_back(char c) {
  if (text_.capacity() < kMaxPasswordBytes + 1) text_.reserve(kMaxPasswordBytes + 1);
  text_.push_back(c);
}

void read_password(const Args& args, const std::string& file_flag, const std::string& prompt, bool confirm,
                   Password& out) {
  if (const auto file = args.value(file_flag)) {
    read_file_password(*file, out);
  } else {
    prompt_password(prompt, out);
    if (confirm) {
      Password again;
      prompt_password("Repeat it: ", again);
      if (again.str() != out.str()) throw Error(ErrorKind::invalid_input, "the two passwords differ");
    }
  }
  if (out.empty()) throw Error(ErrorKind::invalid_input, "the password is empty");
}

}  // namespace synckit::cli
