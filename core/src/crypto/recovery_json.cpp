#include <algorithm>

#include "synckit/crypto/recovery.hpp"
#include "synckit/error.hpp"
#include "crypto/envelope_fields.hpp"

namespace synckit {
namespace {

using detail::copy_field;
using detail::refuse;

constexpr std::string_view kKind = "recovery";
constexpr std::string_view kWhat = "recovery envelope";

}  // namespace

JsonValue recovery_envelope_to_json(const RecoveryEnvelope& envelope) {
  return {{"version", envelope.version},
          {"kind", kKind},
          {"nonce", base64_encode(envelope.nonce)},
          {"ciphertext", base64_encode(envelope.ciphertext)}};
}

RecoveryEnvelope recovery_envelope_from_json(const wire::ObjectReader& reader) {
  RecoveryEnvelope envelope;
  // Version and kind first: an envelope of another version or kind may have other fields.
  if (reader.integer("version", INT64_MIN, INT64_MAX) != 1) {
    refuse(reader, "version", "unsupported recovery envelope version (this client reads version 1)");
  }
  if (reader.string("kind") != kKind) refuse(reader, "kind", "not a recovery envelope (expected kind recovery)");
  copy_field(reader, "nonce", envelope.nonce);
  copy_field(reader, "ciphertext", envelope.ciphertext);
  return envelope;
}

RecoveryEnvelope recovery_envelope_from_json_text(std::string_view text) {
  const JsonValue value = wire::parse_json(text, kWhat);
  return recovery_envelope_from_json(wire::ObjectReader(value, std::string(kWhat)));
}

}  // namespace synckit
