#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "synckit/replica/merge.hpp"

using namespace synckit;

namespace {

MergeChange change(std::string row, std::string hlc, std::string id, std::string data) {
  const bool deleted = data.empty();
  return MergeChange{"t", std::move(row), RowVersion{std::move(hlc), std::move(id)}, deleted, std::move(data)};
}

const std::string kEarly = "001764772345123-0000-0000000000000001";
const std::string kLate = "001764772345124-0000-0000000000000001";
const std::string kLater = "001764772345124-0001-0000000000000000";

}  // namespace

TEST_CASE("supersedes: the greater stamp, then the greater change id", "[replica][merge]") {
  CHECK(supersedes({kLate, "a"}, {kEarly, "z"}));
  CHECK_FALSE(supersedes({kEarly, "z"}, {kLate, "a"}));
  CHECK(supersedes({kLater, "a"}, {kLate, "z"}));  // counter before node
  CHECK(supersedes({kLate, "b"}, {kLate, "a"}));   // equal stamps: change id, bytewise
  CHECK_FALSE(supersedes({kLate, "a"}, {kLate, "a"}));  // the same change again
  CHECK(supersedes({kLate, "\xff"}, {kLate, "a"}));     // unsigned bytes
}

TEST_CASE("change_stamp: hlc, or the timestamp of a plain v1 change", "[replica][merge]") {
  ChangeEntry entry{"t", ChangeOp::insert, "r", SystemTime{std::chrono::milliseconds{1764772345123}}, 1};
  CHECK(change_stamp(entry) == "001764772345123-0000-0000000000000000");
  entry.hlc = kLater;
  CHECK(change_stamp(entry) == kLater);
}

TEST_CASE("merge_changes: last writer wins per row; a later delete is not undone", "[replica][merge]") {
  const std::vector<MergeChange> changes = {
      change("a", kEarly, "1", "{\"v\":1}"), change("a", kLate, "2", "{\"v\":2}"),
      change("b", kLate, "3", ""),           change("b", kEarly, "4", "{\"v\":4}"),  // old update arrives late
      change("c", kEarly, "5", "[]"),
  };
  const MergedRows rows = merge_changes(changes);
  REQUIRE(rows.size() == 3);
  CHECK(rows.at({"t", "a"}) == MergedRow{{kLate, "2"}, false, "{\"v\":2}"});
  CHECK(rows.at({"t", "b"}) == MergedRow{{kLate, "3"}, true, ""});
  CHECK(rows.at({"t", "c"}).data == "[]");
}

TEST_CASE("merge_changes: any order and any duplication give the same rows", "[replica][merge]") {
  std::mt19937 rng(42);
  std::vector<MergeChange> changes;
  for (int i = 0; i < 200; ++i) {
    const std::string hlc = "0000000000000" + std::to_string(10 + rng() % 20) + "-000" + std::to_string(rng() % 3) +
                            "-000000000000000" + std::to_string(rng() % 4);
    changes.push_back(change("r" + std::to_string(rng() % 7), hlc, "id" + std::to_string(i),
                             rng() % 4 == 0 ? "" : std::to_string(i)));
  }
  const MergedRows expected = merge_changes(changes);
  for (int round = 0; round < 50; ++round) {
    std::vector<MergeChange> shuffled = changes;
    for (int d = 0; d < 30; ++d) shuffled.push_back(changes[rng() % changes.size()]);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    CHECK(merge_changes(shuffled) == expected);
  }
}
