#include "synckit/web/fetch_transport.hpp"

#include <emscripten/em_js.h>
#include <emscripten/eventloop.h>
#include <emscripten/fetch.h>
#include <emscripten/html5.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "synckit/net/url_policy.hpp"

namespace synckit::web {

// One request: owns every string the fetch attributes point into until the fetch completes.
// Lives until its fetch reports back, even when the transport is destroyed first (the fetch cannot
// be aborted safely: Emscripten 3.1.6 frees its record while the XMLHttpRequest keeps writing to it).
struct FetchTransport::Request {
  FetchTransport* owner = nullptr;  // nullptr once the transport is gone (the answer is dropped)
  emscripten_fetch_t* fetch = nullptr;
  bool cancelling = false;          // cancel() is closing the fetch: its onerror is ours to ignore
  std::uint64_t cancel_hook = 0;
  HttpRequest request;
  std::vector<const char*> header_pointers;
  std::function<void(TransportResult)> done;
  double started_ms = 0;
  std::chrono::milliseconds timeout{};
  std::uint64_t max_response_bytes = 0;

  // Takes this request off its transport's in-flight list (and its cancel signal).
  void detach() {
    if (owner != nullptr) owner->in_flight_.erase(this);
    owner = nullptr;
    if (request.cancel && cancel_hook != 0) request.cancel->forget(cancel_hook);
    cancel_hook = 0;
  }
};

namespace {

using Request = FetchTransport::Request;

// The response body is copied from the XMLHttpRequest straight into the std::string the core gets.
// With EMSCRIPTEN_FETCH_LOAD_TO_MEMORY, Emscripten would first copy it into a malloc'd block of its
// own (fetch->data) that the string is then copied from, so a 64 MiB blob was in the heap twice.
// Emscripten 3.1.6's Fetch.js keeps the XMLHttpRequest of fetch id N in Fetch.xhrs[N - 1] until
// emscripten_fetch_close (its own header functions read it there too); these read its `response`
// (an ArrayBuffer, responseType "arraybuffer"). -1 when that list is not there (another Emscripten):
// the request then fails loudly instead of yielding an empty body.
EM_JS(double, synckit_fetch_response_size, (unsigned id), {
  if (typeof Fetch === 'undefined' || !Array.isArray(Fetch.xhrs)) return -1;
  var xhr = Fetch.xhrs[id - 1];
  return xhr && xhr.response ? xhr.response.byteLength : 0;
});
EM_JS(void, synckit_fetch_response_copy, (unsigned id, char* out, double size), {
  HEAPU8.set(new Uint8Array(Fetch.xhrs[id - 1].response, 0, size), out);
});
// Aborts the XMLHttpRequest of fetch id N: it then reports nothing more (3.1.6's Fetch.js sets no
// onabort), so the fetch record can be closed while nothing writes into it.
EM_JS(void, synckit_fetch_abort, (unsigned id), {
  if (typeof Fetch === 'undefined' || !Array.isArray(Fetch.xhrs)) return;
  var xhr = Fetch.xhrs[id - 1];
  if (xhr) xhr.abort();
});

TransportResult failure(TransportFailure reason, std::string detail) {
  return TransportResult{std::nullopt, reason, std::move(detail)};
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

HttpHeaders response_headers(emscripten_fetch_t* fetch) {
  const std::size_t size = emscripten_fetch_get_response_headers_length(fetch);
  std::string text(size, '\0');
  if (size > 0) emscripten_fetch_get_response_headers(fetch, text.data(), text.size());
  if (const auto nul = text.find('\0'); nul != std::string::npos) text.resize(nul);
  return parse_response_headers(text);
}

// What a finished fetch came to. `fetch` is still open.
TransportResult outcome(const Request& request, emscripten_fetch_t* fetch) {
  if (fetch->status == 0) {
    const double elapsed = emscripten_date_now() - request.started_ms;
    if (elapsed + 50 >= static_cast<double>(request.timeout.count())) {
      return failure(TransportFailure::timeout, "no complete response within the time limit");
    }
    return failure(TransportFailure::connection, "the request failed before a response arrived");
  }
  const double size = synckit_fetch_response_size(fetch->id);
  if (size < 0) return failure(TransportFailure::connection, "this Emscripten's fetch does not expose the response");
  if (size > static_cast<double>(request.max_response_bytes)) {
    return failure(TransportFailure::too_large, "the response is larger than the transport accepts");
  }
  HttpResponse response;
  response.status = fetch->status;
  response.headers = response_headers(fetch);
  if (size > 0) {
    response.body.resize(static_cast<std::size_t>(size));
    synckit_fetch_response_copy(fetch->id, response.body.data(), size);
  }
  return TransportResult{std::move(response), TransportFailure::connection, {}};
}

// Delivers `result` from the JavaScript event loop (never inside send()).
void deliver_later(std::function<void(TransportResult)> done, TransportResult result) {
  struct Later {
    std::function<void(TransportResult)> done;
    TransportResult result;
  };
  auto* later = new Later{std::move(done), std::move(result)};
  emscripten_set_timeout(
      [](void* raw) {
        std::unique_ptr<Later> owned(static_cast<Later*>(raw));
        owned->done(std::move(owned->result));
      },
      0, later);
}

void finished(emscripten_fetch_t* fetch) {
  if (static_cast<Request*>(fetch->userData)->cancelling) return;  // cancel() closes and frees it
  std::unique_ptr<Request> request(static_cast<Request*>(fetch->userData));
  FetchTransport* owner = request->owner;
  if (owner == nullptr) {  // cancelled already: only the fetch record is left to free
    emscripten_fetch_close(fetch);
    return;
  }
  TransportResult result = outcome(*request, fetch);
  emscripten_fetch_close(fetch);
  request->detach();
  auto done = std::move(request->done);
  request.reset();
  done(std::move(result));
}

}  // namespace

HttpHeaders parse_response_headers(std::string_view text) {
  HttpHeaders headers;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return headers;
}

FetchTransport::FetchTransport(FetchOptions options) : options_(options) {}

FetchTransport::~FetchTransport() {
  auto requests = std::move(in_flight_);
  for (Request* request : requests) {
    request->detach();  // also forgets its cancel signal, whose hook names this transport
    auto done = std::move(request->done);
    if (done) done(failure(TransportFailure::cancelled, "the transport was shut down"));
  }
}

void FetchTransport::cancel(Request* request) {
  if (request->cancelling || request->fetch == nullptr) return;
  request->cancelling = true;
  auto done = std::move(request->done);
  request->detach();
  synckit_fetch_abort(request->fetch->id);
  emscripten_fetch_close(request->fetch);  // calls finished() (onerror), which leaves it to us
  delete request;
  if (done) deliver_later(std::move(done), failure(TransportFailure::cancelled, "the request was cancelled"));
}

void FetchTransport::send(HttpRequest http, std::function<void(TransportResult)> done) {
  if (http.cancel && http.cancel->cancelled()) {
    deliver_later(std::move(done), failure(TransportFailure::cancelled, "the request was cancelled"));
    return;
  }
  if (!net::is_allowed_url(http.url)) {
    deliver_later(std::move(done), failure(TransportFailure::invalid_request,
                                           "only https URLs, or http to a loopback host, are allowed"));
    return;
  }
  auto request = std::make_unique<Request>();
  request->owner = this;
  request->request = std::move(http);
  request->done = std::move(done);
  request->timeout = options_.timeout + request->request.hold;
  request->max_response_bytes = options_.max_response_bytes;
  for (const auto& [name, value] : request->request.headers) {
    request->header_pointers.push_back(name.c_str());
    request->header_pointers.push_back(value.c_str());
  }
  request->header_pointers.push_back(nullptr);

  emscripten_fetch_attr_t attr;
  emscripten_fetch_attr_init(&attr);
  const std::string& method = request->request.method;
  std::strncpy(attr.requestMethod, method.c_str(), sizeof(attr.requestMethod) - 1);
  // Not EMSCRIPTEN_FETCH_LOAD_TO_MEMORY: outcome() copies the body itself (see above).
  attr.attributes = EMSCRIPTEN_FETCH_REPLACE;
  attr.timeoutMSecs = static_cast<unsigned long>(request->timeout.count());
  attr.requestHeaders = request->header_pointers.data();
  if (!request->request.body.empty()) {
    attr.requestData = request->request.body.data();
    attr.requestDataSize = request->request.body.size();
  }
  attr.userData = request.get();
  attr.onsuccess = finished;
  attr.onerror = finished;
  request->started_ms = emscripten_date_now();
  Request* raw = request.release();
  in_flight_.insert(raw);
  raw->fetch = emscripten_fetch(&attr, raw->request.url.c_str());
  // The XMLHttpRequest took its own copy of the body during the call: drop our share of it.
  raw->request.body = RequestBody();
  if (raw->request.cancel) {
    // Hooks run on this (the only) thread; a signal fired later finds the request here.
    raw->cancel_hook = raw->request.cancel->on_cancel([this, raw] { cancel(raw); });
  }
}

}  // namespace synckit::web
