// The sync loop: rounds one after another. With live pull the round's pulls are held until
// another device pushes; without it the loop polls. A local write or sync() cuts a held pull or a
// poll wait short; the server being away (network, 5xx, 429) is waited out with a backoff.
#include "replica/replica_impl.hpp"

namespace synckit {

void Replica::start() {
  if (impl_->closed || impl_->loop_running) return;
  impl_->start_loop();
}

void Replica::stop() { impl_->stop_loop(); }

void Replica::sync(Callback<SyncReport> done) { impl_->request_round(std::move(done)); }

void Replica::Impl::start_loop() {
  loop_running = true;
  backoff = options.first_backoff;
  ++loop_generation;
  next_loop_round();
}

void Replica::Impl::next_loop_round() {
  if (live) {
    if (!round_running) start_round();
    return;
  }
  // Does the server hold pulls? Asked once, before the loop's first round.
  const std::uint64_t generation = loop_generation;
  client->probe_live_pull(nullptr, [self = shared_from_this(), generation](Result<bool> result) {
    if (!self->loop_running || generation != self->loop_generation) return;
    if (!result) return self->after_round(result.error(), false);
    self->live = result.value();
    if (!self->round_running) self->start_round();
  });
}

void Replica::Impl::stop_loop() {
  if (!loop_running) return;
  loop_running = false;
  ++loop_generation;
  if (held_pull) held_pull->cancel();
}

void Replica::Impl::wake() {
  if (held_pull) return held_pull->cancel();  // the round ends; the next one pushes
  if (loop_running && wakeable_wait && !round_running) {
    ++loop_generation;  // the scheduled round is not needed any more
    wakeable_wait = false;
    start_round();
  }
}

void Replica::Impl::after_round(const std::optional<Error>& error, bool held_briefly) {
  if (!round_waiters.empty()) return start_round();  // sync() asked during that round
  if (!loop_running || closed) return;
  if (error) {
    if (options.on_error) options.on_error(*error);
    if (!loop_running) return;  // stopped by the callback
    if (!is_transient_error(*error)) {
      loop_running = false;  // unauthorized, forbidden, storage, ...: the app must act
      return;
    }
    const auto delay = backoff;
    backoff = std::min(backoff * 2, options.max_backoff);
    return schedule_round(delay, false);
  }
  backoff = options.first_backoff;
  if (!live.value_or(false)) return schedule_round(options.poll_interval, true);
  // A held pull that came back empty at once (the server ended its wait early): pause a little so
  // a server that never holds cannot make the loop spin.
  schedule_round(held_briefly ? options.first_backoff : std::chrono::milliseconds(0), true);
}

void Replica::Impl::schedule_round(std::chrono::milliseconds delay, bool wakeable) {
  const std::uint64_t generation = ++loop_generation;
  wakeable_wait = wakeable;
  client->services.scheduler.post(delay, [self = shared_from_this(), generation] {
    if (!self->loop_running || generation != self->loop_generation) return;
    self->wakeable_wait = false;
    self->next_loop_round();
  });
}

}  // namespace synckit
