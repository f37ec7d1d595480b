// error_from_reply: any non-2xx HTTP reply becomes a typed synckit::Error, whatever its body.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "synckit/error.hpp"
#include "synckit/wire/error_body.hpp"

namespace wire = synckit::wire;
using synckit::Error;
using synckit::ErrorKind;

namespace {

std::string body(const std::string& code, const std::string& message) {
  return wire::to_json(wire::ErrorBody{code, message}).dump();
}

std::string kind_name(ErrorKind kind) { return std::string(synckit::error_kind_name(kind)); }

struct Mapping {
  int status;
  const char* code;
  ErrorKind kind;
};

}  // namespace

TEST_CASE("protocol error bodies map by status (and code for 400)", "[wire][error_from_reply]") {
  const std::vector<Mapping> table = {
      {400, "invalid_request", ErrorKind::invalid_input},
      {400, "invalid_grant", ErrorKind::invalid_grant},
      {400, "something_new", ErrorKind::invalid_input},
      {401, "unauthorized", ErrorKind::unauthorized},
      {403, "forbidden", ErrorKind::forbidden},
      {404, "not_found", ErrorKind::not_found},
      {409, "conflict", ErrorKind::conflict},
      {413, "payload_too_large", ErrorKind::payload_too_large},
      {429, "rate_limited", ErrorKind::rate_limited},
      {500, "internal", ErrorKind::server_status},
      {503, "unavailable", ErrorKind::server_status},
      {502, "internal", ErrorKind::server_status},
      {504, "unavailable", ErrorKind::server_status},
      {418, "teapot", ErrorKind::server_status},
      {405, "invalid_request", ErrorKind::server_status},
      {410, "not_found", ErrorKind::server_status},
      // The status decides; a code that disagrees with it does not.
      {401, "invalid_grant", ErrorKind::unauthorized},
      {404, "conflict", ErrorKind::not_found},
      {500, "not_found", ErrorKind::server_status},
      // Not errors at all, or nonsense statuses: still a typed server_status.
      {200, "internal", ErrorKind::server_status},
      {302, "internal", ErrorKind::server_status},
      {0, "internal", ErrorKind::server_status},
      {-1, "internal", ErrorKind::server_status},
      {999, "internal", ErrorKind::server_status},
  };
  for (const Mapping& row : table) {
    INFO(row.status << " " << row.code);
    const Error e = wire::error_from_reply(row.status, body(row.code, "details here"));
    CHECK(kind_name(e.kind()) == kind_name(row.kind));
    CHECK(e.status() == row.status);
    CHECK(e.field().empty());
    CHECK(e.detail().find("HTTP " + std::to_string(row.status)) == 0);
    CHECK(e.detail().find(row.code) != std::string::npos);
    CHECK(e.detail().find("details here") != std::string::npos);
  }
}

TEST_CASE("the detail reads well", "[wire][error_from_reply]") {
  const Error e = wire::error_from_reply(404, body("not_found", "no envelope yet"));
  CHECK(e.detail() == "HTTP 404 not_found: no envelope yet");
  CHECK(std::string(e.what()) == "not found on the server: HTTP 404 not_found: no envelope yet");
  CHECK(wire::error_from_reply(500, body("internal", "")).detail() == "HTTP 500 internal");
  CHECK(wire::error_from_reply(409, body("conflict", "   ")).detail() == "HTTP 409 conflict");
}

TEST_CASE("bodies that do not follow the protocol keep the status-based kind", "[wire][error_from_reply]") {
  const std::string html =
      "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad "
      "Gateway</h1>secret-cookie=abc</body></html>";
  const std::vector<std::pair<int, ErrorKind>> statuses = {
      {400, ErrorKind::invalid_input}, {401, ErrorKind::unauthorized},  {403, ErrorKind::forbidden},
      {404, ErrorKind::not_found},     {409, ErrorKind::conflict},      {413, ErrorKind::payload_too_large},
      {429, ErrorKind::rate_limited},  {500, ErrorKind::server_status}, {502, ErrorKind::server_status},
      {503, ErrorKind::server_status}};
  const std::vector<std::string> bodies = {
      html,
      "",
      "Bad Gateway",
      std::string("\0\x01\x02\xff\xfe garbage \x1b[31m", 17),
      "{",
      "null",
      "[]",
      R"({"error":"invalid_grant"})",
      R"({"error":{"code":"invalid_grant"}})",
      R"({"error":{"code":5,"message":"numeric code"}})",
      R"({"error":{"code":"invalid_grant","message":7}})",
      R"({"message":"top-level message"})",
      std::string(1 << 20, 'x'),
  };
  for (const auto& [status, kind] : statuses) {
    for (const std::string& text : bodies) {
      INFO(status << " " << text.substr(0, 30));
      Error e(ErrorKind::network);
      REQUIRE_NOTHROW(e = wire::error_from_reply(status, text));
      CHECK(kind_name(e.kind()) == kind_name(kind));
      CHECK(e.status() == status);
      const std::string what = e.what();
      CHECK(what.find("Bad Gateway") == std::string::npos);
      CHECK(what.find("secret-cookie") == std::string::npos);
      CHECK(what.find("garbage") == std::string::npos);
      CHECK(what.find("numeric code") == std::string::npos);
      CHECK(what.find("top-level message") == std::string::npos);
      CHECK(what.find("xxxx") == std::string::npos);
      CHECK(what.find("invalid_grant") == std::string::npos);
      if (text.empty()) {
        CHECK(e.detail() == "HTTP " + std::to_string(status));
      } else {
        CHECK(e.detail() == "HTTP " + std::to_string(status) + " (the reply body is not a SyncKit error)");
      }
    }
  }
}

TEST_CASE("a 400 is invalid_grant only when a protocol body says so", "[wire][error_from_reply]") {
  CHECK(wire::error_from_reply(400, body("invalid_grant", "code expired")).kind() ==
        ErrorKind::invalid_grant);
  CHECK(wire::error_from_reply(400, "invalid_grant").kind() == ErrorKind::invalid_input);
  CHECK(wire::error_from_reply(400, R"({"error":"invalid_grant"})").kind() == ErrorKind::invalid_input);
  CHECK(wire::error_from_reply(400, body("INVALID_GRANT", "")).kind() == ErrorKind::invalid_input);
  // Unknown extra fields do not make a body non-protocol.
  CHECK(wire::error_from_reply(400, R"({"error":{"code":"invalid_grant","message":"m","hint":1},"x":[]})")
            .kind() == ErrorKind::invalid_grant);
}

TEST_CASE("server messages are sanitised before they reach the detail", "[wire][error_from_reply]") {
  SECTION("control characters, escapes and non-ASCII become '?'") {
    const Error e =
        wire::error_from_reply(409, body("conflict", "line1\r\nline2\t\x1b[31mred\x1b[0m caf\xc3\xa9!"));
    CHECK(e.detail() == "HTTP 409 conflict: line1?line2?[31mred?[0m caf?!");
  }
  SECTION("long messages are cut at 200 characters") {
    const Error e = wire::error_from_reply(500, body("internal", std::string(5000, 'm')));
    CHECK(e.detail() == "HTTP 500 internal: " + std::string(200, 'm') + "...");
    const Error exact = wire::error_from_reply(500, body("internal", std::string(200, 'm')));
    CHECK(exact.detail() == "HTTP 500 internal: " + std::string(200, 'm'));
  }
  SECTION("a code that is not a plain token is left out") {
    const Error e = wire::error_from_reply(404, body("Not Found\n<b>", "gone"));
    CHECK(e.detail() == "HTTP 404: gone");
    CHECK(wire::error_from_reply(404, body(std::string(64, 'a'), "m")).detail() ==
          "HTTP 404 " + std::string(64, 'a') + ": m");
  }
}

TEST_CASE("Retry-After is carried in the detail, sanitised", "[wire][error_from_reply]") {
  const Error limited = wire::error_from_reply(429, body("rate_limited", "slow down"), "30");
  CHECK(limited.kind() == ErrorKind::rate_limited);
  CHECK(limited.status() == 429);
  CHECK(limited.detail() == "HTTP 429 rate_limited: slow down; retry after 30 s");

  const Error date = wire::error_from_reply(503, "", "Wed, 21 Oct 2026 07:28:00 GMT");
  CHECK(date.kind() == ErrorKind::server_status);
  CHECK(date.detail() == "HTTP 503; retry after Wed, 21 Oct 2026 07:28:00 GMT");

  const Error injected = wire::error_from_reply(429, "", std::string_view("5\r\nSet-Cookie: x=1"));
  CHECK(injected.detail().find('\r') == std::string::npos);
  CHECK(injected.detail().find('\n') == std::string::npos);
  CHECK(wire::error_from_reply(429, "", "").detail() == "HTTP 429");
  CHECK(wire::error_from_reply(429, "", std::string(500, '9')).detail().size() < 80);
  CHECK(wire::error_from_reply(429, "").detail() == "HTTP 429");
}

TEST_CASE("sanitize_server_text", "[wire][error_from_reply]") {
  CHECK(wire::sanitize_server_text("") == "");
  CHECK(wire::sanitize_server_text("plain text: ok (1/2) ~") == "plain text: ok (1/2) ~");
  CHECK(wire::sanitize_server_text("  padded  ") == "padded");
  CHECK(wire::sanitize_server_text("a\n\n\nb") == "a?b");
  CHECK(wire::sanitize_server_text("\xe2\x9c\x93 done") == "? done");
  CHECK(wire::sanitize_server_text(std::string("nul\0byte", 8)) == "nul?byte");
  CHECK(wire::sanitize_server_text("abcdef", 3) == "abc...");
  CHECK(wire::sanitize_server_text("abc", 3) == "abc");
  CHECK(wire::sanitize_server_text("ab   cdef", 4) == "ab...");
  CHECK(wire::sanitize_server_text("abc", 0) == "...");
  CHECK(wire::sanitize_server_text("\x7f") == "?");
}
