// Pushing the same changes again after a failed push() reuses their change ids (so the server,
// which never stores an id twice, stores them once), with a scripted transport.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>

#include "unlocked_client.hpp"
#include "synckit/client/client.hpp"
#include "synckit/crypto/keys.hpp"

using namespace synckit;
using namespace std::chrono;

namespace {

constexpr std::int64_t kNow = test::kRigNow;
const std::string& kUser = test::kRigUser;
const std::string& kApp = test::kRigApp;
const std::string& kDevice = test::kRigDevice;

// The ids of one push request.
std::vector<std::string> ids_of(const HttpRequest& request) {
  const nlohmann::json body = nlohmann::json::parse(request.body.str());
  std::vector<std::string> out;
  for (const auto& change : body["changes"]) out.push_back(change["change_id"].get<std::string>());
  return out;
}

struct Rig : test::UnlockedClient {
  explicit Rig(const std::string& user = kUser) : UnlockedClient(user) {}

  Result<std::int64_t> push(const std::vector<ChangeEntry>& changes) {
    std::optional<Result<std::int64_t>> out;
    client.push(kDevice, changes, [&](Result<std::int64_t> r) { out.emplace(std::move(r)); });
    scheduler.run_all();
    REQUIRE(out);
    return std::move(*out);
  }

  void fail_four_times() {
    for (int i = 0; i < 4; ++i) transport.reply(503, R"({"error":{"code":"unavailable","message":"x"}})");
  }

  // The change ids of every push body sent from request `from` on.
  std::vector<std::string> ids_sent(std::size_t from = 0) const {
    std::vector<std::string> out;
    for (std::size_t i = from; i < transport.sent.size(); ++i) {
      for (const std::string& id : ids_of(transport.sent[i])) out.push_back(id);
    }
    return out;
  }
};

ChangeEntry entry(int i) {
  return ChangeEntry{"notes", ChangeOp::insert, "row-" + std::to_string(i),
                     SystemTime{milliseconds{1'795'624'259'123 + i}}, nlohmann::json{{"i", i}}};
}

std::vector<ChangeEntry> entries(int from, int count) {
  std::vector<ChangeEntry> out;
  for (int i = from; i < from + count; ++i) out.push_back(entry(i));
  return out;
}

}  // namespace

TEST_CASE("after a failed push, pushing the same changes again reuses their ids", "[client][push]") {
  Rig rig;
  const auto batch = entries(0, 3);
  rig.fail_four_times();
  CHECK_FALSE(rig.push(batch).ok());
  REQUIRE(rig.transport.sent.size() == 4);
  const auto first = ids_of(rig.transport.sent[0]);
  CHECK(std::set<std::string>(first.begin(), first.end()).size() == 3);
  CHECK(ids_of(rig.transport.sent[3]) == first);  // the transport's retries, as before

  // The app pushes again: same ids (the server stores them once, whether or not it did before).
  rig.transport.reply(200, R"({"cursor":3})");
  CHECK(rig.push(batch).value() == 3);
  CHECK(ids_of(rig.transport.sent[4]) == first);
  // The payloads are sealed again (new nonces), under the same ids.
  CHECK(nlohmann::json::parse(rig.transport.sent[4].body.str())["changes"][0]["payload"] !=
        nlohmann::json::parse(rig.transport.sent[0].body.str())["changes"][0]["payload"]);

  // Confirmed: the same changes pushed once more are new changes (the app meant it).
  rig.transport.reply(200, R"({"cursor":6})");
  CHECK(rig.push(batch).ok());
  for (const std::string& id : ids_of(rig.transport.sent[5])) {
    CHECK(std::find(first.begin(), first.end(), id) == first.end());
  }
}

TEST_CASE("a changed entry gets a new id; an identical one keeps its id, also in another order", "[client][push]") {
  Rig rig;
  rig.fail_four_times();
  CHECK_FALSE(rig.push(entries(0, 3)).ok());
  const auto first = ids_of(rig.transport.sent[0]);

  auto again = entries(0, 3);
  std::swap(again[0], again[2]);
  again[1].data = nlohmann::json{{"i", "edited"}};
  rig.transport.reply(200, R"({"cursor":3})");
  REQUIRE(rig.push(again).ok());
  const auto second = ids_of(rig.transport.sent[4]);
  CHECK(second[0] == first[2]);
  CHECK(second[2] == first[0]);
  CHECK(second[1] != first[1]);
}

TEST_CASE("identical changes within one call are distinct changes, each keeping its own id", "[client][push]") {
  Rig rig;
  const std::vector<ChangeEntry> twins{entry(1), entry(1), entry(2)};
  rig.fail_four_times();
  CHECK_FALSE(rig.push(twins).ok());
  const auto first = ids_of(rig.transport.sent[0]);
  CHECK(first[0] != first[1]);
  rig.transport.reply(200, R"({"cursor":3})");
  REQUIRE(rig.push(twins).ok());
  CHECK(ids_of(rig.transport.sent[4]) == first);
  // A third copy in a later call gets a new id.
  rig.fail_four_times();
  CHECK_FALSE(rig.push({entry(1), entry(1), entry(1)}).ok());
  const auto third = ids_of(rig.transport.sent[5]);
  CHECK(third[2] != first[0]);
  CHECK(third[2] != first[1]);
}

TEST_CASE("when a later batch fails, the stored batches keep their ids for the next push", "[client][push]") {
  Rig rig;
  const auto many = entries(0, 1500);  // two batches: 1000 + 500
  rig.transport.reply(200, R"({"cursor":1000})");
  rig.fail_four_times();
  CHECK_FALSE(rig.push(many).ok());
  REQUIRE(rig.transport.sent.size() == 5);
  const auto first = rig.ids_sent(0);
  REQUIRE(first.size() == 1000 + 4 * 500);

  rig.transport.reply(200, R"({"cursor":1000})");  // the server already has these: stores nothing
  rig.transport.reply(200, R"({"cursor":1500})");
  CHECK(rig.push(many).value() == 1500);
  REQUIRE(rig.transport.sent.size() == 7);
  CHECK(ids_of(rig.transport.sent[5]) == std::vector<std::string>(first.begin(), first.begin() + 1000));
  CHECK(ids_of(rig.transport.sent[6]) == std::vector<std::string>(first.begin() + 1000, first.begin() + 1500));
}

TEST_CASE("remembered ids belong to one user", "[client][push]") {
  Rig alice;
  alice.fail_four_times();
  CHECK_FALSE(alice.push(entries(0, 2)).ok());
  const auto first = ids_of(alice.transport.sent[0]);
  // Another user on the same client object: the same plaintext is not the same change.
  alice.client.restore_session({"44444444-4444-4444-8444-444444444444", kApp,
                                test::fake_jwt(kNow + 900, "44444444-4444-4444-8444-444444444444"), "refresh-2"});
  alice.transport.reply(200, R"({"cursor":2})");
  REQUIRE(alice.push(entries(0, 2)).ok());
  for (const std::string& id : ids_of(alice.transport.sent[4])) {
    CHECK(std::find(first.begin(), first.end(), id) == first.end());
  }
}

TEST_CASE("at most 65,536 unconfirmed ids are remembered; the oldest are forgotten first", "[client][push]") {
  Rig rig;
  constexpr int kMore = 1000;
  const auto all = entries(0, 65'536 + kMore);
  rig.fail_four_times();  // the first batch fails: nothing is confirmed, every id is remembered
  CHECK_FALSE(rig.push(all).ok());
  const auto first = ids_of(rig.transport.sent[0]);  // entries 0..999
  REQUIRE(first.size() == 1000);

  // Entries 0..999 were the oldest: forgotten, so pushed again they get new ids.
  rig.transport.reply(200, R"({"cursor":1})");
  REQUIRE(rig.push(entries(0, kMore)).ok());
  const auto again = ids_of(rig.transport.sent[4]);
  REQUIRE(again.size() == first.size());
  for (std::size_t i = 0; i < again.size(); ++i) CHECK(again[i] != first[i]);
}
