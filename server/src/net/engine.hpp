// The HTTP engine: Boost.Beast over Boost.Asio (epoll). Connections and held requests cost memory,
// not threads: a few I/O threads run every socket, and the request handler (HttpApp, which calls
// the blocking database) runs on a bounded worker pool beside them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "http/http_app.hpp"
#include "live/wake_hub.hpp"

namespace synckit::server {

class Connection;

// Deadlines and limits per connection, and the engine's size (docs/server.md, "Deadlines and limits").
struct EngineOptions {
  std::string host = "127.0.0.1";
  int port = 0;                                    // 0 = any free port
  int io_threads = 1;
  int workers = 8;                                 // threads for HttpApp::handle
  std::chrono::seconds header_timeout{10};         // a request header must be complete within this
  std::chrono::seconds idle_timeout{30};           // a kept-alive connection may stay silent this long
  double min_body_rate = 1024;                     // bytes/s a body (and a reply) must keep, after header_timeout
  std::size_t max_header_bytes = 16u << 10;
  std::size_t max_body_bytes = 72u << 20;
  std::size_t max_connections = 16384;
  std::size_t max_connections_per_address = 1024;
};

class Engine {
 public:
  // Binds and listens. Raises the file-descriptor limit to fit max_connections (lowering
  // max_connections, with a warning on stderr, when the hard limit is lower). Throws
  // std::runtime_error when it cannot listen.
  Engine(EngineOptions options, HttpApp& app, WakeHub& wakes);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  int port() const { return port_; }
  // Serves until stop(), then until every connection has ended: requests in flight finish,
  // held requests answer (final attempt), idle connections close at once.
  void run();
  // Stops accepting and winds the connections down. Thread-safe; any number of calls.
  void stop();

 private:
  friend class Connection;
  void accept();
  void on_accept(boost::asio::ip::tcp::socket socket);
  bool admit(const std::string& address);   // counts a connection in, unless over a limit
  void release(const std::string& address, Connection* connection);
  bool enlist(const std::shared_ptr<Connection>& connection);  // true when already stopping

  EngineOptions options_;
  HttpApp& app_;
  WakeHub& wakes_;
  boost::asio::io_context io_;
  boost::asio::thread_pool workers_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_;
  int port_ = 0;
  std::mutex mutex_;  // guards what follows
  bool stopping_ = false;
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_;
};

}  // namespace synckit::server
