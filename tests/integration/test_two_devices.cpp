// Scenario 1: two clients, two devices of one user, sync rows (insert/update/delete, JSON data,
// non-ASCII text) and blobs (empty, small, 1 MiB) both ways through the real server.
#include <catch2/catch.hpp>

#include <set>

#include "support.hpp"

using namespace synckit::integration;

namespace {

constexpr const char* kEmail = "ada@example.com";
constexpr const char* kLoginPassword = "correct horse battery staple";
constexpr const char* kEnvelopePassword = "envelope pässwörd ✓";

// The entries must come from `device`, in strictly increasing seq order, with distinct change ids.
void check_origin(const std::vector<PulledEntry>& pulled, const std::string& device) {
  std::set<std::string> ids;
  std::int64_t last = 0;
  for (const PulledEntry& entry : pulled) {
    CHECK(entry.device_id == device);
    CHECK(entry.seq > last);
    last = entry.seq;
    CHECK(ids.insert(entry.change_id).second);
  }
}

std::vector<ChangeEntry> concat(std::vector<ChangeEntry> a, const std::vector<ChangeEntry>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("two devices of one user sync rows and blobs both ways", "[sync]") {
  ServerProcess server;
  Client a(client_config(server));
  const Account account = a.create_account(kEmail, kLoginPassword);
  a.setup_encryption_new(kEnvelopePassword);
  const Device laptop = a.register_device("Ada's laptop", "linux");

  Client b(client_config(server));
  CHECK(b.authenticate("ADA@Example.COM", kLoginPassword).user_id == account.user_id);  // ASCII case folded
  b.setup_encryption_existing(kEnvelopePassword);
  const Device phone = b.register_device("Ada's phone ☎", "android");
  REQUIRE(laptop.id != phone.id);

  const std::vector<ChangeEntry> from_a1{
      change(ChangeOp::insert, "r1",
             {{"title", "Grüße aus Köln"}, {"done", false}, {"tags", {"ünï", "日本語", "🚀"}}}),
      change(ChangeOp::insert, "r2",
             {{"title", "second"}, {"n", -42}, {"ratio", 1.5}, {"nested", {{"a", {{"b", nullptr}}}}}}),
      change(ChangeOp::update, "r1", {{"title", "Grüße aus Köln (edited)"}, {"done", true}}),
  };
  const std::vector<ChangeEntry> from_b{
      change(ChangeOp::update, "r2", {{"title", "from the phone: ¿qué tal?"}, {"n", 9007199254740993}}),
      change(ChangeOp::insert, "zoë-ü", JsonValue::array({1, "two", 3.25, JsonValue::object()}), "ταβλή"),
      change(ChangeOp::remove, "r1", nullptr),
  };
  const std::vector<ChangeEntry> from_a2{
      change(ChangeOp::insert, "r3", "a bare string \"quoted\" \\ with\nnew lines\tand tabs"),
      change(ChangeOp::remove, "r2", nullptr),
  };

  const std::int64_t after_a1 = a.push(laptop.id, from_a1);
  CHECK(after_a1 == 3);
  const std::int64_t after_b = b.push(phone.id, from_b);
  CHECK(after_b == 6);
  const std::int64_t latest = a.push(laptop.id, from_a2);
  CHECK(latest == 8);

  // Rows: each device gets the other's changes, decrypted and equal, never its own. (Plain blocks,
  // not SECTIONs: a SECTION would run the sign-ins, and their Argon2id, again.)
  {
    const auto to_b = pull_all(b, phone.id);
    check_origin(to_b, laptop.id);
    CHECK(as_json(entries_of(to_b)) == as_json(concat(from_a1, from_a2)));
    CHECK(entries_of(to_b) == concat(from_a1, from_a2));

    const auto to_a = pull_all(a, laptop.id);
    check_origin(to_a, phone.id);
    CHECK(as_json(entries_of(to_a)) == as_json(from_b));
    CHECK(entries_of(to_a) == from_b);

    // Incremental: from the cursor of a full pull, only what came later; a device's own pushes
    // only move its cursor on.
    const PullResult a_state = a.pull(laptop.id, 0);
    CHECK(a_state.cursor == latest);
    const std::vector<ChangeEntry> late{change(ChangeOp::insert, "r4", {{"late", "spät"}})};
    const std::int64_t after_late = b.push(phone.id, late);
    const PullResult to_a_late = a.pull(laptop.id, a_state.cursor);
    REQUIRE(to_a_late.changes.size() == 1);
    CHECK(to_a_late.changes[0].seq == after_late);
    CHECK(to_a_late.changes[0].device_id == phone.id);
    CHECK(to_a_late.changes[0].entry == late[0]);
    CHECK_FALSE(to_a_late.has_more);
    const PullResult to_b_own = b.pull(phone.id, latest);
    CHECK(to_b_own.changes.empty());
    CHECK(to_b_own.cursor == after_late);
    CHECK_FALSE(to_b_own.has_more);

    const SyncStatus status = b.status();
    CHECK(status.user_id == account.user_id);
    CHECK(status.devices == 2);
    CHECK(status.changes == 9);
    CHECK(status.latest_cursor == after_late);
  }

  // Blobs: empty, small and 1 MiB, both ways; replaced and deleted.
  {
    const Bytes empty;
    const Bytes small = text_bytes("a small blob: Grüße, 東京, 🚀");
    const Bytes big = pattern_bytes(1 << 20, 1);
    const Bytes big_b = pattern_bytes(1 << 20, 2);
    a.put_blob("a-empty", empty);
    a.put_blob("a-small", small);
    a.put_blob("a-big", big);
    b.put_blob("b-small", text_bytes("from the phone"));
    b.put_blob("b-big", big_b);

    CHECK(b.get_blob("a-empty").empty());
    CHECK(b.get_blob("a-small") == small);
    CHECK(b.get_blob("a-big") == big);
    CHECK(a.get_blob("b-small") == text_bytes("from the phone"));
    CHECK(a.get_blob("b-big") == big_b);

    const SyncStatus status = a.status();
    CHECK(status.blobs == 5);
    // Sealing adds 40 bytes (nonce and tag) to each blob; the server sees only that.
    CHECK(status.blob_bytes ==
          static_cast<std::int64_t>(small.size() + big.size() + big_b.size() + 14 + 5 * 40));

    b.put_blob("a-small", text_bytes("replaced by the phone"));
    CHECK(a.get_blob("a-small") == text_bytes("replaced by the phone"));
    a.delete_blob("b-small");
    CHECK(error_of([&] { b.get_blob("b-small"); }) == "not_found");
    CHECK(error_of([&] { b.delete_blob("b-small"); }) == "not_found");
    CHECK(a.status().blobs == 4);
  }
}
