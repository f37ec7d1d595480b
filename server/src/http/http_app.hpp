// The server's request handling as a plain function: a parsed Request in, a Response out. CORS
// and preflights, the per-client rate limit and injected faults, then the routes of protocol.md,
// then the protocol's error body for anything left without one. No sockets: net/ calls it.
#pragma once

#include "auth/token_signer.hpp"
#include "config.hpp"
#include "http/cors.hpp"
#include "http/fault_injector.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/server_context.hpp"
#include "live/wake_hub.hpp"
#include "storage/store.hpp"

namespace synckit::server {

class HttpApp {
 public:
  HttpApp(const ServerConfig& config, Store& store, const TokenSigner& signer, WakeHub& wakes);
  HttpApp(const HttpApp&) = delete;
  HttpApp& operator=(const HttpApp&) = delete;

  // Answers `req`, or sets Response::hold (live pull). A resumed request skips the rate limit and
  // fault injection (it passed them when it arrived). Never throws.
  Response handle(Request& req);

 private:
  RateLimiter request_limiter_;
  RateLimiter auth_limiter_;
  FaultInjector faults_;
  Cors cors_;
  ServerContext ctx_;
  Router router_;
};

// One line on stderr per answered request: time, method, path (never the query), status,
// latency since the header arrived. Never bodies, tokens or keys.
void log_request(const Request& req, const Response& res);

}  // namespace synckit::server
