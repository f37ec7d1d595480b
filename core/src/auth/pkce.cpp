#include "synckit/auth/pkce.hpp"

#include <array>
#include <optional>

#include <sodium.h>

#include "sodium_init.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

constexpr std::size_t kVerifierRandomBytes = 32;
constexpr std::size_t kStateRandomBytes = 16;

// base64url of `count` fresh random bytes; the raw bytes are wiped afterwards.
std::string random_token(RandomSource& random, std::size_t count) {
  std::array<std::uint8_t, kVerifierRandomBytes> raw{};
  const auto bytes = std::span<std::uint8_t>(raw).first(count);
  random.fill(bytes);
  std::string token = base64url_encode(bytes);
  secure_wipe(raw.data(), raw.size());
  return token;
}

void require_non_empty(std::string_view value, const char* field) {
  if (value.empty()) throw Error(ErrorKind::invalid_input, std::string(field) + " is empty", field);
}

// The OAuth error code for a message, when it is a short plain token (RFC 6749 codes are).
std::string describe_oauth_error(std::string_view code) {
  const bool plain = !code.empty() && code.size() <= 64 &&
                     code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos;
  return plain ? "the authorization server returned error '" + std::string(code) + "'"
               : std::string("the authorization server returned an error");
}

// The single non-empty value of `name`; throws Error{invalid_input} naming it otherwise.
std::string take_single(std::vector<QueryParam>& params, const char* name) {
  std::optional<std::string> found;
  for (auto& [key, value] : params) {
    if (key != name) continue;
    if (found) {
      throw Error(ErrorKind::invalid_input, std::string("repeated '") + name + "' in the OAuth redirect",
                  name);
    }
    found = std::move(value);
  }
  if (!found || found->empty()) {
    throw Error(ErrorKind::invalid_input, std::string("missing '") + name + "' in the OAuth redirect", name);
  }
  return std::move(*found);
}

}  // namespace

PkceChallenge new_pkce(RandomSource& random) {
  PkceChallenge pkce;
  pkce.verifier = random_token(random, kVerifierRandomBytes);
  pkce.state = random_token(random, kStateRandomBytes);
  pkce.challenge = pkce_challenge_s256(pkce.verifier);
  return pkce;
}

bool is_valid_pkce_verifier(std::string_view verifier) noexcept {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  for (const char c : verifier) {
    if (!is_unreserved_char(c)) return false;
  }
  return true;
}

std::string pkce_challenge_s256(std::string_view verifier) {
  if (!is_valid_pkce_verifier(verifier)) {
    throw Error(ErrorKind::invalid_input,
                "the PKCE code verifier must be 43..128 characters of [A-Za-z0-9-._~]", "code_verifier");
  }
  detail::ensure_sodium();
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), as_bytes(verifier).data(), verifier.size());
  return base64url_encode(digest);
}

bool pkce_state_matches(std::string_view expected, std::string_view got) noexcept {
  return !expected.empty() && constant_time_equal(as_bytes(expected), as_bytes(got));
}

std::string build_authorize_url(std::string_view server_url, std::string_view api_key,
                                std::string_view redirect_uri, const PkceChallenge& pkce) {
  while (!server_url.empty() && server_url.back() == '/') server_url.remove_suffix(1);
  require_non_empty(server_url, "server_url");
  require_non_empty(api_key, "api_key");
  require_non_empty(redirect_uri, "redirect_uri");
  require_non_empty(pkce.challenge, "code_challenge");
  require_non_empty(pkce.state, "state");
  return std::string(server_url) + "/v1/oauth/authorize?" +
         encode_query({{"response_type", "code"},
                       {"client_id", api_key},
                       {"redirect_uri", redirect_uri},
                       {"code_challenge", pkce.challenge},
                       {"code_challenge_method", "S256"},
                       {"state", pkce.state}});
}

OAuthRedirect parse_oauth_redirect(std::string_view redirect_url) {
  const std::size_t hash = redirect_url.find('#');
  if (hash != std::string_view::npos) redirect_url = redirect_url.substr(0, hash);
  const std::size_t question = redirect_url.find('?');
  const std::string_view query =
      question == std::string_view::npos ? std::string_view{} : redirect_url.substr(question + 1);
  std::vector<QueryParam> params = parse_query(query);
  for (const auto& [key, value] : params) {
    if (key == "error") throw Error(ErrorKind::invalid_grant, describe_oauth_error(value), "error");
  }
  OAuthRedirect redirect;
  redirect.code = take_single(params, "code");
  redirect.state = take_single(params, "state");
  return redirect;
}

}  // namespace synckit
