// Strict reading of JSON from outside (server replies, envelopes, sealed plaintext). Every problem
// is an Error{json} that names the field; no nlohmann exception ever leaks out of the core.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/json_value.hpp"

namespace synckit::wire {

// Largest cursor / sequence number the protocol allows (2^53, exact in a JS number).
inline constexpr std::int64_t kMaxCursor = std::int64_t{1} << 53;

// Parses JSON text. Throws Error{json} (mentioning `what`, never quoting the text) on bad syntax.
JsonValue parse_json(std::string_view text, std::string_view what);

// Reads the fields of one JSON object. `what` names the document in messages ("pull reply");
// `prefix` is prepended to field names ("changes[2].") so errors point at the exact place.
class ObjectReader {
 public:
  // Throws Error{json} if `value` is not an object.
  ObjectReader(const JsonValue& value, std::string what, std::string prefix = {});

  // Whether the key is present (null counts as present).
  bool has(std::string_view key) const;
  // The raw value; throws Error{json} naming the field when missing.
  const JsonValue& value(std::string_view key) const;
  // A string; throws when missing or not a string. Empty strings are allowed.
  std::string string(std::string_view key) const;
  // A string of 1..max_bytes bytes.
  std::string string(std::string_view key, std::size_t min_bytes, std::size_t max_bytes) const;
  // A boolean.
  bool boolean(std::string_view key) const;
  // An integer (not a float, not a numeric string) in [min, max].
  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  // A cursor / sequence number: an integer in 0..2^53.
  std::int64_t cursor(std::string_view key) const { return integer(key, 0, kMaxCursor); }
  // Strict standard base64 of exactly `length` bytes (or any length when length is npos).
  Bytes base64(std::string_view key, std::size_t length = npos) const;
  // A lowercase UUID string (8-4-4-4-12 hex).
  std::string uuid(std::string_view key) const;
  // A nested object.
  ObjectReader object(std::string_view key) const;
  // The elements of an array field, each checked to be an object.
  std::vector<ObjectReader> objects(std::string_view key) const;

  // The full field name for messages: prefix + key.
  std::string field(std::string_view key) const;
  // Throws Error{json} for `key` with the given problem ("must be ...").
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  const JsonValue* value_;
  std::string what_;
  std::string prefix_;
};

// Parses JSON text and reads it as one object with `parse` (a function taking an ObjectReader):
// the body of every parse_xxx_text function.
template <class Parse>
auto parse_object_text(std::string_view text, std::string_view what, Parse parse) {
  const JsonValue value = parse_json(text, what);
  return parse(ObjectReader(value, std::string(what)));
}

// Whether `text` is a lowercase UUID string (8-4-4-4-12 lowercase hex digits).
bool is_lowercase_uuid(std::string_view text) noexcept;

}  // namespace synckit::wire
