// One client connection (a session object per connection, as in Boost.Beast's advanced server):
// reads a request within its deadlines, has the worker pool answer it, writes the reply, and
// keeps the connection alive for the next; parks held requests (live pull) without a thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/message.hpp"

namespace synckit::server {

class Engine;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, Engine& engine, std::string address);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start();
  // Shutdown: idle or half-read connections close, held requests answer, the rest close after
  // their reply. Thread-safe.
  void stop();

 private:
  enum class State { header, idle, body, handling, held, writing, closed };
  using Clock = std::chrono::steady_clock;

  void read_header();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void wait_idle();
  void dispatch();
  void run_handler();
  void on_handled(Response res);
  void hold(const Hold& hold);
  void watch_hangup(std::uint64_t generation);
  void resume(std::uint64_t generation, bool final);
  void write(Response res);
  // A reply with a BodySource: the header, then one piece at a time, each read on the workers.
  void write_stream(Response res);
  void next_piece(bool keep_alive);
  void on_piece(std::string piece, bool ok, bool keep_alive);
  void on_write(boost::beast::error_code ec, bool keep_alive);
  void answer_error_and_close(int status, std::string_view message);
  void close();
  // The min-rate rule: `bytes` at min_body_rate after a grace of header_timeout from `start`.
  Clock::time_point rate_deadline(Clock::time_point start, std::size_t bytes) const;

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer timer_;
  Engine& engine_;
  std::string address_;
  State state_ = State::header;
  bool stopping_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  Clock::time_point header_done_{};
  Request request_;
  Response reply_;  // the reply being written (for the log line)
  std::uint64_t generation_ = 0;  // of the current hold
  std::uint64_t wake_id_ = 0;
  std::string wake_topic_;
  std::shared_ptr<boost::beast::http::response<boost::beast::http::string_body>> out_;
  // A streamed reply: its message, serializer, source, the piece being written and the bytes so far.
  std::unique_ptr<boost::beast::http::response<boost::beast::http::buffer_body>> stream_out_;
  std::optional<boost::beast::http::response_serializer<boost::beast::http::buffer_body>> serializer_;
  std::shared_ptr<BodySource> source_;
  std::string piece_;
  std::uint64_t streamed_ = 0;
};

}  // namespace synckit::server
