// The key envelope: the master key wrapped by a password (crypto-format.md, "Key envelope").
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "synckit/crypto/keys.hpp"
#include "synckit/json_value.hpp"
#include "synckit/random.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit {

// Argon2id cost; defaults are the format's (3 passes, 64 MiB). Accepted bounds: ops 2..16,
// memory 16 MiB..1 GiB.
struct EnvelopeParams {
  std::uint64_t opslimit = 3;
  std::uint64_t memlimit = 67108864;
};

inline constexpr std::uint64_t kMinOpslimit = 2, kMaxOpslimit = 16;
inline constexpr std::uint64_t kMinMemlimit = 16u << 20, kMaxMemlimit = 1u << 30;

// One envelope, exactly the JSON form's fields.
struct KeyEnvelope {
  int version = 1;
  std::uint64_t opslimit = 3;
  std::uint64_t memlimit = 67108864;
  std::array<std::uint8_t, 16> salt{};
  std::array<std::uint8_t, 24> nonce{};
  std::array<std::uint8_t, 48> ciphertext{};

  friend bool operator==(const KeyEnvelope&, const KeyEnvelope&) = default;
};

// Wraps `master` under `password` with a fresh salt and nonce from `random`.
// Throws Error{invalid_input} if params are outside the bounds, Error{crypto} if Argon2id fails
// (out of memory).
KeyEnvelope wrap_master_key(const MasterKey& master, std::string_view password, RandomSource& random,
                            EnvelopeParams params = {});

// Unwraps. Throws Error{wrong_password} when the AEAD does not authenticate, Error{invalid_data}
// when the envelope's parameters are out of bounds, Error{crypto} if Argon2id fails.
MasterKey unwrap_master_key(const KeyEnvelope& envelope, std::string_view password);

// The JSON form, keys in the format's order: version, kdf, opslimit, memlimit, salt, nonce, ciphertext.
JsonValue envelope_to_json(const KeyEnvelope& envelope);
// Strict read of the JSON form: Error{json} naming the field for missing fields, wrong types,
// bad base64 or wrong lengths; Error{invalid_data} for version != 1, kdf != argon2id13 or
// parameters outside the bounds.
KeyEnvelope envelope_from_json(const wire::ObjectReader& reader);
// The same, from JSON text.
KeyEnvelope envelope_from_json_text(std::string_view text);

}  // namespace synckit
