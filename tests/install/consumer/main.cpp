// Links synckit::synckit from an installed tree: seals and opens a change with the core, and
// builds a native client (which refuses a plain-http URL to a non-loopback host).
#include <cstdio>

#include <synckit/crypto/change.hpp>
#include <synckit/native/client.hpp>
#include <synckit/native/sodium_random.hpp>
#include <synckit/timestamp.hpp>

int main() {
  synckit::native::SodiumRandom random;
  const synckit::ChangeKey key = synckit::derive_change_key(synckit::generate_master_key(random));
  synckit::ChangeEntry entry{"todos", synckit::ChangeOp::insert, "row-1",
                             *synckit::parse_timestamp("2026-11-25T16:30:59.123Z"), {{"title", "milk"}}};
  const auto sealed = synckit::seal_change(key, "c1", entry, random);
  if (!(synckit::open_change(key, "c1", sealed) == entry)) return 1;
  try {
    synckit::native::Client client({"http://sync.example.com", "sk_x", synckit::native::KeyCache::none});
    return 1;
  } catch (const synckit::Error& e) {
    if (e.kind() != synckit::ErrorKind::invalid_input) return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
