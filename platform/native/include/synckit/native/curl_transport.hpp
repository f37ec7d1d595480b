// Native Transport over libcurl: one worker thread drives every request through a curl multi
// handle; completions are posted to the client's Scheduler. curl stays out of this header.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "synckit/client/scheduler.hpp"
#include "synckit/client/transport.hpp"

namespace synckit::native {

// "synckit/<version>": the default User-Agent.
std::string default_user_agent();

// Limits and settings of a CurlTransport. TLS peer and host verification cannot be turned off.
// Time limits fail with `timeout`; 0 means no limit (libcurl's meaning), so do not use it lightly.
struct CurlOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // TCP + TLS handshake
  std::chrono::milliseconds total_timeout{60'000};    // whole request, per request
  // A transfer slower than low_speed_limit bytes/s for low_speed_time is aborted (-> timeout),
  // so a slow-drip server cannot hang a client.
  std::uint32_t low_speed_limit = 1;
  std::chrono::seconds low_speed_time{30};
  // Largest response body accepted (-> too_large). The protocol's largest reply is a 64 MiB blob.
  std::uint64_t max_response_bytes = 80ull * 1024 * 1024;
  std::string ca_bundle;  // PEM file of trusted CAs; empty: libcurl's built-in default
  std::string user_agent = default_user_agent();
  // false: proxies are never used, whatever http_proxy/https_proxy/all_proxy say. true: libcurl's
  // defaults (those environment variables and no_proxy) apply.
  bool use_environment_proxy = false;
};

// Transport over libcurl.
// - URLs: https, or http only when the host is loopback (localhost, 127.0.0.0/8, [::1]); anything
//   else, a malformed URL, a method or header name that is not a token, a header value with
//   CR/LF/NUL, or a Content-Length/Transfer-Encoding header (framing is curl's job) fails with
//   invalid_request before any network traffic. Redirects are never followed: a 3xx is a response.
// - Bodies are sent byte for byte; curl adds no Content-Type and no "Expect: 100-continue".
// - Response headers are those of the final response (interim 1xx ones are dropped), at most
//   256 KiB in all; more, or a body over max_response_bytes, fails with too_large.
// - A request's `hold` (a live pull's wait) is added to total_timeout and low_speed_time; when its
//   `cancel` signal fires, the transfer is dropped at once and `done` gets `cancelled`.
// - `done` is always posted to the Scheduler given at construction, never called inside send().
// - Threads: one worker thread owns every curl handle (curl_multi: many requests in flight at
//   once, connections kept alive in the multi handle's pool). send() is thread-safe.
// - POSIX: SIGPIPE is blocked on the worker thread, so a peer closing a socket cannot kill the app.
class CurlTransport final : public Transport {
 public:
  // Initialises libcurl once per process (never cleaned up) and starts the worker thread.
  // Throws Error{network} if libcurl cannot initialise, std::system_error if no thread starts.
  explicit CurlTransport(Scheduler& deliver_on, CurlOptions options = {});
  // Cancels all requests not yet complete: each `done` gets `cancelled`, posted to the Scheduler.
  // So destroy the transport before the Scheduler (EventLoop) it delivers to. Joins the thread.
  ~CurlTransport() override;

  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Queues `request`; `done` gets the response (any status) or one TransportFailure with a detail
  // that never holds the URL, headers or body. Must not race with the destructor.
  void send(HttpRequest request, std::function<void(TransportResult)> done) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace synckit::native
