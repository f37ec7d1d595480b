#include "net/connection.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdio>

#include "http/responses.hpp"
#include "net/engine.hpp"
#include "synckit/error.hpp"

namespace synckit::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::size_t kBodyReadBytes = 64u << 10;

// Splits the request target into a decoded path and query parameters. Throws synckit::Error
// (invalid_input) on a malformed escape.
void read_target(std::string_view target, Request& req) {
  const auto question = target.find('?');
  req.path = percent_decode(target.substr(0, question), "path");
  if (question != std::string_view::npos) req.params = parse_query(target.substr(question + 1));
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, Engine& engine, std::string address)
    : stream_(std::move(socket)), timer_(stream_.get_executor()), engine_(engine), address_(std::move(address)) {}

Connection::~Connection() { engine_.release(address_, this); }

void Connection::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
}

void Connection::stop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    switch (self->state_) {
      case State::idle:
      case State::header: self->close(); break;
      case State::held: self->resume(self->generation_, true); break;
      default: break;  // the reply goes out with Connection: close
    }
  });
}

Connection::Clock::time_point Connection::rate_deadline(Clock::time_point start, std::size_t bytes) const {
  const auto& options = engine_.options_;
  const auto allowance = std::chrono::duration<double>(static_cast<double>(bytes) / options.min_body_rate);
  return start + options.header_timeout + std::chrono::duration_cast<Clock::duration>(allowance);
}

void Connection::read_header() {
  if (stopping_) return close();
  state_ = State::header;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(engine_.options_.max_header_bytes));
  parser_->body_limit(engine_.options_.max_body_bytes);
  stream_.expires_after(engine_.options_.header_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
}

void Connection::on_header(beast::error_code ec) {
  if (state_ == State::closed) return;
  if (ec == http::error::header_limit) return answer_error_and_close(431, "the request header is too large");
  if (ec == http::error::body_limit) return answer_error_and_close(413, "the request body is too large");
  if (ec == http::error::end_of_stream || ec == http::error::partial_message || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset || ec == asio::error::eof) {
    return close();  // the client went away (or too slow): nobody to answer
  }
  if (ec) return answer_error_and_close(400, "the request is not valid HTTP/1.1");
  header_done_ = Clock::now();
  if (parser_->is_done()) return dispatch();
  // Read the body in large pieces (Beast reads as much as the buffer has room for, at least 512
  // bytes); the buffer shrinks back once the request is answered.
  const auto length = parser_->content_length();
  buffer_.reserve(std::min<std::size_t>(length ? static_cast<std::size_t>(*length) : kBodyReadBytes, kBodyReadBytes));
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    stream_.expires_at(rate_deadline(header_done_, kContinue.size()));
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        if (write_ec) return self->close();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Connection::read_body() {
  state_ = State::body;
  stream_.expires_at(rate_deadline(header_done_, parser_->get().body().size()));
  http::async_read_some(stream_, buffer_, *parser_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
}

void Connection::on_body(beast::error_code ec) {
  if (state_ == State::closed) return;
  if (ec == http::error::body_limit) return answer_error_and_close(413, "the request body is too large");
  if (ec == http::error::bad_chunk || ec == http::error::bad_chunk_extension) {
    return answer_error_and_close(400, "the request body is not valid chunked encoding");
  }
  if (ec) return close();  // a deadline, a reset or an early end: nobody to answer
  if (parser_->is_done()) return dispatch();
  read_body();
}

void Connection::dispatch() {
  auto& message = parser_->get();
  request_ = Request{};
  request_.method = std::string(message.method_string());
  request_.received_at = header_done_;
  request_.remote_addr = address_;
  for (const auto& field : message) {
    request_.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  keep_alive_ = message.keep_alive();
  version_ = message.version();
  try {
    read_target(message.target(), request_);
  } catch (const synckit::Error&) {
    request_.path = "-";
    return answer_error_and_close(400, "the request target is not valid");
  }
  request_.body = std::move(message.body());
  parser_.reset();
  if (buffer_.size() == 0) buffer_.shrink_to_fit();  // an idle connection keeps no body buffer
  run_handler();
}

void Connection::run_handler() {
  state_ = State::handling;
  // The work guard keeps the I/O threads running until the reply is back on this strand.
  asio::post(engine_.workers_, [self = shared_from_this(), guard = asio::make_work_guard(stream_.get_executor())] {
    Response res = self->engine_.app_.handle(self->request_);
    asio::post(self->stream_.get_executor(),
               [self, res = std::move(res)]() mutable { self->on_handled(std::move(res)); });
  });
}

void Connection::on_handled(Response res) {
  if (state_ == State::closed) return;
  if (!res.hold) return write(std::move(res));
  if (stopping_) {
    request_.final_attempt = true;
    request_.resumed = true;
    return run_handler();
  }
  hold(*res.hold);
}

void Connection::hold(const Hold& hold) {
  state_ = State::held;
  const std::uint64_t generation = ++generation_;
  timer_.expires_at(hold.until);
  timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    if (!ec) self->resume(generation, true);
  });
  std::weak_ptr<Connection> weak = shared_from_this();
  const auto executor = stream_.get_executor();
  request_.matches.clear();
  wake_id_ = engine_.wakes_.subscribe(hold.topic, hold.seen, [weak, executor, generation] {
    asio::post(executor, [weak, generation] {
      if (auto self = weak.lock()) self->resume(generation, false);
    });
  });
  wake_topic_ = hold.topic;
  watch_hangup(generation);
}

void Connection::watch_hangup(std::uint64_t generation) {
  // A held request notices its client leaving (readable with nothing to read: EOF or reset), so
  // the connection is not kept until the wait ends. Bytes of a pipelined next request stay unread.
  stream_.socket().async_wait(
      asio::ip::tcp::socket::wait_read,
      asio::bind_executor(stream_.get_executor(), [self = shared_from_this(), generation](beast::error_code ec) {
        if (self->state_ != State::held || generation != self->generation_ || ec) return;
        char byte = 0;
        beast::error_code peek_ec;
        const auto got = self->stream_.socket().receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, peek_ec);
        if (peek_ec || got == 0) self->close();
      }));
}

void Connection::resume(std::uint64_t generation, bool final) {
  if (state_ != State::held || generation != generation_) return;
  timer_.cancel();
  engine_.wakes_.cancel(wake_topic_, wake_id_);
  request_.resumed = true;
  request_.final_attempt = final || stopping_;
  run_handler();
}

void Connection::write(Response res) {
  if (res.stream) return write_stream(std::move(res));
  state_ = State::writing;
  out_ = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(res.status), version_);
  for (const auto& [name, value] : res.headers) out_->set(name, value);
  out_->body() = std::move(res.body);
  const bool keep_alive = keep_alive_ && !res.close && !stopping_;
  out_->keep_alive(keep_alive);
  out_->prepare_payload();
  res.body.clear();
  reply_ = std::move(res);
  stream_.expires_at(rate_deadline(Clock::now(), out_->body().size()));
  http::async_write(stream_, *out_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
    self->on_write(ec, keep_alive);
  });
}

void Connection::write_stream(Response res) {
  state_ = State::writing;
  source_ = std::move(res.stream);
  streamed_ = 0;
  stream_out_ = std::make_unique<http::response<http::buffer_body>>(static_cast<http::status>(res.status), version_);
  for (const auto& [name, value] : res.headers) stream_out_->set(name, value);
  const bool keep_alive = keep_alive_ && !res.close && !stopping_;
  stream_out_->keep_alive(keep_alive);
  stream_out_->content_length(source_->size());
  stream_out_->body().data = nullptr;
  stream_out_->body().more = true;
  reply_ = std::move(res);
  serializer_.emplace(*stream_out_);
  stream_.expires_at(rate_deadline(Clock::now(), 0));
  http::async_write_header(stream_, *serializer_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
    if (ec) return self->on_write(ec, false);
    self->next_piece(keep_alive);
  });
}

void Connection::next_piece(bool keep_alive) {
  if (state_ == State::closed) return;
  if (streamed_ == source_->size()) {  // all sent (or nothing to send): end the message
    stream_out_->body().data = nullptr;
    stream_out_->body().size = 0;
    stream_out_->body().more = false;
    http::async_write(stream_, *serializer_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
      self->on_write(ec, keep_alive);
    });
    return;
  }
  asio::post(engine_.workers_, [self = shared_from_this(), keep_alive, guard = asio::make_work_guard(stream_.get_executor())] {
    std::string piece;
    bool ok = true;
    try {
      piece = self->source_->next();
    } catch (const std::exception&) {
      ok = false;
    }
    asio::post(self->stream_.get_executor(), [self, piece = std::move(piece), ok, keep_alive]() mutable {
      self->on_piece(std::move(piece), ok, keep_alive);
    });
  });
}

void Connection::on_piece(std::string piece, bool ok, bool keep_alive) {
  if (state_ == State::closed) return;
  if (!ok || piece.empty() || piece.size() > source_->size() - streamed_) {
    // The body cannot be finished: cut the connection, so the client sees it short.
    std::fprintf(stderr, "synckit-server: a streamed reply could not be finished; the connection is cut\n");
    return on_write(asio::error::operation_aborted, false);
  }
  piece_ = std::move(piece);
  streamed_ += piece_.size();
  stream_out_->body().data = piece_.data();
  stream_out_->body().size = piece_.size();
  stream_out_->body().more = streamed_ < source_->size();
  stream_.expires_at(rate_deadline(Clock::now(), piece_.size()));
  http::async_write(stream_, *serializer_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return self->on_write(ec, false);
    if (self->serializer_->is_done()) return self->on_write(ec, keep_alive);
    self->next_piece(keep_alive);
  });
}

void Connection::on_write(beast::error_code ec, bool keep_alive) {
  log_request(request_, reply_);
  out_.reset();
  serializer_.reset();
  stream_out_.reset();
  source_.reset();
  piece_ = std::string();
  request_ = Request{};
  reply_ = Response{};
  if (ec || !keep_alive || stopping_) return close();
  wait_idle();
}

void Connection::wait_idle() {
  if (buffer_.size() > 0) return read_header();  // the next request is already here (pipelined)
  state_ = State::idle;
  stream_.expires_never();
  timer_.expires_after(engine_.options_.idle_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->state_ == State::idle) self->close();
  });
  stream_.socket().async_wait(asio::ip::tcp::socket::wait_read,
                              asio::bind_executor(stream_.get_executor(), [self = shared_from_this()](beast::error_code ec) {
                                if (self->state_ != State::idle) return;
                                self->timer_.cancel();
                                if (ec) return self->close();
                                self->read_header();
                              }));
}

void Connection::answer_error_and_close(int status, std::string_view message) {
  if (parser_ && request_.method.empty()) {
    request_.method = std::string(parser_->get().method_string());
    const std::string_view target = parser_->get().target();
    request_.path = target.empty() ? "-" : std::string(target.substr(0, target.find('?')));
    request_.received_at = Clock::now();
  }
  if (request_.method.empty()) request_.method = "-";
  if (request_.path.empty()) request_.path = "-";
  if (request_.received_at == Clock::time_point{}) request_.received_at = Clock::now();
  parser_.reset();
  Response res;
  send_error(res, status, error_code_for(status), message);
  res.close = true;
  write(std::move(res));
}

void Connection::close() {
  if (state_ == State::closed) return;
  if (state_ == State::held) engine_.wakes_.cancel(wake_topic_, wake_id_);
  state_ = State::closed;
  timer_.cancel();
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.close();
}

}  // namespace synckit::server
