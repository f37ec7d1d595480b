// The core's asynchronous KeyStore over a blocking Keychain: calls run in order on one worker
// thread, and each completion is posted to the Scheduler, so it arrives on the Scheduler's thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "synckit/client/key_store.hpp"
#include "synckit/client/scheduler.hpp"
#include "synckit/native/keychain.hpp"

namespace synckit::native {

// Destruction order: destroy the AsyncKeyStore before the Scheduler (and before the objects its
// pending completions refer to). Its destructor waits for the queued calls to finish and posts
// their completions, so every call still completes exactly once.
class AsyncKeyStore final : public KeyStore {
 public:
  // Owns `keychain`; `scheduler` must outlive this object. Starts the worker thread. Throws
  // Error{invalid_input} for a null keychain, std::system_error if no thread can start.
  AsyncKeyStore(std::unique_ptr<Keychain> keychain, Scheduler& scheduler);
  // Runs the calls still queued (posting their completions), then joins the worker. May block
  // as long as the keychain does.
  ~AsyncKeyStore() override;
  AsyncKeyStore(const AsyncKeyStore&) = delete;
  AsyncKeyStore& operator=(const AsyncKeyStore&) = delete;

  // KeyStore: each call queues one Keychain call; errors arrive as Error{keychain} in `done`.
  void save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) override;
  void load(const KeyStoreEntry& entry, KeyStoreLoaded done) override;
  void remove(const KeyStoreEntry& entry, KeyStoreDone done) override;

 private:
  using Job = std::function<void()>;
  void enqueue(Job job);
  void run_worker();
  // Runs `call` and posts `done(error or nullopt)` to the scheduler.
  void finish(const std::function<void()>& call, KeyStoreDone done);

  std::unique_ptr<Keychain> keychain_;
  Scheduler& scheduler_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts after every other member exists
};

}  // namespace synckit::native
