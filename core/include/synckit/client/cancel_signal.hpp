// Lets a caller end a request in flight (a held live pull, a watch being stopped): cancel() makes
// the transport drop the request and report TransportFailure::cancelled, and the client's call
// fail with Error{cancelled}. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace synckit {

class CancelSignal {
 public:
  // Fires once: every hook runs (on the calling thread); later calls do nothing.
  void cancel();
  bool cancelled() const;
  // Runs `hook` on cancel() (at once, here, when already cancelled). Returns an id for forget().
  // For transports: the hook wakes whatever must drop the request.
  std::uint64_t on_cancel(std::function<void()> hook);
  // Drops a hook that has not run (the request finished first).
  void forget(std::uint64_t id);

 private:
  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::uint64_t next_id_ = 1;
  std::vector<std::pair<std::uint64_t, std::function<void()>>> hooks_;  // a few at most
};

}  // namespace synckit
