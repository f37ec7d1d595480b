#include "synckit/wire/json_reader.hpp"

#include "synckit/error.hpp"

namespace synckit::wire {

JsonValue parse_json(std::string_view text, std::string_view what) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so `{"a":1}<NUL>junk` would pass;
  // JSON never holds a raw NUL.
  if (text.find('\0') != std::string_view::npos) {
    throw Error(ErrorKind::json, std::string(what) + " is not valid JSON (it holds a NUL byte)");
  }
  JsonValue value = parse_json_value(text);
  if (value.is_discarded()) {
    throw Error(ErrorKind::json, std::string(what) + " is not valid JSON");
  }
  return value;
}

ObjectReader::ObjectReader(const JsonValue& value, std::string what, std::string prefix)
    : value_(&value), what_(std::move(what)), prefix_(std::move(prefix)) {
  if (!value.is_object()) {
    std::string field = prefix_.empty() ? std::string() : prefix_.substr(0, prefix_.size() - 1);
    throw Error(ErrorKind::json,
                (field.empty() ? what_ : "'" + field + "' in " + what_) + " must be a JSON object", field);
  }
}

std::string ObjectReader::field(std::string_view key) const { return prefix_ + std::string(key); }

void ObjectReader::fail(std::string_view key, std::string_view problem) const {
  const std::string name = field(key);
  throw Error(ErrorKind::json, "'" + name + "' in " + what_ + " " + std::string(problem), name);
}

bool ObjectReader::has(std::string_view key) const { return value_->contains(key); }

const JsonValue& ObjectReader::value(std::string_view key) const {
  const auto it = value_->find(key);
  if (it == value_->end()) fail(key, "is missing");
  return *it;
}

std::string ObjectReader::string(std::string_view key) const {
  const auto& v = value(key);
  if (!v.is_string()) fail(key, "must be a string");
  return v.get<std::string>();
}

std::string ObjectReader::string(std::string_view key, std::size_t min_bytes, std::size_t max_bytes) const {
  std::string s = string(key);
  if (s.size() < min_bytes || s.size() > max_bytes) {
    fail(key, "must be " + std::to_string(min_bytes) + ".." + std::to_string(max_bytes) + " bytes long");
  }
  return s;
}

bool ObjectReader::boolean(std::string_view key) const {
  const auto& v = value(key);
  if (!v.is_boolean()) fail(key, "must be true or false");
  return v.get<bool>();
}

std::int64_t ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  const auto& v = value(key);
  const std::string range = "must be an integer in " + std::to_string(min) + ".." + std::to_string(max);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (max < 0 || u > static_cast<std::uint64_t>(max) || static_cast<std::int64_t>(u) < min) fail(key, range);
    return static_cast<std::int64_t>(u);
  }
  if (!v.is_number_integer()) fail(key, range);
  const auto i = v.get<std::int64_t>();
  if (i < min || i > max) fail(key, range);
  return i;
}

Bytes ObjectReader::base64(std::string_view key, std::size_t length) const {
  const std::string text = string(key);
  Bytes bytes = base64_decode(text, field(key));
  if (length != npos && bytes.size() != length) {
    fail(key, "must hold exactly " + std::to_string(length) + " bytes");
  }
  return bytes;
}

std::string ObjectReader::uuid(std::string_view key) const {
  std::string s = string(key);
  if (!is_lowercase_uuid(s)) fail(key, "must be a lowercase UUID");
  return s;
}

ObjectReader ObjectReader::object(std::string_view key) const {
  return ObjectReader(value(key), what_, field(key) + ".");
}

std::vector<ObjectReader> ObjectReader::objects(std::string_view key) const {
  const auto& v = value(key);
  if (!v.is_array()) fail(key, "must be an array");
  std::vector<ObjectReader> items;
  items.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    items.emplace_back(v[i], what_, field(key) + "[" + std::to_string(i) + "].");
  }
  return items;
}

bool is_lowercase_uuid(std::string_view text) noexcept {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace synckit::wire
