// The registered-redirect-URI rule (server/src/http/redirect_uri.hpp): exact, except the port of
// a loopback URI; and which URIs may be registered at all.
#include <catch2/catch.hpp>

#include "http/redirect_uri.hpp"

using namespace synckit::server;

TEST_CASE("redirect_uri: a registered URI admits itself byte for byte and nothing near it", "[oauth]") {
  const std::string registered = "https://app.example.com/oauth/done";
  CHECK(redirect_uri_matches(registered, registered));
  for (const char* near : {
           "https://evil.example/cb",                         // another host
           "https://app.example.com/oauth/done/more",         // a registered prefix with more path
           "https://app.example.com/oauth/done/../../steal",  // dot segments
           "https://app.example.com/oauth/%2e%2e/done",
           "https://app.example.com.evil.example/oauth/done",  // the registered host inside another
           "https://evil.app.example.com/oauth/done",          // a subdomain of it
           "https://app.example.com/oauth/done?x=1",           // added query
           "http://app.example.com/oauth/done",                // other scheme
           "HTTPS://app.example.com/oauth/done",               // case differs
           "https://APP.example.com/oauth/done",
           "https://app.example.com/oauth/done/",
           "https://app.example.com:443/oauth/done",  // port added (only loopback may vary it)
           "https://app.example.com@evil.example/oauth/done",
           "https://app.example.com/oauth/done#x",
           "",
       }) {
    INFO(near);
    CHECK_FALSE(redirect_uri_matches(registered, near));
  }
}

TEST_CASE("redirect_uri: loopback URIs match on any port with the same path (RFC 8252 7.3)", "[oauth]") {
  const std::string v4 = "http://127.0.0.1/callback";
  CHECK(redirect_uri_matches(v4, "http://127.0.0.1/callback"));
  CHECK(redirect_uri_matches(v4, "http://127.0.0.1:5555/callback"));
  CHECK(redirect_uri_matches(v4, "http://127.0.0.1:65535/callback"));
  CHECK(redirect_uri_matches("http://127.0.0.1:8080/callback", "http://127.0.0.1:1/callback"));
  CHECK(redirect_uri_matches("http://127.0.0.1:8080/callback?a=1", "http://127.0.0.1:9/callback?a=1"));
  CHECK(redirect_uri_matches("http://[::1]/cb", "http://[::1]:40000/cb"));
  for (const char* other : {
           "http://127.0.0.1:5555/callback/x",   // more path
           "http://127.0.0.1:5555/callbacks",    // longer segment
           "http://127.0.0.1:5555/",             // less path
           "http://127.0.0.1:5555",              // no path
           "http://127.0.0.1:5555/callback?x=1", // added query
           "http://127.0.0.1:65536/callback",    // not a port
           "http://127.0.0.1:0/callback",
           "http://127.0.0.1:05555/callback",
           "http://127.0.0.1:/callback",
           "http://127.0.0.1:5555@evil.example/callback",
           "http://127.0.0.1.evil.example/callback",
           "http://127.0.0.2:5555/callback",  // another loopback address is not registered
           "http://localhost:5555/callback",
           "http://[::1]:5555/callback",  // the other family
           "https://127.0.0.1:5555/callback",
       }) {
    INFO(other);
    CHECK_FALSE(redirect_uri_matches(v4, other));
  }
  CHECK(is_registered_redirect({"https://a.example/cb", v4}, "http://127.0.0.1:4321/callback"));
  CHECK_FALSE(is_registered_redirect({}, "http://127.0.0.1:4321/callback"));
}

TEST_CASE("redirect_uri: what may be registered", "[oauth]") {
  for (const char* good : {"https://app.example.com/cb", "https://app.example.com:8443/cb?x=1",
                           "https://10.0.0.1/cb", "https://1password.example/cb", "https://a-1.example9/cb",
                           "https://[2001:db8::1]:8443/cb",
                           "http://127.0.0.1/cb", "http://127.0.0.1:5555/callback", "http://[::1]:80/cb",
                           "com.example.app:/oauth-done", "com.example.app://done"}) {
    INFO(good);
    CHECK_FALSE(redirect_uri_problem(good));
  }
  for (const char* bad : {"", "cb", "/relative/cb", "https://app.example.com/cb#frag", "http://app.example.com/cb",
                          "http://localhost:5555/cb", "https:///cb", "https://user:pw@app.example.com/cb",
                          "myapp:/cb", "javascript:alert(1)", "HTTPS://app.example.com/cb",
                          "https://app.example.com/a/../cb", "https://app.example.com/./cb",
                          "https://app.example.com/a b", "https://app.example.com/\xc3\xa9",
                          "http://127.0.0.1:99999/cb", "http://127.0.0.1.evil.example/cb",
                          "https://ex%61mple.com/cb", "https://a_b.example/cb", "https://app.example.com:/cb",
                          "https://app.example.com:x/cb", "https://[zz]/cb", "https://[]/cb", "https://\\evil.example/cb",
                          "https://27/cb", "https://127.1/cb", "https://0x7f.0.0.1/cb", "https://example.0x1f/cb",
                          "https://010.0.0.1/cb", "https://256.0.0.1/cb", "https://app.example.com./cb",
                          "https://app..example.com/cb", "https://app.example.com:84433/cb",
                          "https://app.example.com:0443/cb", "https://app.example.com:0/cb", "https://[:21]/cb",
                          "https://[0:0::1]/cb", "https://[::FFFF:1.2.3.4]/cb"}) {
    INFO(bad);
    CHECK(redirect_uri_problem(bad));
  }
  CHECK(redirect_uri_problem(std::string(2049, 'a')));
  CHECK(redirect_uri_problem("http://localhost/cb")->find("127.0.0.1") != std::string::npos);
}

TEST_CASE("redirect_uri: the destination named on the sign-in page", "[oauth]") {
  CHECK(redirect_uri_destination("https://app.example.com/oauth/done?x=1") == "app.example.com");
  CHECK(redirect_uri_destination("http://127.0.0.1:5555/callback") == "127.0.0.1:5555");
  CHECK(redirect_uri_destination("http://[::1]:80?x") == "[::1]:80");
  CHECK(redirect_uri_destination("com.example.app:/oauth-done") == "com.example.app");
}
