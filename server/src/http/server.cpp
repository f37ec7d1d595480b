#include "http/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <httplib.h>

#include "auth/signing_key_file.hpp"
#include "auth/token_signer.hpp"
#include "http/cors.hpp"
#include "http/fault_injector.hpp"
#include "http/rate_limiter.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "http/server_context.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::server {
namespace {

using Steady = std::chrono::steady_clock;

// Set when a request enters routing, read by the logger on the same worker thread.
thread_local Steady::time_point request_started;

// One line per request: time, method, path (never the query), status, latency. Never bodies,
// tokens or keys.
void log_request(const httplib::Request& req, const httplib::Response& res) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - request_started).count();
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::fprintf(stderr, "%s %s %s %d %.1fms\n", format_timestamp(now).c_str(), req.method.c_str(), req.path.c_str(),
               res.status, static_cast<double>(micros) / 1000.0);
}

// A reply made before routing leaves the request body unread on the connection (cpp-httplib reads
// it only for routed handlers); the next request on a kept-alive connection would start inside
// that body. So such replies close the connection.
httplib::Server::HandlerResponse reject_early(httplib::Response& res, int status, std::string_view code,
                                              std::string_view message) {
  send_error(res, status, code, message);
  res.set_header("Connection", "close");
  return httplib::Server::HandlerResponse::Handled;
}

// Before routing: CORS headers and preflights, the per-client rate limit, injected faults.
httplib::Server::HandlerResponse before_routing(const Cors& cors, RateLimiter& limiter, const FaultInjector& faults,
                                                const httplib::Request& req, httplib::Response& res) {
  request_started = Steady::now();
  cors.apply(req, res);
  if (cors.answer_preflight(req, res)) return httplib::Server::HandlerResponse::Handled;
  if (req.path != "/v1/health") {
    if (const auto wait = limiter.take(req.remote_addr + "|" + req.get_header_value("X-SyncKit-Api-Key"))) {
      res.set_header("Retry-After", std::to_string(*wait));
      return reject_early(res, 429, "rate_limited", "too many requests; try again later");
    }
  }
  if (const auto status = faults.pick(req.path)) {
    if (*status != 500) res.set_header("Retry-After", "1");
    return reject_early(res, *status, error_code_for(*status), "fault injected on purpose (--fault-rate)");
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

// Replies httplib makes itself (unknown route, body over the limit) get the protocol's error body.
httplib::Server::HandlerResponse fill_error_body(const httplib::Request&, httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  const std::string_view message = res.status == 404   ? "no such endpoint"
                                   : res.status == 413 ? "the request body is too large"
                                                       : "the request could not be served";
  send_error(res, res.status, error_code_for(res.status), message);
  return httplib::Server::HandlerResponse::Handled;
}

// Waits for SIGINT/SIGTERM (blocked in every thread, see serve()) and stops the server. A signal
// that arrives before the server runs is kept until it does, so it is never lost.
std::thread watch_signals(httplib::Server& server, sigset_t signals) {
  return std::thread([&server, signals] {
    int received = 0;
    sigwait(&signals, &received);
    while (!server.is_running() && received != SIGUSR1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    server.stop();
  });
}

// Purges expired refresh tokens and OAuth codes now and every 10 minutes until stopped.
class Housekeeper {
 public:
  explicit Housekeeper(Store& store) : thread_([this, &store] { run(store); }) {}
  ~Housekeeper() {
    {
      const std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void run(Store& store) {
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      try {
        store.purge_expired(now_millis());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "synckit-server: purging expired tokens failed: %s\n", e.what());
      }
      wake_.wait_for(lock, std::chrono::minutes(10), [this] { return stopped_; });
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // internal: ends the watcher when the server stops by itself
  return signals;
}

void block_shutdown_signals() {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void serve(const ServerConfig& config, Store& store, const std::function<void(int port)>& on_listening) {
  block_shutdown_signals();
  const sigset_t signals = shutdown_signals();

  const TokenSigner signer(load_or_create_signing_key(signing_key_path(config)), config.token_ttl);
  RateLimiter request_limiter(config.rate_limit, std::chrono::seconds(1));
  RateLimiter auth_limiter(config.auth_rate_limit, std::chrono::minutes(1));
  const FaultInjector faults(config.fault_rate, config.fault_status);
  const Cors cors(config.cors_origins);
  ServerContext ctx{store, signer, config, auth_limiter};

  httplib::Server server;
  server.new_task_queue = [threads = config.threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // Idle keep-alive connections are closed after 2 s, so a shutdown never waits longer for them;
  // a connection serves up to 100 requests (each holds a worker thread while it is open).
  server.set_keep_alive_timeout(2);
  server.set_keep_alive_max_count(100);
  // Replies go out in two writes (headers, body): without TCP_NODELAY, Nagle's algorithm holds the
  // second one until the client's delayed ACK, up to 40 ms per request.
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(std::max<std::size_t>(config.max_blob_bytes, 8u << 20) + (1u << 20));
  server.set_pre_routing_handler([&](const auto& req, auto& res) {
    return before_routing(cors, request_limiter, faults, req, res);
  });
  server.set_error_handler(httplib::Server::HandlerWithResponse(fill_error_body));
  server.set_logger(log_request);
  add_auth_routes(server, ctx);
  add_oauth_routes(server, ctx);
  add_key_routes(server, ctx);
  add_device_routes(server, ctx);
  add_sync_routes(server, ctx);
  add_blob_routes(server, ctx);
  add_service_routes(server, ctx);

  const int port = config.port == 0 ? server.bind_to_any_port(config.host) :
                   (server.bind_to_port(config.host, config.port) ? config.port : -1);
  if (port < 0) throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port));
  std::thread watcher = watch_signals(server, signals);
  const Housekeeper housekeeper(store);
  on_listening(port);
  const bool served = server.listen_after_bind();
  pthread_kill(watcher.native_handle(), SIGUSR1);  // no-op for a watcher that already returned
  watcher.join();
  if (!served) throw std::runtime_error("the server stopped unexpectedly");
}

}  // namespace synckit::server
