#include "live/wake_hub.hpp"

#include <vector>

namespace synckit::server {
namespace {

constexpr auto kForgetAfter = std::chrono::minutes(5);

void fire(std::vector<WakeHub::Waker>& wakers) {
  for (auto& waker : wakers) waker();
}

}  // namespace

WakeHub::Topic& WakeHub::touch(const std::string& topic, Clock::time_point now) {
  forget_idle(now);
  Topic& entry = topics_[topic];
  entry.used = now;
  return entry;
}

void WakeHub::forget_idle(Clock::time_point now) {
  if (now - last_sweep_ < kForgetAfter) return;
  last_sweep_ = now;
  for (auto it = topics_.begin(); it != topics_.end();) {
    it = it->second.wakers.empty() && now - it->second.used > kForgetAfter ? topics_.erase(it) : std::next(it);
  }
}

std::uint64_t WakeHub::version(const std::string& topic) {
  const std::lock_guard lock(mutex_);
  return touch(topic, Clock::now()).version;
}

std::uint64_t WakeHub::subscribe(const std::string& topic, std::uint64_t seen, Waker waker) {
  std::unique_lock lock(mutex_);
  Topic& entry = touch(topic, Clock::now());
  const std::uint64_t id = next_id_++;
  if (entry.version != seen) {
    lock.unlock();
    waker();
    return id;
  }
  entry.wakers.emplace(id, std::move(waker));
  ++waiting_;
  return id;
}

bool WakeHub::cancel(const std::string& topic, std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  const auto it = topics_.find(topic);
  if (it == topics_.end() || it->second.wakers.erase(id) == 0) return false;
  --waiting_;
  return true;
}

void WakeHub::notify(const std::string& topic) {
  std::vector<Waker> due;
  {
    const std::lock_guard lock(mutex_);
    Topic& entry = touch(topic, Clock::now());
    ++entry.version;
    for (auto& [id, waker] : entry.wakers) due.push_back(std::move(waker));
    waiting_ -= entry.wakers.size();
    entry.wakers.clear();
  }
  fire(due);
}

void WakeHub::notify_all() {
  std::vector<Waker> due;
  {
    const std::lock_guard lock(mutex_);
    for (auto& [name, entry] : topics_) {
      ++entry.version;
      for (auto& [id, waker] : entry.wakers) due.push_back(std::move(waker));
      entry.wakers.clear();
    }
    waiting_ = 0;
  }
  fire(due);
}

std::size_t WakeHub::waiting() const {
  const std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace synckit::server
