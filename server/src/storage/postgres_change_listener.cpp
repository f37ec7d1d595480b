#include "storage/postgres_change_listener.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "storage/postgres_connection.hpp"

namespace synckit::server {

PgChangeListener::PgChangeListener(std::string conninfo, std::function<void(const std::string&)> on_change,
                                   std::function<void()> on_gap)
    : conninfo_(std::move(conninfo)), on_change_(std::move(on_change)), on_gap_(std::move(on_gap)) {
  if (::pipe(stop_pipe_) != 0) throw std::runtime_error("pipe() failed for the change listener");
  thread_ = std::thread([this] { run(); });
}

PgChangeListener::~PgChangeListener() {
  const char byte = 1;
  [[maybe_unused]] const auto written = ::write(stop_pipe_[1], &byte, 1);
  thread_.join();
  ::close(stop_pipe_[0]);
  ::close(stop_pipe_[1]);
}

bool PgChangeListener::pause(int milliseconds) {
  pollfd stop{stop_pipe_[0], POLLIN, 0};
  return ::poll(&stop, 1, milliseconds) == 0;
}

void PgChangeListener::run() {
  int backoff = 100;
  bool reported = false;  // a failure is logged once until the connection is back
  while (true) {
    try {
      PgConnection conn(conninfo_);
      conn.exec_script("LISTEN synckit_changes");
      if (reported) std::fprintf(stderr, "synckit-server: change listener connected again\n");
      reported = false;
      backoff = 100;
      on_gap_();  // whatever committed while nobody listened
      while (true) {
        pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {conn.socket(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) continue;  // EINTR
        if (fds[0].revents != 0) return;
        for (const auto& user_id : conn.take_notifications()) on_change_(user_id);
      }
    } catch (const std::exception& e) {
      if (!reported) std::fprintf(stderr, "synckit-server: change listener: %s; retrying\n", e.what());
      reported = true;
    }
    if (!pause(backoff)) return;
    backoff = std::min(backoff * 2, 5000);
  }
}

}  // namespace synckit::server
