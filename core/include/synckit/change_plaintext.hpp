// A change's plaintext exactly as the format writes it (crypto-format.md, "Changes"), checked and
// ready to seal; what the client seals and pushes. Apps (and the web package) that hold changes as
// JSON text hand it over as is instead of building ChangeEntry values first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "synckit/change_entry.hpp"

namespace synckit {

class ChangePlaintext;
std::vector<ChangePlaintext> change_plaintexts_from_json_array(std::string_view text);

// The plaintext text of one change; wiped when destroyed. Move-only.
class ChangePlaintext {
 public:
  // change_entry_to_json(entry). Throws Error{invalid_input} naming the field that breaks a rule.
  explicit ChangePlaintext(const ChangeEntry& entry);

  // One change object as JSON text with the plaintext's keys: {"table", "op", "row_id",
  // "timestamp", "data"} and optionally "hlc", read by the rules for an opened plaintext
  // (change_entry_from_json: keys in any order, unknown keys ignored). Text already in the format's own form (those keys in that
  // order, no whitespace, table and row id printable ASCII without escapes) is checked and kept
  // byte for byte, without a parse; any other form is parsed and written again. Throws
  // Error{kind} naming the field; field "" when the text is not a JSON object. `kind` is
  // invalid_input for app input and invalid_data for opened payloads.
  static ChangePlaintext from_json(std::string_view text, ErrorKind kind = ErrorKind::invalid_input);

  ChangePlaintext(ChangePlaintext&& other) noexcept;
  ChangePlaintext& operator=(ChangePlaintext&& other) noexcept;
  ChangePlaintext(const ChangePlaintext&) = delete;
  ChangePlaintext& operator=(const ChangePlaintext&) = delete;
  ~ChangePlaintext();

  std::string_view text() const noexcept { return text_; }

 private:
  friend std::vector<ChangePlaintext> change_plaintexts_from_json_array(std::string_view text);
  struct Kept {};
  ChangePlaintext(Kept, std::string text) noexcept;
  std::string text_;
};

// A JSON array of change objects, each read as ChangePlaintext::from_json reads one (so a change's
// plaintext depends only on its own text, not on the others in the array). Throws
// Error{invalid_input}: field "changes" when the text is not a JSON array, "changes[3]" or
// "changes[3].row_id" when an element breaks a rule (the first such element).
std::vector<ChangePlaintext> change_plaintexts_from_json_array(std::string_view text);

}  // namespace synckit
