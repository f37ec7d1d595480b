#include <algorithm>

#include "synckit/crypto/envelope.hpp"
#include "synckit/error.hpp"
#include "crypto/envelope_fields.hpp"

namespace synckit {
namespace {

using detail::copy_field;
using detail::refuse;

constexpr std::string_view kKdfName = "argon2id13";

}  // namespace

JsonValue envelope_to_json(const KeyEnvelope& envelope) {
  return {{"version", envelope.version},
          {"kdf", kKdfName},
          {"opslimit", envelope.opslimit},
          {"memlimit", envelope.memlimit},
          {"salt", base64_encode(envelope.salt)},
          {"nonce", base64_encode(envelope.nonce)},
          {"ciphertext", base64_encode(envelope.ciphertext)}};
}

KeyEnvelope envelope_from_json(const wire::ObjectReader& reader) {
  KeyEnvelope envelope;
  // Version and kdf first: an envelope of another version may have other fields.
  if (reader.integer("version", INT64_MIN, INT64_MAX) != 1) {
    refuse(reader, "version", "unsupported envelope version (this client reads version 1)");
  }
  if (reader.string("kdf") != kKdfName) refuse(reader, "kdf", "unsupported key derivation (expected argon2id13)");
  const auto opslimit = reader.integer("opslimit", 0, INT64_MAX);
  if (opslimit < std::int64_t(kMinOpslimit) || opslimit > std::int64_t(kMaxOpslimit)) {
    refuse(reader, "opslimit", "envelope opslimit outside 2..16");
  }
  const auto memlimit = reader.integer("memlimit", 0, INT64_MAX);
  if (memlimit < std::int64_t(kMinMemlimit) || memlimit > std::int64_t(kMaxMemlimit)) {
    refuse(reader, "memlimit", "envelope memlimit outside 16 MiB..1 GiB");
  }
  envelope.opslimit = static_cast<std::uint64_t>(opslimit);
  envelope.memlimit = static_cast<std::uint64_t>(memlimit);
  copy_field(reader, "salt", envelope.salt);
  copy_field(reader, "nonce", envelope.nonce);
  copy_field(reader, "ciphertext", envelope.ciphertext);
  return envelope;
}

KeyEnvelope envelope_from_json_text(std::string_view text) {
  const JsonValue value = wire::parse_json(text, "key envelope");
  return envelope_from_json(wire::ObjectReader(value, "key envelope"));
}

}  // namespace synckit
