// The server's rate limits as the client meets them: 429 with Retry-After is retried after the
// (capped) Retry-After, and a limit that does not lift in time surfaces as rate_limited.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace synckit::integration;
using namespace std::chrono_literals;

TEST_CASE("429 from the request rate limit: the client waits for Retry-After and succeeds", "[limits]") {
  ServerProcess server({"--rate-limit", "5"});  // 5 requests per second, burst 5
  LogSink log;
  Config config = client_config(server, KeyCache::memory, &log);
  // Backoff alone (5, 10, 20 ms) would give up long before a token comes back (every 200 ms):
  // only waiting for Retry-After (1 s, capped here at 300 ms) gets through.
  config.retry.max_retry_after = 300ms;
  Client client(config);
  client.create_account("limits@example.com", "login password");
  for (int i = 0; i < 8; ++i) CHECK(error_of([&] { client.status(); }) == "no error");
  CHECK(log.contains("GET /v1/sync/status -> 429"));
  CHECK(log.contains("GET /v1/sync/status: retry 1 in 300 ms"));
}

TEST_CASE("the auth rate limit: rate_limited once the client's retries are spent", "[limits]") {
  ServerProcess server({"--auth-rate-limit", "2"});  // 2 sign-in attempts per minute
  Client client(client_config(server));
  client.create_account("auth-limits@example.com", "login password");
  client.authenticate("auth-limits@example.com", "login password");
  try {
    client.authenticate("auth-limits@example.com", "login password");
    FAIL("the third sign-in within a minute was not refused");
  } catch (const Error& e) {
    CHECK(error_kind_name(e.kind()) == "rate_limited");
    CHECK(e.status() == 429);
  }
  CHECK(client.session());  // the earlier session is untouched
}
