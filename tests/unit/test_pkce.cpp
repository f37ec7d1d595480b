#include <catch2/catch.hpp>

#include <string>

#include "fixed_random.hpp"
#include "synckit/auth/pkce.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/error.hpp"

using namespace synckit;

namespace {

// Runs `call`, expects a synckit::Error and returns it.
template <class F>
Error error_of(F&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no synckit::Error thrown");
  return Error(ErrorKind::invalid_input);
}

Bytes counting_bytes(std::size_t n) {
  Bytes bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<std::uint8_t>(i);
  return bytes;
}

}  // namespace

TEST_CASE("pkce_challenge_s256 matches RFC 7636 Appendix B", "[auth][pkce]") {
  CHECK(pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("pkce verifiers are validated per RFC 7636", "[auth][pkce]") {
  CHECK(is_valid_pkce_verifier(std::string(43, 'a')));
  CHECK(is_valid_pkce_verifier(std::string(128, '~')));
  CHECK(is_valid_pkce_verifier("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"));
  CHECK_FALSE(is_valid_pkce_verifier(std::string(42, 'a')));
  CHECK_FALSE(is_valid_pkce_verifier(std::string(129, 'a')));
  CHECK_FALSE(is_valid_pkce_verifier(std::string(42, 'a') + "+"));
  CHECK_FALSE(is_valid_pkce_verifier(std::string(42, 'a') + "="));
  CHECK_FALSE(is_valid_pkce_verifier(std::string(42, 'a') + " "));
  const Error e = error_of([] { pkce_challenge_s256("too-short"); });
  CHECK(e.kind() == ErrorKind::invalid_input);
  CHECK(e.field() == "code_verifier");
}

TEST_CASE("new_pkce draws the verifier then the state from the random source", "[auth][pkce]") {
  test::FixedRandom random(counting_bytes(48));
  const PkceChallenge pkce = new_pkce(random);
  CHECK(random.remaining() == 0);
  // base64url of bytes 0..31 and 32..47 (checked with Python's base64.urlsafe_b64encode).
  CHECK(pkce.verifier == "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  CHECK(pkce.verifier.size() == 43);
  CHECK(pkce.state == "ICEiIyQlJicoKSorLC0uLw");
  CHECK(pkce.challenge == pkce_challenge_s256(pkce.verifier));
  CHECK(is_valid_pkce_verifier(pkce.verifier));
}

TEST_CASE("pkce_state_matches", "[auth][pkce]") {
  CHECK(pkce_state_matches("ICEiIyQlJicoKSorLC0uLw", "ICEiIyQlJicoKSorLC0uLw"));
  CHECK_FALSE(pkce_state_matches("ICEiIyQlJicoKSorLC0uLw", "ICEiIyQlJicoKSorLC0uLx"));
  CHECK_FALSE(pkce_state_matches("ICEiIyQlJicoKSorLC0uLw", "ICEiIyQlJicoKSorLC0uL"));
  CHECK_FALSE(pkce_state_matches("ICEiIyQlJicoKSorLC0uLw", ""));
  CHECK_FALSE(pkce_state_matches("", ""));
}

TEST_CASE("percent encoding follows RFC 3986", "[auth][url]") {
  CHECK(percent_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(percent_encode("a b/c?d=e&f+g%") == "a%20b%2Fc%3Fd%3De%26f%2Bg%25");
  CHECK(percent_encode("\xC3\xA9") == "%C3%A9");
  CHECK(percent_decode("a%20b%2fc%2F", "x") == "a b/c/");
  CHECK(percent_decode("a+b", "x") == "a+b");
  CHECK(percent_decode("a+b", "x", true) == "a b");
  for (const char* bad : {"%", "%2", "%zz", "%2g", "abc%", "%%41"}) {
    const Error e = error_of([&] { percent_decode(bad, "code"); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(e.field() == "code");
  }
}

TEST_CASE("encode_query and parse_query round-trip", "[auth][url]") {
  const std::string query = encode_query({{"a b", "1&2"}, {"empty", ""}, {"u", "https://x/y?z"}});
  CHECK(query == "a%20b=1%262&empty=&u=https%3A%2F%2Fx%2Fy%3Fz");
  const auto params = parse_query(query + "&&flag");
  REQUIRE(params.size() == 4);
  CHECK(params[0] == QueryParam{"a b", "1&2"});
  CHECK(params[1] == QueryParam{"empty", ""});
  CHECK(params[2] == QueryParam{"u", "https://x/y?z"});
  CHECK(params[3] == QueryParam{"flag", ""});
  CHECK(parse_query("").empty());
  CHECK(parse_query("q=a+b")[0].second == "a b");
}

TEST_CASE("build_authorize_url", "[auth][pkce]") {
  PkceChallenge pkce{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
                     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "ICEiIyQlJicoKSorLC0uLw"};
  const std::string url =
      build_authorize_url("https://sync.example.com/", "sk_app 1", "com.example.app:/oauth/cb?x=1", pkce);
  CHECK(url ==
        "https://sync.example.com/v1/oauth/authorize?response_type=code&client_id=sk_app%201"
        "&redirect_uri=com.example.app%3A%2Foauth%2Fcb%3Fx%3D1"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
        "&state=ICEiIyQlJicoKSorLC0uLw");
  CHECK(url.find(pkce.verifier) == std::string::npos);
  CHECK(build_authorize_url("http://127.0.0.1:8080", "k", "http://127.0.0.1:9/cb", pkce)
            .starts_with("http://127.0.0.1:8080/v1/oauth/authorize?response_type=code&client_id=k&"));

  CHECK(error_of([&] { build_authorize_url("", "k", "r", pkce); }).field() == "server_url");
  CHECK(error_of([&] { build_authorize_url("/", "k", "r", pkce); }).field() == "server_url");
  CHECK(error_of([&] { build_authorize_url("https://s", "", "r", pkce); }).field() == "api_key");
  CHECK(error_of([&] { build_authorize_url("https://s", "k", "", pkce); }).field() == "redirect_uri");
  PkceChallenge no_state = pkce;
  no_state.state.clear();
  CHECK(error_of([&] { build_authorize_url("https://s", "k", "r", no_state); }).field() == "state");
}

TEST_CASE("parse_oauth_redirect reads code and state", "[auth][pkce]") {
  const OAuthRedirect r = parse_oauth_redirect("com.example.app:/oauth/cb?state=ab%2Bc&code=x%2Fy+z#frag");
  CHECK(r.code == "x/y z");
  CHECK(r.state == "ab+c");
  const OAuthRedirect r2 = parse_oauth_redirect("http://127.0.0.1:9/cb?code=c1&state=s1&extra=1");
  CHECK(r2.code == "c1");
  CHECK(r2.state == "s1");
}

TEST_CASE("parse_oauth_redirect errors are typed and never crash", "[auth][pkce]") {
  const Error denied = error_of([] { parse_oauth_redirect("app:/cb?error=access_denied&state=s"); });
  CHECK(denied.kind() == ErrorKind::invalid_grant);
  CHECK(denied.field() == "error");
  CHECK(denied.detail().find("access_denied") != std::string::npos);
  const Error odd = error_of([] { parse_oauth_redirect("app:/cb?error=%3Cscript%3E&code=c&state=s"); });
  CHECK(odd.kind() == ErrorKind::invalid_grant);
  CHECK(odd.detail().find("script") == std::string::npos);

  struct Case {
    const char* url;
    const char* field;
  };
  for (const Case c : {Case{"app:/cb", "code"}, Case{"app:/cb?", "code"}, Case{"app:/cb?state=s", "code"},
                       Case{"app:/cb?code=&state=s", "code"}, Case{"app:/cb?code=c", "state"},
                       Case{"app:/cb?code=c&state=", "state"}, Case{"app:/cb?code=a&code=b&state=s", "code"},
                       Case{"app:/cb#code=c&state=s", "code"}, Case{"app:/cb?code=%zzsecret&state=s", "code"},
                       Case{"app:/cb?code=c&state=%4", "state"}, Case{"app:/cb?co%zz=c&state=s", "query"}}) {
    INFO(c.url);
    const Error e = error_of([&] { parse_oauth_redirect(c.url); });
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(e.field() == c.field);
    CHECK(std::string(e.what()).find("secret") == std::string::npos);
  }
}
