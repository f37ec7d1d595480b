#include "stop_signal.hpp"

#include <csignal>
#include <thread>

namespace synckit::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_stop(int) { g_stop = 1; }

}  // namespace

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool stop_requested() noexcept { return g_stop != 0; }

bool sleep_unless_stopped(std::chrono::milliseconds duration) {
  constexpr std::chrono::milliseconds kStep{50};
  for (auto slept = std::chrono::milliseconds::zero(); slept < duration && !stop_requested();
       slept += kStep) {
    std::this_thread::sleep_for(std::min(kStep, duration - slept));
  }
  return !stop_requested();
}

}  // namespace synckit::cli
