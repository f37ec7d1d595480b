// The replica's merge and its stamps on any input:
//  - the first 37 bytes as a stamp: parse_hlc accepts exactly what format_hlc writes (a parsed
//    stamp formats back to the same text);
//  - the input as a list of changes (4 bytes each: row, wall, counter and node, op and data) and,
//    after them, as the choices of a shuffle with duplicates: merge_changes gives the same rows for
//    the list and for the shuffled, duplicated list, and each row is the change no other change of
//    that row supersedes.
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/replica/merge.hpp"

namespace synckit_fuzz {
namespace merge_detail {

inline void stamp_text(std::string_view input) {
  const std::string_view text = input.substr(0, synckit::kHlcTextBytes);
  if (const auto stamp = synckit::parse_hlc(text)) {
    check(synckit::format_hlc(*stamp) == text, "a parsed stamp formats back to its text");
  }
}

inline std::vector<synckit::MergeChange> changes_of(std::string_view input, std::size_t count) {
  std::vector<synckit::MergeChange> out;
  for (std::size_t i = 0; i < count; ++i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(input[4 * i + k]); };
    const synckit::HlcStamp stamp{1'700'000'000'000u + byte(1) % 8, static_cast<std::uint16_t>(byte(2) % 3),
                                  static_cast<std::uint64_t>(byte(2) / 3 % 3)};
    const bool deleted = (byte(3) & 1) != 0;
    // Change ids repeat on purpose (i % 7): equal stamps and ids are "the same change", and a
    // broken writer may reuse both; the merge must still not depend on order.
    out.push_back(synckit::MergeChange{"t", std::string(1, static_cast<char>('a' + byte(0) % 5)),
                                       synckit::RowVersion{synckit::format_hlc(stamp), "id" + std::to_string(i % 7)},
                                       deleted, deleted ? std::string() : std::to_string(byte(3))});
  }
  return out;
}

inline void order_free(std::string_view input) {
  const std::size_t count = std::min<std::size_t>(input.size() / 4, 64);
  std::vector<synckit::MergeChange> changes = changes_of(input, count);
  if (changes.empty()) return;
  // Same version, different content only comes from a broken writer; the merge keeps the first
  // one it saw then, so the property is stated over changes whose versions are unique.
  std::vector<synckit::MergeChange> unique;
  for (const auto& c : changes) {
    bool seen = false;
    for (const auto& u : unique) seen = seen || (u.table == c.table && u.row_id == c.row_id && u.version == c.version);
    if (!seen) unique.push_back(c);
  }
  const synckit::MergedRows expected = synckit::merge_changes(unique);
  for (const auto& [key, row] : expected) {
    for (const auto& c : unique) {
      if (c.row_id == key.second) check(!synckit::supersedes(c.version, row.version), "a row is its greatest change");
    }
  }
  std::vector<synckit::MergeChange> shuffled = unique;
  std::string_view choices = input.substr(4 * count);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(choices[i]);
    if (c & 0x80) {
      shuffled.push_back(shuffled[c % shuffled.size()]);  // a duplicate
    } else {
      std::swap(shuffled[i % shuffled.size()], shuffled[c % shuffled.size()]);
    }
  }
  check(synckit::merge_changes(shuffled) == expected, "the merge does not depend on order or duplicates");
}

}  // namespace merge_detail

inline void replica_merge(std::string_view input) {
  merge_detail::stamp_text(input);
  merge_detail::order_free(input);
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(replica_merge)
