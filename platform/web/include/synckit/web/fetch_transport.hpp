// Transport over Emscripten's fetch API (an XMLHttpRequest underneath): asynchronous, so it never
// blocks the browser's main thread. Node has no XMLHttpRequest; the npm package hands the module one
// (js/src/node/node-xhr.ts) that never follows redirects.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_set>

#include "synckit/client/transport.hpp"

namespace synckit::web {

struct FetchOptions {
  // Whole request, connect to last byte (-> timeout). A slow-drip server cannot hang a client.
  std::chrono::milliseconds timeout{60'000};
  // Largest response body accepted (-> too_large). The protocol's largest reply is a 64 MiB blob.
  std::uint64_t max_response_bytes = 80ull * 1024 * 1024;
};

// - URLs: https, or http only when the host is loopback; anything else fails with invalid_request
//   before any traffic (completed from the event loop, never inside send()).
// - Failures: status 0 from the browser -> connection (timeout when the time limit was reached).
//   CORS refusals look like connection failures to scripts, by the browser's design.
// - Redirects: Node (the package's XMLHttpRequest) never follows them, a 3xx is a response. Browsers
//   follow same-origin redirects inside XMLHttpRequest and apply CORS to cross-origin ones; the
//   client then validates whatever reply arrives like any other.
// - Destroying the transport completes every request still in flight with `cancelled`.
// - A request's `hold` (a live pull's wait) is added to the time limit; when its `cancel` signal
//   fires, the XMLHttpRequest is aborted and `done` gets `cancelled` (from the event loop).
class FetchTransport final : public Transport {
 public:
  explicit FetchTransport(FetchOptions options = {});
  ~FetchTransport() override;
  FetchTransport(const FetchTransport&) = delete;
  FetchTransport& operator=(const FetchTransport&) = delete;

  void send(HttpRequest request, std::function<void(TransportResult)> done) override;
  // Requests in flight (for tests).
  std::size_t in_flight() const noexcept { return in_flight_.size(); }

  struct Request;

 private:
  void cancel(Request* request);
  FetchOptions options_;
  std::unordered_set<Request*> in_flight_;
};

// Splits XMLHttpRequest.getAllResponseHeaders() text ("Name: value\r\n"...) into pairs.
HttpHeaders parse_response_headers(std::string_view text);

}  // namespace synckit::web
