// One change to one row, as the app sees it (plaintext). Sealing it is crypto/change.hpp's job.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "synckit/clock.hpp"
#include "synckit/error.hpp"
#include "synckit/json_value.hpp"

namespace synckit {

enum class ChangeOp { insert, update, remove };

// "insert", "update" or "delete".
std::string_view change_op_name(ChangeOp op) noexcept;
// The op for "insert" | "update" | "delete", or nullopt.
std::optional<ChangeOp> parse_change_op(std::string_view name) noexcept;

inline constexpr std::size_t kMaxTableBytes = 128;
inline constexpr std::size_t kMaxRowIdBytes = 256;

// A row change. data is null exactly when op is remove.
struct ChangeEntry {
  std::string table;      // non-empty UTF-8, at most 128 bytes
  ChangeOp op = ChangeOp::insert;
  std::string row_id;     // non-empty UTF-8, at most 256 bytes
  SystemTime timestamp{}; // serialised as RFC 3339 UTC with milliseconds
  JsonValue data;         // any JSON value; null exactly for deletes
  std::string hlc{};      // empty: none (a plain v1 change); else the replica stamp (replica.md)

  friend bool operator==(const ChangeEntry&, const ChangeEntry&) = default;
};

// Checks the rules above. Throws Error{invalid_input} naming the field that breaks them.
// A non-empty hlc must be a stamp parse_hlc accepts (replica/hlc.hpp).
void validate_change_entry(const ChangeEntry& entry);

// The format's plaintext: keys in the order table, op, row_id, timestamp, data; no whitespace.
// A non-empty hlc follows data as one more key, "hlc".
// Throws Error{invalid_input} if the entry breaks the rules or holds invalid UTF-8.
std::string change_entry_to_json(const ChangeEntry& entry);

// Reads a plaintext object (keys in any order, unknown keys ignored) and checks every field.
// Throws Error{kind} naming the field; `kind` is invalid_data for opened payloads and invalid_input
// for app input. Never quotes the text in the message.
// An "hlc" key is optional (absent: hlc empty); when present it must be a replica stamp.
ChangeEntry change_entry_from_json(std::string_view text, ErrorKind kind);

}  // namespace synckit
