#include "synckit/change_plaintext.hpp"

#include <utility>

#include "json/compact_json.hpp"
#include "synckit/error.hpp"
#include "synckit/replica/hlc.hpp"
#include "synckit/secret.hpp"
#include "synckit/timestamp.hpp"

namespace synckit {
namespace {

using detail::kNotCompactJson;

// One past the change object at text[i] if it is in the format's own form, every rule checked:
// {"table":T,"op":O,"row_id":R,"timestamp":S,"data":D} in that order and without whitespace, T and
// R printable ASCII without escapes within their limits, a valid op and timestamp, D compact JSON
// that nlohmann accepts and that is null exactly for deletes; optionally ,"hlc":H before the `}`,
// H a replica stamp. Else kNotCompactJson.
std::size_t common_form_end(std::string_view text, std::size_t i) noexcept {
  const auto literal = [&](std::string_view word) {
    if (text.substr(i, word.size()) != word) return false;
    i += word.size();
    return true;
  };
  const auto plain_string = [&](std::size_t max_bytes) {
    if (i >= text.size() || text[i] != '"') return false;
    const std::size_t start = ++i;
    for (; i < text.size() && text[i] != '"'; ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c >= 0x7F || c == '\\') return false;
    }
    const std::size_t length = i - start;
    return i++ < text.size() && length >= 1 && length <= max_bytes;
  };
  if (!literal(R"({"table":)") || !plain_string(kMaxTableBytes) || !literal(R"(,"op":)")) return kNotCompactJson;
  const bool remove = literal(R"("delete")");
  if (!remove && !literal(R"("insert")") && !literal(R"("update")")) return kNotCompactJson;
  if (!literal(R"(,"row_id":)") || !plain_string(kMaxRowIdBytes) || !literal(R"(,"timestamp":")")) {
    return kNotCompactJson;
  }
  if (!parse_timestamp(text.substr(i, 24))) return kNotCompactJson;
  i += 24;
  if (!literal(R"(","data":)")) return kNotCompactJson;
  const std::size_t data_start = i;
  i = detail::compact_json_end(text, i);
  if (i == kNotCompactJson || (text.substr(data_start, i - data_start) == "null") != remove) return kNotCompactJson;
  if (literal(R"(,"hlc":")")) {
    if (!parse_hlc(text.substr(i, kHlcTextBytes))) return kNotCompactJson;
    i += kHlcTextBytes;
    if (!literal("\"")) return kNotCompactJson;
  }
  return literal("}") ? i : kNotCompactJson;
}

// Any other form: read as an opened plaintext is, then written in the format's form.
std::string rewritten(std::string_view text, ErrorKind kind) {
  try {
    return change_entry_to_json(change_entry_from_json(text, kind));
  } catch (const Error& error) {
    if (!error.field().empty()) throw;
    throw Error(kind, "a change must be a JSON object (UTF-8, no NUL bytes)", "");
  }
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

ChangePlaintext::ChangePlaintext(const ChangeEntry& entry) : text_(change_entry_to_json(entry)) {}

ChangePlaintext::ChangePlaintext(Kept, std::string text) noexcept : text_(std::move(text)) {}

ChangePlaintext ChangePlaintext::from_json(std::string_view text, ErrorKind kind) {
  if (common_form_end(text, 0) == text.size()) return ChangePlaintext(Kept{}, std::string(text));
  return ChangePlaintext(Kept{}, rewritten(text, kind));
}

ChangePlaintext::ChangePlaintext(ChangePlaintext&& other) noexcept : text_(std::move(other.text_)) {
  other.text_.clear();
}

ChangePlaintext& ChangePlaintext::operator=(ChangePlaintext&& other) noexcept {
  if (this != &other) {
    secure_wipe(text_.data(), text_.size());
    text_ = std::move(other.text_);
    other.text_.clear();
  }
  return *this;
}

ChangePlaintext::~ChangePlaintext() { secure_wipe(text_.data(), text_.size()); }

std::vector<ChangePlaintext> change_plaintexts_from_json_array(std::string_view text) {
  const auto not_array = [] {
    return Error(ErrorKind::invalid_input, "changes must be a JSON array of change objects", "changes");
  };
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && is_space(text[i])) ++i;
  };
  skip_space();
  if (i >= text.size() || text[i++] != '[') throw not_array();
  std::vector<ChangePlaintext> out;
  skip_space();
  if (i < text.size() && text[i] == ']') {
    ++i;
  } else {
    for (;;) {
      const std::string element = "changes[" + std::to_string(out.size()) + "]";
      std::size_t end = common_form_end(text, i);
      if (end != kNotCompactJson) {
        out.push_back(ChangePlaintext(ChangePlaintext::Kept{}, std::string(text.substr(i, end - i))));
      } else {
        if (i >= text.size() || text[i] != '{') throw Error(ErrorKind::invalid_input, element + " must be an object", element);
        end = detail::json_span_end(text, i);
        if (end == kNotCompactJson) throw not_array();
        try {
          // Not in the format's form (common_form_end said so above): read and written again.
          out.push_back(ChangePlaintext(ChangePlaintext::Kept{}, rewritten(text.substr(i, end - i), ErrorKind::invalid_input)));
        } catch (const Error& error) {
          const std::string field = error.field().empty() ? element : element + "." + error.field();
          throw Error(error.kind(), error.detail(), field);
        }
      }
      i = end;
      skip_space();
      if (i < text.size() && text[i] == ',') {
        ++i;
        skip_space();
        continue;
      }
      if (i < text.size() && text[i] == ']') {
        ++i;
        break;
      }
      throw not_array();
    }
  }
  skip_space();
  if (i != text.size()) throw not_array();
  return out;
}

}  // namespace synckit
