#include "wire/field_rules.hpp"

#include <algorithm>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/json_value.hpp"
#include "synckit/secret.hpp"

namespace synckit::wire {

bool is_utf8(const std::string& text) {
  try {
    (void)dump_json(JsonValue(text));
    return true;
  } catch (const JsonValue::exception&) {
    return false;
  }
}

void check_text(const std::string& text, std::string_view field, std::size_t max_bytes) {
  const std::string name(field);
  if (text.empty() || text.size() > max_bytes) {
    throw Error(ErrorKind::invalid_input, "'" + name + "' must be 1.." + std::to_string(max_bytes) + " bytes long",
                name);
  }
  if (!is_utf8(text)) throw Error(ErrorKind::invalid_input, "'" + name + "' must be valid UTF-8", name);
}

AuthKey read_auth_key(const ObjectReader& reader, std::string_view key) {
  const SecretBuffer bytes = base64_decode_secret(reader.string(key), reader.field(key));
  if (bytes.size() != kAuthKeyBytes) reader.fail(key, "must hold exactly 32 bytes");
  AuthKey out;
  std::copy_n(bytes.data(), kAuthKeyBytes, out.data());
  return out;
}

}  // namespace synckit::wire
