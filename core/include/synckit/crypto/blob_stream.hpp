// Streamed blobs (crypto-format.md, "Streamed blobs"): libsodium's secretstream
// (XChaCha20-Poly1305) under the blob key, a 24-byte header, then 64 KiB chunks and a shorter last
// one tagged FINAL, AAD "synckit:v1:blob-stream\0" + blob_id. Incremental: fed and drained in
// pieces of any size, so a blob of any size passes through one chunk of memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/random.hpp"

namespace synckit {

inline constexpr std::size_t kStreamChunkBytes = 65536;   // plaintext per chunk but the last
inline constexpr std::size_t kStreamHeaderBytes = 24;
inline constexpr std::size_t kStreamChunkOverhead = 17;   // per chunk: tag byte + 16-byte MAC

// Where sealed or opened bytes go, a piece at a time. The view is valid only during the call
// (opened bytes are wiped right after it returns).
using StreamSink = std::function<void(ByteView)>;

// The sealed size of a `plain_size`-byte blob: 24 + n + 17 * (n / 65536 + 1).
std::uint64_t blob_stream_sealed_size(std::uint64_t plain_size) noexcept;
// The plaintext size a sealed stream of `sealed_size` bytes holds. Throws Error{crypto} when no
// plaintext size seals to exactly that many bytes (a truncated or padded stream).
std::uint64_t blob_stream_plain_size(std::uint64_t sealed_size);

// Seals a stream. The first bytes out are the header (from `random`); every 64 KiB of plaintext
// fed gives one sealed chunk; finish() seals the rest (possibly nothing) as the FINAL chunk.
// Plaintext waiting for a full chunk is held in memory that wipes itself.
class BlobStreamSealer {
 public:
  // Throws Error{invalid_input} for an invalid blob id.
  BlobStreamSealer(const BlobKey& key, std::string_view blob_id, RandomSource& random, StreamSink sink);
  ~BlobStreamSealer();
  BlobStreamSealer(BlobStreamSealer&&) noexcept;
  BlobStreamSealer& operator=(BlobStreamSealer&&) noexcept;

  // Feeds plaintext. Throws Error{invalid_input} after finish(); whatever the sink throws.
  void update(ByteView plain);
  // Seals the FINAL chunk. Throws Error{invalid_input} if called twice; whatever the sink throws.
  void finish();
  // Plaintext bytes fed so far.
  std::uint64_t plain_size() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Opens a stream fed in pieces of any size: every chunk's plaintext reaches the sink only after
// it authenticated, in order. Only finish() knows the stream is complete: until it returns, what
// the sink got is a prefix that may still turn out truncated (write it to a temporary file).
class BlobStreamOpener {
 public:
  // Throws Error{invalid_input} for an invalid blob id.
  BlobStreamOpener(const BlobKey& key, std::string_view blob_id, StreamSink sink);
  ~BlobStreamOpener();
  BlobStreamOpener(BlobStreamOpener&&) noexcept;
  BlobStreamOpener& operator=(BlobStreamOpener&&) noexcept;

  // Feeds sealed bytes. Throws Error{crypto} for a chunk that does not authenticate (or a FINAL
  // chunk of full length), Error{invalid_input} after finish() or a failure; whatever the sink throws.
  void update(ByteView sealed);
  // Ends the stream: opens the FINAL chunk. Throws Error{crypto} if the stream is truncated (no
  // FINAL chunk last) or its last chunk fails; Error{invalid_input} if called twice.
  void finish();
  // Sealed bytes fed so far.
  std::uint64_t sealed_size() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Whole-buffer forms (tests, tools and small inputs).
// Throws Error{invalid_input} for an invalid blob id.
Bytes seal_blob_stream(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random);
// Throws Error{crypto} for a truncated, reordered, padded or tampered stream.
Bytes open_blob_stream(const BlobKey& key, std::string_view blob_id, ByteView sealed);
// The same into an OpenedBlob (wiped when destroyed), for reading a streamed blob whole where a
// single-shot one is read (Client::get_blob_in_place). Throws as open_blob_stream, leaving no
// plaintext behind.
OpenedBlob open_blob_stream_whole(const BlobKey& key, std::string_view blob_id, ByteView sealed);

}  // namespace synckit
