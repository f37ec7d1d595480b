// open_blob under the fixed blob key (tests/vectors/blob.json, b_0002's master key). Layout: one
// byte n, then n bytes of blob id (checked by open_blob itself), then the sealed bytes. Then the
// property: seal_blob of the sealed bytes (as plaintext, fixed nonce source) opens back to them.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/ids.hpp"

namespace synckit_fuzz {
namespace blob_detail {

struct FixedRandom : synckit::RandomSource {
  void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), std::uint8_t{0xa5}); }
};

}  // namespace blob_detail

inline void blob_open(std::string_view input) {
  if (input.empty()) return;
  const std::size_t id_bytes = static_cast<unsigned char>(input[0]);
  input.remove_prefix(1);
  const std::string id(input.substr(0, id_bytes));
  const std::string_view sealed = input.substr(id.size());
  const synckit::BlobKey& key = fixed_blob_key();
  guarded(sealed, [&](std::string_view bytes) {
    try {
      const synckit::Bytes plain = synckit::open_blob(key, id, synckit::as_bytes(bytes));
      check(plain.size() + synckit::kBlobOverhead == bytes.size(), "an opened blob is 40 bytes shorter");
    } catch (const synckit::Error& e) {
      const auto want =
          synckit::is_valid_blob_id(id) ? synckit::ErrorKind::crypto : synckit::ErrorKind::invalid_input;
      check(e.kind() == want, "open_blob fails as crypto, or invalid_input for a bad id");
    }
  });
  if (!synckit::is_valid_blob_id(id)) return;
  guarded(sealed, [&](std::string_view bytes) {
    blob_detail::FixedRandom random;
    const synckit::Bytes again = synckit::seal_blob(key, id, synckit::as_bytes(bytes), random);
    const synckit::Bytes plain = synckit::open_blob(key, id, again);
    const synckit::ByteView want = synckit::as_bytes(bytes);
    check(std::equal(plain.begin(), plain.end(), want.begin(), want.end()), "blob seal/open round trip");
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(blob_open)
