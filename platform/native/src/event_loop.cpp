#include "synckit/native/event_loop.hpp"

#include <algorithm>
#include <utility>

namespace synckit::native {
namespace {

constexpr std::chrono::milliseconds kMaxDelay = std::chrono::hours(24 * 365 * 10);

// Heap order: the entry due first (then posted first) is at the front.
constexpr auto kLater = [](const auto& a, const auto& b) {
  return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
};

}  // namespace

EventLoop::EventLoop(ErrorHook on_task_error)
    : on_task_error_(std::move(on_task_error)), thread_([this] { run(); }) {}

EventLoop::~EventLoop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();  // throws (so terminates) when called from the loop thread
  std::vector<Entry> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(queue_);
  }
  // `dropped` is destroyed here, outside the lock: a task's destructor may still call post().
}

void EventLoop::post(std::chrono::milliseconds delay, std::function<void()> task) {
  if (!task) return;
  delay = std::clamp(delay, std::chrono::milliseconds(0), kMaxDelay);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    // now() under the lock: zero-delay tasks get non-decreasing due times in sequence order.
    queue_.push_back(Entry{Clock::now() + delay, next_sequence_++, std::move(task)});
    std::push_heap(queue_.begin(), queue_.end(), kLater);
  }
  wake_.notify_one();
}

bool EventLoop::on_loop_thread() const {
  return std::this_thread::get_id() == thread_.get_id();
}

void EventLoop::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    const Clock::time_point due = queue_.front().due;
    if (Clock::now() < due) {
      wake_.wait_until(lock, due);
      continue;
    }
    std::pop_heap(queue_.begin(), queue_.end(), kLater);
    std::function<void()> task = std::move(queue_.back().task);
    queue_.pop_back();
    lock.unlock();
    run_one(task);
    task = nullptr;  // destroyed outside the lock: its destructor may post
    lock.lock();
  }
}

void EventLoop::run_one(std::function<void()>& task) {
  try {
    task();
  } catch (...) {
    if (!on_task_error_) return;
    try {
      on_task_error_(std::current_exception());
    } catch (...) {
      // The hook's own failure is ignored: nothing may stop the loop.
    }
  }
}

}  // namespace synckit::native
