#include "synckit/crypto/recovery.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "crypto/aead.hpp"
#include "crypto/base32.hpp"
#include "sodium_init.hpp"
#include "synckit/error.hpp"

namespace synckit {
namespace {

constexpr std::string_view kPrefix = "SKR1";
constexpr std::size_t kChecksumBytes = 3;
constexpr std::size_t kPayloadBytes = kRecoveryKeyBytes + kChecksumBytes;  // RK || checksum
constexpr std::size_t kBodyChars = detail::base32_chars(kPayloadBytes);
constexpr std::size_t kNormalizedChars = kPrefix.size() + kBodyChars;
constexpr std::size_t kGroupChars = 4;
static_assert(kBodyChars == 56 && kBodyChars % kGroupChars == 0);
static_assert(kPrefix.size() + kBodyChars + kBodyChars / kGroupChars == kRecoveryCodeChars);

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "SKRECOV1";
constexpr unsigned kWrapSubkeyId = 1;
constexpr unsigned kAuthSubkeyId = 2;
constexpr std::string_view kEnvelopeAad = "synckit:v1:recovery-key";
static_assert(std::tuple_size_v<decltype(RecoveryEnvelope::ciphertext)> == kKeyBytes + detail::kTagBytes);
static_assert(std::tuple_size_v<decltype(RecoveryEnvelope::nonce)> == detail::kNonceBytes);

// A stack buffer that wipes itself on every way out of the scope, throws included: the code's
// characters and bytes are as secret as RK.
template <class T, std::size_t N>
struct Scratch {
  std::array<T, N> data{};
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { secure_wipe(data.data(), sizeof data); }
};

// Wipes all of a string's storage, not just its size: a moved-from short string keeps its bytes
// inside the object.
void wipe_string(std::string& text) noexcept {
  secure_wipe(text.data(), text.capacity());
  text.clear();
}

// The first 3 bytes of BLAKE2b-256(RK) (unkeyed crypto_generichash).
void checksum_of(ByteView key, std::span<std::uint8_t, kChecksumBytes> out) {
  detail::ensure_sodium();
  Scratch<std::uint8_t, crypto_generichash_BYTES> digest;
  static_assert(crypto_generichash_BYTES == 32);
  crypto_generichash(digest.data.data(), digest.data.size(), key.data(), key.size(), nullptr, 0);
  std::copy_n(digest.data.begin(), kChecksumBytes, out.begin());
}

[[noreturn]] void refuse_code(std::string detail) {
  throw Error(ErrorKind::invalid_input, std::move(detail), "recovery_code");
}

// The code as the format reads it: ASCII letters uppercased, spaces and dashes dropped. Keeps
// the first kNormalizedChars characters in `out` and returns how many there are in all.
std::size_t normalize(std::string_view code, std::array<char, kNormalizedChars>& out) noexcept {
  std::size_t count = 0;
  for (char c : code) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (count < out.size()) out[count] = c;
    ++count;
  }
  return count;
}

template <class SubKey>
SubKey derive(const RecoveryKey& key, unsigned subkey_id) {
  detail::ensure_sodium();
  SubKey subkey;
  crypto_kdf_derive_from_key(subkey.data(), subkey.size(), subkey_id, kKdfContext, key.data());
  return subkey;
}

}  // namespace

RecoveryCode::RecoveryCode(std::string text) : text_(std::move(text)) {}

RecoveryCode::~RecoveryCode() { wipe_string(text_); }

RecoveryCode::RecoveryCode(RecoveryCode&& other) noexcept : text_(std::move(other.text_)) {
  wipe_string(other.text_);
}

RecoveryCode& RecoveryCode::operator=(RecoveryCode&& other) noexcept {
  if (this != &other) {
    wipe_string(text_);
    text_ = std::move(other.text_);
    wipe_string(other.text_);
  }
  return *this;
}

RecoveryKey generate_recovery_key(RandomSource& random) {
  RecoveryKey key;
  random.fill(key.writable());
  return key;
}

RecoveryKey recovery_key_from_bytes(ByteView bytes) {
  if (bytes.size() != kRecoveryKeyBytes) {
    throw Error(ErrorKind::invalid_input, "a recovery key is exactly 32 bytes", "recovery_key");
  }
  RecoveryKey key;
  std::copy(bytes.begin(), bytes.end(), key.data());
  return key;
}

RecoveryCode recovery_code_from_key(const RecoveryKey& key) {
  Scratch<std::uint8_t, kPayloadBytes> payload;
  std::copy(key.view().begin(), key.view().end(), payload.data.begin());
  checksum_of(key.view(), std::span(payload.data).last<kChecksumBytes>());
  Scratch<char, kBodyChars> body;
  detail::base32_encode(payload.data, body.data);
  std::string text;
  text.reserve(kRecoveryCodeChars);  // one allocation: no reallocation leaves a copy behind
  text += kPrefix;
  for (std::size_t i = 0; i < kBodyChars; i += kGroupChars) {
    text += '-';
    text.append(body.data.data() + i, kGroupChars);
  }
  return RecoveryCode(std::move(text));
}

RecoveryKey recovery_key_from_code(std::string_view code) {
  Scratch<char, kNormalizedChars> chars;
  const std::size_t count = normalize(code, chars.data);
  if (count == 0) refuse_code("the recovery code is empty");
  if (count < kPrefix.size() || std::string_view(chars.data.data(), kPrefix.size()) != kPrefix) {
    refuse_code("a recovery code starts with SKR1");
  }
  if (count != kNormalizedChars) {
    refuse_code("a recovery code has 56 letters and digits after SKR1, not " + std::to_string(count - kPrefix.size()));
  }
  Scratch<std::uint8_t, kPayloadBytes> payload;
  if (!detail::base32_decode(std::span(chars.data).subspan(kPrefix.size()), payload.data)) {
    refuse_code("a recovery code holds only the letters A-Z and the digits 2-7 after SKR1");
  }
  const ByteView key_bytes = std::span(payload.data).first<kRecoveryKeyBytes>();
  Scratch<std::uint8_t, kChecksumBytes> expected;
  checksum_of(key_bytes, expected.data);
  // Not an oracle worth hiding (a typo check), but constant time costs nothing.
  if (!constant_time_equal(expected.data, std::span(payload.data).last<kChecksumBytes>())) {
    refuse_code("the recovery code's checksum does not match: a character is mistyped or missing");
  }
  return recovery_key_from_bytes(key_bytes);
}

RecoveryWrapKey derive_recovery_wrap_key(const RecoveryKey& key) { return derive<RecoveryWrapKey>(key, kWrapSubkeyId); }

AuthKey derive_recovery_auth_key(const RecoveryKey& key) { return derive<AuthKey>(key, kAuthSubkeyId); }

RecoveryEnvelope seal_recovery_envelope(const MasterKey& master, const RecoveryKey& key, RandomSource& random) {
  const RecoveryWrapKey wrap_key = derive_recovery_wrap_key(key);
  RecoveryEnvelope envelope;
  random.fill(envelope.nonce);
  detail::aead_encrypt(wrap_key.view(), envelope.nonce, master.view(), as_bytes(kEnvelopeAad), envelope.ciphertext);
  return envelope;
}

MasterKey open_recovery_envelope(const RecoveryEnvelope& envelope, const RecoveryKey& key) {
  if (envelope.version != 1) {
    throw Error(ErrorKind::invalid_data, "unsupported recovery envelope version", "version");
  }
  const RecoveryWrapKey wrap_key = derive_recovery_wrap_key(key);
  MasterKey master;
  if (!detail::aead_decrypt(wrap_key.view(), envelope.nonce, envelope.ciphertext, as_bytes(kEnvelopeAad),
                            master.writable())) {
    throw Error(ErrorKind::wrong_password, "the recovery code does not open the recovery envelope");
  }
  return master;
}

}  // namespace synckit
