// CurlTransport against a cpp-httplib server in this process on 127.0.0.1 (a free port): responses
// of any status, no redirects followed, limits (time, size, speed), broken connections, refused
// URLs, binary bodies, and completions delivered on the EventLoop thread.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "synckit/native/curl_transport.hpp"
#include "synckit/native/event_loop.hpp"

using namespace std::chrono_literals;
using synckit::HttpRequest;
using synckit::TransportFailure;
using synckit::TransportResult;
using synckit::native::CurlOptions;
using synckit::native::CurlTransport;
using synckit::native::EventLoop;

namespace {

// Waits until `released` or `limit` passes, in small steps (so the server can stop quickly).
void wait_released(const std::atomic<bool>& released, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!released && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
}

// The in-process HTTP server and its endpoints.
class TestServer {
 public:
  explicit TestServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>(),
                      std::string scheme = "http")
      : owned_(std::move(server)), server_(*owned_), scheme_(std::move(scheme)) {
    routes();
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  ~TestServer() {
    released_ = true;
    server_.stop();
    thread_.join();
  }

  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return scheme_ + "://" + host + ":" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

 private:
  void routes() {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Reply", "yes");
      res.set_content("hello world", "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content(R"({"error":{"code":"not_found","message":"no such thing"}})", "application/json");
    });
    server_.Get("/redirect", [](const httplib::Request&, httplib::Response& res) {
      res.set_redirect("/hello", 302);
      res.set_content("moved", "text/plain");
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      wait_released(released_, 3s);
      res.set_content("late", "text/plain");
    });
    server_.Get("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(1024 * 1024, 'x'), "application/octet-stream");  // with Content-Length
    });
    server_.Get("/huge-chunked", [](const httplib::Request&, httplib::Response& res) {
      const auto provider = [](size_t offset, httplib::DataSink& sink) {
        if (offset >= 1024 * 1024) {
          sink.done();
          return true;
        }
        const std::string chunk(16 * 1024, 'y');
        return sink.write(chunk.data(), chunk.size());
      };
      res.set_chunked_content_provider("application/octet-stream", provider);
    });
    server_.Get("/many-headers", [](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 300; ++i) res.set_header("X-Filler-" + std::to_string(i), std::string(1000, 'h'));
      res.set_content("ok", "text/plain");
    });
    server_.Get("/drip", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [this](size_t offset, httplib::DataSink& sink) {
        if (released_ || offset >= 50) return false;
        std::this_thread::sleep_for(100ms);
        return sink.write("d", 1);  // 10 bytes/s
      });
    });
    server_.Get("/cut", [](const httplib::Request&, httplib::Response& res) {
      // Promises 100000 bytes, sends 1000, then the provider fails and httplib closes the socket.
      const auto provider = [](size_t offset, size_t, httplib::DataSink& sink) {
        if (offset > 0) return false;
        const std::string part(1000, 'c');
        return sink.write(part.data(), part.size());
      };
      res.set_content_provider(100000, "application/octet-stream", provider);
    });
    server_.Get("/port", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.remote_port), "text/plain");
    });
    const auto echo = [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Method", req.method);
      const bool typed = req.has_header("Content-Type");
      res.set_header("X-Content-Type", typed ? req.get_header_value("Content-Type") : "none");
      res.set_header("X-Test", req.get_header_value("X-Test"));
      res.set_header("X-User-Agent", req.get_header_value("User-Agent"));
      res.set_content(req.body, "application/octet-stream");
    };
    server_.Post("/echo", echo);
    server_.Put("/echo", echo);
    server_.Delete("/echo", echo);
  }

  std::unique_ptr<httplib::Server> owned_;
  httplib::Server& server_;
  std::string scheme_;
  std::atomic<bool> released_{false};
  int port_ = 0;
  std::thread thread_;
};

// What a completion saw: the result and whether it ran on the loop thread.
struct Outcome {
  TransportResult result;
  bool on_loop_thread = false;
};

// Loop first and transport last: the transport is destroyed before the loop it delivers to.
struct Harness {
  explicit Harness(CurlOptions options = {}) : transport(loop, std::move(options)) {}

  Outcome send(HttpRequest request) {
    auto done = std::make_shared<std::promise<Outcome>>();
    std::future<Outcome> outcome = done->get_future();
    transport.send(std::move(request), [this, done](TransportResult result) {
      done->set_value(Outcome{std::move(result), loop.on_loop_thread()});
    });
    REQUIRE(outcome.wait_for(20s) == std::future_status::ready);
    return outcome.get();
  }
  Outcome get(const std::string& url) { return send(HttpRequest{"GET", url, {}, {}}); }

  EventLoop loop;
  TestServer server;
  CurlTransport transport;
};

void require_failure(const Outcome& outcome, TransportFailure expected) {
  INFO("detail: " << outcome.result.detail);
  REQUIRE_FALSE(outcome.result.response.has_value());
  CHECK(outcome.result.failure == expected);
  CHECK_FALSE(outcome.result.detail.empty());
  CHECK(outcome.on_loop_thread);
}

// A loopback port nothing listens on: bound, read, closed.
int unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("curl transport: 200 with body and headers, delivered on the loop thread", "[curl]") {
  Harness h;
  const Outcome outcome = h.get(h.server.url("/hello"));
  REQUIRE(outcome.result.response.has_value());
  CHECK(outcome.on_loop_thread);
  const auto& response = *outcome.result.response;
  CHECK(response.status == 200);
  CHECK(response.body == "hello world");
  CHECK(response.header("x-reply") == "yes");
  CHECK(response.header("Content-Type") == "text/plain");
  CHECK(response.header("Content-Length") == "11");
  for (const auto& [name, value] : response.headers) CHECK(name.find("HTTP/") == std::string::npos);
}

TEST_CASE("curl transport: localhost is loopback too", "[curl]") {
  Harness h;
  const Outcome outcome = h.get("http://localhost:" + std::to_string(h.server.port()) + "/hello");
  REQUIRE(outcome.result.response.has_value());
  CHECK(outcome.result.response->status == 200);
}

TEST_CASE("curl transport: a 404 is a response, with its JSON body", "[curl]") {
  Harness h;
  const Outcome outcome = h.get(h.server.url("/missing"));
  REQUIRE(outcome.result.response.has_value());
  CHECK(outcome.result.response->status == 404);
  CHECK(outcome.result.response->body == R"({"error":{"code":"not_found","message":"no such thing"}})");
  CHECK(outcome.result.response->header("Content-Type") == "application/json");
}

TEST_CASE("curl transport: a 302 is returned, not followed", "[curl]") {
  Harness h;
  const Outcome outcome = h.get(h.server.url("/redirect"));
  REQUIRE(outcome.result.response.has_value());
  CHECK(outcome.result.response->status == 302);
  CHECK(outcome.result.response->header("Location") == "/hello");
  CHECK(outcome.result.response->body != "hello world");
}

TEST_CASE("curl transport: bodies are echoed byte for byte, NUL included", "[curl]") {
  Harness h;
  std::string binary;
  for (int round = 0; round < 64; ++round) {
    for (int byte = 0; byte < 256; ++byte) binary.push_back(static_cast<char>(byte));
  }
  binary += std::string(3, '\0');
  for (const std::string method : {"POST", "PUT"}) {
    DYNAMIC_SECTION(method) {
      HttpRequest request{method, h.server.url("/echo"),
                          {{"X-Test", "value 1"}, {"Content-Type", "application/octet-stream"}}, binary};
      const Outcome outcome = h.send(request);
      REQUIRE(outcome.result.response.has_value());
      const auto& response = *outcome.result.response;
      CHECK(response.status == 200);
      CHECK(response.header("X-Method") == method);
      CHECK(response.header("X-Test") == "value 1");
      CHECK(response.header("X-Content-Type") == "application/octet-stream");
      CHECK(response.header("X-User-Agent") == synckit::native::default_user_agent());
      CHECK(response.body.size() == binary.size());
      CHECK(response.body == binary);
    }
  }
}

TEST_CASE("curl transport: no Content-Type is invented; empty POST and DELETE work", "[curl]") {
  Harness h;
  const Outcome post = h.send(HttpRequest{"POST", h.server.url("/echo"), {}, {}});
  REQUIRE(post.result.response.has_value());
  CHECK(post.result.response->status == 200);
  CHECK(post.result.response->header("X-Content-Type") == "none");
  CHECK(post.result.response->body.empty());
  const Outcome del = h.send(HttpRequest{"DELETE", h.server.url("/echo"), {}, {}});
  REQUIRE(del.result.response.has_value());
  CHECK(del.result.response->header("X-Method") == "DELETE");
}

TEST_CASE("curl transport: a 100-continue interim response leaves only the final headers", "[curl]") {
  Harness h;
  HttpRequest request{"POST", h.server.url("/echo"), {{"Expect", "100-continue"}}, std::string(5000, 'e')};
  const Outcome outcome = h.send(request);
  REQUIRE(outcome.result.response.has_value());
  CHECK(outcome.result.response->status == 200);
  CHECK(outcome.result.response->body.size() == 5000);
  CHECK(outcome.result.response->header("X-Method") == "POST");
}

TEST_CASE("curl transport: sequential requests reuse the connection", "[curl]") {
  Harness h;
  const Outcome first = h.get(h.server.url("/port"));
  const Outcome second = h.get(h.server.url("/port"));
  REQUIRE(first.result.response.has_value());
  REQUIRE(second.result.response.has_value());
  CHECK(first.result.response->body == second.result.response->body);
}

TEST_CASE("curl transport: a response slower than the total timeout fails with timeout", "[curl]") {
  CurlOptions options;
  options.total_timeout = 300ms;
  Harness h(options);
  const auto start = std::chrono::steady_clock::now();
  require_failure(h.get(h.server.url("/slow")), TransportFailure::timeout);
  CHECK(std::chrono::steady_clock::now() - start < 2500ms);
}

TEST_CASE("curl transport: a slow drip under the low-speed limit fails with timeout", "[curl]") {
  CurlOptions options;
  options.low_speed_limit = 1000;  // bytes/s; the server sends 10
  options.low_speed_time = 1s;
  Harness h(options);
  const auto start = std::chrono::steady_clock::now();
  require_failure(h.get(h.server.url("/drip")), TransportFailure::timeout);
  CHECK(std::chrono::steady_clock::now() - start < 4s);
}

TEST_CASE("curl transport: a body over the size limit fails with too_large", "[curl]") {
  CurlOptions options;
  options.max_response_bytes = 64 * 1024;
  Harness h(options);
  SECTION("announced by Content-Length") {
    const Outcome outcome = h.get(h.server.url("/huge"));
    require_failure(outcome, TransportFailure::too_large);
    CHECK(outcome.result.detail.find("announces a body over 65536 bytes") != std::string::npos);
  }
  SECTION("chunked, found while receiving") {
    const Outcome outcome = h.get(h.server.url("/huge-chunked"));
    require_failure(outcome, TransportFailure::too_large);
    CHECK(outcome.result.detail.find("body exceeds 65536 bytes") != std::string::npos);
  }
  SECTION("a body exactly at the limit is fine") {
    options.max_response_bytes = 1024 * 1024;
    CurlTransport exact(h.loop, options);
    auto done = std::make_shared<std::promise<TransportResult>>();
    const HttpRequest request{"GET", h.server.url("/huge"), {}, {}};
    exact.send(request, [done](TransportResult r) { done->set_value(std::move(r)); });
    auto result = done->get_future();
    REQUIRE(result.wait_for(20s) == std::future_status::ready);
    const TransportResult r = result.get();
    REQUIRE(r.response.has_value());
    CHECK(r.response->body.size() == 1024 * 1024);
  }
}

TEST_CASE("curl transport: response headers over 256 KiB fail with too_large", "[curl]") {
  Harness h;
  const Outcome outcome = h.get(h.server.url("/many-headers"));
  require_failure(outcome, TransportFailure::too_large);
  CHECK(outcome.result.detail.find("headers") != std::string::npos);
}

TEST_CASE("curl transport: a connection closed mid-body fails with connection", "[curl]") {
  Harness h;
  require_failure(h.get(h.server.url("/cut")), TransportFailure::connection);
}

TEST_CASE("curl transport: a refused connection fails with connection", "[curl]") {
  Harness h;
  const std::string url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/";
  require_failure(h.get(url), TransportFailure::connection);
}

TEST_CASE("curl transport: refused URLs fail with invalid_request, naming no part of them", "[curl]") {
  Harness h;
  const std::string url = GENERATE(as<std::string>{}, "http://example.com/?token=SECRET",
                                   "ftp://127.0.0.1/SECRET", "https://[SECRET", "SECRET",
                                   "http://127.0.0.1.example.com/SECRET", "http://128.0.0.1/SECRET",
                                   "gopher://localhost/SECRET");
  INFO(url);
  const Outcome outcome = h.get(url);
  require_failure(outcome, TransportFailure::invalid_request);
  CHECK(outcome.result.detail.find("SECRET") == std::string::npos);
  CHECK(outcome.result.detail.find("example") == std::string::npos);
}

TEST_CASE("curl transport: every loopback form passes the plain-http check", "[curl]") {
  Harness h;
  const std::string port = std::to_string(unused_port());
  const std::string host = GENERATE(as<std::string>{}, "[::1]", "127.1.2.3", "LOCALHOST");
  INFO(host);
  const Outcome outcome = h.get("http://" + host + ":" + port + "/");  // nothing listens there
  INFO(outcome.result.detail);
  REQUIRE_FALSE(outcome.result.response.has_value());
  CHECK(outcome.result.failure == TransportFailure::connection);
}

TEST_CASE("curl transport: proxy environment variables are ignored unless asked for", "[curl]") {
  struct ProxyEnvironment {  // a proxy nothing listens on, for this test only
    explicit ProxyEnvironment(const std::string& proxy) {
      ::setenv("http_proxy", proxy.c_str(), 1);
      ::setenv("ALL_PROXY", proxy.c_str(), 1);
    }
    ~ProxyEnvironment() {
      ::unsetenv("http_proxy");
      ::unsetenv("ALL_PROXY");
    }
  };
  const ProxyEnvironment environment("http://127.0.0.1:" + std::to_string(unused_port()));
  SECTION("by default the request goes direct") {
    Harness h;
    const Outcome outcome = h.get(h.server.url("/hello"));
    REQUIRE(outcome.result.response.has_value());
    CHECK(outcome.result.response->status == 200);
  }
  SECTION("with use_environment_proxy it goes to the (dead) proxy") {
    CurlOptions options;
    options.use_environment_proxy = true;
    Harness h(options);
    require_failure(h.get(h.server.url("/hello")), TransportFailure::connection);
  }
}

TEST_CASE("curl transport: bad methods and headers fail with invalid_request", "[curl]") {
  Harness h;
  const std::string url = h.server.url("/echo");
  require_failure(h.send(HttpRequest{"", url, {}, {}}), TransportFailure::invalid_request);
  require_failure(h.send(HttpRequest{"GET /x", url, {}, {}}), TransportFailure::invalid_request);
  const Outcome injected = h.send(HttpRequest{"POST", url, {{"X-Test", "a\r\nX-Evil: SECRET"}}, {}});
  require_failure(injected, TransportFailure::invalid_request);
  CHECK(injected.result.detail.find("SECRET") == std::string::npos);
  require_failure(h.send(HttpRequest{"POST", url, {{"Bad Name", "x"}}, {}}),
                  TransportFailure::invalid_request);
  require_failure(h.send(HttpRequest{"POST", url, {{"Content-Length", "1"}}, "xy"}),
                  TransportFailure::invalid_request);
}

TEST_CASE("curl transport: TLS to a server that speaks plain HTTP fails with tls", "[curl][tls]") {
  Harness h;
  require_failure(h.get("https://127.0.0.1:" + std::to_string(h.server.port()) + "/hello"),
                  TransportFailure::tls);
}

namespace {

// A self-signed certificate for IP 127.0.0.1 only, made with the openssl command in a temporary
// directory; empty paths when the command is missing.
struct SelfSignedCertificate {
  SelfSignedCertificate() {
    dir = std::filesystem::temp_directory_path() / ("synckit-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
                                " -days 1 -subj /CN=synckit-test -addext subjectAltName=IP:127.0.0.1"
                                " -keyout '" +
                                (dir / "key.pem").string() + "' -out '" + (dir / "cert.pem").string() +
                                "' >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) {
      cert = (dir / "cert.pem").string();
      key = (dir / "key.pem").string();
    }
  }
  ~SelfSignedCertificate() { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;
  std::string cert;
  std::string key;
};

}  // namespace

TEST_CASE("curl transport: certificates and host names are verified", "[curl][tls]") {
  SelfSignedCertificate certificate;
  if (certificate.cert.empty()) {
    WARN("skipped: the openssl command could not make a test certificate");
    return;
  }
  EventLoop loop;
  auto tls_server = std::make_unique<httplib::SSLServer>(certificate.cert.c_str(), certificate.key.c_str());
  REQUIRE(tls_server->is_valid());
  TestServer server(std::move(tls_server), "https");
  const auto send = [&loop](CurlTransport& transport, const std::string& url) {
    auto done = std::make_shared<std::promise<Outcome>>();
    transport.send(HttpRequest{"GET", url, {}, {}}, [&loop, done](TransportResult result) {
      done->set_value(Outcome{std::move(result), loop.on_loop_thread()});
    });
    auto outcome = done->get_future();
    REQUIRE(outcome.wait_for(20s) == std::future_status::ready);
    return outcome.get();
  };
  SECTION("an untrusted certificate fails with tls") {
    CurlTransport transport(loop);
    require_failure(send(transport, server.url("/hello")), TransportFailure::tls);
  }
  CurlOptions trusting;
  trusting.ca_bundle = certificate.cert;
  SECTION("trusted through ca_bundle, the request succeeds") {
    CurlTransport transport(loop, trusting);
    const Outcome outcome = send(transport, server.url("/hello"));
    REQUIRE(outcome.result.response.has_value());
    CHECK(outcome.result.response->body == "hello world");
  }
  SECTION("a trusted certificate for another host name fails with tls") {
    CurlTransport transport(loop, trusting);
    require_failure(send(transport, server.url("/hello", "localhost")), TransportFailure::tls);
  }
}

TEST_CASE("curl transport: done is never called inside send()", "[curl]") {
  Harness h;
  auto finished = std::make_shared<std::promise<bool>>();
  h.loop.post(0ms, [&h, finished] {
    auto called = std::make_shared<bool>(false);
    h.transport.send(HttpRequest{"GET", "http://example.com/", {}, {}}, [called, finished](TransportResult) {
      *called = true;
      finished->set_value(true);
    });
    CHECK_FALSE(*called);  // rejected without network, yet not inline: posted to this loop
  });
  auto result = finished->get_future();
  REQUIRE(result.wait_for(5s) == std::future_status::ready);
}

TEST_CASE("curl transport: destruction cancels requests in flight, delivering on the loop", "[curl]") {
  EventLoop loop;
  TestServer server;
  auto done = std::make_shared<std::promise<Outcome>>();
  {
    CurlTransport transport(loop);
    transport.send(HttpRequest{"GET", server.url("/slow"), {}, {}}, [&loop, done](TransportResult result) {
      done->set_value(Outcome{std::move(result), loop.on_loop_thread()});
    });
    std::this_thread::sleep_for(100ms);  // let it reach the server
  }
  auto outcome = done->get_future();
  REQUIRE(outcome.wait_for(5s) == std::future_status::ready);
  require_failure(outcome.get(), TransportFailure::cancelled);
}
