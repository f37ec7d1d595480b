#include "synckit/native/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "synckit/error.hpp"
#include "synckit/net/url_policy.hpp"

#ifndef _WIN32
#include <pthread.h>

#include <csignal>
#endif

#ifndef SYNCKIT_VERSION
#error "SYNCKIT_VERSION must be defined by the build (platform/native/CMakeLists.txt)"
#endif

namespace synckit::native {
namespace {

using Done = std::function<void(TransportResult)>;

constexpr std::size_t kMaxHeaderBytes = 256 * 1024;  // all header lines of one request
constexpr int kIdlePollMs = 1000;                    // curl_multi_poll wakes at least this often
constexpr auto kIntMax = static_cast<std::uint32_t>(std::numeric_limits<int>::max());

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct CurlStringDeleter {
  void operator()(char* text) const { curl_free(text); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

// curl_global_init, once per process; libcurl is never cleaned up (other code may use it too).
void init_curl_once() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (code != CURLE_OK) throw Error(ErrorKind::network, "libcurl could not initialise");
}

// THE mapping from libcurl's result codes to the transport's failures.
TransportFailure failure_for(CURLcode code) noexcept {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY: return TransportFailure::connection;
    case CURLE_OPERATION_TIMEDOUT: return TransportFailure::timeout;  // also the low-speed limit
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:  // = CURLE_SSL_CACERT
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED: return TransportFailure::tls;
    case CURLE_FILESIZE_EXCEEDED:  // Content-Length over CURLOPT_MAXFILESIZE_LARGE
    case CURLE_WRITE_ERROR: return TransportFailure::too_large;  // our callbacks refuse only over a limit
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_UNKNOWN_OPTION: return TransportFailure::invalid_request;
    case CURLE_ABORTED_BY_CALLBACK: return TransportFailure::cancelled;
    default: return TransportFailure::connection;
  }
}

TransportResult failure(TransportFailure reason, std::string detail) {
  TransportResult result;
  result.failure = reason;
  result.detail = std::move(detail);
  return result;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 token: what a method or header name may be made of.
bool is_token(std::string_view text) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSymbols.find(c) != std::string_view::npos;
  });
}

bool is_header_value(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Loopback by the core's one definition (synckit/net/url_policy.hpp), on curl's parse of the host;
// host names compare case-insensitively.
bool is_loopback_host(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return net::is_loopback_host(host);
}

std::optional<std::string> url_part(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK) return std::nullopt;
  CurlString owned(raw);
  return std::string(owned.get());
}

// Parses `text` into `url`; an error detail (never the URL itself) if it must not be requested.
std::optional<std::string> check_url(CURLU* url, const std::string& text) {
  if (text.find('\0') != std::string::npos) return "the URL contains a NUL byte";
  if (const CURLUcode rc = curl_url_set(url, CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    return std::string("malformed URL: ") + curl_url_strerror(rc);
  }
  const std::optional<std::string> scheme = url_part(url, CURLUPART_SCHEME);
  const std::optional<std::string> host = url_part(url, CURLUPART_HOST);
  if (!scheme || !host) return "the URL has no scheme or host";
  if (equals_ignoring_case(*scheme, "https")) return std::nullopt;
  if (equals_ignoring_case(*scheme, "http") && is_loopback_host(*host)) return std::nullopt;
  if (equals_ignoring_case(*scheme, "http")) return "plain http is allowed only to loopback hosts";
  return "the URL scheme must be https (or http to a loopback host)";
}

// An error detail if the method or a header cannot be sent as given.
std::optional<std::string> check_request(const HttpRequest& request) {
  if (!is_token(request.method)) return "the method is not an HTTP token";
  for (std::size_t i = 0; i < request.headers.size(); ++i) {
    const auto& [name, value] = request.headers[i];
    const std::string where = "header " + std::to_string(i);
    if (!is_token(name)) return where + ": the name is not an HTTP token";
    if (!is_header_value(value)) return where + ": the value contains CR, LF or NUL";
    if (equals_ignoring_case(name, "Content-Length") || equals_ignoring_case(name, "Transfer-Encoding")) {
      return where + ": message framing headers are set by the transport";
    }
  }
  return std::nullopt;
}

bool has_header(const HttpHeaders& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [name](const auto& header) { return equals_ignoring_case(header.first, name); });
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// One request from send() until its `done` is posted. Members curl points into live here; the
// easy handle is declared last so it is cleaned up first.
struct Transfer {
  HttpRequest request;
  Done done;
  UrlPtr url;
  SlistPtr headers;
  HttpResponse response;
  std::uint64_t max_body = 0;
  std::size_t header_bytes = 0;
  const char* refused = nullptr;  // "body" or "headers" once a callback refused bytes over a limit
  std::uint64_t cancel_hook = 0;  // on request.cancel, while the transfer runs
  EasyPtr easy;
};

// A detail for a curl failure: curl's own text for the code, and which limit was hit; nothing from
// the request.
std::string detail_for(CURLcode code, const Transfer& transfer) {
  const std::string text = curl_easy_strerror(code);
  const std::string max_body = std::to_string(transfer.max_body);
  if (code == CURLE_FILESIZE_EXCEEDED) {
    return "the response announces a body over " + max_body + " bytes (" + text + ")";
  }
  if (code != CURLE_WRITE_ERROR || transfer.refused == nullptr) return text;
  const bool body = transfer.refused == std::string_view("body");
  const std::string limit = body ? max_body : std::to_string(kMaxHeaderBytes);
  return std::string("the response ") + transfer.refused + " exceeds " + limit + " bytes (" + text + ")";
}

// CURLOPT_WRITEFUNCTION: appends body bytes; returning less than given aborts (CURLE_WRITE_ERROR).
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  if (transfer.response.body.size() + bytes > transfer.max_body) {
    transfer.refused = "body";
    return 0;
  }
  if (transfer.response.body.empty()) {
    // Room for the whole announced body at once (within the limit): a 64 MiB blob is then not
    // grown by doubling, which copied it and briefly held two buffers of it.
    curl_off_t announced = -1;
    if (curl_easy_getinfo(transfer.easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > 0 && static_cast<std::uint64_t>(announced) <= transfer.max_body) {
      transfer.response.body.reserve(static_cast<std::size_t>(announced));
    }
  }
  transfer.response.body.append(data, bytes);
  return bytes;
}

// CURLOPT_HEADERFUNCTION: one line at a time, status lines included. A status line starts a new
// response (after an interim 1xx), so only the final response's headers remain.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::size_t bytes = size * count;
  transfer.header_bytes += bytes;
  if (transfer.header_bytes > kMaxHeaderBytes) {
    transfer.refused = "headers";
    return 0;
  }
  const std::string_view line(data, bytes);
  HttpHeaders& headers = transfer.response.headers;
  if (line.starts_with("HTTP/")) {
    headers.clear();
  } else if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!headers.empty()) headers.back().second.append(" ").append(trim(line));  // obsolete folding
  } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return bytes;
}

// Sets one curl option per call, remembering the first failure.
class Setter {
 public:
  explicit Setter(CURL* easy) : easy_(easy) {}
  template <typename Value>
  Setter& operator()(CURLoption option, Value value) {
    if (result_ == CURLE_OK) result_ = curl_easy_setopt(easy_, option, value);
    return *this;
  }
  CURLcode result() const { return result_; }

 private:
  CURL* easy_;
  CURLcode result_ = CURLE_OK;
};

// A duration for curl's long options, clamped to 0 .. INT_MAX units.
template <typename Duration>
long to_long(Duration value) {
  using Rep = typename Duration::rep;
  return static_cast<long>(std::clamp<Rep>(value.count(), 0, std::numeric_limits<int>::max()));
}

// The request's headers for curl, plus empty "Expect:" / "Content-Type:" entries that stop curl
// adding its own (100-continue waits, form-urlencoded). Null only when out of memory.
SlistPtr header_list(const HttpRequest& request, bool sends_body) {
  std::vector<std::string> lines;
  for (const auto& [name, value] : request.headers) {
    lines.push_back(value.empty() ? name + ";" : name + ": " + value);  // "Name;" sends it empty
  }
  if (!has_header(request.headers, "Expect")) lines.emplace_back("Expect:");
  if (sends_body && !has_header(request.headers, "Content-Type")) lines.emplace_back("Content-Type:");
  curl_slist* list = nullptr;
  for (const std::string& line : lines) {
    curl_slist* grown = curl_slist_append(list, line.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      return nullptr;
    }
    list = grown;
  }
  return SlistPtr(list);
}

// Method and body: HEAD without a body, a body-less request, or an upload of the body as given.
void set_method(Setter& set, const HttpRequest& request, bool sends_body) {
  const std::string& method = request.method;
  if (method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else if (sends_body) {
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    set(CURLOPT_POSTFIELDS, request.body.data());  // not copied: the Transfer owns the body
  } else {
    set(CURLOPT_HTTPGET, 1L);
  }
  const bool curl_names_it = method == "HEAD" || method == (sends_body ? "POST" : "GET");
  if (!curl_names_it) set(CURLOPT_CUSTOMREQUEST, method.c_str());
}

// Blocks SIGPIPE on the calling (worker) thread: a write to a closed socket then just fails.
void block_sigpipe() {
#ifndef _WIN32
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
#endif
}

}  // namespace

std::string default_user_agent() { return std::string("synckit/") + SYNCKIT_VERSION; }

struct CurlTransport::Impl {
  Impl(Scheduler& deliver_on, CurlOptions settings);
  ~Impl();

  void enqueue(HttpRequest request, Done done);
  void deliver(Done done, TransportResult result);
  void run();
  void start(std::unique_ptr<Transfer> transfer);
  CURLcode configure(Transfer& transfer) const;
  void collect_finished();
  void finish(CURL* easy, CURLcode code);
  void drop_cancelled();
  void cancel_all();
  static void forget_hook(Transfer& transfer);

  Scheduler& scheduler;
  const CurlOptions options;
  CURLM* multi = nullptr;
  std::mutex mutex;
  std::vector<std::unique_ptr<Transfer>> incoming;  // guarded by mutex
  bool stopping = false;                            // guarded by mutex
  std::atomic<bool> cancel_requested{false};        // a request's cancel signal fired
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;  // worker thread only
  std::thread worker;                                           // last: starts once all else exists
};

CurlTransport::Impl::Impl(Scheduler& deliver_on, CurlOptions settings)
    : scheduler(deliver_on), options(std::move(settings)) {
  init_curl_once();
  multi = curl_multi_init();
  if (multi == nullptr) throw Error(ErrorKind::network, "libcurl could not create a multi handle");
  try {
    worker = std::thread([this] { run(); });
  } catch (...) {
    curl_multi_cleanup(multi);
    throw;
  }
}

CurlTransport::Impl::~Impl() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  curl_multi_wakeup(multi);
  worker.join();
  cancel_all();  // anything queued after the worker's own final sweep
  curl_multi_cleanup(multi);
}

void CurlTransport::Impl::deliver(Done done, TransportResult result) {
  try {
    auto task = [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); };
    scheduler.post(std::chrono::milliseconds(0), std::move(task));
  } catch (...) {
    // Out of memory in the scheduler: the completion is lost rather than the worker thread.
  }
}

void CurlTransport::Impl::enqueue(HttpRequest request, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->url.reset(curl_url());
  if (!transfer->url) return deliver(std::move(done), failure(TransportFailure::connection, "out of memory"));
  std::optional<std::string> problem = check_url(transfer->url.get(), request.url);
  if (!problem) problem = check_request(request);
  if (problem) {
    return deliver(std::move(done), failure(TransportFailure::invalid_request, std::move(*problem)));
  }
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  transfer->max_body = options.max_response_bytes;
  {
    std::lock_guard<std::mutex> lock(mutex);
    incoming.push_back(std::move(transfer));
  }
  curl_multi_wakeup(multi);
}

void CurlTransport::Impl::run() {
  block_sigpipe();
  for (;;) {
    std::vector<std::unique_ptr<Transfer>> batch;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) break;
      batch.swap(incoming);
    }
    for (auto& transfer : batch) start(std::move(transfer));
    if (cancel_requested.exchange(false)) drop_cancelled();
    int running = 0;
    curl_multi_perform(multi, &running);
    collect_finished();
    curl_multi_poll(multi, nullptr, 0, kIdlePollMs, nullptr);
  }
  cancel_all();
}

void CurlTransport::Impl::start(std::unique_ptr<Transfer> transfer) {
  if (transfer->request.cancel && transfer->request.cancel->cancelled()) {
    return deliver(std::move(transfer->done), failure(TransportFailure::cancelled, "the request was cancelled"));
  }
  transfer->easy.reset(curl_easy_init());
  if (!transfer->easy) {
    return deliver(std::move(transfer->done), failure(TransportFailure::connection, "out of memory"));
  }
  CURLcode code = configure(*transfer);
  if (code == CURLE_OK && curl_multi_add_handle(multi, transfer->easy.get()) != CURLM_OK) {
    code = CURLE_OUT_OF_MEMORY;
  }
  if (code != CURLE_OK) {
    return deliver(std::move(transfer->done), failure(failure_for(code), detail_for(code, *transfer)));
  }
  CURL* easy = transfer->easy.get();
  if (transfer->request.cancel) {
    transfer->cancel_hook = transfer->request.cancel->on_cancel([this] {
      cancel_requested = true;
      curl_multi_wakeup(multi);
    });
  }
  active.emplace(easy, std::move(transfer));
}

void CurlTransport::Impl::forget_hook(Transfer& transfer) {
  if (transfer.request.cancel && transfer.cancel_hook != 0) transfer.request.cancel->forget(transfer.cancel_hook);
  transfer.cancel_hook = 0;
}

void CurlTransport::Impl::drop_cancelled() {
  for (auto it = active.begin(); it != active.end();) {
    Transfer& transfer = *it->second;
    if (!transfer.request.cancel || !transfer.request.cancel->cancelled()) {
      ++it;
      continue;
    }
    curl_multi_remove_handle(multi, it->first);
    forget_hook(transfer);
    deliver(std::move(transfer.done), failure(TransportFailure::cancelled, "the request was cancelled"));
    it = active.erase(it);
  }
}

CURLcode CurlTransport::Impl::configure(Transfer& transfer) const {
  const HttpRequest& request = transfer.request;
  const bool sends_body = !request.body.empty() || request.method == "POST" || request.method == "PUT" ||
                          request.method == "PATCH";
  transfer.headers = header_list(request, sends_body);
  if (!transfer.headers) return CURLE_OUT_OF_MEMORY;
  constexpr auto kMaxOff = static_cast<std::uint64_t>(std::numeric_limits<curl_off_t>::max());
  const auto max_file = static_cast<curl_off_t>(std::min(options.max_response_bytes, kMaxOff));
  Setter set(transfer.easy.get());
  set(CURLOPT_CURLU, transfer.url.get())
      (CURLOPT_PROTOCOLS_STR, "http,https")
      (CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
      (CURLOPT_FOLLOWLOCATION, 0L)
      (CURLOPT_SSL_VERIFYPEER, 1L)
      (CURLOPT_SSL_VERIFYHOST, 2L)
      (CURLOPT_PROXY_SSL_VERIFYPEER, 1L)
      (CURLOPT_PROXY_SSL_VERIFYHOST, 2L)
      (CURLOPT_NOSIGNAL, 1L)
      (CURLOPT_CONNECTTIMEOUT_MS, to_long(options.connect_timeout))
      (CURLOPT_TIMEOUT_MS, to_long(options.total_timeout == std::chrono::milliseconds(0)
                                       ? options.total_timeout : options.total_timeout + request.hold))
      (CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(std::min<std::uint32_t>(options.low_speed_limit, kIntMax)))
      (CURLOPT_LOW_SPEED_TIME, to_long(options.low_speed_time == std::chrono::seconds(0)
                                           ? options.low_speed_time
                                           : options.low_speed_time + std::chrono::ceil<std::chrono::seconds>(request.hold)))
      (CURLOPT_MAXFILESIZE_LARGE, max_file)
      (CURLOPT_USERAGENT, options.user_agent.c_str())
      (CURLOPT_HTTPHEADER, transfer.headers.get())
      (CURLOPT_WRITEFUNCTION, &on_body)
      (CURLOPT_WRITEDATA, static_cast<void*>(&transfer))
      (CURLOPT_HEADERFUNCTION, &on_header)
      (CURLOPT_HEADERDATA, static_cast<void*>(&transfer));
  if (!options.ca_bundle.empty()) set(CURLOPT_CAINFO, options.ca_bundle.c_str());
  if (!options.use_environment_proxy) set(CURLOPT_PROXY, "");  // "" disables proxies, env included
  set_method(set, request, sends_body);
  return set.result();
}

void CurlTransport::Impl::collect_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;  // copied: the message dies with remove_handle
    const CURLcode code = message->data.result;
    finish(easy, code);
  }
}

void CurlTransport::Impl::finish(CURL* easy, CURLcode code) {
  curl_multi_remove_handle(multi, easy);
  const auto found = active.find(easy);
  if (found == active.end()) return;
  std::unique_ptr<Transfer> transfer = std::move(found->second);
  active.erase(found);
  forget_hook(*transfer);
  if (code != CURLE_OK) {
    return deliver(std::move(transfer->done), failure(failure_for(code), detail_for(code, *transfer)));
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  TransportResult result;
  result.response = std::move(transfer->response);
  result.response->status = static_cast<int>(status);
  deliver(std::move(transfer->done), std::move(result));
}

void CurlTransport::Impl::cancel_all() {
  for (auto& [easy, transfer] : active) {
    curl_multi_remove_handle(multi, easy);
    forget_hook(*transfer);
    deliver(std::move(transfer->done), failure(TransportFailure::cancelled, "the transport was shut down"));
  }
  active.clear();
  std::vector<std::unique_ptr<Transfer>> queued;
  {
    std::lock_guard<std::mutex> lock(mutex);
    queued.swap(incoming);
  }
  for (auto& transfer : queued) {
    deliver(std::move(transfer->done), failure(TransportFailure::cancelled, "the transport was shut down"));
  }
}

CurlTransport::CurlTransport(Scheduler& deliver_on, CurlOptions options)
    : impl_(std::make_unique<Impl>(deliver_on, std::move(options))) {}

CurlTransport::~CurlTransport() = default;

void CurlTransport::send(HttpRequest request, std::function<void(TransportResult)> done) {
  impl_->enqueue(std::move(request), std::move(done));
}

}  // namespace synckit::native
