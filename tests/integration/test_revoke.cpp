// Scenario 4: one device revokes another; the revoked one can neither push nor pull (forbidden) and
// disappears from the device list, while what it pushed before stays.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support.hpp"

using namespace synckit::integration;

namespace {

bool has_device(const std::vector<Device>& devices, const std::string& id) {
  return std::any_of(devices.begin(), devices.end(), [&](const Device& d) { return d.id == id; });
}

}  // namespace

TEST_CASE("a revoked device can neither push nor pull and leaves the device list", "[devices]") {
  ServerProcess server;
  Client a(client_config(server));
  a.create_account("linus@example.com", "login password");
  a.setup_encryption_new("envelope password");
  const Device laptop = a.register_device("laptop", "linux");

  Client b(client_config(server));
  b.authenticate("linus@example.com", "login password");
  b.setup_encryption_existing("envelope password");
  const Device phone = b.register_device("stolen phone", "android");
  const std::vector<ChangeEntry> before{change(ChangeOp::insert, "p1", {{"from", "the phone, before"}})};
  b.push(phone.id, before);

  const auto listed = a.list_devices();
  CHECK(listed.size() == 2);
  CHECK(has_device(listed, laptop.id));
  CHECK(has_device(listed, phone.id));

  a.revoke_device(phone.id);

  CHECK(error_of([&] {
          b.push(phone.id, {change(ChangeOp::insert, "p2", {{"from", "after"}})});
        }) == "forbidden");
  CHECK(error_of([&] { b.pull(phone.id, 0); }) == "forbidden");
  try {
    b.pull(phone.id, 0);
  } catch (const Error& e) {
    CHECK(e.status() == 403);
  }

  const auto after = b.list_devices();
  CHECK(after.size() == 1);
  CHECK(has_device(after, laptop.id));
  CHECK_FALSE(has_device(after, phone.id));
  CHECK(a.status().devices == 1);

  // Its earlier changes stay; the rejected push stored nothing.
  const auto pulled = pull_all(a, laptop.id);
  CHECK(entries_of(pulled) == before);
  CHECK(a.status().changes == 1);

  // A well-formed id the user does not have.
  CHECK(error_of([&] { a.revoke_device("00000000-0000-4000-8000-000000000000"); }) == "not_found");
}
