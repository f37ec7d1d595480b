// Sign-in, OAuth, tokens (refresh before expiry, one refresh on a 401), logout.
#include "client/client_impl.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/auth/url_encoding.hpp"

namespace synckit {

std::optional<Error> Client::Impl::require_session() const {
  if (!tokens) return Error(ErrorKind::not_set_up, "not signed in");
  return std::nullopt;
}

KeyStoreEntry Client::Impl::key_store_entry() const {
  return KeyStoreEntry{config.server_url, tokens ? tokens->app_id : "", tokens ? tokens->user_id : ""};
}

void Client::Impl::set_tokens(std::optional<SessionTokens> next) {
  std::optional<JwtClaims> claims;
  if (next) claims = read_jwt_claims(next->access_token);  // throws Error{unauthorized} when malformed
  access_claims = std::move(claims);
  tokens = std::move(next);
  if (!config.on_session_change) return;
  try {
    config.on_session_change(tokens);
  } catch (...) {
    // The app's callback must not break the client's own bookkeeping.
    if (config.log) config.log("on_session_change threw; ignored");
  }
}

Result<std::string> Client::Impl::require_email() const {
  if (auto error = require_session()) return *error;
  if (tokens->email.empty()) {
    return Error(ErrorKind::not_set_up,
                 "this client does not know the account's email (an OAuth sign-in): sign in with email and password");
  }
  return tokens->email;
}

void Client::Impl::accept_tokens(const wire::TokenReply& reply, std::string email) {
  set_tokens(SessionTokens{reply.user_id, reply.app_id, reply.access_token, reply.refresh_token, std::move(email)});
}

void Client::Impl::forget_locally(Callback<Done> done) {
  const KeyStoreEntry entry = key_store_entry();
  keys.reset();
  envelope_version.reset();
  set_tokens(std::nullopt);
  services.key_store.remove(entry, [done](std::optional<Error> error) {
    if (error) return done(*error);
    done(Done{});
  });
}

void Client::Impl::sign_in(const std::string& path, const std::string& email, const std::string& password,
                           Callback<Account> done) {
  std::optional<wire::CredentialsRequest> credentials;
  try {
    credentials.emplace(wire::CredentialsRequest{email, derive_auth_key(email, password)});
  } catch (const Error& e) {
    return done(e);
  }
  auto self = shared_from_this();
  send(json_request("POST", path, wire::to_json(*credentials)), [self, email, done](Result<HttpResponse> result) {
    deliver(done, [&] {
      const wire::TokenReply reply = wire::parse_token_reply_text(reply_body(std::move(result)).value());
      self->keys.reset();
      self->accept_tokens(reply, normalize_email(email));
      return Account{reply.user_id, reply.app_id};
    });
  });
}

void Client::Impl::ensure_fresh_token(std::function<void(std::optional<Error>)> ready, bool force) {
  if (auto error = require_session()) return ready(error);
  if (!force && access_claims && !token_needs_refresh(*access_claims, services.clock.now())) return ready(std::nullopt);
  refresh_waiters.push_back(std::move(ready));
  if (refreshing) return;
  refreshing = true;
  auto self = shared_from_this();
  const wire::RefreshRequest body{tokens->refresh_token};
  send(json_request("POST", "/v1/auth/refresh", wire::to_json(body)), [self](Result<HttpResponse> result) {
    if (result && result.value().status == 401) {
      self->set_tokens(std::nullopt);
      return self->finish_refresh(Error(ErrorKind::token_expired, "the session has expired; sign in again", "", 401));
    }
    try {
      self->accept_tokens(wire::parse_token_reply_text(reply_body(std::move(result)).value()), self->tokens->email);
      self->finish_refresh(std::nullopt);
    } catch (const Error& e) {
      self->finish_refresh(e);
    }
  });
}

void Client::Impl::finish_refresh(std::optional<Error> error) {
  refreshing = false;
  auto waiters = std::move(refresh_waiters);
  refresh_waiters.clear();
  for (auto& waiter : waiters) waiter(error);
}

void Client::create_account(const std::string& email, const std::string& password, Callback<Account> done) {
  impl_->sign_in("/v1/auth/register", email, password, std::move(done));
}

void Client::authenticate(const std::string& email, const std::string& password, Callback<Account> done) {
  impl_->sign_in("/v1/auth/login", email, password, std::move(done));
}

std::string Client::begin_oauth(const std::string& redirect_uri) {
  PendingOAuth pending{new_pkce(impl_->services.random), redirect_uri};
  std::string url = build_authorize_url(impl_->config.server_url, impl_->config.api_key, redirect_uri, pending.pkce);
  impl_->pending_oauth = std::move(pending);
  return url;
}

void Client::complete_oauth(const std::string& redirect_url, Callback<Account> done) {
  auto self = impl_;
  std::optional<wire::OAuthTokenRequest> exchange;
  try {
    if (!self->pending_oauth) throw Error(ErrorKind::invalid_input, "begin_oauth was not called");
    const OAuthRedirect redirect = parse_oauth_redirect(redirect_url);
    if (!pkce_state_matches(self->pending_oauth->pkce.state, redirect.state)) {
      throw Error(ErrorKind::invalid_grant, "the redirect's state does not match this sign-in", "state");
    }
    exchange.emplace(wire::OAuthTokenRequest{redirect.code, self->pending_oauth->redirect_uri, self->config.api_key,
                                             self->pending_oauth->pkce.verifier});
  } catch (const Error& e) {
    return done(e);
  }
  self->pending_oauth.reset();
  HttpRequest request = self->request("POST", "/v1/oauth/token");
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  request.body = wire::to_form(*exchange);
  self->send(std::move(request), [self, done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      const wire::TokenReply reply = wire::parse_token_reply_text(reply_body(std::move(result)).value());
      self->keys.reset();
      self->accept_tokens(reply, "");
      return Account{reply.user_id, reply.app_id};
    });
  });
}

void Client::restore_session(const SessionTokens& tokens) {
  try {
    read_jwt_claims(tokens.access_token);
  } catch (const Error& e) {
    throw Error(ErrorKind::invalid_input, "the saved access token is malformed", "access_token");
  }
  if (tokens.refresh_token.empty()) throw Error(ErrorKind::invalid_input, "the refresh token is empty", "refresh_token");
  impl_->set_tokens(tokens);
}

std::optional<SessionTokens> Client::session() const { return impl_->tokens; }

std::optional<Account> Client::account() const {
  if (!impl_->tokens) return std::nullopt;
  return Account{impl_->tokens->user_id, impl_->tokens->app_id};
}

void Client::logout(Callback<Done> done) {
  auto self = impl_;
  if (!self->tokens) {
    self->keys.reset();
    return self->services.scheduler.post({}, [done] { done(Done{}); });
  }
  const wire::LogoutRequest body{self->tokens->refresh_token};
  HttpRequest request = self->json_request("POST", "/v1/auth/logout", wire::to_json(body));
  // The server side is best effort: the tokens are forgotten here whatever it answers.
  self->forget_locally([self, request = std::move(request), done](Result<Done> forgotten) mutable {
    self->send(std::move(request), [done, forgotten = std::move(forgotten)](auto) mutable {
      done(std::move(forgotten));
    });
  });
}

}  // namespace synckit
