// The replica's merge (replica.md, "Merge"): the one place where convergence is decided. Local
// writes and pulled changes both go through `supersedes`; merge_changes folds a set of changes the
// same way (tests, fuzzing, and anyone checking a replica against what the server holds).
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>

#include "synckit/change_entry.hpp"

namespace synckit {

// Where a change stands in the order of writes: its stamp, then its change id (equal stamps only
// come from a broken writer).
struct RowVersion {
  std::string hlc;        // 37-byte stamp text
  std::string change_id;

  friend bool operator==(const RowVersion&, const RowVersion&) = default;
};

// True when a change at `incoming` replaces a row at `current`: a greater stamp, or an equal stamp
// and a greater change id (both compared bytewise). The same change again does not.
bool supersedes(const RowVersion& incoming, const RowVersion& current) noexcept;

// The stamp of a change: its "hlc", or for a plain v1 change the one replica.md gives it
// (its timestamp in ms, counter 0000, node 0000000000000000).
std::string change_stamp(const ChangeEntry& entry);

// One change as the merge sees it.
struct MergeChange {
  std::string table;
  std::string row_id;
  RowVersion version;
  bool deleted = false;
  std::string data;  // the row's JSON text; empty when deleted
};

// A row after the merge: the winning change (a tombstone when it is a delete).
struct MergedRow {
  RowVersion version;
  bool deleted = false;
  std::string data;

  friend bool operator==(const MergedRow&, const MergedRow&) = default;
};

using MergedRows = std::map<std::pair<std::string, std::string>, MergedRow>;  // (table, row_id) -> row

// The rows `changes` converge to: per row, the change every other one's version is superseded by.
// The result depends only on the set of changes, not on their order or on duplicates.
MergedRows merge_changes(std::span<const MergeChange> changes);

}  // namespace synckit
