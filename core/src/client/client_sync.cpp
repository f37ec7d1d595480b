// Devices, push and pull of encrypted changes, status.
#include <memory>

#include "client/client_impl.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/change_plaintext.hpp"
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

// One push() call on its way: its changes (kept until it ends, so that their ids can be
// remembered if it fails), the ids given to them, and the sealed batches.
struct PushCall {
  std::string user_id;
  std::string device_id;
  std::vector<ChangePlaintext> changes;
  std::vector<std::string> ids;
  std::vector<wire::PushRequest> batches;
};

// Gives every change its id (a remembered one when the same change failed to push before, else a
// fresh one), seals it under that id, and groups them into push bodies within the protocol's
// limits (1000 changes, 8 MiB).
std::shared_ptr<PushCall> prepare_push(Client::Impl& impl, const std::string& device_id,
                                       std::vector<ChangePlaintext> changes) {
  constexpr std::size_t kEnvelopeBytes = 128;  // {"device_id":"…","changes":[…]} around the changes
  if (!impl.pending_change_ids) {
    impl.pending_change_ids = std::make_unique<detail::PendingChangeIds>(impl.services.random);
  }
  auto call = std::make_shared<PushCall>();
  call->user_id = impl.tokens ? impl.tokens->user_id : std::string();
  call->device_id = device_id;
  call->changes = std::move(changes);
  call->ids = impl.pending_change_ids->assign(call->user_id, device_id, call->changes, impl.services.random);
  std::size_t body_bytes = 0;
  for (std::size_t i = 0; i < call->changes.size(); ++i) {
    const std::string& id = call->ids[i];
    wire::SealedChange sealed{id, seal_change(impl.keys->change, id, call->changes[i], impl.services.random)};
    const std::size_t bytes = wire::sealed_change_json_bytes(sealed) + 1;
    if (call->batches.empty() || call->batches.back().changes.size() == wire::kMaxChangesPerPush ||
        body_bytes + bytes + kEnvelopeBytes > wire::kMaxPushBodyBytes) {
      call->batches.push_back(wire::PushRequest{device_id, {}});
      body_bytes = 0;
    }
    body_bytes += bytes;
    call->batches.back().changes.push_back(std::move(sealed));
  }
  return call;
}

// Pushes the call's batches[index..] one after another; `done` gets the last cursor or the first
// error. Once every batch is stored, the call's ids are forgotten (a later identical change is a
// new change); after a failure they are remembered, also those of batches already stored, so the
// app's next push of the same changes reuses them all.
void push_from(const std::shared_ptr<Client::Impl>& self, std::shared_ptr<PushCall> call, std::size_t index,
               std::int64_t cursor, Callback<std::int64_t> done) {
  if (index == call->batches.size()) {
    self->pending_change_ids->confirm(call->ids);
    return done(cursor);
  }
  self->send_authed(self->json_text_request("POST", "/v1/sync/push", wire::to_text(call->batches[index])),
                    [self, call, index, done](Result<HttpResponse> result) {
                      std::int64_t next = 0;
                      try {
                        next = wire::parse_push_reply_text(reply_body(std::move(result)).value()).cursor;
                      } catch (const Error& e) {
                        self->pending_change_ids->remember_failed(call->user_id, call->device_id, call->changes,
                                                                  call->ids);
                        return done(e);
                      }
                      push_from(self, call, index + 1, next, done);
                    });
}

// A push call's first checks, in their order (keys, device id, at least one change), then its
// plaintexts from make_plaintexts(), sealed and pushed; the cursor or the first error goes to `done`.
template <class MakePlaintexts>
void start_push(const std::shared_ptr<Client::Impl>& self, const std::string& device_id, std::size_t count,
                Callback<std::int64_t> done, MakePlaintexts make_plaintexts) {
  if (auto error = self->require_keys()) return done(*error);
  std::shared_ptr<PushCall> call;
  try {
    check_device_id(device_id);
    if (count == 0) throw Error(ErrorKind::invalid_input, "push needs at least one change", "changes");
    call = prepare_push(*self, device_id, make_plaintexts());
  } catch (const Error& e) {
    return done(e);
  }
  push_from(self, std::move(call), 0, 0, std::move(done));
}

// Checks the reply's order rules, then opens each change with open(key, id, payload) into `Pulled`'s
// member `opened`; a change that does not open carries its error instead.
template <class Out, class Pulled, class Opened, class Open>
Out open_pull_reply(const ChangeKey& key, const wire::PullReply& reply, std::int64_t asked_cursor,
                       std::optional<Opened> Pulled::*opened, Open open) {
  if (reply.cursor < asked_cursor) {
    throw Error(ErrorKind::json, "the pull reply's cursor went backwards", "cursor");
  }
  Out result{{}, reply.cursor, reply.has_more};
  result.changes.reserve(reply.changes.size());
  for (std::size_t i = 0; i < reply.changes.size(); ++i) {
    const wire::PulledChange& pulled = reply.changes[i];
    if (pulled.seq <= asked_cursor) {
      throw Error(ErrorKind::json, "the pull reply repeats changes at or before the cursor",
                  "changes[" + std::to_string(i) + "].seq");
    }
    Pulled& out = result.changes.emplace_back();
    out.seq = pulled.seq;
    out.change_id = pulled.change.change_id;
    out.device_id = pulled.device_id;
    try {
      out.*opened = open(key, pulled.change.change_id, pulled.change.payload);
    } catch (const Error& e) {
      out.error = Error(e.kind(), e.detail() + " (change " + pulled.change.change_id + ", seq " +
                                      std::to_string(pulled.seq) + ")", e.field());
    }
  }
  return result;
}

// GET /v1/sync/pull after `cursor`; `open` turns the parsed reply into what `done` takes.
template <class T, class Open>
void fetch_pull(const std::shared_ptr<Client::Impl>& self, const std::string& device_id, std::int64_t cursor,
                const PullOptions& options, Callback<T> done, Open open) {
  if (auto error = self->require_keys()) return done(*error);
  try {
    check_device_id(device_id);
    if (cursor < 0 || cursor > wire::kMaxCursor) throw Error(ErrorKind::invalid_input, "cursor out of range", "cursor");
    if (options.wait_seconds < 0 || options.wait_seconds > kMaxPullWaitSeconds) {
      throw Error(ErrorKind::invalid_input, "a pull's wait is 0..60 seconds", "wait_seconds");
    }
  } catch (const Error& e) {
    return done(e);
  }
  const std::string wait = std::to_string(options.wait_seconds);
  const std::string cursor_text = std::to_string(cursor);
  const std::string limit = std::to_string(self->config.pull_limit);
  std::vector<std::pair<std::string_view, std::string_view>> query{
      {"device_id", device_id}, {"cursor", cursor_text}, {"limit", limit}};
  if (options.wait_seconds > 0) query.emplace_back("wait", wait);
  HttpRequest request = self->request("GET", "/v1/sync/pull?" + encode_query(query));
  request.hold = std::chrono::seconds(options.wait_seconds);
  request.cancel = options.cancel;
  self->send_authed(std::move(request), [self, cursor, done, open](Result<HttpResponse> result) {
    Client::Impl::deliver(done, [&] {
      const auto reply = wire::parse_pull_reply_text(reply_body(std::move(result)).value());
      if (!self->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the pull");
      return open(self->keys->change, reply, cursor);
    });
  });
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
  start_push(impl_, device_id, changes.size(), std::move(done), [&] {
    std::vector<ChangePlaintext> plaintexts;
    plaintexts.reserve(changes.size());
    for (const ChangeEntry& change : changes) plaintexts.emplace_back(change);
    return plaintexts;
  });
}

void Client::push_plaintexts(const std::string& device_id, std::vector<ChangePlaintext> changes,
                             Callback<std::int64_t> done) {
  start_push(impl_, device_id, changes.size(), std::move(done), [&] { return std::move(changes); });
}

void Client::pull(const std::string& device_id, std::int64_t cursor, Callback<PullResult> done) {
  pull(device_id, cursor, PullOptions{}, std::move(done));
}

void Client::pull(const std::string& device_id, std::int64_t cursor, const PullOptions& options,
                  Callback<PullResult> done) {
  Impl::pull_pages<PullResult>(impl_, device_id, cursor, options, std::move(done));
}

template <>
void Client::Impl::pull_pages<PullResult>(const std::shared_ptr<Impl>& self, const std::string& device_id,
                                          std::int64_t cursor, const PullOptions& options,
                                          Callback<PullResult> done) {
  fetch_pull(self, device_id, cursor, options, std::move(done),
             [](const ChangeKey& key, const wire::PullReply& reply, std::int64_t asked) {
               return open_pull_reply<PullResult>(key, reply, asked, &PulledEntry::entry, open_change);
             });
}

void Client::pull_plaintexts(const std::string& device_id, std::int64_t cursor, Callback<PlaintextPullResult> done) {
  pull_plaintexts(device_id, cursor, PullOptions{}, std::move(done));
}

void Client::pull_plaintexts(const std::string& device_id, std::int64_t cursor, const PullOptions& options,
                             Callback<PlaintextPullResult> done) {
  Impl::pull_pages<PlaintextPullResult>(impl_, device_id, cursor, options, std::move(done));
}

template <>
void Client::Impl::pull_pages<PlaintextPullResult>(const std::shared_ptr<Impl>& self, const std::string& device_id,
                                                   std::int64_t cursor, const PullOptions& options,
                                                   Callback<PlaintextPullResult> done) {
  fetch_pull(self, device_id, cursor, options, std::move(done),
             [](const ChangeKey& key, const wire::PullReply& reply, std::int64_t asked) {
               return open_pull_reply<PlaintextPullResult>(key, reply, asked, &PulledPlaintext::plaintext,
                                                           open_change_plaintext);
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
