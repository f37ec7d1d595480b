// Wakes held requests (live pull) when their topic (a user id) gets new changes. Thread-safe.
//
// A handler reads version(topic) *before* it looks in the database, and holds with that version;
// subscribe() fires at once when a notify() came in between, so no change is missed. Topics
// without waiters are forgotten a few minutes after their last use.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace synckit::server {

class WakeHub {
 public:
  using Waker = std::function<void()>;

  // The number of notify() calls `topic` has seen (remembered a few minutes after its last use).
  std::uint64_t version(const std::string& topic);
  // Calls `waker` once (on the notifying thread, or here when `topic` is already past `seen`)
  // unless cancelled first. Returns the id for cancel().
  std::uint64_t subscribe(const std::string& topic, std::uint64_t seen, Waker waker);
  // Forgets a waker that has not fired; false when it has fired (or never existed).
  bool cancel(const std::string& topic, std::uint64_t id);
  // New changes for `topic`: every waker of it fires.
  void notify(const std::string& topic);
  // Every waker of every topic fires (notifications may have been lost, or the server stops).
  void notify_all();
  // How many wakers wait, over all topics.
  std::size_t waiting() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Topic {
    std::uint64_t version = 0;
    Clock::time_point used{};
    std::unordered_map<std::uint64_t, Waker> wakers;
  };
  Topic& touch(const std::string& topic, Clock::time_point now);  // mutex_ held
  void forget_idle(Clock::time_point now);                        // mutex_ held

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> topics_;
  std::uint64_t next_id_ = 1;
  std::size_t waiting_ = 0;
  Clock::time_point last_sweep_{};
};

}  // namespace synckit::server
