#include "synckit/replica/merge.hpp"

#include "synckit/replica/hlc.hpp"

namespace synckit {

bool supersedes(const RowVersion& incoming, const RowVersion& current) noexcept {
  if (const int order = incoming.hlc.compare(current.hlc); order != 0) return order > 0;
  return incoming.change_id.compare(current.change_id) > 0;
}

std::string change_stamp(const ChangeEntry& entry) {
  return entry.hlc.empty() ? format_hlc(legacy_hlc(entry.timestamp)) : entry.hlc;
}

MergedRows merge_changes(std::span<const MergeChange> changes) {
  MergedRows rows;
  for (const MergeChange& change : changes) {
    const auto [it, inserted] =
        rows.try_emplace({change.table, change.row_id}, MergedRow{change.version, change.deleted, change.data});
    if (!inserted && supersedes(change.version, it->second.version)) {
      it->second = MergedRow{change.version, change.deleted, change.data};
    }
  }
  return rows;
}

}  // namespace synckit
