// A sync round: push the outbox in order with the stored change ids, then pull and merge pages,
// each stored with its cursor in one transaction (replica.md, "Durability").
#include "replica/replica_impl.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit {

struct Replica::Impl::Round {
  std::vector<Callback<SyncReport>> waiters;
  SyncReport report;
  bool hold = false;          // pulls wait for news (the loop), else they answer at once (sync())
  bool held_briefly = false;  // the last pull was held but came back within a second
};

void Replica::Impl::request_round(Callback<SyncReport> done) {
  if (auto error = require_open()) return done(*error);
  round_waiters.push_back(std::move(done));
  if (round_running) return wake();
  start_round();
}

void Replica::Impl::start_round() {
  if (round_running || closed) return;
  round_running = true;
  auto round = std::make_shared<Round>();
  round->waiters = std::move(round_waiters);
  round_waiters.clear();
  round->hold = loop_running && round->waiters.empty() && live.value_or(false);
  push_next(round);
}

void Replica::Impl::push_next(const std::shared_ptr<Round>& round) {
  if (closed) return finish_round(round, Error(ErrorKind::cancelled, "the replica is closed"));
  constexpr std::size_t kEnvelopeBytes = 128;
  wire::PushRequest request{state.device_id, {}};
  std::vector<Bytes> keys_sent;
  std::size_t body_bytes = kEnvelopeBytes;
  try {
    for (StoreEntry& entry : store.scan(StoreSpace::outbox, {}, wire::kMaxChangesPerPush)) {
      detail::OutboxEntry outbox = detail::decode_outbox_entry(entry.value);
      wire::SealedChange change{std::move(outbox.change_id), std::move(outbox.sealed)};
      const std::size_t bytes = wire::sealed_change_json_bytes(change) + 1;
      if (!request.changes.empty() && body_bytes + bytes > wire::kMaxPushBodyBytes) break;
      body_bytes += bytes;
      request.changes.push_back(std::move(change));
      keys_sent.push_back(std::move(entry.key));
    }
  } catch (const Error& error) {
    return finish_round(round, error);
  }
  if (request.changes.empty()) return pull_next(round);
  auto self = shared_from_this();
  client->send_authed(
      client->json_text_request("POST", "/v1/sync/push", wire::to_text(request)),
      [self, round, keys_sent = std::move(keys_sent)](Result<HttpResponse> result) mutable {
        try {
          wire::parse_push_reply_text(reply_body(std::move(result)).value());
        } catch (const Error& error) {
          return self->finish_round(round, error);
        }
        self->online = true;
        // Acknowledged: the entries leave the outbox (sent again after a crash before this
        // commits, they are stored once: the server knows their ids).
        const std::size_t count = keys_sent.size();
        self->enqueue(Step{[keys_sent = std::move(keys_sent)](ReplicaTransaction& tx) {
                             for (const Bytes& key : keys_sent) tx.erase(StoreSpace::outbox, key);
                           },
                           [self, round, count](std::optional<Error> error) {
                             if (error) return self->finish_round(round, *error);
                             round->report.pushed += count;
                             self->push_next(round);
                           }});
      });
}

void Replica::Impl::pull_next(const std::shared_ptr<Round>& round) {
  if (closed) return finish_round(round, Error(ErrorKind::cancelled, "the replica is closed"));
  PullOptions pull_options;
  if (round->hold) {
    pull_options.wait_seconds = options.wait_seconds;
    pull_options.cancel = held_pull = std::make_shared<CancelSignal>();
  }
  const auto asked_at = client->services.clock.now();
  auto self = shared_from_this();
  Client::Impl::pull_pages<PullResult>(
      client, state.device_id, state.cursor, pull_options, [self, round, asked_at](Result<PullResult> result) {
        const bool was_held = self->held_pull != nullptr;
        self->held_pull.reset();
        if (!result) {
          // A held pull cut short (a local write, sync(), stop()): the round ends here, fine.
          if (was_held && result.error().kind() == ErrorKind::cancelled && !self->closed) {
            return self->finish_round(round, std::nullopt);
          }
          return self->finish_round(round, result.error());
        }
        self->online = true;
        auto page = std::make_shared<PullResult>(std::move(result.value()));
        round->held_briefly = was_held && page->changes.empty() &&
                              self->client->services.clock.now() - asked_at < std::chrono::seconds(1);
        if (page->changes.empty() && page->cursor == self->state.cursor) {
          return self->finish_round(round, std::nullopt);  // nothing new: nothing to store
        }
        self->enqueue(Step{[self, page](ReplicaTransaction& tx) { self->merge_page(tx, *page); },
                           [self, page, round](std::optional<Error> error) {
                             // Not stored: the page is pulled again, its rejections reported then.
                             if (error) return self->finish_round(round, *error);
                             for (const PulledEntry& pulled : page->changes) {
                               if (pulled.entry) ++round->report.pulled;
                               if (!pulled.error) continue;
                               RejectedChange change{pulled.seq, pulled.change_id, *pulled.error};
                               if (self->options.on_rejected) self->options.on_rejected(change);
                               round->report.rejected.push_back(std::move(change));
                             }
                             if (page->has_more) return self->pull_next(round);
                             self->finish_round(round, std::nullopt);
                           }});
      });
}

void Replica::Impl::merge_page(ReplicaTransaction& tx, PullResult& page) {
  HybridClock clock(state.node, state.clock_wall, state.clock_counter);
  const std::uint64_t now = static_cast<std::uint64_t>(
      std::max<std::int64_t>(client->services.clock.now().time_since_epoch().count(), 0));
  for (PulledEntry& pulled : page.changes) {
    if (!pulled.entry) continue;  // reported once the page is stored
    ChangeEntry& entry = *pulled.entry;
    detail::RowRecord record;
    record.version = RowVersion{change_stamp(entry), pulled.change_id};
    if (const auto stamp = parse_hlc(record.version.hlc)) {
      try {
        clock.observe(*stamp, now);
      } catch (const Error&) {
        // A stamp at the end of time: merged all the same; the clock stays where it was.
      }
    }
    record.table = std::move(entry.table);
    record.row_id = std::move(entry.row_id);
    record.deleted = entry.op == ChangeOp::remove;
    if (!record.deleted) record.data = dump_json(entry.data);
    apply(tx, std::move(record), ChangeOrigin::remote);
  }
  state.clock_wall = clock.wall_ms();
  state.clock_counter = clock.counter();
  state.cursor = page.cursor;
}

void Replica::Impl::finish_round(const std::shared_ptr<Round>& round, std::optional<Error> error) {
  round_running = false;
  if (error && is_transient_error(*error)) online = false;
  last_error = error;
  if (!error) state.last_sync_ms = client->services.clock.now().time_since_epoch().count();
  for (const auto& waiter : round->waiters) {
    if (error) {
      waiter(*error);
    } else {
      waiter(round->report);
    }
  }
  after_round(error, round->held_briefly);
}

}  // namespace synckit
