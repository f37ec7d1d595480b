// The recovery key (crypto-format.md, "Recovery key"): a random key RK shown to the user once as
// the recovery code; from it a wrap key, which seals the master key in the recovery envelope, and
// a recovery auth key, which signs in to set a new password (protocol.md 1.1, "Recovery").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/auth/login_key.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/json_value.hpp"
#include "synckit/random.hpp"
#include "synckit/secret.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit {

inline constexpr std::size_t kRecoveryKeyBytes = 32;
// "SKR1-" then 14 groups of 4 base32 characters joined by '-': 5 + 56 + 13 = 74 characters.
inline constexpr std::size_t kRecoveryCodeChars = 74;

using RecoveryKey = Secret<kRecoveryKeyBytes, struct RecoveryKeyTag>;
using RecoveryWrapKey = Secret<kKeyBytes, struct RecoveryWrapKeyTag>;

// The recovery code as text; wipes itself (it is as secret as RK).
class RecoveryCode {
 public:
  explicit RecoveryCode(std::string text);
  ~RecoveryCode();
  RecoveryCode(RecoveryCode&& other) noexcept;
  RecoveryCode& operator=(RecoveryCode&& other) noexcept;
  RecoveryCode(const RecoveryCode&) = delete;
  RecoveryCode& operator=(const RecoveryCode&) = delete;
  std::string_view view() const noexcept { return text_; }

 private:
  std::string text_;
};

// The recovery envelope's fields: MK sealed under the wrap key.
struct RecoveryEnvelope {
  int version = 1;
  std::array<std::uint8_t, 24> nonce{};
  std::array<std::uint8_t, 48> ciphertext{};

  friend bool operator==(const RecoveryEnvelope&, const RecoveryEnvelope&) = default;
};

// 32 bytes from `random`.
RecoveryKey generate_recovery_key(RandomSource& random);
// RK from exactly 32 bytes; Error{invalid_input} (field "recovery_key") otherwise.
RecoveryKey recovery_key_from_bytes(ByteView bytes);

// "SKR1-" + base32(RK || BLAKE2b-256(RK)[0..3]) in groups of 4, joined by '-' (uppercase,
// kRecoveryCodeChars long). Throws nothing but std::bad_alloc.
RecoveryCode recovery_code_from_key(const RecoveryKey& key);
// Reads a code case-insensitively, ignoring spaces and dashes (also in "SKR1"). Throws
// Error{invalid_input} (field "recovery_code") for a wrong prefix, length, character or checksum:
// a typo, never a crypto error. Messages never quote the code.
RecoveryKey recovery_key_from_code(std::string_view code);

// crypto_kdf_derive_from_key(32, 1, "SKRECOV1", RK) and (32, 2, "SKRECOV1", RK).
RecoveryWrapKey derive_recovery_wrap_key(const RecoveryKey& key);
AuthKey derive_recovery_auth_key(const RecoveryKey& key);

// Seals MK under the wrap key with a fresh nonce; AAD "synckit:v1:recovery-key".
RecoveryEnvelope seal_recovery_envelope(const MasterKey& master, const RecoveryKey& key, RandomSource& random);
// Opens it: Error{wrong_password} when it does not authenticate (wrong code for this envelope,
// or a tampered one), Error{invalid_data} (field "version") when version != 1.
MasterKey open_recovery_envelope(const RecoveryEnvelope& envelope, const RecoveryKey& key);

// JSON {"version":1,"kind":"recovery","nonce","ciphertext"}, keys in that order.
JsonValue recovery_envelope_to_json(const RecoveryEnvelope& envelope);
// Strict read: Error{json} naming the field for missing fields, wrong types, bad base64 or
// lengths; Error{invalid_data} naming the field for version != 1 or kind != "recovery".
RecoveryEnvelope recovery_envelope_from_json(const wire::ObjectReader& reader);
// The same, from JSON text (Error{json} also for text that is not JSON).
RecoveryEnvelope recovery_envelope_from_json_text(std::string_view text);

}  // namespace synckit
