// The client's request logic with a scripted transport: retry timing, Retry-After, which failures
// are retried, token refresh before expiry and after a 401. (Sync against a real server is tested
// in tests/native.)
#include <catch2/catch.hpp>

#include "fake_platform.hpp"
#include "fixed_random.hpp"
#include "synckit/client/client.hpp"

using namespace synckit;
using namespace std::chrono;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;  // seconds

struct Rig {
  test::ManualScheduler scheduler;
  test::ScriptedTransport transport{scheduler};
  test::MemoryKeyStore keys{scheduler};
  test::FakeClock clock{SystemTime{seconds{kNow}}};
  test::FixedRandom random{Bytes(4096, 0x80)};
  std::vector<std::optional<SessionTokens>> sessions;
  std::vector<std::string> log;
  Client client{ClientConfig{"http://127.0.0.1:8787", "sk_test", {}, 500,
                             [this](const std::optional<SessionTokens>& t) { sessions.push_back(t); },
                             [this](std::string_view line) { log.emplace_back(line); }},
                ClientServices{transport, scheduler, keys, clock, random}};

  void sign_in(std::int64_t exp) {
    client.restore_session({"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
                            test::fake_jwt(exp), "refresh-1"});
  }

  template <class T>
  Result<T> run(std::function<void(Callback<T>)> call) {
    std::optional<Result<T>> out;
    call([&](Result<T> r) { out.emplace(std::move(r)); });
    scheduler.run_all();
    REQUIRE(out);
    return std::move(*out);
  }

  Result<SyncStatus> status() {
    return run<SyncStatus>([&](Callback<SyncStatus> done) { client.status(done); });
  }
};

const std::string kStatus = R"({"user_id":"11111111-1111-4111-8111-111111111111",)"
                            R"("app_id":"22222222-2222-4222-8222-222222222222","devices":1,)"
                            R"("latest_cursor":5,"changes":5,"blobs":0,"blob_bytes":0})";

std::string header(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

TEST_CASE("transient failures are retried with growing jittered backoff, then succeed", "[client][retry]") {
  Rig rig;
  rig.sign_in(kNow + 900);
  rig.transport.reply(503, "{}", {{"Retry-After", "0"}});
  rig.transport.fail(TransportFailure::connection);
  rig.transport.reply(500);
  rig.transport.reply(200, kStatus);
  const auto result = rig.status();
  REQUIRE(result.ok());
  CHECK(rig.transport.sent.size() == 4);
  // Random bytes 0x80808080: equal jitter puts each wait just past the middle of [d/2, d].
  std::vector<milliseconds> waits;
  for (const auto d : rig.scheduler.delays) {
    if (d > milliseconds(0)) waits.push_back(d);
  }
  REQUIRE(waits.size() == 3);
  CHECK(rig.log.front() == "GET /v1/sync/status -> 503");
  CHECK(rig.log[2] == "GET /v1/sync/status -> connection");
  CHECK(waits[0] >= milliseconds(125));
  CHECK(waits[0] <= milliseconds(250));
  CHECK(waits[1] >= milliseconds(250));
  CHECK(waits[1] <= milliseconds(500));
  CHECK(waits[2] >= milliseconds(500));
  CHECK(waits[2] <= milliseconds(1000));
}

TEST_CASE("after 3 retries the last failure is the typed error", "[client][retry]") {
  Rig rig;
  rig.sign_in(kNow + 900);
  SECTION("5xx") {
    for (int i = 0; i < 4; ++i) rig.transport.reply(503, R"({"error":{"code":"unavailable","message":"x"}})");
    const auto result = rig.status();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind() == ErrorKind::server_status);
    CHECK(result.error().status() == 503);
  }
  SECTION("429 honours Retry-After") {
    for (int i = 0; i < 4; ++i) rig.transport.reply(429, "{}", {{"Retry-After", "7"}});
    const auto result = rig.status();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind() == ErrorKind::rate_limited);
    CHECK(std::count(rig.scheduler.delays.begin(), rig.scheduler.delays.end(), milliseconds(7000)) == 3);
  }
  SECTION("network") {
    for (int i = 0; i < 4; ++i) rig.transport.fail(TransportFailure::timeout);
    const auto result = rig.status();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind() == ErrorKind::network);
  }
  CHECK(rig.transport.sent.size() == 4);
}

TEST_CASE("client errors and TLS failures are never retried", "[client][retry]") {
  Rig rig;
  rig.sign_in(kNow + 900);
  SECTION("400") { rig.transport.reply(400, R"({"error":{"code":"invalid_request","message":"bad"}})"); }
  SECTION("403") { rig.transport.reply(403, R"({"error":{"code":"forbidden","message":"revoked"}})"); }
  SECTION("404") { rig.transport.reply(404, "<html>not here</html>"); }
  SECTION("tls") { rig.transport.fail(TransportFailure::tls); }
  SECTION("too large") { rig.transport.fail(TransportFailure::too_large); }
  CHECK_FALSE(rig.status().ok());
  CHECK(rig.transport.sent.size() == 1);
}

TEST_CASE("a token with fewer than 30 s left is refreshed before the request", "[client][tokens]") {
  Rig rig;
  rig.sign_in(kNow + 29);
  rig.transport.reply(200, test::token_reply_json(test::fake_jwt(kNow + 900), "refresh-2"));
  rig.transport.reply(200, kStatus);
  REQUIRE(rig.status().ok());
  REQUIRE(rig.transport.sent.size() == 2);
  CHECK(rig.transport.sent[0].url == "http://127.0.0.1:8787/v1/auth/refresh");
  CHECK(rig.transport.sent[0].body == R"({"refresh_token":"refresh-1"})");
  CHECK(header(rig.transport.sent[1], "Authorization") == "Bearer " + test::fake_jwt(kNow + 900));
  REQUIRE(rig.client.session());
  CHECK(rig.client.session()->refresh_token == "refresh-2");
  CHECK(rig.sessions.back()->refresh_token == "refresh-2");
}

TEST_CASE("a token with 31 s left is used as it is", "[client][tokens]") {
  Rig rig;
  rig.sign_in(kNow + 31);
  rig.transport.reply(200, kStatus);
  REQUIRE(rig.status().ok());
  CHECK(rig.transport.sent.size() == 1);
}

TEST_CASE("a 401 triggers one refresh and one more try", "[client][tokens]") {
  Rig rig;
  rig.sign_in(kNow + 900);
  rig.transport.reply(401, R"({"error":{"code":"unauthorized","message":"x"}})");
  rig.transport.reply(200, test::token_reply_json(test::fake_jwt(kNow + 900, "v2"), "refresh-2"));
  SECTION("which succeeds") {
    rig.transport.reply(200, kStatus);
    CHECK(rig.status().ok());
  }
  SECTION("and a second 401 is the typed auth error") {
    rig.transport.reply(401, R"({"error":{"code":"unauthorized","message":"x"}})");
    const auto result = rig.status();
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind() == ErrorKind::unauthorized);
    CHECK(rig.transport.sent.size() == 3);
  }
}

TEST_CASE("a refused refresh token ends the session with token_expired", "[client][tokens]") {
  Rig rig;
  rig.sign_in(kNow - 10);
  rig.transport.reply(401, R"({"error":{"code":"unauthorized","message":"x"}})");
  const auto result = rig.status();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().kind() == ErrorKind::token_expired);
  CHECK_FALSE(rig.client.session());
  CHECK_FALSE(rig.sessions.back());
}

TEST_CASE("concurrent requests share one refresh", "[client][tokens]") {
  Rig rig;
  rig.sign_in(kNow + 5);
  rig.transport.reply(200, test::token_reply_json(test::fake_jwt(kNow + 900), "refresh-2"));
  rig.transport.reply(200, kStatus);
  rig.transport.reply(200, kStatus);
  int ok = 0;
  rig.client.status([&](Result<SyncStatus> r) { ok += r.ok(); });
  rig.client.status([&](Result<SyncStatus> r) { ok += r.ok(); });
  rig.scheduler.run_all();
  CHECK(ok == 2);
  CHECK(std::count_if(rig.transport.sent.begin(), rig.transport.sent.end(),
                      [](const HttpRequest& r) { return r.url.ends_with("/v1/auth/refresh"); }) == 1);
}

TEST_CASE("calls that need a session or keys say so without touching the network", "[client]") {
  Rig rig;
  const auto status = rig.status();
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().kind() == ErrorKind::not_set_up);
  rig.sign_in(kNow + 900);
  const auto pushed = rig.run<std::int64_t>([&](Callback<std::int64_t> done) {
    rig.client.push("33333333-3333-4333-8333-333333333333", {}, done);
  });
  REQUIRE_FALSE(pushed.ok());
  CHECK(pushed.error().kind() == ErrorKind::not_set_up);
  CHECK(rig.transport.sent.empty());
}

TEST_CASE("server URLs must be https, or http on loopback", "[client]") {
  test::ManualScheduler scheduler;
  test::ScriptedTransport transport{scheduler};
  test::MemoryKeyStore keys{scheduler};
  test::FakeClock clock;
  test::FixedRandom random{Bytes(64)};
  const ClientServices services{transport, scheduler, keys, clock, random};
  for (const char* url : {"http://example.com", "ftp://127.0.0.1", "127.0.0.1:8787", "http://", "https://",
                          "http://127.evil.example", "http://localhost.evil.example", "http://128.0.0.1",
                          "http://127.0.0.1.nip.io", "http://127.0.0.256", "http://[::2]:8"}) {
    INFO(url);
    CHECK_THROWS_AS(Client(ClientConfig{url, "k", {}, 500, {}, {}}, services), Error);
  }
  for (const char* url : {"https://sync.example.com", "http://127.0.0.1:8787/", "http://localhost:1", "http://[::1]:8",
                          "http://127.1.2.3"}) {
    INFO(url);
    CHECK_NOTHROW(Client(ClientConfig{url, "k", {}, 500, {}, {}}, services));
  }
  CHECK_THROWS_AS(Client(ClientConfig{"https://a.example", "", {}, 500, {}, {}}, services), Error);
}

TEST_CASE("the in-place blob calls need keys and touch no network without them", "[client][blob]") {
  Rig rig;
  rig.sign_in(kNow + 900);
  const auto put = rig.run<Done>([&](Callback<Done> done) {
    rig.client.put_blob_in_place("photo-1", std::string(kBlobOverhead + 3, 'x'), done);
  });
  REQUIRE_FALSE(put.ok());
  CHECK(put.error().kind() == ErrorKind::not_set_up);
  const auto got = rig.run<OpenedBlob>([&](Callback<OpenedBlob> done) { rig.client.get_blob_in_place("photo-1", done); });
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().kind() == ErrorKind::not_set_up);
  CHECK(rig.transport.sent.empty());
}
