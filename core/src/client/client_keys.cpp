// Encryption setup: the master key made, wrapped, uploaded with compare-and-swap, unwrapped on
// other devices, cached in the key store, re-wrapped on a password change.
#include "client/client_impl.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/wire/key_messages.hpp"

namespace synckit {

// The key is set up and unlocked whatever the cache says; a cache failure is logged (the next
// start then needs the password).
void Client::Impl::cache_key_then(Callback<Done> done) {
  auto self = shared_from_this();
  services.key_store.save(key_store_entry(), keys->master, [self, done](std::optional<Error> error) {
    if (error && self->config.log) self->config.log(std::string("key cache not updated: ") + error->what());
    done(Done{});
  });
}

void Client::Impl::unlock(MasterKey master) {
  auto unlocked = std::make_unique<UnlockedKeys>();
  unlocked->change = derive_change_key(master);
  unlocked->blob = derive_blob_key(master);
  unlocked->master = std::move(master);
  keys = std::move(unlocked);
}

std::optional<Error> Client::Impl::require_keys() const {
  if (auto error = require_session()) return error;
  if (!keys) return Error(ErrorKind::not_set_up, "encryption is not set up on this client");
  return std::nullopt;
}

bool Client::encryption_ready() const noexcept { return impl_->keys != nullptr; }

void Client::setup_encryption_new(const std::string& password, Callback<Done> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  std::optional<wire::PutEnvelopeRequest> put;
  MasterKey master = generate_master_key(self->services.random);
  try {
    put.emplace(wire::PutEnvelopeRequest{wrap_master_key(master, password, self->services.random), 0});
  } catch (const Error& e) {
    return done(e);
  }
  auto key = std::make_shared<MasterKey>(std::move(master));
  self->send_authed(self->json_request("PUT", "/v1/keys/envelope", wire::to_json(*put)),
                    [self, key, done](Result<HttpResponse> result) {
                      try {
                        const auto reply = wire::parse_put_envelope_reply_text(reply_body(std::move(result)).value());
                        self->envelope_version = reply.version;
                        self->unlock(std::move(*key));
                      } catch (const Error& e) {
                        if (e.kind() != ErrorKind::conflict) return done(e);
                        return done(Error(ErrorKind::conflict,
                                          "this account already has a master key: use setup_encryption_existing",
                                          "", 409));
                      }
                      self->cache_key_then(done);
                    });
}

// Downloads the envelope and hands it (with its version) to `next`, or the error to `done`.
template <class Next>
void with_envelope(const std::shared_ptr<Client::Impl>& self, Callback<Done> done, Next next) {
  self->send_authed(self->request("GET", "/v1/keys/envelope"), [self, done, next](Result<HttpResponse> result) {
    try {
      const auto reply = wire::parse_envelope_reply_text(reply_body(std::move(result)).value());
      next(reply);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::not_found) {
        return done(Error(ErrorKind::not_found, "no key envelope yet: set up encryption on the first device", "", 404));
      }
      done(e);
    }
  });
}

void Client::setup_encryption_existing(const std::string& password, Callback<Done> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  with_envelope(self, done, [self, password, done](const wire::EnvelopeReply& reply) {
    self->unlock(unwrap_master_key(reply.envelope, password));  // wrong_password throws
    self->envelope_version = reply.version;
    self->cache_key_then(done);
  });
}

void Client::unlock_from_key_store(Callback<bool> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  self->services.key_store.load(self->key_store_entry(),
                                [self, done](std::optional<MasterKey> key, std::optional<Error> error) {
                                  if (error) return done(*error);
                                  if (!key) return done(false);
                                  self->unlock(std::move(*key));
                                  done(true);
                                });
}

void Client::Impl::change_envelope_password(const std::string& old_password, const std::string& new_password,
                                            bool resume, Callback<Done> done) {
  auto self = shared_from_this();
  if (auto error = require_session()) return done(*error);
  with_envelope(self, done, [self, old_password, new_password, resume, done](const wire::EnvelopeReply& reply) {
    std::optional<MasterKey> opened;
    try {
      opened.emplace(unwrap_master_key(reply.envelope, old_password));
    } catch (const Error& e) {
      if (!resume || e.kind() != ErrorKind::wrong_password) throw;
      // A run that stopped after this step: the envelope opens with the new password already.
      self->unlock(unwrap_master_key(reply.envelope, new_password));  // wrong_password throws
      self->envelope_version = reply.version;
      return self->cache_key_then(done);
    }
    MasterKey master = std::move(*opened);
    if (self->keys && !constant_time_equal(master.view(), self->keys->master.view())) {
      throw Error(ErrorKind::invalid_data, "the server's envelope holds another master key than this device's");
    }
    const wire::PutEnvelopeRequest put{wrap_master_key(master, new_password, self->services.random), reply.version};
    auto key = std::make_shared<MasterKey>(std::move(master));
    self->send_authed(self->json_request("PUT", "/v1/keys/envelope", wire::to_json(put)),
                      [self, key, done](Result<HttpResponse> result) {
                        try {
                          const auto put_reply =
                              wire::parse_put_envelope_reply_text(reply_body(std::move(result)).value());
                          self->envelope_version = put_reply.version;
                          self->unlock(std::move(*key));
                        } catch (const Error& e) {
                          return done(e);
                        }
                        self->cache_key_then(done);
                      });
  });
}

void Client::change_password(const std::string& old_password, const std::string& new_password,
                             Callback<Done> done) {
  impl_->change_envelope_password(old_password, new_password, false, std::move(done));
}

}  // namespace synckit
