#include "synckit/native/async_key_store.hpp"

#include <chrono>
#include <exception>
#include <utility>

namespace synckit::native {
namespace {

// Runs one keychain call; its failure becomes the Error the completion reports.
std::optional<Error> run_guarded(const std::function<void()>& call) noexcept {
  try {
    call();
    return std::nullopt;
  } catch (const Error& error) {
    return error;
  } catch (...) {
    return Error(ErrorKind::keychain, "unexpected failure inside the keychain");
  }
}

// Posts `task` to run as soon as possible on the scheduler's thread. A scheduler that cannot take
// it (out of memory) leaves nothing sensible to do on this thread, so the failure is dropped.
void post_now(Scheduler& scheduler, std::function<void()> task) noexcept {
  try {
    scheduler.post(std::chrono::milliseconds(0), std::move(task));
  } catch (...) {
  }
}

std::unique_ptr<Keychain> non_null(std::unique_ptr<Keychain> keychain) {
  if (!keychain) throw Error(ErrorKind::invalid_input, "AsyncKeyStore needs a keychain");
  return keychain;
}

}  // namespace

AsyncKeyStore::AsyncKeyStore(std::unique_ptr<Keychain> keychain, Scheduler& scheduler)
    : keychain_(non_null(std::move(keychain))), scheduler_(scheduler), worker_([this] { run_worker(); }) {}

AsyncKeyStore::~AsyncKeyStore() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
}

void AsyncKeyStore::save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) {
  auto copy = std::make_shared<const MasterKey>(key.clone());  // wiped when the job is destroyed
  enqueue([this, entry, copy, done = std::move(done)] {
    finish([&] { keychain_->save(entry, *copy); }, done);
  });
}

void AsyncKeyStore::load(const KeyStoreEntry& entry, KeyStoreLoaded done) {
  enqueue([this, entry, done = std::move(done)] {
    auto key = std::make_shared<std::optional<MasterKey>>();
    std::optional<Error> error = run_guarded([&] { *key = keychain_->load(entry); });
    post_now(scheduler_, [key, error = std::move(error), done] { done(std::move(*key), error); });
  });
}

void AsyncKeyStore::remove(const KeyStoreEntry& entry, KeyStoreDone done) {
  enqueue([this, entry, done = std::move(done)] { finish([&] { keychain_->remove(entry); }, done); });
}

void AsyncKeyStore::finish(const std::function<void()>& call, KeyStoreDone done) {
  std::optional<Error> error = run_guarded(call);
  post_now(scheduler_, [error = std::move(error), done = std::move(done)] { done(error); });
}

void AsyncKeyStore::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
}

void AsyncKeyStore::run_worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and every queued call has run
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();  // never throws: failures become the completion's Error
  }
}

}  // namespace synckit::native
