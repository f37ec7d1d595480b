// SIGINT/SIGTERM as a polite stop request, for commands that run until interrupted (pull --follow).
#pragma once

#include <chrono>

namespace synckit::cli {

// From now on SIGINT and SIGTERM only set a flag (no SA_RESTART needed: the work is on other threads).
void catch_stop_signals();
// True once SIGINT or SIGTERM arrived.
bool stop_requested() noexcept;
// Sleeps up to `duration`, waking early on a stop request; false when one arrived.
bool sleep_unless_stopped(std::chrono::milliseconds duration);

}  // namespace synckit::cli
