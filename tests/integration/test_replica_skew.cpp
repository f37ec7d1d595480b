// A device whose clock is hours behind (replica.md, "Clock"): its write made after seeing another
// device's write still wins on every device, and a delete is not undone by the older write it saw.
// The behind device is a core Client and Replica on the native platform's services with a clock
// set back three hours (the native facade always reads the system clock).
#include <catch2/catch.hpp>

#include <future>

#include "support.hpp"
#include "synckit/native/async_key_store.hpp"
#include "synckit/native/curl_transport.hpp"
#include "synckit/native/event_loop.hpp"
#include "synckit/native/keychain.hpp"
#include "synckit/native/replica.hpp"
#include "synckit/native/sodium_random.hpp"
#include "synckit/native/system_clock.hpp"
#include "synckit/replica/memory_replica_store.hpp"
#include "synckit/replica/replica.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kPassword = "skew password";
constexpr auto kSkew = std::chrono::hours(3);

class BehindClock final : public synckit::Clock {
 public:
  synckit::SystemTime now() const override { return system_.now() - kSkew; }

 private:
  synckit::native::SystemClock system_;
};

// A core client, its replica (in memory) and their loop: every call runs on the loop and waits.
struct BehindDevice {
  explicit BehindDevice(const ServerProcess& server)
      : key_store(std::make_unique<synckit::native::MemoryKeychain>(), loop),
        transport(loop),
        client(synckit::ClientConfig{server.url(), server.api_key(), {}, 500, {}, {}},
               synckit::ClientServices{transport, loop, key_store, clock, random}) {}
  ~BehindDevice() {
    on_loop<synckit::Done>([&](auto done) {
      replica.reset();
      done(synckit::Done{});
    });
  }

  template <class T, class Start>
  T on_loop(Start start) {
    std::promise<synckit::Result<T>> promise;
    loop.post({}, [&] { start([&](synckit::Result<T> r) { promise.set_value(std::move(r)); }); });
    return promise.get_future().get().value();
  }

  void sign_in(const std::string& email) {
    on_loop<synckit::Account>([&](auto done) { client.authenticate(email, kPassword, done); });
    on_loop<synckit::Done>([&](auto done) { client.setup_encryption_existing(kPassword, done); });
    const auto device = on_loop<Device>([&](auto done) { client.register_device("behind", "linux", done); });
    on_loop<synckit::Done>([&](auto done) {
      replica = std::make_unique<synckit::Replica>(client, store, device.id);
      done(synckit::Done{});
    });
  }
  void put(const std::string& row, JsonValue data) {
    on_loop<synckit::Done>([&](auto done) { replica->put("todos", row, std::move(data), done); });
  }
  void sync() {
    on_loop<synckit::SyncReport>([&](auto done) { replica->sync(done); });
  }
  std::optional<std::string> get(const std::string& row) {
    return on_loop<std::optional<std::string>>([&](auto done) { done(replica->get("todos", row)); });
  }

  synckit::native::EventLoop loop;
  synckit::native::SodiumRandom random;
  BehindClock clock;
  synckit::native::AsyncKeyStore key_store;
  synckit::native::CurlTransport transport;
  synckit::Client client;
  synckit::MemoryReplicaStore store;
  std::unique_ptr<synckit::Replica> replica;
};

}  // namespace

TEST_CASE("a write made after seeing another's wins everywhere, even from a clock hours behind", "[replica]") {
  ServerProcess server;
  Client ahead(client_config(server));
  const std::string email = "skew@example.com";
  ahead.create_account(email, kPassword);
  ahead.setup_encryption_new(kPassword);
  const Device device = ahead.register_device("ahead", "linux");
  const std::string dir = (std::filesystem::temp_directory_path() / ("synckit-skew-" + device.id)).string();
  std::filesystem::create_directories(dir);
  synckit::native::Replica fast(ahead, dir + "/ahead.db", device.id);
  BehindDevice behind(server);
  behind.sign_in(email);

  // The device on time writes; the one three hours behind sees it, then writes the same row.
  fast.put("todos", "shared", "on time, first");
  fast.sync();
  behind.sync();
  REQUIRE(behind.get("shared") == std::string(R"("on time, first")"));
  behind.put("shared", "behind, but after seeing it");
  behind.sync();
  fast.sync();
  CHECK(fast.get("todos", "shared") == JsonValue("behind, but after seeing it"));
  CHECK(behind.get("shared") == std::string(R"("behind, but after seeing it")"));

  // A delete from the device on time, then an older write of the behind device arriving late (it
  // was made before it saw the delete): the row stays deleted on both.
  behind.put("other", "an early write");  // not synced yet
  fast.put("todos", "other", "on time");
  fast.remove("todos", "other");
  fast.sync();
  behind.sync();  // pushes its early write, pulls the later delete
  fast.sync();
  CHECK(fast.get("todos", "other") == std::nullopt);
  CHECK(behind.get("other") == std::nullopt);
  std::filesystem::remove_all(dir);
}
