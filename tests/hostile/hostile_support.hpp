// What the hostile, chaos and secrets tests share on top of tests/integration/support.hpp:
// - HostileProxy: tests/hostile/hostile_server.py as a child process in front of a ServerProcess,
//   armed per request through its control endpoint (see the top of hostile_server.py);
// - InspectableClient: the core client on the native platform (event loop, libcurl, AsyncKeyStore)
//   like native::Client, but over a RecordingKeychain the test can look into, with a blocking API.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "support.hpp"
#include "synckit/client/client.hpp"
#include "synckit/native/async_key_store.hpp"
#include "synckit/native/curl_transport.hpp"
#include "synckit/native/event_loop.hpp"
#include "synckit/native/keychain.hpp"
#include "synckit/native/sodium_random.hpp"
#include "synckit/native/system_clock.hpp"

namespace synckit::hostile {

using namespace synckit::integration;

class HostileProxy {
 public:
  // Starts the proxy (SYNCKIT_PYTHON, SYNCKIT_HOSTILE_SERVER) in front of `upstream`; throws
  // std::runtime_error when it does not report listening within 15 s.
  explicit HostileProxy(const ServerProcess& upstream);
  ~HostileProxy();  // SIGKILL and reap
  HostileProxy(const HostileProxy&) = delete;
  HostileProxy& operator=(const HostileProxy&) = delete;

  const std::string& url() const { return url_; }
  // POST /__hostile/scenario with `spec` ({"scenario": …, "match": …, "times": …, …}).
  void arm(const nlohmann::json& spec);
  void reset();
  nlohmann::json stats();

 private:
  nlohmann::json control(const std::string& method, const std::string& path, const std::string& body);
  std::string url_;
  pid_t pid_ = -1;
};

// Counts and keeps what the client asked of its key store.
class RecordingKeychain final : public native::Keychain {
 public:
  void save(const KeyStoreEntry& entry, const MasterKey& key) override;
  std::optional<MasterKey> load(const KeyStoreEntry& entry) override;
  void remove(const KeyStoreEntry& entry) override;

  std::atomic<int> saves{0};
  std::atomic<int> loads{0};
  std::atomic<int> removes{0};

 private:
  native::MemoryKeychain keys_;
};

// The core client on the native platform with a blocking API (every call waits; errors throw).
class InspectableClient {
 public:
  // `keychain` must outlive this client.
  InspectableClient(const std::string& url, const std::string& api_key, RecordingKeychain& keychain,
                    native::CurlOptions transport, net::RetryPolicy retry, LogSink* log = nullptr,
                    int pull_limit = 500);
  ~InspectableClient();

  template <class T>
  T call(std::function<void(synckit::Client&, Callback<T>)> start) {
    std::promise<Result<T>> promise;
    auto future = promise.get_future();
    loop_.post({}, [&] {
      try {
        start(*core_, [&promise](Result<T> result) { promise.set_value(std::move(result)); });
      } catch (const Error& e) {
        promise.set_value(e);
      }
    });
    return future.get().value();
  }

  Account create_account(const std::string& email, const std::string& password);
  Account authenticate(const std::string& email, const std::string& password);
  void setup_encryption_new(const std::string& password);
  void setup_encryption_existing(const std::string& password);
  Device register_device(const std::string& name);
  std::int64_t push(const std::string& device_id, const std::vector<ChangeEntry>& changes);
  PullResult pull(const std::string& device_id, std::int64_t cursor);
  void put_blob(const std::string& blob_id, ByteView bytes);
  Bytes get_blob(const std::string& blob_id);
  SyncStatus status();
  void logout();
  bool encryption_ready();
  std::optional<SessionTokens> session();

 private:
  native::EventLoop loop_;
  native::SodiumRandom random_;
  native::SystemClock clock_;
  std::unique_ptr<native::AsyncKeyStore> key_store_;
  std::unique_ptr<native::CurlTransport> transport_;
  std::unique_ptr<synckit::Client> core_;
};

// Seconds since `start`, as a double.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace synckit::hostile
