#include "synckit/crypto/blob.hpp"

#include <algorithm>
#include <functional>

#include "crypto/aead.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

constexpr std::string_view kBlobAad = "synckit:v1:blob";

detail::BoundAad blob_aad(std::string_view blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return detail::bound_aad(kBlobAad, blob_id);
}

// Whether `a` and `b` share a byte (compared as addresses, which std::less orders totally).
bool overlap(ByteView a, ByteView b) {
  if (a.empty() || b.empty()) return false;
  const std::less<const std::uint8_t*> before;
  return before(a.data(), b.data() + b.size()) && before(b.data(), a.data() + a.size());
}

// `inner` may be exactly `whole` from offset kBlobOffset on (in place), or apart from it.
void require_in_place_or_apart(ByteView whole, ByteView inner, const char* field) {
  if (overlap(whole, inner) && inner.data() != whole.data() + kBlobOffset) {
    throw Error(ErrorKind::invalid_input, "the blob overlaps its sealed form other than in place", field);
  }
}

}  // namespace

Bytes seal_blob(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random) {
  Bytes sealed(plain.size() + kBlobOverhead);
  seal_blob_into(key, blob_id, plain, random, sealed);
  return sealed;
}

void seal_blob_into(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random,
                    std::span<std::uint8_t> out) {
  const detail::BoundAad aad = blob_aad(blob_id);
  if (out.size() != plain.size() + kBlobOverhead) {
    throw Error(ErrorKind::invalid_input, "a sealed blob is 40 bytes longer than the blob", "out");
  }
  require_in_place_or_apart(out, plain, "out");
  random.fill(out.first<detail::kNonceBytes>());
  detail::aead_encrypt(key.view(), detail::Nonce(out.first<detail::kNonceBytes>()), plain, aad,
                       out.subspan(detail::kNonceBytes));
}

Bytes open_blob(const BlobKey& key, std::string_view blob_id, ByteView sealed) {
  const detail::BoundAad aad = blob_aad(blob_id);
  Bytes plain(sealed.size() < kBlobOverhead ? 0 : sealed.size() - kBlobOverhead);
  detail::open_with_nonce(key.view(), sealed, aad, plain, "sealed blob");
  return plain;
}

void open_blob_into(const BlobKey& key, std::string_view blob_id, ByteView sealed, std::span<std::uint8_t> out) {
  const detail::BoundAad aad = blob_aad(blob_id);
  if (sealed.size() >= kBlobOverhead) {
    if (out.size() != sealed.size() - kBlobOverhead) {
      throw Error(ErrorKind::invalid_input, "an opened blob is 40 bytes shorter than the sealed one", "out");
    }
    require_in_place_or_apart(sealed, out, "out");
  }
  detail::open_with_nonce(key.view(), sealed, aad, out, "sealed blob");
}

OpenedBlob open_blob_in_place(const BlobKey& key, std::string_view blob_id, std::string sealed) {
  const std::span<std::uint8_t> whole(reinterpret_cast<std::uint8_t*>(sealed.data()), sealed.size());
  const std::size_t blob_size = whole.size() < kBlobOverhead ? 0 : whole.size() - kBlobOverhead;
  open_blob_into(key, blob_id, whole, whole.subspan(std::min(kBlobOffset, whole.size()), blob_size));
  OpenedBlob opened;
  opened.buffer_ = std::move(sealed);  // a moved std::string keeps its heap block: nothing is left behind
  return opened;
}

OpenedBlob::OpenedBlob(OpenedBlob&& other) noexcept { take(other); }

OpenedBlob& OpenedBlob::operator=(OpenedBlob&& other) noexcept {
  if (this != &other) {
    wipe();
    take(other);
  }
  return *this;
}

OpenedBlob::~OpenedBlob() { wipe(); }

ByteView OpenedBlob::bytes() const noexcept {
  if (buffer_.size() < kBlobOverhead) return {};
  return {reinterpret_cast<const std::uint8_t*>(buffer_.data()) + kBlobOffset, buffer_.size() - kBlobOverhead};
}

std::span<std::uint8_t> OpenedBlob::bytes() noexcept {
  if (buffer_.size() < kBlobOverhead) return {};
  return {reinterpret_cast<std::uint8_t*>(buffer_.data()) + kBlobOffset, buffer_.size() - kBlobOverhead};
}

void OpenedBlob::wipe() noexcept {
  secure_wipe(buffer_.data(), buffer_.size());
  buffer_.clear();
}

// Moves other's buffer here. A short string lives inside the object (no heap block to hand over),
// so a moved-from short string may keep its bytes: wipe what the source still holds.
void OpenedBlob::take(OpenedBlob& other) noexcept {
  buffer_ = std::move(other.buffer_);
  secure_wipe(other.buffer_.data(), other.buffer_.capacity());
  other.buffer_.clear();
}

}  // namespace synckit
