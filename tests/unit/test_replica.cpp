// The replica's local side and its sync step over a scripted transport: durable local writes,
// the commit queue, at-rest sealing, the outbox's fixed change ids, merging pulled pages.
// (That replicas converge through the real server: tests/integration/test_replica.cpp.)
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "unlocked_client.hpp"
#include "synckit/client/client.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/replica/memory_replica_store.hpp"
#include "synckit/replica/replica.hpp"
#include "synckit/wire/sync_messages.hpp"

using namespace synckit;
using namespace std::chrono;

namespace {

constexpr std::int64_t kNow = test::kRigNow;
const std::string& kDevice = test::kRigDevice;
const std::string kOther = "44444444-4444-4444-8444-444444444444";

// Counts commits (to see group commit) around a memory store.
class CountingStore final : public ReplicaStore {
 public:
  std::optional<Bytes> get(StoreSpace space, ByteView key) override { return inner.get(space, key); }
  std::vector<StoreEntry> scan(StoreSpace space, ByteView prefix, std::size_t limit) override {
    return inner.scan(space, prefix, limit);
  }
  std::size_t count(StoreSpace space) override { return inner.count(space); }
  void commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) override {
    ++commits;
    inner.commit(std::move(writes), std::move(done));
  }
  // Every byte the store holds, keys and values.
  std::string all_bytes() {
    std::string out;
    for (const StoreSpace space : {StoreSpace::state, StoreSpace::rows, StoreSpace::outbox}) {
      for (const StoreEntry& e : inner.scan(space, {}, 0)) {
        out.append(e.key.begin(), e.key.end());
        out.append(e.value.begin(), e.value.end());
      }
    }
    return out;
  }
  MemoryReplicaStore inner;
  int commits = 0;
};

struct Rig : test::UnlockedClient {
  explicit Rig(std::uint8_t key_byte = 7) : UnlockedClient(test::kRigUser, key_byte, {3, 1ms, 1ms, 1ms}) {}
  CountingStore store;

  template <class T, class Call>
  Result<T> run(Call call) {
    std::optional<Result<T>> out;
    call([&](Result<T> r) { out.emplace(std::move(r)); });
    scheduler.run_all();
    REQUIRE(out);
    return std::move(*out);
  }
  Result<Done> put(Replica& r, const std::string& row, nlohmann::ordered_json data) {
    return run<Done>([&](auto done) { r.put("todos", row, std::move(data), done); });
  }
  Result<Done> remove(Replica& r, const std::string& row) {
    return run<Done>([&](auto done) { r.remove("todos", row, done); });
  }
  Result<SyncReport> sync(Replica& r) {
    return run<SyncReport>([&](auto done) { r.sync(done); });
  }
};

// The change ids and plaintexts of a push request's body (sealed under the rig's key).
std::vector<std::pair<std::string, ChangeEntry>> pushed(const HttpRequest& request, std::uint8_t key_byte = 7) {
  const ChangeKey key = derive_change_key(master_key_from_bytes(Bytes(32, key_byte)));
  std::vector<std::pair<std::string, ChangeEntry>> out;
  const nlohmann::json body = nlohmann::json::parse(request.body.str());
  for (const auto& change : body["changes"]) {
    const std::string id = change["change_id"];
    out.emplace_back(id, open_change(key, id, base64_decode(change["payload"].get<std::string>(), "payload")));
  }
  return out;
}

// A pull reply of changes sealed under the rig's key by another device.
struct PageBuilder {
  wire::PullReply reply;
  ChangeKey key = derive_change_key(master_key_from_bytes(Bytes(32, 7)));
  PageBuilder& add(const ChangeEntry& entry, const std::string& id) {
    const std::int64_t seq = reply.cursor + 1;
    reply.changes.push_back(wire::PulledChange{{id, seal_change(key, id, entry, test::system_random())}, kOther, seq});
    reply.cursor = seq;
    return *this;
  }
  PageBuilder& tampered(const std::string& id) {
    ChangeEntry entry{"todos", ChangeOp::insert, "x", SystemTime{}, 1};
    add(entry, id);
    reply.changes.back().change.payload[30] ^= 1;
    return *this;
  }
  std::string text() const { return dump_json(wire::to_json(reply)); }
};

ChangeEntry remote(const std::string& row, nlohmann::ordered_json data, const std::string& hlc) {
  return ChangeEntry{"todos", data.is_null() ? ChangeOp::remove : ChangeOp::update, row,
                     SystemTime{seconds{kNow}}, std::move(data), hlc};
}

const std::string kPushed = R"({"cursor":10})";
const std::string kEmptyPull = R"({"changes":[],"cursor":0,"has_more":false})";

}  // namespace

TEST_CASE("replica: put, get, list and remove, locally", "[replica]") {
  Rig rig;
  Replica replica(rig.client, rig.store, kDevice);
  CHECK(replica.get("todos", "t1") == std::nullopt);
  REQUIRE(rig.put(replica, "t2", {{"title", "milk"}}).ok());
  REQUIRE(rig.put(replica, "t1", {{"title", "eggs"}}).ok());
  REQUIRE(rig.put(replica, "t3", "just text").ok());
  REQUIRE(rig.put(replica, "t1", {{"title", "eggs"}, {"n", 12}}).ok());
  CHECK(replica.get("todos", "t1") == R"({"title":"eggs","n":12})");
  REQUIRE(rig.remove(replica, "t2").ok());
  CHECK(replica.get("todos", "t2") == std::nullopt);
  CHECK(replica.get("other", "t1") == std::nullopt);
  const auto rows = replica.list("todos");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].row_id == "t1");
  CHECK(rows[1].row_id == "t3");
  CHECK(rows[1].data == R"("just text")");
  CHECK(replica.list("other").empty());
  CHECK(replica.status().pending == 5);
  CHECK(rig.transport.sent.empty());  // offline: nothing was sent

  // Bad input: typed errors, nothing stored.
  CHECK(rig.put(replica, "", 1).error().field() == "row_id");
  CHECK(rig.put(replica, std::string(257, 'r'), 1).error().kind() == ErrorKind::invalid_input);
  CHECK(rig.put(replica, "t9", nullptr).error().field() == "data");
  CHECK(rig.run<Done>([&](auto done) { replica.put(std::string(129, 't'), "r", 1, done); }).error().field() == "table");
  CHECK(rig.put(replica, "t9", std::string("\xff")).error().kind() == ErrorKind::invalid_input);
  CHECK(replica.status().pending == 5);
  CHECK_THROWS_AS(replica.get("", "r"), Error);
}

TEST_CASE("replica: writes in one tick share one transaction; subscribers hear each", "[replica]") {
  Rig rig;
  Replica replica(rig.client, rig.store, kDevice);
  std::vector<ReplicaEvent> events;
  const auto id = replica.subscribe("todos", [&](const ReplicaEvent& e) { events.push_back(e); });
  replica.subscribe("other", [&](const ReplicaEvent&) { FAIL("another table's subscriber"); });
  int done = 0;
  for (int i = 0; i < 10; ++i) {
    replica.put("todos", "r" + std::to_string(i), i, [&](Result<Done> r) { done += r.ok(); });
  }
  replica.remove("todos", "r3", [&](Result<Done> r) { done += r.ok(); });
  rig.scheduler.run_all();
  CHECK(done == 11);
  CHECK(rig.store.commits == 1);
  REQUIRE(events.size() == 1);
  CHECK(events[0].origin == ChangeOrigin::local);
  REQUIRE(events[0].rows.size() == 11);
  CHECK(events[0].rows[0].data == "0");
  CHECK(events[0].rows[10].row_id == "r3");
  CHECK(events[0].rows[10].data == std::nullopt);
  replica.unsubscribe(id);
  REQUIRE(rig.put(replica, "r1", 5).ok());
  CHECK(events.size() == 1);
}

TEST_CASE("replica: a failed commit stores nothing and changes no state", "[replica]") {
  Rig rig;
  Replica replica(rig.client, rig.store, kDevice);
  REQUIRE(rig.put(replica, "a", 1).ok());
  const std::string before = rig.store.all_bytes();
  rig.store.inner.fail_next_commit();
  const auto failed = rig.put(replica, "a", 2);
  CHECK(failed.error().kind() == ErrorKind::storage);
  CHECK(rig.store.all_bytes() == before);
  CHECK(replica.get("todos", "a") == "1");
  CHECK(replica.status().pending == 1);
  REQUIRE(rig.put(replica, "a", 3).ok());  // and the next write works
  CHECK(replica.get("todos", "a") == "3");
}

TEST_CASE("replica: nothing in plaintext at rest", "[replica]") {
  Rig rig;
  {
    Replica replica(rig.client, rig.store, kDevice);
    REQUIRE(rig.put(replica, "row-secret-id", {{"title", "plaintext-marker"}}).ok());
    REQUIRE(rig.run<Done>([&](auto done) { replica.put("table-secret-name", "r", "other-marker", done); }).ok());
  }
  const std::string bytes = rig.store.all_bytes();
  for (const char* plain : {"plaintext-marker", "other-marker", "row-secret-id", "table-secret-name", "title",
                            kDevice.c_str(), "insert"}) {
    INFO(plain);
    CHECK(bytes.find(plain) == std::string::npos);
  }
}

TEST_CASE("replica: reopening keeps rows, clock and outbox; another device or key is refused", "[replica]") {
  Rig rig;
  {
    Replica replica(rig.client, rig.store, kDevice);
    REQUIRE(rig.put(replica, "a", 1).ok());
  }
  {
    Replica replica(rig.client, rig.store, kDevice);
    CHECK(replica.get("todos", "a") == "1");
    CHECK(replica.status().pending == 1);
    REQUIRE(rig.put(replica, "a", 2).ok());
    CHECK(replica.status().pending == 2);
  }
  try {
    Replica replica(rig.client, rig.store, kOther);
    FAIL("opened with another device");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_input);
    CHECK(e.field() == "device_id");
  }
  Rig other_account(9);
  try {
    Replica replica(other_account.client, rig.store, kDevice);
    FAIL("opened under another key");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::crypto);
  }
  CHECK_THROWS_AS(Replica(rig.client, rig.store, "not-a-uuid"), Error);
}

TEST_CASE("replica: push sends the outbox in order with ids fixed at write time", "[replica]") {
  Rig rig;
  Replica replica(rig.client, rig.store, kDevice);
  REQUIRE(rig.put(replica, "a", 1).ok());
  REQUIRE(rig.put(replica, "b", 2).ok());
  REQUIRE(rig.remove(replica, "a").ok());

  // The server is away: the round fails, the outbox stays.
  for (int i = 0; i < 4; ++i) rig.transport.reply(503, R"({"error":{"code":"unavailable","message":"x"}})");
  CHECK(rig.sync(replica).error().kind() == ErrorKind::server_status);
  CHECK(replica.status().pending == 3);
  CHECK_FALSE(replica.status().online);
  const auto first = pushed(rig.transport.sent.at(0));

  rig.transport.reply(200, kPushed);
  rig.transport.reply(200, kEmptyPull);
  auto report = rig.sync(replica);
  REQUIRE(report.ok());
  CHECK(report.value().pushed == 3);
  CHECK(replica.status().pending == 0);
  CHECK(replica.status().online);
  CHECK(replica.status().last_sync_at == rig.clock.now());
  const auto again = pushed(rig.transport.sent.at(4));
  REQUIRE(again.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(again[i].first == first[i].first);  // the same ids
  CHECK(again[0].second.row_id == "a");
  CHECK(again[0].second.op == ChangeOp::insert);
  CHECK(again[1].second.row_id == "b");
  CHECK(again[2].second.op == ChangeOp::remove);
  CHECK(again[0].second.hlc < again[1].second.hlc);
  CHECK(again[1].second.hlc < again[2].second.hlc);
  CHECK(parse_hlc(again[2].second.hlc)->wall_ms == static_cast<std::uint64_t>(kNow) * 1000);

  // An update of an existing row is an update.
  REQUIRE(rig.put(replica, "b", 3).ok());
  rig.transport.reply(200, kPushed);
  rig.transport.reply(200, kEmptyPull);
  REQUIRE(rig.sync(replica).ok());
  CHECK(pushed(rig.transport.sent.at(6)).at(0).second.op == ChangeOp::update);
}

TEST_CASE("replica: pulled pages merge by stamp; rejected changes are reported", "[replica]") {
  Rig rig;
  std::vector<RejectedChange> heard;
  ReplicaOptions options;
  options.on_rejected = [&](const RejectedChange& c) { heard.push_back(c); };
  Replica replica(rig.client, rig.store, kDevice, options);
  std::vector<ReplicaEvent> events;
  replica.subscribe("todos", [&](const ReplicaEvent& e) { events.push_back(e); });
  REQUIRE(rig.put(replica, "mine", "local").ok());  // stamped now (kNow)
  rig.transport.reply(200, kPushed);

  const std::string past = format_hlc({static_cast<std::uint64_t>(kNow) * 1000 - 5000, 0, 9});
  const std::string future = format_hlc({static_cast<std::uint64_t>(kNow + 7200) * 1000, 3, 9});  // 2 h ahead
  PageBuilder page;
  page.add(remote("mine", "older remote", past), "c1")       // older than the local write: loses
      .add(remote("theirs", "v1", past), "c2")
      .tampered("c3")
      .add(remote("theirs", nullptr, future), "c4")           // a delete from the future
      .add(remote("theirs", "late old update", past), "c5")   // arrives late, older: no resurrection
      .add(ChangeEntry{"todos", ChangeOp::insert, "plain", SystemTime{seconds{kNow}}, 7}, "c6");  // no hlc
  rig.transport.reply(200, page.text());
  auto report = rig.sync(replica);
  REQUIRE(report.ok());
  CHECK(report.value().pulled == 5);
  REQUIRE(report.value().rejected.size() == 1);
  CHECK(report.value().rejected[0].change_id == "c3");
  CHECK(report.value().rejected[0].seq == 3);
  CHECK(report.value().rejected[0].error.kind() == ErrorKind::crypto);
  CHECK(heard.size() == 1);
  CHECK(replica.get("todos", "mine") == R"("local")");
  CHECK(replica.get("todos", "theirs") == std::nullopt);
  CHECK(replica.get("todos", "plain") == "7");
  REQUIRE(events.size() == 2);
  CHECK(events[1].origin == ChangeOrigin::remote);

  // A write after seeing the future delete sorts after it, whatever this device's clock says.
  REQUIRE(rig.put(replica, "theirs", "back").ok());
  rig.transport.reply(200, kPushed);
  rig.transport.reply(200, R"({"changes":[],"cursor":6,"has_more":false})");
  REQUIRE(rig.sync(replica).ok());
  const auto sent = pushed(rig.transport.sent.at(rig.transport.sent.size() - 2));
  CHECK(sent.at(0).second.hlc > future);
  CHECK(replica.get("todos", "theirs") == R"("back")");

  // The cursor was stored with the page: the next pull asks after it.
  CHECK(rig.transport.sent.back().url.find("cursor=6") != std::string::npos);
}
