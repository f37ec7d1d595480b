#include "synckit/client/cancel_signal.hpp"

#include <algorithm>
#include <vector>

namespace synckit {

void CancelSignal::cancel() {
  std::vector<std::pair<std::uint64_t, std::function<void()>>> due;
  {
    const std::lock_guard lock(mutex_);
    if (cancelled_) return;
    cancelled_ = true;
    due.swap(hooks_);
  }
  for (auto& [id, hook] : due) hook();
}

bool CancelSignal::cancelled() const {
  const std::lock_guard lock(mutex_);
  return cancelled_;
}

std::uint64_t CancelSignal::on_cancel(std::function<void()> hook) {
  std::unique_lock lock(mutex_);
  const std::uint64_t id = next_id_++;
  if (cancelled_) {
    lock.unlock();
    hook();
    return id;
  }
  hooks_.emplace_back(id, std::move(hook));
  return id;
}

void CancelSignal::forget(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  hooks_.erase(std::remove_if(hooks_.begin(), hooks_.end(), [id](const auto& hook) { return hook.first == id; }),
               hooks_.end());
}

}  // namespace synckit
