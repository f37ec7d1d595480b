// Native Scheduler: one thread that runs posted tasks in order, and delayed tasks at their time.
// The client's event loop: transport completions and backoff waits all run here, one at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "synckit/client/scheduler.hpp"

namespace synckit::native {

// Tasks run one at a time on the loop's own thread, ordered by due time (steady clock) and, among
// tasks due at the same instant, in the order they were posted (so zero-delay tasks are FIFO).
class EventLoop final : public Scheduler {
 public:
  // Called on the loop thread with what a task threw; its own exceptions are swallowed.
  using ErrorHook = std::function<void(std::exception_ptr)>;

  // Starts the loop thread. A task that throws never stops the loop: the exception goes to
  // `on_task_error` if given, else it is ignored. Throws std::system_error if no thread starts.
  explicit EventLoop(ErrorHook on_task_error = {});
  // Stops the thread after the task running now (if any); tasks not yet run are dropped (destroyed
  // unrun, after the thread has ended). Calling it from the loop thread terminates the process.
  ~EventLoop() override;

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Thread-safe, also from inside a task; never runs `task` inline. A negative delay counts as 0;
  // delays beyond ten years are clamped. Once destruction has begun the task is dropped.
  void post(std::chrono::milliseconds delay, std::function<void()> task) override;
  // Whether the caller is running on the loop thread (inside a task).
  bool on_loop_thread() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Clock::time_point due;
    std::uint64_t sequence = 0;
    std::function<void()> task;
  };

  void run();
  void run_one(std::function<void()>& task);

  ErrorHook on_task_error_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Entry> queue_;  // a min-heap by (due, sequence)
  std::uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every other member exists
};

}  // namespace synckit::native
