#include "synckit/crypto/blob.hpp"

#include "crypto/aead.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"

namespace synckit {
namespace {

constexpr std::string_view kBlobAad = "synckit:v1:blob";

Bytes blob_aad(std::string_view blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return detail::bound_aad(kBlobAad, blob_id);
}

}  // namespace

Bytes seal_blob(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random) {
  Bytes sealed(plain.size() + kBlobOverhead);
  seal_blob_into(key, blob_id, plain, random, sealed);
  return sealed;
}

void seal_blob_into(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random,
                    std::span<std::uint8_t> out) {
  const Bytes aad = blob_aad(blob_id);
  if (out.size() != plain.size() + kBlobOverhead) {
    throw Error(ErrorKind::invalid_input, "a sealed blob is 40 bytes longer than the blob", "out");
  }
  random.fill(out.first<detail::kNonceBytes>());
  detail::aead_encrypt(key.view(), detail::Nonce(out.first<detail::kNonceBytes>()), plain, aad,
                       out.subspan(detail::kNonceBytes));
}

Bytes open_blob(const BlobKey& key, std::string_view blob_id, ByteView sealed) {
  const Bytes aad = blob_aad(blob_id);
  Bytes plain(sealed.size() < kBlobOverhead ? 0 : sealed.size() - kBlobOverhead);
  detail::open_with_nonce(key.view(), sealed, aad, plain, "sealed blob");
  return plain;
}

}  // namespace synckit
