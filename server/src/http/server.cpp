#include "http/server.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "auth/signing_key_file.hpp"
#include "auth/token_signer.hpp"
#include "http/http_app.hpp"
#include "live/wake_hub.hpp"
#include "net/engine.hpp"

namespace synckit::server {
namespace {

// Waits for SIGINT/SIGTERM (blocked in every thread, see serve()) and stops the engine. The
// engine's stop() may come before run(): it is queued, so a signal is never lost.
std::thread watch_signals(Engine& engine, sigset_t signals) {
  return std::thread([&engine, signals] {
    int received = 0;
    sigwait(&signals, &received);
    engine.stop();
  });
}

// Purges expired refresh tokens and OAuth codes, and uploads older than upload_ttl, now and then
// every 10 minutes (or every half upload_ttl when that is shorter) until stopped.
class Housekeeper {
 public:
  Housekeeper(Store& store, std::chrono::seconds upload_ttl)
      : thread_([this, &store, upload_ttl] { run(store, upload_ttl); }) {}
  ~Housekeeper() {
    {
      const std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void run(Store& store, std::chrono::seconds upload_ttl) {
    const auto period = std::min<std::chrono::milliseconds>(std::chrono::minutes(10), upload_ttl / 2);
    std::unique_lock lock(mutex_);
    while (!stopped_) {
      try {
        const Millis now = now_millis();
        store.purge_expired(now);
        store.purge_uploads(now - std::chrono::duration_cast<std::chrono::milliseconds>(upload_ttl).count());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "synckit-server: purging expired sessions, codes and uploads failed: %s\n", e.what());
      }
      wake_.wait_for(lock, period, [this] { return stopped_; });
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
  WakeHub wakes;
  HttpApp app(config, store, signer, wakes);
  EngineOptions options;
  options.host = config.host;
  options.port = config.port;
  options.io_threads = config.io_threads;
  options.workers = config.threads;
  options.header_timeout = config.header_timeout;
  options.idle_timeout = config.idle_timeout;
  options.min_body_rate = config.min_body_rate;
  options.max_header_bytes = config.max_header_bytes;
  options.max_body_bytes = std::max({config.max_blob_bytes, config.blob_part_size, std::size_t{8} << 20}) + (1u << 20);
  options.max_connections = config.max_connections;
  options.max_connections_per_address = config.max_connections_per_address;
  Engine engine(options, app, wakes);
  // A push committed through another node wakes this node's held pulls (PostgreSQL); nothing
  // to watch on SQLite, where every push comes through this process.
  const auto feed = store.watch_changes([&wakes](const std::string& user_id) { wakes.notify(user_id); },
                                        [&wakes] { wakes.notify_all(); });
  std::thread watcher = watch_signals(engine, signals);
  const Housekeeper housekeeper(store, config.upload_ttl);
  on_listening(engine.port());
  engine.run();
  pthread_kill(watcher.native_handle(), SIGUSR1);  // ends a watcher still waiting
  watcher.join();
}

}  // namespace synckit::server
