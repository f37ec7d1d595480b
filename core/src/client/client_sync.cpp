// Devices, push and pull of encrypted changes, status.
#include <memory>

#include "client/client_impl.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/ids.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit {
namespace {

void check_device_id(const std::string& device_id) {
  if (!wire::is_lowercase_uuid(device_id)) {
    throw Error(ErrorKind::invalid_input, "a device id is a lowercase UUID", "device_id");
  }
}

// Seals every change under its id (a remembered one when the same change was pushed before and
// not confirmed, else a fresh one) and groups them into push bodies within the protocol's limits
// (1000 changes, 8 MiB).
std::vector<wire::PushRequest> sealed_batches(Client::Impl& impl, const std::string& device_id,
                                              const std::vector<ChangeEntry>& changes) {
  constexpr std::size_t kEnvelopeBytes = 128;  // {"device_id":"…","changes":[…]} around the changes
  if (!impl.pending_change_ids) {
    impl.pending_change_ids = std::make_unique<detail::PendingChangeIds>(impl.services.random);
  }
  const std::vector<std::string> ids = impl.pending_change_ids->assign(
      impl.tokens ? impl.tokens->user_id : std::string(), device_id, changes, impl.services.random);
  std::vector<wire::PushRequest> batches;
  std::size_t body_bytes = 0;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    wire::SealedChange sealed{ids[i], seal_change(impl.keys->change, ids[i], changes[i], impl.services.random)};
    const std::size_t bytes = wire::sealed_change_json_bytes(sealed) + 1;
    if (batches.empty() || batches.back().changes.size() == wire::kMaxChangesPerPush ||
        body_bytes + bytes + kEnvelopeBytes > wire::kMaxPushBodyBytes) {
      batches.push_back(wire::PushRequest{device_id, {}});
      body_bytes = 0;
    }
    body_bytes += bytes;
    batches.back().changes.push_back(std::move(sealed));
  }
  return batches;
}

// Pushes batches[index..] one after another; `done` gets the last cursor or the first error.
// Once every batch is stored, the call's ids are forgotten (a later identical change is a new
// change); after a failure they stay remembered, also those of batches already stored, so the
// app's next push of the same changes reuses them all.
void push_from(const std::shared_ptr<Client::Impl>& self, std::shared_ptr<std::vector<wire::PushRequest>> batches,
               std::size_t index, std::int64_t cursor, Callback<std::int64_t> done) {
  if (index == batches->size()) {
    if (self->pending_change_ids) {
      std::vector<std::string> stored;
      for (const wire::PushRequest& batch : *batches) {
        for (const wire::SealedChange& change : batch.changes) stored.push_back(change.change_id);
      }
      self->pending_change_ids->confirm(stored);
    }
    return done(cursor);
  }
  self->send_authed(self->json_request("POST", "/v1/sync/push", wire::to_json((*batches)[index])),
                    [self, batches, index, done](Result<HttpResponse> result) {
                      std::int64_t next = 0;
                      try {
                        next = wire::parse_push_reply_text(reply_body(std::move(result)).value()).cursor;
                      } catch (const Error& e) {
                        return done(e);
                      }
                      push_from(self, batches, index + 1, next, done);
                    });
}

PulledEntry open_pulled(const ChangeKey& key, const wire::PulledChange& pulled) {
  PulledEntry out{pulled.seq, pulled.change.change_id, pulled.device_id, std::nullopt, std::nullopt};
  try {
    out.entry = open_change(key, pulled.change.change_id, pulled.change.payload);
  } catch (const Error& e) {
    out.error = Error(e.kind(), e.detail() + " (change " + pulled.change.change_id + ", seq " +
                                    std::to_string(pulled.seq) + ")", e.field());
  }
  return out;
}

PullResult open_pull_reply(const ChangeKey& key, const wire::PullReply& reply, std::int64_t asked_cursor) {
  if (reply.cursor < asked_cursor) {
    throw Error(ErrorKind::json, "the pull reply's cursor went backwards", "cursor");
  }
  PullResult result{{}, reply.cursor, reply.has_more};
  result.changes.reserve(reply.changes.size());
  for (std::size_t i = 0; i < reply.changes.size(); ++i) {
    if (reply.changes[i].seq <= asked_cursor) {
      throw Error(ErrorKind::json, "the pull reply repeats changes at or before the cursor",
                  "changes[" + std::to_string(i) + "].seq");
    }
    result.changes.push_back(open_pulled(key, reply.changes[i]));
  }
  return result;
}

}  // namespace

void Client::register_device(const std::string& name, const std::string& platform, Callback<Device> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  HttpRequest request;
  try {
    request = self->json_request("POST", "/v1/devices", wire::to_json(wire::RegisterDeviceRequest{name, platform}));
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed(std::move(request), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] { return wire::parse_device_text(reply_body(std::move(result)).value()); });
  });
}

void Client::list_devices(Callback<std::vector<Device>> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  self->send_authed(self->request("GET", "/v1/devices"), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] { return wire::parse_device_list_text(reply_body(std::move(result)).value()).devices; });
  });
}

void Client::revoke_device(const std::string& device_id, Callback<Done> done) {
  auto self = impl_;
  try {
    check_device_id(device_id);
  } catch (const Error& e) {
    return done(e);
  }
  if (auto error = self->require_session()) return done(*error);
  self->send_authed(self->request("DELETE", "/v1/devices/" + device_id), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

void Client::push(const std::string& device_id, const std::vector<ChangeEntry>& changes,
                  Callback<std::int64_t> done) {
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  std::shared_ptr<std::vector<wire::PushRequest>> batches;
  try {
    check_device_id(device_id);
    if (changes.empty()) throw Error(ErrorKind::invalid_input, "push needs at least one change", "changes");
    batches = std::make_shared<std::vector<wire::PushRequest>>(sealed_batches(*self, device_id, changes));
  } catch (const Error& e) {
    return done(e);
  }
  push_from(self, std::move(batches), 0, 0, std::move(done));
}

void Client::pull(const std::string& device_id, std::int64_t cursor, Callback<PullResult> done) {
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  try {
    check_device_id(device_id);
    if (cursor < 0 || cursor > wire::kMaxCursor) throw Error(ErrorKind::invalid_input, "cursor out of range", "cursor");
  } catch (const Error& e) {
    return done(e);
  }
  const std::string path = "/v1/sync/pull?" + encode_query({{"device_id", device_id},
                                                            {"cursor", std::to_string(cursor)},
                                                            {"limit", std::to_string(self->config.pull_limit)}});
  self->send_authed(self->request("GET", path), [self, cursor, done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      const auto reply = wire::parse_pull_reply_text(reply_body(std::move(result)).value());
      if (!self->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the pull");
      return open_pull_reply(self->keys->change, reply, cursor);
    });
  });
}

void Client::status(Callback<SyncStatus> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  self->send_authed(self->request("GET", "/v1/sync/status"), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] { return wire::parse_sync_status_text(reply_body(std::move(result)).value()); });
  });
}

}  // namespace synckit
