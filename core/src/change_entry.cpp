#include "synckit/change_entry.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "json/compact_json.hpp"
#include "json/utf8.hpp"
#include "synckit/error.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/secret.hpp"
#include "synckit/timestamp.hpp"

namespace synckit {
namespace {

[[noreturn]] void fail(ErrorKind kind, std::string_view field, std::string_view problem) {
  throw Error(kind, "change field '" + std::string(field) + "' " + std::string(problem), std::string(field));
}

void check_text(ErrorKind kind, std::string_view field, const std::string& value, std::size_t max_bytes) {
  if (value.empty() || value.size() > max_bytes) {
    fail(kind, field, "must be 1.." + std::to_string(max_bytes) + " bytes of UTF-8");
  }
}

void check_data(ErrorKind kind, ChangeOp op, const JsonValue& data) {
  if ((op == ChangeOp::remove) != data.is_null()) fail(kind, "data", "must be null exactly when op is delete");
}

[[noreturn]] void fail_hlc(ErrorKind kind) { fail(kind, "hlc", "must be a replica stamp (replica.md)"); }

// The plaintext being written: a std::string that, when it must grow, moves into a buffer twice as
// large and wipes the one it leaves (std::string's own growth would free that one unwiped).
class PlaintextOut {
 public:
  explicit PlaintextOut(std::size_t capacity) { text_.reserve(capacity); }
  void append(const char* bytes, std::size_t n) {
    make_room(n);
    text_.append(bytes, n);
  }
  PlaintextOut& operator+=(std::string_view text) {
    append(text.data(), text.size());
    return *this;
  }
  PlaintextOut& operator+=(char c) {
    make_room(1);
    text_.push_back(c);
    return *this;
  }
  // Room for n more bytes without a reallocation.
  void make_room(std::size_t n) {
    if (text_.size() + n <= text_.capacity()) return;
    std::string bigger;
    bigger.reserve(std::max({std::size_t{4096}, 2 * text_.capacity(), text_.size() + n}));  // few moves
    bigger.append(text_);
    secure_wipe(text_.data(), text_.size());
    text_.swap(bigger);
  }
  std::string take() && { return std::move(text_); }

 private:
  std::string text_;
};

// Appends `text` as a JSON string byte for byte as nlohmann's dump() writes it: '"' and '\\'
// escaped, \b \t \n \f \r, other control characters as \u00xx, everything else as is.
// Throws Error{invalid_input} naming `field` for invalid UTF-8.
void append_json_string(PlaintextOut& out, std::string_view text, std::string_view field) {
  out.make_room(text.size() + 2);
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size();) {
    while (i + 8 <= text.size() && detail::plain_ascii8(text.data() + i)) i += 8;  // the common case
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = detail::utf8_sequence(text, i);
      if (length == 0) fail(ErrorKind::invalid_input, field, "is not valid UTF-8");
      i += length;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text.data() + run, i - run);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default: {
        constexpr char hex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
    run = ++i;
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

// Appends format_timestamp(time) ("2026-11-25T16:30:59.123Z") without its snprintf and string.
void append_timestamp(PlaintextOut& out, SystemTime time) {
  using namespace std::chrono;
  constexpr SystemTime first = time_point_cast<milliseconds>(sys_days{year{0} / January / 1});
  constexpr SystemTime end = time_point_cast<milliseconds>(sys_days{year{10000} / January / 1});
  if (time < first || time >= end) static_cast<void>(format_timestamp(time));  // throws the usual error
  const auto day = floor<days>(time);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> clock{time - day};
  char text[] = "0000-00-00T00:00:00.000Z";
  const auto put = [&](std::size_t pos, std::size_t width, long long value) {
    for (std::size_t k = width; k-- > 0; value /= 10) text[pos + k] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, int(ymd.year()));
  put(5, 2, unsigned(ymd.month()));
  put(8, 2, unsigned(ymd.day()));
  put(11, 2, clock.hours().count());
  put(14, 2, clock.minutes().count());
  put(17, 2, clock.seconds().count());
  put(20, 3, clock.subseconds().count());
  out.append(text, sizeof text - 1);
}

// Appends data.dump() to `out`: the same bytes as nlohmann's serializer (no spaces; strings through
// append_json_string), without its per-call setup and byte-at-a-time escaping. Floats, binary and
// discarded values are written by nlohmann's serializer itself. Recursive like dump().
class DataWriter {
 public:
  explicit DataWriter(PlaintextOut& out) : out_(out) {}

  void write(const JsonValue& value) {
    using Type = JsonValue::value_t;
    switch (value.type()) {
      case Type::null: out_ += "null"; return;
      case Type::boolean: out_ += *value.get_ptr<const JsonValue::boolean_t*>() ? "true" : "false"; return;
      case Type::number_integer: return integer(*value.get_ptr<const JsonValue::number_integer_t*>());
      case Type::number_unsigned: return integer(*value.get_ptr<const JsonValue::number_unsigned_t*>());
      case Type::string: return append_json_string(out_, *value.get_ptr<const JsonValue::string_t*>(), "data");
      case Type::array: {
        out_ += '[';
        bool first = true;
        for (const JsonValue& element : *value.get_ptr<const JsonValue::array_t*>()) {
          if (!first) out_ += ',';
          first = false;
          write(element);
        }
        out_ += ']';
        return;
      }
      case Type::object: {
        out_ += '{';
        bool first = true;
        for (const auto& [key, element] : *value.get_ptr<const JsonValue::object_t*>()) {
          if (!first) out_ += ',';
          first = false;
          append_json_string(out_, key, "data");
          out_ += ':';
          write(element);
        }
        out_ += '}';
        return;
      }
      default: return by_nlohmann(value);
    }
  }

 private:
  template <class Integer>
  void integer(Integer number) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, number).ptr;
    out_.append(digits, static_cast<std::size_t>(end - digits));
  }

  // Through a scratch string (a number's text, in practice), copied over and wiped.
  void by_nlohmann(const JsonValue& value) {
    if (!serializer_) {
      serializer_.emplace(nlohmann::detail::output_adapter<char, std::string>(scratch_), ' ',
                          nlohmann::detail::error_handler_t::strict);
    }
    serializer_->dump(value, false, false, 0);
    out_ += scratch_;
    secure_wipe(scratch_.data(), scratch_.size());
    scratch_.clear();
  }

  PlaintextOut& out_;
  std::string scratch_;
  std::optional<nlohmann::detail::serializer<JsonValue>> serializer_;  // made on first use
};

void append_data(PlaintextOut& out, const JsonValue& data) {
  try {
    DataWriter(out).write(data);
  } catch (const JsonValue::exception&) {
    fail(ErrorKind::invalid_input, "data", "is not valid UTF-8");
  }
}

// A top-level string field as read: absent, not a string, or its text (the last one wins, as in
// nlohmann's DOM for duplicate keys).
struct TextField {
  enum { missing, not_string, text } state = missing;
  std::string value;

  void set(std::string& read) {
    state = text;
    value = std::move(read);
  }
  void set_not_string() {
    state = not_string;
    value.clear();
  }
};

// The top-level fields as read (hlc is optional).
struct PlaintextFields {
  TextField table, op, row_id, timestamp, hlc;
  bool has_data = false;
};

// SAX reader of the plaintext (nlohmann's lexer and parser, so JSON and UTF-8 are checked by the
// same code as before): keeps the five top-level strings, builds `data` straight into the entry
// (no DOM of the whole object, no copy), skips unknown keys. Checking the fields is left to after
// the parse, so that any syntax error wins over a field error, as it did with the DOM.
class PlaintextReader {
 public:
  using Json = JsonValue;
  PlaintextReader(JsonValue& data, PlaintextFields& fields) : data_(data), fields_(fields) {}

  bool null() { return scalar([](DomParser& dom) { return dom.null(); }); }
  bool boolean(bool value) { return scalar([&](DomParser& dom) { return dom.boolean(value); }); }
  bool number_integer(Json::number_integer_t value) {
    return scalar([&](DomParser& dom) { return dom.number_integer(value); });
  }
  bool number_unsigned(Json::number_unsigned_t value) {
    return scalar([&](DomParser& dom) { return dom.number_unsigned(value); });
  }
  bool number_float(Json::number_float_t value, const Json::string_t& text) {
    return scalar([&](DomParser& dom) { return dom.number_float(value, text); });
  }
  bool binary(Json::binary_t& value) { return scalar([&](DomParser& dom) { return dom.binary(value); }); }
  bool string(Json::string_t& value) {
    if (depth_ == 1 && current_ != nullptr) {
      current_->set(value);
      return true;
    }
    return scalar([&](DomParser& dom) { return dom.string(value); });
  }
  bool start_object(std::size_t length) {
    if (depth_ == 0) return ++depth_, true;  // the plaintext object itself
    return open([&](DomParser& dom) { return dom.start_object(length); });
  }
  bool start_array(std::size_t length) {
    if (depth_ == 0) return false;  // not an object: stop here
    return open([&](DomParser& dom) { return dom.start_array(length); });
  }
  bool end_object() { return close([](DomParser& dom) { return dom.end_object(); }); }
  bool end_array() { return close([](DomParser& dom) { return dom.end_array(); }); }
  bool key(Json::string_t& name) {
    if (depth_ > 1) return !dom_ || dom_->key(name);
    in_data_ = name == "data";
    current_ = name == "table" ? &fields_.table : name == "op" ? &fields_.op : name == "row_id" ? &fields_.row_id
             : name == "timestamp" ? &fields_.timestamp : name == "hlc" ? &fields_.hlc : nullptr;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  using DomParser = nlohmann::detail::json_sax_dom_parser<JsonValue>;

  // A value that is not a container: the top-level text fields take strings only; data takes any.
  template <class Event>
  bool scalar(const Event& event) {
    if (depth_ == 0) return false;  // not an object
    if (depth_ > 1) return !dom_ || event(*dom_);
    if (current_ != nullptr) current_->set_not_string();
    if (!in_data_) return true;
    fields_.has_data = true;
    DomParser dom(data_, false);
    return event(dom);
  }
  template <class Event>
  bool open(const Event& event) {
    if (depth_++ > 1) return !dom_ || event(*dom_);
    if (current_ != nullptr) current_->set_not_string();
    if (!in_data_) return true;  // an unknown key's value: skipped
    fields_.has_data = true;
    dom_.emplace(data_, false);
    return event(*dom_);
  }
  template <class Event>
  bool close(const Event& event) {
    if (--depth_ < 1) return true;  // the end of the plaintext object
    if (!dom_) return true;
    const bool ok = event(*dom_);
    if (depth_ == 1) dom_.reset();
    return ok;
  }

  JsonValue& data_;
  PlaintextFields& fields_;
  std::optional<DomParser> dom_;  // while inside a data object or array
  int depth_ = 0;                  // 1 inside the plaintext object
  TextField* current_ = nullptr;  // the text field whose value comes next, if any
  bool in_data_ = false;           // whether the value that comes next is data
};

// The plaintext as change_entry_to_json writes it, read without nlohmann's lexer except over
// `data`: no whitespace outside data, the five keys (and an optional sixth, hlc) once each in any
// order, top-level strings of printable ASCII without escapes. `data` is parsed by nlohmann from
// its span. Returns false for anything else, leaving the answer (entry or error) to the SAX reader
// over the whole text.
bool read_common_form(std::string_view text, PlaintextFields& fields, JsonValue& data) {
  const std::size_t n = text.size();
  std::size_t i = 1;
  const auto plain_string = [&](std::string_view& value) {
    if (i >= n || text[i] != '"') return false;
    const std::size_t start = ++i;
    for (; i < n && text[i] != '"'; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c >= 0x7F || c == '\\') return false;
    }
    if (i >= n) return false;
    value = text.substr(start, i++ - start);
    return true;
  };
  if (n == 0 || text[0] != '{') return false;
  unsigned seen = 0;
  for (;;) {
    std::string_view key;
    if (!plain_string(key) || i >= n || text[i++] != ':') return false;
    TextField* field = nullptr;
    unsigned bit = 0;
    if (key == "table") field = &fields.table, bit = 1;
    else if (key == "op") field = &fields.op, bit = 2;
    else if (key == "row_id") field = &fields.row_id, bit = 4;
    else if (key == "timestamp") field = &fields.timestamp, bit = 8;
    else if (key == "data") bit = 16;
    else if (key == "hlc") field = &fields.hlc, bit = 32;
    if (bit == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    if (field != nullptr) {
      std::string_view value;
      if (!plain_string(value)) return false;
      field->state = TextField::text;
      field->value.assign(value);
    } else {
      const std::size_t start = i;
      if ((i = detail::json_span_end(text, i)) == detail::kNotCompactJson) return false;
      data = parse_json_value(text.substr(start, i - start));
      if (data.is_discarded()) return false;
      fields.has_data = true;
    }
    if (i >= n) return false;
    if (text[i] == '}') break;
    if (text[i++] != ',') return false;
  }
  return i + 1 == n && (seen == 31 || seen == 63);
}

}  // namespace

std::string_view change_op_name(ChangeOp op) noexcept {
  switch (op) {
    case ChangeOp::insert: return "insert";
    case ChangeOp::update: return "update";
    case ChangeOp::remove: return "delete";
  }
  return "insert";
}

std::optional<ChangeOp> parse_change_op(std::string_view name) noexcept {
  if (name == "insert") return ChangeOp::insert;
  if (name == "update") return ChangeOp::update;
  if (name == "delete") return ChangeOp::remove;
  return std::nullopt;
}

void validate_change_entry(const ChangeEntry& entry) {
  const auto kind = ErrorKind::invalid_input;
  check_text(kind, "table", entry.table, kMaxTableBytes);
  check_text(kind, "row_id", entry.row_id, kMaxRowIdBytes);
  check_data(kind, entry.op, entry.data);
  if (!entry.hlc.empty() && !parse_hlc(entry.hlc)) fail_hlc(kind);
}

std::string change_entry_to_json(const ChangeEntry& entry) {
  validate_change_entry(entry);
  // The fixed text is 67 bytes (and 9 around an hlc); data's size is not known before dumping it.
  PlaintextOut out(128 + entry.table.size() + entry.row_id.size() + entry.hlc.size() +
                   (entry.data.is_structured() ? 256 : 0));
  out += "{\"table\":";
  append_json_string(out, entry.table, "table");
  out += ",\"op\":\"";
  out += change_op_name(entry.op);
  out += "\",\"row_id\":";
  append_json_string(out, entry.row_id, "row_id");
  out += ",\"timestamp\":\"";
  append_timestamp(out, entry.timestamp);
  out += "\",\"data\":";
  append_data(out, entry.data);
  if (!entry.hlc.empty()) {  // a stamp (validated above): printable ASCII, nothing to escape
    out += ",\"hlc\":\"";
    out += entry.hlc;
    out += '"';
  }
  out += '}';
  return std::move(out).take();
}

ChangeEntry change_entry_from_json(std::string_view text, ErrorKind kind) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so text after one would be ignored
  // (and a NUL inside data's span would end data there). JSON never holds a raw NUL: refuse it.
  if (text.find('\0') != std::string_view::npos) throw Error(kind, "change plaintext is not a JSON object");
  ChangeEntry entry;
  PlaintextFields reader;
  if (!read_common_form(text, reader, entry.data)) {
    reader = PlaintextFields{};
    entry.data = nullptr;
    PlaintextReader sax(entry.data, reader);
    if (!JsonValue::sax_parse(text.data(), text.data() + text.size(), &sax)) {
      throw Error(kind, "change plaintext is not a JSON object");
    }
  }
  // The same checks in the same order as ever: table, op, row_id, timestamp, data, then hlc.
  const auto require = [&](const TextField& field, const char* name) {
    if (field.state == TextField::missing) fail(kind, name, "is missing");
  };
  require(reader.table, "table");
  if (reader.table.state != TextField::text) fail(kind, "table", "must be a string");
  check_text(kind, "table", reader.table.value, kMaxTableBytes);
  entry.table = std::move(reader.table.value);
  require(reader.op, "op");
  const auto parsed_op = reader.op.state == TextField::text ? parse_change_op(reader.op.value) : std::nullopt;
  if (!parsed_op) fail(kind, "op", "must be \"insert\", \"update\" or \"delete\"");
  entry.op = *parsed_op;
  require(reader.row_id, "row_id");
  if (reader.row_id.state != TextField::text) fail(kind, "row_id", "must be a string");
  check_text(kind, "row_id", reader.row_id.value, kMaxRowIdBytes);
  entry.row_id = std::move(reader.row_id.value);
  require(reader.timestamp, "timestamp");
  const auto parsed_time =
      reader.timestamp.state == TextField::text ? parse_timestamp(reader.timestamp.value) : std::nullopt;
  if (!parsed_time) fail(kind, "timestamp", "must be RFC 3339 UTC with milliseconds");
  entry.timestamp = *parsed_time;
  if (!reader.has_data) fail(kind, "data", "is missing");
  check_data(kind, entry.op, entry.data);
  if (reader.hlc.state != TextField::missing) {
    if (reader.hlc.state != TextField::text || !parse_hlc(reader.hlc.value)) fail_hlc(kind);
    entry.hlc = std::move(reader.hlc.value);
  }
  return entry;
}

}  // namespace synckit
