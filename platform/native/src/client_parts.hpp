// What a native Client is made of (client.cpp), and how the blocking API waits for the loop;
// shared with the native Replica (replica.cpp), which runs on the same loop. Private.
#pragma once

#include <future>
#include <memory>

#include "synckit/native/async_key_store.hpp"
#include "synckit/native/client.hpp"
#include "synckit/native/event_loop.hpp"
#include "synckit/native/keychain.hpp"
#include "synckit/native/sodium_random.hpp"
#include "synckit/native/system_clock.hpp"

namespace synckit::native {

// Runs `start` on the loop and waits for the value it reports (or throws its Error). Not from
// the loop thread (it would wait for itself).
template <class T, class Start>
T wait_on_loop(EventLoop& loop, Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  loop.post({}, [&] {
    try {
      start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
    } catch (const Error& e) {
      promise.set_value(e);
    }
  });
  return future.get().value();
}

// Runs `work` on the loop and waits for what it returns (for synchronous core calls).
template <class F>
auto run_on_loop(EventLoop& loop, F work) {
  using T = decltype(work());
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  loop.post({}, [&] {
    try {
      promise.set_value(work());
    } catch (const Error& e) {
      promise.set_value(e);
    }
  });
  return future.get().value();
}

std::unique_ptr<Keychain> make_keychain(KeyCache cache);

// Declaration order is destruction order reversed: the core client goes first, then the key
// store and the transport (their pending completions still reach a live loop), the loop last.
struct Client::Parts {
  explicit Parts(Config config)
      : key_store(make_keychain(config.key_cache), loop),
        transport(loop, config.transport),
        core(ClientConfig{std::move(config.server_url), std::move(config.api_key), config.retry, config.pull_limit,
                          std::move(config.on_session_change), std::move(config.log)},
             ClientServices{transport, loop, key_store, clock, random}) {}

  template <class T>
  T call(std::function<void(synckit::Client&, Callback<T>)> start) {
    return wait_on_loop<T>(loop, [&](Callback<T> done) { start(core, std::move(done)); });
  }
  template <class F>
  auto on_loop(F work) {
    return run_on_loop(loop, [&] { return work(core); });
  }

  EventLoop loop;
  SodiumRandom random;
  SystemClock clock;
  AsyncKeyStore key_store;
  CurlTransport transport;
  synckit::Client core;
};

}  // namespace synckit::native
