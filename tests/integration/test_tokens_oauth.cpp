// Scenarios 7 and 8: an access token about to expire is refreshed (rotating the refresh token)
// before the call that needs it; OAuth PKCE end to end over HTTP with the test as the browser.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "support.hpp"
#include "synckit/auth/jwt.hpp"
#include "synckit/auth/url_encoding.hpp"

using namespace synckit::integration;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRedirect = "http://127.0.0.1:9/callback";

std::string param(const std::string& url, const std::string& name) {
  for (const auto& [key, value] : query_of(url)) {
    if (key == name) return value;
  }
  FAIL("no '" << name << "' in the URL");
  return {};
}

std::string redirect_with(const std::string& code, const std::string& state) {
  return std::string(kRedirect) + "?" + synckit::encode_query({{"code", code}, {"state", state}});
}

// Plays the browser: opens the authorize page, submits its form (the URL's query fields plus the
// credentials) and returns the reply. A successful sign-in is a 302 to the redirect URI.
httplib::Result submit_sign_in(const ServerProcess& server, const std::string& authorize_url,
                               const std::string& email, const std::string& password) {
  auto http = raw_http(server);
  const auto page = http->Get(path_and_query(authorize_url).c_str());
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Type").rfind("text/html", 0) == 0);
  const auto fields = query_of(authorize_url);
  std::vector<std::pair<std::string_view, std::string_view>> form;
  for (const auto& [name, value] : fields) {
    CHECK(page->body.find("name=\"" + name + "\"") != std::string::npos);
    form.emplace_back(name, value);
  }
  form.emplace_back("email", email);
  form.emplace_back("password", password);
  auto reply =
      http->Post("/v1/oauth/authorize", synckit::encode_query(form), "application/x-www-form-urlencoded");
  REQUIRE(reply);
  return reply;
}

std::string sign_in_in_browser(const ServerProcess& server, const std::string& authorize_url,
                               const std::string& email, const std::string& password) {
  const auto reply = submit_sign_in(server, authorize_url, email, password);
  REQUIRE(reply->status == 302);
  const std::string location = reply->get_header_value("Location");
  CHECK(location.rfind(std::string(kRedirect) + "?", 0) == 0);
  CHECK(param(location, "state") == param(authorize_url, "state"));
  return location;
}

}  // namespace

TEST_CASE("an access token about to expire is refreshed before the call that needs it", "[tokens]") {
  ServerProcess server({"--token-ttl", "31"});
  LogSink log;
  std::mutex mutex;
  std::vector<std::optional<SessionTokens>> seen;
  Config config = client_config(server, KeyCache::memory, &log);
  config.on_session_change = [&](const std::optional<SessionTokens>& tokens) {
    std::lock_guard lock(mutex);
    seen.push_back(tokens);
  };
  Client client(config);
  client.create_account("ttl@example.com", "login password");
  const SessionTokens first = *client.session();
  const synckit::JwtClaims claims = synckit::read_jwt_claims(first.access_token);
  CHECK(claims.exp - claims.iat == 31);

  // Wait until fewer than 30 s remain (1-2 s): the client must refresh before its next request.
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::seconds(claims.exp)) -
                                30s + 200ms);
  CHECK_FALSE(log.contains("/v1/auth/refresh"));
  const SyncStatus status = client.status();
  CHECK(status.user_id == first.user_id);

  const SessionTokens second = *client.session();
  CHECK(second.refresh_token != first.refresh_token);
  CHECK(second.access_token != first.access_token);
  CHECK(second.user_id == first.user_id);
  CHECK(log.contains("POST /v1/auth/refresh -> 200"));
  const auto lines = log.lines();
  REQUIRE(lines.size() >= 2);
  CHECK(lines[lines.size() - 2] == "POST /v1/auth/refresh -> 200");
  CHECK(lines.back() == "GET /v1/sync/status -> 200");
  {
    std::lock_guard lock(mutex);
    REQUIRE(seen.size() == 2);  // sign-up, refresh
    REQUIRE(seen.back());
    CHECK(seen.back()->refresh_token == second.refresh_token);
    CHECK(seen.back()->access_token == second.access_token);
  }
  CHECK(server.log_shows(" POST /v1/auth/refresh 200 "));

  // Calls from several threads that all find the token about to expire share one refresh (a second
  // one would present the rotated refresh token, get 401 and end the session).
  const auto renewed = synckit::read_jwt_claims(second.access_token);
  std::this_thread::sleep_until(std::chrono::system_clock::time_point(std::chrono::seconds(renewed.exp)) -
                                30s + 200ms);
  const auto refreshes_before = log.count("POST /v1/auth/refresh");
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = error_of([&] { client.list_devices(); }); });
  }
  for (auto& thread : threads) thread.join();
  CHECK(results == std::vector<std::string>(4, "no error"));
  CHECK(log.count("POST /v1/auth/refresh") == refreshes_before + 1);
  CHECK(client.session());

  // The old refresh token was retired by the rotation.
  auto http = raw_http(server);
  const auto reuse = http->Post("/v1/auth/refresh", {{"X-SyncKit-Api-Key", server.api_key()}},
                                R"({"refresh_token":")" + first.refresh_token + R"("})", "application/json");
  REQUIRE(reuse);
  CHECK(reuse->status == 401);
}

TEST_CASE("OAuth PKCE over HTTP: sign in through the browser form, then unlock and pull", "[oauth]") {
  constexpr const char* kEmail = "oauth@example.com";
  constexpr const char* kAccountPassword = "the account password";
  constexpr const char* kEnvelopePassword = "a different envelope password";
  ServerProcess server;
  Client a(client_config(server));
  const Account account = a.create_account(kEmail, kAccountPassword);
  a.setup_encryption_new(kEnvelopePassword);
  const Device laptop = a.register_device("laptop", "linux");
  const std::vector<ChangeEntry> pushed{change(ChangeOp::insert, "o1", {{"via", "password sign-in"}})};
  a.push(laptop.id, pushed);

  Client b(client_config(server));
  const std::string authorize = b.begin_oauth(kRedirect);
  CHECK(authorize.rfind(server.url() + "/v1/oauth/authorize?", 0) == 0);
  CHECK(param(authorize, "client_id") == server.api_key());
  CHECK(param(authorize, "code_challenge_method") == "S256");
  CHECK(param(authorize, "redirect_uri") == kRedirect);

  // A wrong password in the browser: the page again (401), no redirect.
  const auto refused = submit_sign_in(server, authorize, kEmail, "not the password");
  CHECK(refused->status == 401);
  CHECK_FALSE(refused->has_header("Location"));

  const std::string location = sign_in_in_browser(server, authorize, kEmail, kAccountPassword);
  const Account via_oauth = b.complete_oauth(location);
  CHECK(via_oauth.user_id == account.user_id);
  CHECK(via_oauth.app_id == account.app_id);
  b.setup_encryption_existing(kEnvelopePassword);
  const Device phone = b.register_device("phone", "android");
  CHECK(entries_of(pull_all(b, phone.id)) == pushed);

  // A redirect whose state is not the one sent: refused before any request, and the pending
  // sign-in survives it (the genuine redirect still completes).
  Client c(client_config(server));
  const std::string authorize_c = c.begin_oauth(kRedirect);
  const std::string location_c = sign_in_in_browser(server, authorize_c, kEmail, kAccountPassword);
  std::string state = param(location_c, "state");
  state[0] = state[0] == 'x' ? 'y' : 'x';
  CHECK(error_of([&] { c.complete_oauth(redirect_with(param(location_c, "code"), state)); }) ==
        "invalid_grant");
  CHECK_FALSE(c.session());
  CHECK(c.complete_oauth(location_c).user_id == account.user_id);

  // The code is single-use: presenting it again (in a new sign-in, with its own state) fails at
  // the server's token endpoint.
  const std::string authorize_again = c.begin_oauth(kRedirect);
  const std::string reused = redirect_with(param(location_c, "code"), param(authorize_again, "state"));
  CHECK(error_of([&] { c.complete_oauth(reused); }) == "invalid_grant");
  CHECK(server.log_shows(" POST /v1/oauth/token 400 "));
}

TEST_CASE("OAuth PKCE over HTTP: a redirect URI the app did not register gets no code", "[oauth]") {
  constexpr const char* kEmail = "oauth-attack@example.com";
  constexpr const char* kPassword = "the account password";
  ServerProcess server;
  Client a(client_config(server));
  a.create_account(kEmail, kPassword);
  Client attacker(client_config(server));
  for (const char* uri : {"https://evil.example/callback", "http://127.0.0.1:9/callback/more",
                          "http://127.0.0.1:9/x/../callback", "http://127.0.0.1:9/callback?x=1"}) {
    INFO(uri);
    const std::string authorize = attacker.begin_oauth(uri);
    auto http = raw_http(server);
    const auto page = http->Get(path_and_query(authorize).c_str());
    REQUIRE(page);
    CHECK(page->status == 400);
    CHECK_FALSE(page->has_header("Location"));
    CHECK(page->body.find("<form") == std::string::npos);
    std::vector<std::pair<std::string_view, std::string_view>> form;
    const auto fields = query_of(authorize);
    for (const auto& [name, value] : fields) form.emplace_back(name, value);
    form.emplace_back("email", kEmail);
    form.emplace_back("password", kPassword);
    const auto reply =
        http->Post("/v1/oauth/authorize", synckit::encode_query(form), "application/x-www-form-urlencoded");
    REQUIRE(reply);
    CHECK(reply->status == 400);
    CHECK_FALSE(reply->has_header("Location"));
    CHECK(reply->body.find("code=") == std::string::npos);
  }
}
