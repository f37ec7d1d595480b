// A core Client over the scripted platform (fake_platform.hpp), signed in with a saved session and
// unlocked with a fixed master key (32 copies of `key_byte`), for unit tests of what comes after.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "fake_platform.hpp"
#include "fixed_random.hpp"
#include "synckit/client/client.hpp"
#include "system_random.hpp"

namespace synckit::test {

inline constexpr std::int64_t kRigNow = 1'800'000'000;  // seconds
inline const std::string kRigUser = "11111111-1111-4111-8111-111111111111";
inline const std::string kRigApp = "22222222-2222-4222-8222-222222222222";
inline const std::string kRigDevice = "33333333-3333-4333-8333-333333333333";
inline const std::string kRigUrl = "http://127.0.0.1:8787";

struct UnlockedClient {
  explicit UnlockedClient(const std::string& user = kRigUser, std::uint8_t key_byte = 7,
                          net::RetryPolicy retry = {})
      : client(ClientConfig{kRigUrl, "sk_test", retry, 500, {}, {}},
               ClientServices{transport, scheduler, keys, clock, system_random()}) {
    client.restore_session({user, kRigApp, fake_jwt(kRigNow + 900, user), "refresh-1"});
    keys.keys[kRigUrl + "|" + kRigApp + "|" + user] = Bytes(32, key_byte);
    std::optional<Result<bool>> unlocked;
    client.unlock_from_key_store([&](Result<bool> r) { unlocked.emplace(std::move(r)); });
    scheduler.run_all();
    REQUIRE(unlocked);
    REQUIRE(unlocked->value());
  }

  ManualScheduler scheduler;
  ScriptedTransport transport{scheduler};
  MemoryKeyStore keys{scheduler};
  FakeClock clock{SystemTime{std::chrono::seconds{kRigNow}}};
  Client client;
};

}  // namespace synckit::test
