// The streamed blob opener (BlobStreamOpener) under the fixed blob key. Layout: one byte that picks
// how the input is fed (piece size 1..256, or whole when 0), then the sealed bytes. Properties:
// fed whole or in pieces it gives the same plaintext or fails both ways, always as crypto; what it
// hands out is whole 64 KiB chunks until finish(). Then the input as plaintext: sealed by the
// stream sealer (fixed header), opened in pieces, it comes back, and one flipped byte (at a place
// the input picks) is refused.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/blob_stream.hpp"

namespace synckit_fuzz {
namespace stream_detail {

struct FixedHeader : synckit::RandomSource {
  void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), std::uint8_t{0x5a}); }
};

constexpr std::string_view kId = "s_fuzz";

// The plaintext `sealed` opens to, fed in pieces of `piece` bytes (0: whole); nullopt when it is
// refused (always a crypto error).
std::optional<synckit::Bytes> open_fed(synckit::ByteView sealed, std::size_t piece) {
  synckit::Bytes out;
  bool whole_chunks = true;
  synckit::BlobStreamOpener opener(fixed_blob_key(), kId, [&](synckit::ByteView got) {
    whole_chunks = whole_chunks && out.size() % synckit::kStreamChunkBytes == 0;
    out.insert(out.end(), got.begin(), got.end());
  });
  try {
    for (std::size_t at = 0; at < sealed.size();) {
      const std::size_t take = piece == 0 ? sealed.size() : std::min(piece, sealed.size() - at);
      opener.update(sealed.subspan(at, take));
      at += take;
      check(out.size() % synckit::kStreamChunkBytes == 0, "only whole chunks come out before finish()");
    }
    opener.finish();
  } catch (const synckit::Error& e) {
    check(e.kind() == synckit::ErrorKind::crypto, "a refused stream is a crypto error");
    return std::nullopt;
  }
  check(whole_chunks, "chunks come out in order, each whole");
  check(out.size() == synckit::blob_stream_plain_size(sealed.size()), "the plaintext size follows from the sealed size");
  return out;
}

}  // namespace stream_detail

inline void blob_stream(std::string_view input) {
  if (input.empty()) return;
  const std::size_t piece = static_cast<unsigned char>(input[0]);
  input.remove_prefix(1);
  const synckit::ByteView bytes = synckit::as_bytes(input);
  const auto whole = stream_detail::open_fed(bytes, 0);
  check(stream_detail::open_fed(bytes, piece) == whole, "fed in pieces, the same result as whole");

  stream_detail::FixedHeader header;
  const synckit::Bytes sealed = must_succeed("seal", [&] { return synckit::seal_blob_stream(fixed_blob_key(), stream_detail::kId, bytes, header); });
  check(sealed.size() == synckit::blob_stream_sealed_size(bytes.size()), "the sealed size");
  const auto opened = stream_detail::open_fed(sealed, piece == 0 ? 1 : piece);
  check(opened && std::equal(opened->begin(), opened->end(), bytes.begin(), bytes.end()), "seal then open round trip");
  synckit::Bytes flipped = sealed;
  flipped[(piece * 7919 + bytes.size()) % flipped.size()] ^= 0x40;
  check(!stream_detail::open_fed(flipped, piece), "a flipped byte is refused");
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(blob_stream)
