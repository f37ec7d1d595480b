// The HTTP server: routes, middleware (CORS, rate limit, faults, request log), listening, shutdown.
#pragma once

#include <functional>
#include <memory>

#include "config.hpp"
#include "storage/store.hpp"

namespace synckit::server {

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later), so one that
// arrives while the server starts waits for serve() instead of killing the process or being lost.
void block_shutdown_signals();

// Serves `store` until SIGINT/SIGTERM. Calls `on_listening(port)` once bound. Throws
// std::runtime_error when it cannot bind or read the signing key.
void serve(const ServerConfig& config, Store& store, const std::function<void(int port)>& on_listening);

}  // namespace synckit::server
