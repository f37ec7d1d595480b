// The web platform's Scheduler: JavaScript's setTimeout on the one thread the page (or Node) runs;
// a task with no delay runs in the next macrotask (MessageChannel / setImmediate), unclamped.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>

#include "synckit/client/scheduler.hpp"

namespace synckit::web {

// Tasks run from the JavaScript event loop, never inline from post(). Destroying the scheduler
// clears every timer it still has, so no task runs after it is gone.
class WebScheduler final : public Scheduler {
 public:
  WebScheduler();
  ~WebScheduler() override;
  WebScheduler(const WebScheduler&) = delete;
  WebScheduler& operator=(const WebScheduler&) = delete;

  void post(std::chrono::milliseconds delay, std::function<void()> task) override;
  // Timers not yet run (for tests).
  std::size_t pending() const noexcept { return timers_.size(); }
  // Runs one timer's task (called from JavaScript).
  static void fire(void* timer);

 private:
  struct Timer;
  std::unordered_map<Timer*, std::unique_ptr<Timer>> timers_;
};

}  // namespace synckit::web
