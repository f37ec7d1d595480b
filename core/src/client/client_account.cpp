// The account (protocol 1.1, "Sign-in credentials and the account"): the sign-in password, both
// passwords at once, sessions, deleting the account.
#include "client/client_impl.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/wire/account_messages.hpp"

namespace synckit {
namespace {

// POST /v1/auth/credentials with `body`; the reply's tokens replace this client's (every other
// session has ended). A 401 is a wrong password, not a stale token: no refresh and retry.
void send_credential_change(const std::shared_ptr<Client::Impl>& self, const JsonValue& body, std::string email,
                            Callback<Done> done) {
  self->send_authed_once(self->json_request("POST", "/v1/auth/credentials", body),
                         [self, email = std::move(email), done](Result<HttpResponse> result) {
                           Client::Impl::deliver(done, [&] {
                             const wire::TokenReply reply =
                                 wire::parse_token_reply_text(reply_body(std::move(result)).value());
                             self->accept_tokens(reply, email);
                             return Done{};
                           });
                         });
}

// The credential change from `old_password` to `new_password`. With `resume`, a refusal of the old
// password is tried once more as new -> new: a run that stopped after the server had changed it.
void change_sign_in(const std::shared_ptr<Client::Impl>& self, const std::string& old_password,
                    const std::string& new_password, bool resume, Callback<Done> done) {
  std::string email;
  std::optional<wire::CredentialChangeRequest> change;
  try {
    email = self->require_email().value();
    change.emplace(wire::CredentialChangeRequest{derive_auth_key(email, old_password),
                                                 derive_auth_key(email, new_password), std::nullopt});
  } catch (const Error& e) {
    return done(e);
  }
  const JsonValue body = wire::to_json(*change);
  if (!resume) return send_credential_change(self, body, email, done);
  auto again = std::make_shared<JsonValue>(wire::to_json(
      wire::CredentialChangeRequest{change->new_auth_key.clone(), change->new_auth_key.clone(), std::nullopt}));
  send_credential_change(self, body, email, [self, again, email, done](Result<Done> result) {
    if (result || result.error().kind() != ErrorKind::unauthorized || !self->tokens) return done(std::move(result));
    send_credential_change(self, *again, email, [first = result.error(), done](Result<Done> second) {
      done(second ? std::move(second) : Result<Done>(first));
    });
  });
}

}  // namespace

void Client::change_sign_in_password(const std::string& old_password, const std::string& new_password,
                                     Callback<Done> done) {
  change_sign_in(impl_, old_password, new_password, false, std::move(done));
}

// Encryption first: the step that ends other sessions comes last, so a stop in between leaves
// every device signed in and unlocked, and the old password still signs in.
void Client::change_passwords(const std::string& old_password, const std::string& new_password,
                              Callback<Done> done) {
  auto self = impl_;
  if (auto email = self->require_email(); !email) return done(email.error());
  self->change_envelope_password(old_password, new_password, true,
                                 [self, old_password, new_password, done](Result<Done> result) {
                                   if (!result) return done(std::move(result));
                                   change_sign_in(self, old_password, new_password, true, done);
                                 });
}

void Client::list_sessions(Callback<std::vector<SessionInfo>> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  self->send_authed(self->request("GET", "/v1/auth/sessions"), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] { return wire::parse_session_list_text(reply_body(std::move(result)).value()).sessions; });
  });
}

void Client::end_session(const std::string& session_id, Callback<Done> done) {
  auto self = impl_;
  if (!wire::is_lowercase_uuid(session_id)) {
    return done(Error(ErrorKind::invalid_input, "a session id is a lowercase UUID", "session_id"));
  }
  if (auto error = self->require_session()) return done(*error);
  self->send_authed(self->request("DELETE", "/v1/auth/sessions/" + session_id), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

void Client::delete_account(const std::string& password, Callback<Done> done) {
  auto self = impl_;
  std::optional<wire::DeleteAccountRequest> request;
  try {
    const std::string email = self->require_email().value();
    request.emplace(wire::DeleteAccountRequest{derive_auth_key(email, password)});
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed_once(self->json_request("POST", "/v1/account/delete", wire::to_json(*request)),
                         [self, done](Result<HttpResponse> result) {
                           if (auto body = reply_body(std::move(result)); !body) return done(body.error());
                           self->forget_locally(done);
                         });
}

}  // namespace synckit
