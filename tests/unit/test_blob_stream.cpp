// Streamed blobs (crypto-format.md, "Streamed blobs"): sizes, feeding in any pieces, and every
// way a stream can be cut, reordered, padded or changed is a crypto error with no plaintext of a
// failing chunk handed out. The bytes themselves are pinned by tests/vectors/blob_stream.json.
#include <catch2/catch.hpp>

#include <sodium.h>

#include <random>
#include <string>

#include "crypto_fixtures.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/error.hpp"
#include "system_random.hpp"

using namespace synckit;

namespace {

constexpr std::size_t kChunk = kStreamChunkBytes;
constexpr std::size_t kSealedChunk = kStreamChunkBytes + kStreamChunkOverhead;

BlobKey test_key() { return derive_blob_key(test::counting_master_key()); }

Bytes seal(ByteView plain, const std::string& blob_id = "video-1") {
  return seal_blob_stream(test_key(), blob_id, plain, test::system_random());
}

// Opens `sealed` fed in pieces of the given sizes (cycled); returns what the sink received.
Bytes open_in_pieces(ByteView sealed, const std::vector<std::size_t>& pieces, const std::string& blob_id = "video-1") {
  Bytes out;
  BlobStreamOpener opener(test_key(), blob_id, [&](ByteView piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  for (std::size_t at = 0, i = 0; at < sealed.size(); ++i) {
    const std::size_t take = std::min(pieces[i % pieces.size()], sealed.size() - at);
    opener.update(sealed.subspan(at, take));
    at += take;
  }
  opener.finish();
  return out;
}

// What the sink received before opening `sealed` failed (the error kind is checked too).
Bytes received_before_failure(ByteView sealed) {
  Bytes out;
  BlobStreamOpener opener(test_key(), "video-1", [&](ByteView piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  CHECK(test::kind_thrown([&] {
          opener.update(sealed);
          opener.finish();
        }) == ErrorKind::crypto);
  return out;
}

// A stream built straight with libsodium (any tags, any chunk sizes), for streams SyncKit never makes.
Bytes raw_stream(const std::vector<std::pair<std::size_t, unsigned char>>& chunks) {
  const BlobKey key = test_key();
  crypto_secretstream_xchacha20poly1305_state state;
  Bytes out(kStreamHeaderBytes);
  crypto_secretstream_xchacha20poly1305_init_push(&state, out.data(), key.view().data());
  const std::string aad = std::string("synckit:v1:blob-stream") + '\0' + "video-1";
  for (const auto& [size, tag] : chunks) {
    const Bytes plain = test::counting_bytes(size);
    Bytes sealed(size + kStreamChunkOverhead);
    crypto_secretstream_xchacha20poly1305_push(&state, sealed.data(), nullptr, plain.data(), size,
                                               reinterpret_cast<const std::uint8_t*>(aad.data()), aad.size(), tag);
    out.insert(out.end(), sealed.begin(), sealed.end());
  }
  return out;
}

constexpr unsigned char kMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr unsigned char kFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

}  // namespace

TEST_CASE("streamed sizes: 24 + n + 17 per chunk, and back; sizes no stream has are refused", "[blob_stream]") {
  CHECK(blob_stream_sealed_size(0) == 41);
  CHECK(blob_stream_sealed_size(1) == 42);
  CHECK(blob_stream_sealed_size(kChunk - 1) == 24 + kChunk - 1 + 17);
  CHECK(blob_stream_sealed_size(kChunk) == 24 + kChunk + 34);
  CHECK(blob_stream_sealed_size(std::uint64_t{1} << 30) == 24 + (std::uint64_t{1} << 30) + 17 * 16385);
  for (const std::uint64_t n : {0ull, 1ull, 65535ull, 65536ull, 65537ull, 131072ull, 1ull << 30, (1ull << 34) + 7}) {
    CHECK(blob_stream_plain_size(blob_stream_sealed_size(n)) == n);
  }
  for (std::uint64_t sealed = 0; sealed < 41; ++sealed) {
    CHECK(test::kind_thrown([&] { blob_stream_plain_size(sealed); }) == ErrorKind::crypto);
  }
  // After one full chunk, 24 + 65553 + 0..16: a last chunk shorter than its 17 bytes of overhead.
  for (std::uint64_t extra = 0; extra < kStreamChunkOverhead; ++extra) {
    CHECK(test::kind_thrown([&] { blob_stream_plain_size(24 + kSealedChunk + extra); }) == ErrorKind::crypto);
  }
}

TEST_CASE("a stream seals to its size and opens back, whole and fed in pieces of any size", "[blob_stream]") {
  std::mt19937 rng(7);
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk + 5}) {
    INFO(size);
    const Bytes plain = test::counting_bytes(size, 3);
    const Bytes sealed = seal(plain);
    CHECK(sealed.size() == blob_stream_sealed_size(size));
    CHECK(open_blob_stream(test_key(), "video-1", sealed) == plain);
    CHECK(open_in_pieces(sealed, {1}) == plain);
    CHECK(open_in_pieces(sealed, {kSealedChunk}) == plain);
    CHECK(open_in_pieces(sealed, {7, 24, 65536, 17, 3}) == plain);
    std::uniform_int_distribution<std::size_t> piece(1, 100000);
    CHECK(open_in_pieces(sealed, {piece(rng), piece(rng), piece(rng)}) == plain);
  }
}

TEST_CASE("the sealer gives the same stream for any feeding and hands out chunks as they fill", "[blob_stream]") {
  const Bytes plain = test::counting_bytes(2 * kChunk + 100);
  const Bytes header = test::counting_bytes(kStreamHeaderBytes, 9);
  test::FixedRandom whole_random(header);
  const Bytes whole = seal_blob_stream(test_key(), "video-1", plain, whole_random);
  Bytes pieces;
  std::vector<std::size_t> sizes;
  test::FixedRandom random(header);
  BlobStreamSealer sealer(test_key(), "video-1", random, [&](ByteView piece) {
    pieces.insert(pieces.end(), piece.begin(), piece.end());
    sizes.push_back(piece.size());
  });
  CHECK(sizes == std::vector<std::size_t>{kStreamHeaderBytes});
  for (std::size_t at = 0; at < plain.size(); at += 1000) {
    sealer.update(ByteView(plain).subspan(at, std::min<std::size_t>(1000, plain.size() - at)));
  }
  CHECK(sizes == std::vector<std::size_t>{kStreamHeaderBytes, kSealedChunk, kSealedChunk});
  CHECK(sealer.plain_size() == plain.size());
  sealer.finish();
  CHECK(sizes.back() == 100 + kStreamChunkOverhead);
  CHECK(pieces == whole);
  CHECK(test::kind_thrown([&] { sealer.update(plain); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { sealer.finish(); }) == ErrorKind::invalid_input);
}

TEST_CASE("a stream cut anywhere is a crypto error, and only whole authenticated chunks came out", "[blob_stream]") {
  const Bytes plain = test::counting_bytes(2 * kChunk + 10);
  const Bytes sealed = seal(plain);
  for (const std::size_t cut : {std::size_t{0}, std::size_t{10}, kStreamHeaderBytes, kStreamHeaderBytes + 16,
                                kStreamHeaderBytes + kSealedChunk, kStreamHeaderBytes + kSealedChunk + 100,
                                kStreamHeaderBytes + 2 * kSealedChunk, sealed.size() - 1}) {
    INFO(cut);
    const Bytes got = received_before_failure(ByteView(sealed).first(cut));
    CHECK(got.size() % kChunk == 0);
    CHECK(got == Bytes(plain.begin(), plain.begin() + static_cast<std::ptrdiff_t>(got.size())));
  }
}

TEST_CASE("a changed byte, swapped chunks, bytes after FINAL or another blob id are crypto errors", "[blob_stream]") {
  const Bytes plain = test::counting_bytes(3 * kChunk + 10);
  const Bytes sealed = seal(plain);
  for (const std::size_t at : {std::size_t{0}, std::size_t{23}, std::size_t{24}, kStreamHeaderBytes + kSealedChunk + 5,
                               sealed.size() - 1}) {
    Bytes changed = sealed;
    changed[at] ^= 0x01;
    const Bytes got = received_before_failure(changed);
    CHECK(got.size() <= (at < kStreamHeaderBytes ? 0 : (at - kStreamHeaderBytes) / kSealedChunk * kChunk));
  }
  Bytes swapped = sealed;
  std::swap_ranges(swapped.begin() + kStreamHeaderBytes, swapped.begin() + kStreamHeaderBytes + kSealedChunk,
                   swapped.begin() + kStreamHeaderBytes + kSealedChunk);
  CHECK(received_before_failure(swapped).empty());
  Bytes padded = sealed;
  padded.push_back(0);
  received_before_failure(padded);
  Bytes doubled = sealed;
  doubled.insert(doubled.end(), sealed.begin() + kStreamHeaderBytes, sealed.end());
  received_before_failure(doubled);
  CHECK(test::kind_thrown([&] { open_blob_stream(test_key(), "video-2", sealed); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { open_blob_stream(derive_blob_key(test::counting_master_key()), "video-1", seal(plain, "video-2")); }) ==
        ErrorKind::crypto);
}

TEST_CASE("streams SyncKit never makes are refused: FINAL early, no FINAL, short or full FINAL", "[blob_stream]") {
  CHECK_NOTHROW(open_blob_stream(test_key(), "video-1", raw_stream({{kChunk, kMessage}, {5, kFinal}})));
  // FINAL then more: the first chunk authenticates but carries the wrong tag; nothing comes out.
  CHECK(received_before_failure(raw_stream({{kChunk, kFinal}, {5, kFinal}})).empty());
  // No FINAL at all: the last chunk is a MESSAGE one.
  CHECK(received_before_failure(raw_stream({{kChunk, kMessage}, {5, kMessage}})).size() == kChunk);
  // A FINAL chunk of full length (the last must be shorter), alone and after another.
  CHECK(received_before_failure(raw_stream({{kChunk, kFinal}})).empty());
  CHECK(received_before_failure(raw_stream({{kChunk, kMessage}, {kChunk, kFinal}})).size() == kChunk);
  // A short chunk in the middle (chunks but the last are exactly 64 KiB).
  received_before_failure(raw_stream({{100, kMessage}, {5, kFinal}}));
  // Other tags (PUSH, REKEY) are not part of the format.
  received_before_failure(raw_stream({{5, crypto_secretstream_xchacha20poly1305_TAG_PUSH}}));
}

TEST_CASE("the opener refuses use after finish or failure, and bad blob ids", "[blob_stream]") {
  const Bytes sealed = seal(test::counting_bytes(10));
  BlobStreamOpener opener(test_key(), "video-1", [](ByteView) {});
  opener.update(sealed);
  CHECK(opener.sealed_size() == sealed.size());
  opener.finish();
  CHECK(test::kind_thrown([&] { opener.update(sealed); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { opener.finish(); }) == ErrorKind::invalid_input);
  BlobStreamOpener failed(test_key(), "video-1", [](ByteView) {});
  Bytes changed = sealed;
  changed.back() ^= 1;
  failed.update(changed);
  CHECK(test::kind_thrown([&] { failed.finish(); }) == ErrorKind::crypto);
  CHECK(test::kind_thrown([&] { failed.update(sealed); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { BlobStreamOpener(test_key(), "", [](ByteView) {}); }) == ErrorKind::invalid_input);
  CHECK(test::kind_thrown([&] { BlobStreamSealer(test_key(), std::string(129, 'x'), test::system_random(), [](ByteView) {}); }) ==
        ErrorKind::invalid_input);
}
