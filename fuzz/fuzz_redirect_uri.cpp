// The server's registered-redirect-URI rule (server/src/http/redirect_uri.hpp) against libcurl's
// URL parser: input "REGISTERED\nREQUESTED". Whatever the bytes, the rule never crashes, and:
// - a URI it lets be registered parses with curl, and its destination is curl's host[:port];
// - a requested URI it admits for a registered one parses with curl to the same scheme, host, path
//   and query (and, unless loopback, the same port): no second reading of the address exists.
#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "http/redirect_uri.hpp"

namespace synckit_fuzz {
namespace {

struct Parts {
  std::string scheme, host, port, path, query;
};

std::optional<std::string> part(CURLU* url, CURLUPart which) {
  char* text = nullptr;
  if (curl_url_get(url, which, &text, 0) != CURLUE_OK) return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

// curl's reading of an http(s) URI, or nullopt when curl refuses it.
std::optional<Parts> curl_parts(const std::string& uri) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
  if (!url || curl_url_set(url.get(), CURLUPART_URL, uri.c_str(), 0) != CURLUE_OK) return std::nullopt;
  Parts parts;
  parts.scheme = part(url.get(), CURLUPART_SCHEME).value_or("");
  parts.host = part(url.get(), CURLUPART_HOST).value_or("");
  parts.port = part(url.get(), CURLUPART_PORT).value_or("");
  parts.path = part(url.get(), CURLUPART_PATH).value_or("");
  parts.query = part(url.get(), CURLUPART_QUERY).value_or("");
  return parts;
}

bool is_web(std::string_view uri) { return uri.rfind("https://", 0) == 0 || uri.rfind("http://", 0) == 0; }

}  // namespace

inline void redirect_uri(std::string_view input) {
  const auto newline = input.find('\n');
  const std::string registered(input.substr(0, newline));
  const std::string requested(newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1));
  using namespace synckit::server;
  const bool registrable = !redirect_uri_problem(registered);
  const bool matches = redirect_uri_matches(registered, requested);
  (void)redirect_uri_destination(requested);
  check(redirect_uri_matches(registered, registered), "a URI matches itself");
  if (!registrable || !is_web(registered)) return;
  const auto want = curl_parts(registered);
  check(want.has_value(), "curl parses every registrable http(s) URI");
  const std::string destination = redirect_uri_destination(registered);
  check(destination == want->host || destination == want->host + ":" + want->port, "destination is curl's host[:port]");
  if (!matches) return;
  const auto got = curl_parts(requested);
  check(got.has_value(), "curl parses every admitted URI");
  check(got->scheme == want->scheme && got->host == want->host && got->path == want->path && got->query == want->query,
        "an admitted URI goes to the registered scheme, host, path and query");
  const bool loopback = want->host == "127.0.0.1" || want->host == "[::1]";
  check(loopback || got->port == want->port, "only loopback URIs vary the port");
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(redirect_uri)
