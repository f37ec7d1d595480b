#include "net/engine.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <stdexcept>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "net/connection.hpp"

namespace synckit::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr rlim_t kSpareDescriptors = 128;  // database files, the log, the listener

// The reply to a connection over a limit: written whole, then the connection closes.
const std::string& over_limit_reply() {
  static const std::string reply = [] {
    const std::string body = R"({"error":{"code":"unavailable","message":"too many connections; try again in a moment"}})";
    return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
           "Connection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return reply;
}

// Raises the soft file-descriptor limit to fit `connections`; returns how many fit.
std::size_t fit_descriptor_limit(std::size_t connections) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return connections;
  const rlim_t wanted = static_cast<rlim_t>(connections) + kSpareDescriptors;
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur >= wanted) return connections;
  const std::size_t fit = limit.rlim_cur > kSpareDescriptors * 2 ? limit.rlim_cur - kSpareDescriptors : 64;
  std::fprintf(stderr, "synckit-server: the open-file limit (%llu) fits %zu connections, not %zu; serving %zu\n",
               static_cast<unsigned long long>(limit.rlim_cur), fit, connections, fit);
  return fit;
}

void reject(tcp::socket socket) {
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*held, asio::buffer(over_limit_reply()),
                    [held](boost::system::error_code, std::size_t) {
                      boost::system::error_code ec;
                      held->shutdown(tcp::socket::shutdown_both, ec);
                      held->close(ec);
                    });
}

}  // namespace

Engine::Engine(EngineOptions options, HttpApp& app, WakeHub& wakes)
    : options_(std::move(options)),
      app_(app),
      wakes_(wakes),
      io_(options_.io_threads),
      workers_(static_cast<std::size_t>(options_.workers)),
      acceptor_(io_),
      accept_pause_(io_) {
  options_.max_connections = fit_descriptor_limit(options_.max_connections);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) throw std::runtime_error("cannot listen on '" + options_.host + "': not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " +
                             ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
}

Engine::~Engine() {
  stop();
  workers_.join();
}

void Engine::run() {
  accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < options_.io_threads; ++i) threads.emplace_back([this] { io_.run(); });
  io_.run();
  for (auto& thread : threads) thread.join();
  workers_.join();
}

void Engine::stop() {
  asio::post(io_, [this] {
    boost::system::error_code ec;
    acceptor_.close(ec);
    accept_pause_.cancel();
    std::vector<std::shared_ptr<Connection>> live;
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
      for (auto& [key, weak] : connections_) {
        if (auto connection = weak.lock()) live.push_back(std::move(connection));
      }
    }
    for (auto& connection : live) connection->stop();
  });
}

void Engine::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of file descriptors (or a like failure): pause instead of spinning on it.
      std::fprintf(stderr, "synckit-server: accept failed: %s\n", ec.message().c_str());
      accept_pause_.expires_after(std::chrono::milliseconds(100));
      accept_pause_.async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec) accept();
      });
      return;
    }
    on_accept(std::move(socket));
    accept();
  });
}

void Engine::on_accept(tcp::socket socket) {
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);  // replies go out in one or two writes; no Nagle delay
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  std::string address = peer.address().to_string();
  if (!admit(address)) return reject(std::move(socket));
  auto connection = std::make_shared<Connection>(std::move(socket), *this, std::move(address));
  const bool stopping = enlist(connection);
  connection->start();
  if (stopping) connection->stop();  // stop() came between admit() and here
}

bool Engine::admit(const std::string& address) {
  const std::lock_guard lock(mutex_);
  auto& count = per_address_[address];
  if (stopping_ || open_ >= options_.max_connections || count >= options_.max_connections_per_address) {
    if (count == 0) per_address_.erase(address);
    return false;
  }
  ++count;
  ++open_;
  return true;
}

bool Engine::enlist(const std::shared_ptr<Connection>& connection) {
  const std::lock_guard lock(mutex_);
  connections_.emplace(connection.get(), connection);
  return stopping_;
}

void Engine::release(const std::string& address, Connection* connection) {
  const std::lock_guard lock(mutex_);
  connections_.erase(connection);
  --open_;
  const auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

}  // namespace synckit::server
