// How the core talks to the server: one HTTP request in, one response or one transport failure
// out, through a completion callback. The platform implements it (native: libcurl; web: fetch).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "synckit/client/cancel_signal.hpp"

namespace synckit {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A request body. Its bytes are shared, never copied, by the copies of a request (the retry loop
// keeps one while the transport sends another), so a 64 MiB blob is held once. Immutable once set.
class RequestBody {
 public:
  RequestBody() = default;
  RequestBody(std::string bytes)  // NOLINT(google-explicit-constructor): `request.body = text;`
      : bytes_(std::make_shared<const std::string>(std::move(bytes))) {}
  RequestBody(const char* text) : RequestBody(std::string(text)) {}  // NOLINT(google-explicit-constructor)

  const std::string& str() const noexcept { return bytes_ ? *bytes_ : empty_string(); }
  const char* data() const noexcept { return str().data(); }
  std::size_t size() const noexcept { return str().size(); }
  bool empty() const noexcept { return str().empty(); }
  operator std::string_view() const noexcept { return str(); }  // NOLINT(google-explicit-constructor)
  friend bool operator==(const RequestBody& body, std::string_view text) noexcept { return body.str() == text; }

 private:
  static const std::string& empty_string() noexcept {
    static const std::string empty;
    return empty;
  }
  std::shared_ptr<const std::string> bytes_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", "PUT", "DELETE"
  std::string url;     // absolute
  HttpHeaders headers;
  RequestBody body;    // bytes; empty for GET/DELETE
  // How long the server may hold the reply on purpose (live pull's wait): transports add it to
  // their time limits, including the one for a silent connection.
  std::chrono::milliseconds hold{0};
  // When set and fired, the transport drops the request and reports TransportFailure::cancelled.
  std::shared_ptr<CancelSignal> cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;

  // The first header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Why no response arrived. One reason per failure, whatever the platform's own error codes.
enum class TransportFailure {
  connection,      // could not connect, or the connection broke (reset mid-body, DNS failure)
  timeout,         // no complete response within the transport's time limits
  tls,             // the TLS handshake or certificate check failed (never retried)
  too_large,       // the response exceeded the transport's size limit (never retried)
  invalid_request, // the request could not be sent as given (bad URL, refused scheme)
  cancelled,       // the transport was shut down before the response arrived
};

// "connection", "timeout", ...: for messages.
std::string_view transport_failure_name(TransportFailure failure) noexcept;
// Whether trying again may help (connection and timeout).
bool is_retryable(TransportFailure failure) noexcept;

// A response, or the reason there is none (with a detail that never holds request contents).
struct TransportResult {
  std::optional<HttpResponse> response;
  TransportFailure failure = TransportFailure::connection;
  std::string detail;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request`; calls `done` exactly once, on the thread of the platform's Scheduler (the
  // client's event loop), never synchronously from inside send(). Never follows redirects. A
  // request whose `cancel` fires ends soon after with TransportFailure::cancelled.
  virtual void send(HttpRequest request, std::function<void(TransportResult)> done) = 0;
};

}  // namespace synckit
