#include "synckit/crypto/envelope.hpp"

#include <sodium.h>

#include <string>

#include "crypto/aead.hpp"
#include "sodium_init.hpp"
#include "synckit/error.hpp"

namespace synckit {
namespace {

using Kek = Secret<kKeyBytes, struct KekTag>;

constexpr std::string_view kEnvelopeAad = "synckit:v1:master-key";

bool params_in_bounds(std::uint64_t opslimit, std::uint64_t memlimit) {
  return opslimit >= kMinOpslimit && opslimit <= kMaxOpslimit && memlimit >= kMinMemlimit &&
         memlimit <= kMaxMemlimit;
}

Kek derive_kek(std::string_view password, std::span<const std::uint8_t, 16> salt, std::uint64_t opslimit,
               std::uint64_t memlimit) {
  detail::ensure_sodium();
  Kek kek;
  if (crypto_pwhash(kek.data(), kek.size(), password.data(), password.size(), salt.data(), opslimit,
                    static_cast<std::size_t>(memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(ErrorKind::crypto, "Argon2id failed (not enough memory for " +
                                       std::to_string(memlimit >> 20) + " MiB?)");
  }
  return kek;
}

}  // namespace

KeyEnvelope wrap_master_key(const MasterKey& master, std::string_view password, RandomSource& random,
                            EnvelopeParams params) {
  if (!params_in_bounds(params.opslimit, params.memlimit)) {
    throw Error(ErrorKind::invalid_input, "Argon2id cost outside opslimit 2..16, memlimit 16 MiB..1 GiB");
  }
  if (password.empty()) throw Error(ErrorKind::invalid_input, "the password is empty", "password");
  KeyEnvelope envelope;
  envelope.opslimit = params.opslimit;
  envelope.memlimit = params.memlimit;
  random.fill(envelope.salt);
  random.fill(envelope.nonce);
  const Kek kek = derive_kek(password, envelope.salt, envelope.opslimit, envelope.memlimit);
  detail::aead_encrypt(kek.view(), envelope.nonce, master.view(), as_bytes(kEnvelopeAad), envelope.ciphertext);
  return envelope;
}

MasterKey unwrap_master_key(const KeyEnvelope& envelope, std::string_view password) {
  if (envelope.version != 1) throw Error(ErrorKind::invalid_data, "unsupported envelope version", "version");
  if (!params_in_bounds(envelope.opslimit, envelope.memlimit)) {
    throw Error(ErrorKind::invalid_data, "envelope Argon2id cost is outside the accepted bounds");
  }
  const Kek kek = derive_kek(password, envelope.salt, envelope.opslimit, envelope.memlimit);
  MasterKey master;
  if (!detail::aead_decrypt(kek.view(), envelope.nonce, envelope.ciphertext, as_bytes(kEnvelopeAad),
                            master.writable())) {
    throw Error(ErrorKind::wrong_password, "the password does not open the key envelope");
  }
  return master;
}

}  // namespace synckit
