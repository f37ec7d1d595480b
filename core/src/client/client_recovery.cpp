// Recovery (protocol 1.1, "Recovery"; crypto-format.md, "Recovery key"): making a recovery code,
// and signing in with one to set a new password.
#include "client/client_impl.hpp"
#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/wire/account_messages.hpp"
#include "synckit/wire/key_messages.hpp"

namespace synckit {
namespace {

constexpr int kEnvelopeAttempts = 3;  // compare-and-swap rounds lost to other devices before giving up

// The stored version of GET `path` (0 when there is none yet), or its error. `parse` is a plain
// function pointer, not a template parameter: both envelopes share one completion (module size).
void stored_version(const std::shared_ptr<Client::Impl>& self, const std::string& path,
                    std::int64_t (*parse)(const std::string& body), std::function<void(Result<std::int64_t>)> done) {
  self->send_authed(self->request("GET", path), [parse, done](Result<HttpResponse> result) {
    try {
      done(parse(reply_body(std::move(result)).value()));
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::not_found) return done(std::int64_t{0});
      done(e);
    }
  });
}

void put_recovery(const std::shared_ptr<Client::Impl>& self, const std::shared_ptr<RecoveryKey>& key,
                  Callback<RecoveryCode> done) {
  auto parse = [](const std::string& body) { return wire::parse_recovery_reply_text(body).version; };
  stored_version(self, "/v1/keys/recovery", parse, [self, key, done](Result<std::int64_t> version) {
    if (!version) return done(version.error());
    std::optional<JsonValue> body;
    try {
      if (auto error = self->require_keys()) throw *error;
      body.emplace(wire::to_json(wire::PutRecoveryRequest{
          seal_recovery_envelope(self->keys->master, *key, self->services.random), derive_recovery_auth_key(*key),
          version.value()}));
    } catch (const Error& e) {
      return done(e);
    }
    self->send_authed(self->json_request("PUT", "/v1/keys/recovery", *body), [key, done](Result<HttpResponse> result) {
      Client::Impl::deliver(done, [&] {
        try {
          wire::parse_put_envelope_reply_text(reply_body(std::move(result)).value());
        } catch (const Error& e) {
          if (e.kind() != ErrorKind::conflict) throw;
          throw Error(ErrorKind::conflict, "another device made a recovery code at the same moment; try again", "",
                      409);
        }
        return recovery_code_from_key(*key);
      });
    });
  });
}

// Wraps the unlocked master key under `password` and stores it as the password envelope, over
// whatever is stored (the old password is forgotten), retrying lost compare-and-swap rounds.
void replace_password_envelope(const std::shared_ptr<Client::Impl>& self, const std::string& password,
                               int attempts_left, Callback<Done> done) {
  auto parse = [](const std::string& body) { return wire::parse_envelope_reply_text(body).version; };
  stored_version(self, "/v1/keys/envelope", parse,
                 [self, password, attempts_left, done](Result<std::int64_t> version) {
                   if (!version) return done(version.error());
                   std::optional<JsonValue> body;
                   try {
                     body.emplace(wire::to_json(wire::PutEnvelopeRequest{
                         wrap_master_key(self->keys->master, password, self->services.random), version.value()}));
                   } catch (const Error& e) {
                     return done(e);
                   }
                   self->send_authed(
                       self->json_request("PUT", "/v1/keys/envelope", *body),
                       [self, password, attempts_left, done](Result<HttpResponse> result) {
                         try {
                           self->envelope_version =
                               wire::parse_put_envelope_reply_text(reply_body(std::move(result)).value()).version;
                         } catch (const Error& e) {
                           if (e.kind() == ErrorKind::conflict && attempts_left > 1) {
                             return replace_password_envelope(self, password, attempts_left - 1, done);
                           }
                           return done(e);
                         }
                         self->cache_key_then(done);
                       });
                 });
}

// Signed in through recover: the master key from the recovery envelope, then the new password
// envelope.
void unlock_with_recovery(const std::shared_ptr<Client::Impl>& self, const std::shared_ptr<RecoveryKey>& key,
                          const std::string& new_password, Account account, Callback<Account> done) {
  self->send_authed(self->request("GET", "/v1/keys/recovery"),
                    [self, key, new_password, account, done](Result<HttpResponse> result) {
                      try {
                        const auto reply = wire::parse_recovery_reply_text(reply_body(std::move(result)).value());
                        try {
                          self->unlock(open_recovery_envelope(reply.envelope, *key));
                        } catch (const Error& e) {
                          if (e.kind() != ErrorKind::wrong_password) throw;
                          throw Error(ErrorKind::invalid_data,
                                      "the server accepted the recovery code but its recovery envelope does not open "
                                      "with it");
                        }
                      } catch (const Error& e) {
                        return done(e);
                      }
                      replace_password_envelope(self, new_password, kEnvelopeAttempts,
                                                [account, done](Result<Done> replaced) {
                                                  if (!replaced) return done(replaced.error());
                                                  done(account);
                                                });
                    });
}

}  // namespace

void Client::create_recovery_code(Callback<RecoveryCode> done) {
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  put_recovery(self, std::make_shared<RecoveryKey>(generate_recovery_key(self->services.random)), std::move(done));
}

void Client::recover(const std::string& email, std::string_view code, const std::string& new_password,
                     Callback<Account> done) {
  auto self = impl_;
  std::shared_ptr<RecoveryKey> key;
  std::optional<wire::RecoverRequest> request;
  try {
    key = std::make_shared<RecoveryKey>(recovery_key_from_code(code));  // a typo throws here
    request.emplace(
        wire::RecoverRequest{email, derive_recovery_auth_key(*key), derive_auth_key(email, new_password)});
  } catch (const Error& e) {
    return done(e);
  }
  self->send(self->json_request("POST", "/v1/auth/recover", wire::to_json(*request)),
             [self, key, email, new_password, done](Result<HttpResponse> result) {
               Account account;
               try {
                 const wire::TokenReply reply = wire::parse_token_reply_text(reply_body(std::move(result)).value());
                 self->keys.reset();
                 self->envelope_version.reset();
                 self->accept_tokens(reply, normalize_email(email));
                 account = Account{reply.user_id, reply.app_id};
               } catch (const Error& e) {
                 return done(e);
               }
               unlock_with_recovery(self, key, new_password, std::move(account), done);
             });
}

}  // namespace synckit
