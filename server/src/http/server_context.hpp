// Everything route handlers share: storage, token signer, settings, limiters, the clock.
#pragma once

#include <chrono>

#include "auth/token_signer.hpp"
#include "config.hpp"
#include "http/fault_injector.hpp"
#include "http/rate_limiter.hpp"
#include "live/wake_hub.hpp"
#include "storage/row_ids.hpp"
#include "storage/store.hpp"

namespace synckit::server {

struct ServerContext {
  Store& store;
  const TokenSigner& signer;
  const ServerConfig& config;
  RateLimiter& auth_limiter;  // sign-in attempts per remote address
  WakeHub& wakes;             // held live pulls, by user id
};

// Unix time now, in seconds (now_millis() is in storage/row_ids.hpp).
inline std::int64_t now_seconds() { return now_millis() / 1000; }

}  // namespace synckit::server
