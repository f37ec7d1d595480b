#include "synckit/pooled_random.hpp"

#include <algorithm>
#include <cstring>

namespace synckit {

PooledRandom::PooledRandom() : pool_(kPoolBytes), next_(kPoolBytes) {}

void PooledRandom::refill() {
  next_ = kPoolBytes;  // if draw() throws, the pool stays empty
  draw({pool_.data(), pool_.size()});
  next_ = 0;
}

void PooledRandom::fill(std::span<std::uint8_t> out) {
  if (out.size() >= kPoolBytes) return draw(out);
  const std::lock_guard<std::mutex> lock(mutex_);
  for (std::size_t done = 0; done < out.size();) {
    if (next_ == kPoolBytes) refill();
    const std::size_t n = std::min(out.size() - done, kPoolBytes - next_);
    std::memcpy(out.data() + done, pool_.data() + next_, n);
    secure_wipe(pool_.data() + next_, n);
    next_ += n;
    done += n;
  }
}

}  // namespace synckit
