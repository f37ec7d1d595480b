#include "synckit/crypto/blob_stream.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "crypto/aead.hpp"
#include "synckit/error.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

constexpr std::string_view kStreamAad = "synckit:v1:blob-stream";
constexpr std::size_t kSealedChunkBytes = kStreamChunkBytes + kStreamChunkOverhead;
using StreamState = crypto_secretstream_xchacha20poly1305_state;

static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == kStreamHeaderBytes);
static_assert(crypto_secretstream_xchacha20poly1305_ABYTES == kStreamChunkOverhead);

detail::BoundAad stream_aad(std::string_view blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return detail::bound_aad(kStreamAad, blob_id);
}

// The stream state from the key and header. Sealing uses it too: init_push is init_pull on a
// header from randombytes_buf, and this way the header comes from the core's RandomSource.
void start(StreamState& state, const BlobKey& key, const std::uint8_t* header) {
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key.view().data()) != 0) {
    throw Error(ErrorKind::crypto, "the streamed blob's header was refused");
  }
}

[[noreturn]] void used_after_end(const char* what) {
  throw Error(ErrorKind::invalid_input, std::string(what) + " was already finished or failed");
}

}  // namespace

std::uint64_t blob_stream_sealed_size(std::uint64_t plain_size) noexcept {
  return kStreamHeaderBytes + plain_size + kStreamChunkOverhead * (plain_size / kStreamChunkBytes + 1);
}

std::uint64_t blob_stream_plain_size(std::uint64_t sealed_size) {
  if (sealed_size < kStreamHeaderBytes + kStreamChunkOverhead) {
    throw Error(ErrorKind::crypto, "a streamed blob is at least 41 bytes");
  }
  const std::uint64_t body = sealed_size - kStreamHeaderBytes - kStreamChunkOverhead;
  const std::uint64_t last = body % kSealedChunkBytes;  // the FINAL chunk's plaintext
  if (last >= kStreamChunkBytes) throw Error(ErrorKind::crypto, "no streamed blob has this sealed size");
  return body / kSealedChunkBytes * kStreamChunkBytes + last;
}

// ---- sealing -------------------------------------------------------------------------------------

struct BlobStreamSealer::State {
  State(const BlobKey& key, std::string_view blob_id, RandomSource& random, StreamSink out)
      : aad(stream_aad(blob_id)), sink(std::move(out)) {
    std::uint8_t header[kStreamHeaderBytes];
    random.fill(header);
    start(stream, key, header);
    sink(ByteView(header, sizeof header));
  }
  ~State() { sodium_memzero(&stream, sizeof stream); }

  // Seals pending[0..filled) with `tag` and hands the chunk to the sink.
  void seal(unsigned char tag) {
    if (crypto_secretstream_xchacha20poly1305_push(&stream, sealed.data(), nullptr, pending.data(), filled,
                                                   static_cast<ByteView>(aad).data(), static_cast<ByteView>(aad).size(),
                                                   tag) != 0) {
      throw Error(ErrorKind::crypto, "a streamed blob chunk could not be sealed");
    }
    secure_wipe(pending.data(), filled);
    const std::size_t size = filled + kStreamChunkOverhead;
    filled = 0;
    sink(ByteView(sealed.data(), size));
  }

  StreamState stream{};
  detail::BoundAad aad;
  StreamSink sink;
  SecretBuffer pending{kStreamChunkBytes};  // plaintext waiting for a full chunk
  std::size_t filled = 0;
  Bytes sealed = Bytes(kSealedChunkBytes);
  std::uint64_t fed = 0;
  bool done = false;
};

BlobStreamSealer::BlobStreamSealer(const BlobKey& key, std::string_view blob_id, RandomSource& random, StreamSink sink)
    : state_(std::make_unique<State>(key, blob_id, random, std::move(sink))) {}
BlobStreamSealer::~BlobStreamSealer() = default;
BlobStreamSealer::BlobStreamSealer(BlobStreamSealer&&) noexcept = default;
BlobStreamSealer& BlobStreamSealer::operator=(BlobStreamSealer&&) noexcept = default;

void BlobStreamSealer::update(ByteView plain) {
  State& s = *state_;
  if (s.done) used_after_end("the stream sealer");
  while (!plain.empty()) {
    const std::size_t take = std::min(plain.size(), kStreamChunkBytes - s.filled);
    std::memcpy(s.pending.data() + s.filled, plain.data(), take);
    s.filled += take;
    s.fed += take;
    plain = plain.subspan(take);
    // A full chunk is never the last (the last is shorter), so it goes out at once.
    if (s.filled == kStreamChunkBytes) s.seal(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  }
}

void BlobStreamSealer::finish() {
  State& s = *state_;
  if (s.done) used_after_end("the stream sealer");
  s.done = true;
  s.seal(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

std::uint64_t BlobStreamSealer::plain_size() const noexcept { return state_->fed; }

// ---- opening -------------------------------------------------------------------------------------

struct BlobStreamOpener::State {
  State(const BlobKey& blob_key, std::string_view blob_id, StreamSink out)
      : key(blob_key.clone()), aad(stream_aad(blob_id)), sink(std::move(out)) {}
  ~State() { sodium_memzero(&stream, sizeof stream); }

  // Opens sealed[0..filled) (a whole chunk), checks its tag is `expected` and hands the plaintext
  // to the sink, then wipes it.
  void open(unsigned char expected) {
    unsigned long long size = 0;
    unsigned char tag = 0;
    const int status = crypto_secretstream_xchacha20poly1305_pull(
        &stream, plain.data(), &size, &tag, sealed.data(), filled, static_cast<ByteView>(aad).data(),
        static_cast<ByteView>(aad).size());
    filled = 0;
    if (status != 0) throw Error(ErrorKind::crypto, "a streamed blob chunk did not authenticate");
    if (tag != expected) {
      secure_wipe(plain.data(), size);
      throw Error(ErrorKind::crypto, expected == crypto_secretstream_xchacha20poly1305_TAG_FINAL
                                         ? "the streamed blob is truncated (its last chunk is not FINAL)"
                                         : "the streamed blob has a FINAL chunk before its end");
    }
    try {
      sink(ByteView(plain.data(), size));
    } catch (...) {
      secure_wipe(plain.data(), size);
      throw;
    }
    secure_wipe(plain.data(), size);
  }

  BlobKey key;  // until the header arrives
  StreamState stream{};
  bool started = false;
  detail::BoundAad aad;
  StreamSink sink;
  Bytes sealed = Bytes(kSealedChunkBytes);  // the header, then the chunk being read
  std::size_t filled = 0;
  SecretBuffer plain{kStreamChunkBytes};
  std::uint64_t fed = 0;
  bool done = false;
};

BlobStreamOpener::BlobStreamOpener(const BlobKey& key, std::string_view blob_id, StreamSink sink)
    : state_(std::make_unique<State>(key, blob_id, std::move(sink))) {}
BlobStreamOpener::~BlobStreamOpener() = default;
BlobStreamOpener::BlobStreamOpener(BlobStreamOpener&&) noexcept = default;
BlobStreamOpener& BlobStreamOpener::operator=(BlobStreamOpener&&) noexcept = default;

void BlobStreamOpener::update(ByteView sealed) {
  State& s = *state_;
  if (s.done) used_after_end("the stream opener");
  try {
    while (!sealed.empty()) {
      const std::size_t want = s.started ? kSealedChunkBytes : kStreamHeaderBytes;
      const std::size_t take = std::min(sealed.size(), want - s.filled);
      std::memcpy(s.sealed.data() + s.filled, sealed.data(), take);
      s.filled += take;
      s.fed += take;
      sealed = sealed.subspan(take);
      if (s.filled < want) break;
      if (!s.started) {
        start(s.stream, s.key, s.sealed.data());
        s.key.wipe();
        s.started = true;
        s.filled = 0;
      } else if (!sealed.empty()) {
        // A full-length chunk with more after it: a MESSAGE chunk (the FINAL one is shorter).
        // One that ends the input exactly waits: it may be the stream's last, wrongly full.
        s.open(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      }
    }
  } catch (...) {
    s.done = true;
    throw;
  }
}

void BlobStreamOpener::finish() {
  State& s = *state_;
  if (s.done) used_after_end("the stream opener");
  s.done = true;
  if (!s.started || s.filled < kStreamChunkOverhead) {
    throw Error(ErrorKind::crypto, "the streamed blob is truncated (it ends before its FINAL chunk)");
  }
  if (s.filled == kSealedChunkBytes) {
    // It ends on a full-length chunk: a MESSAGE chunk with FINAL missing, or a FINAL one of a
    // length the format does not make. Not opened: either way the stream is refused.
    throw Error(ErrorKind::crypto, "the streamed blob is truncated (it ends on a full chunk, not a FINAL one)");
  }
  s.open(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

std::uint64_t BlobStreamOpener::sealed_size() const noexcept { return state_->fed; }

// ---- whole buffers -------------------------------------------------------------------------------

Bytes seal_blob_stream(const BlobKey& key, std::string_view blob_id, ByteView plain, RandomSource& random) {
  Bytes out;
  out.reserve(blob_stream_sealed_size(plain.size()));
  BlobStreamSealer sealer(key, blob_id, random, [&](ByteView piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  sealer.update(plain);
  sealer.finish();
  return out;
}

Bytes open_blob_stream(const BlobKey& key, std::string_view blob_id, ByteView sealed) {
  Bytes out;
  BlobStreamOpener opener(key, blob_id, [&](ByteView piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  opener.update(sealed);
  opener.finish();
  return out;
}

OpenedBlob open_blob_stream_whole(const BlobKey& key, std::string_view blob_id, ByteView sealed) {
  OpenedBlob opened;  // wipes its buffer when destroyed, also when this throws
  opened.buffer_.assign(kBlobOverhead + static_cast<std::size_t>(blob_stream_plain_size(sealed.size())), '\0');
  std::size_t at = kBlobOffset;
  BlobStreamOpener opener(key, blob_id, [&](ByteView piece) {
    std::memcpy(opened.buffer_.data() + at, piece.data(), piece.size());
    at += piece.size();
  });
  opener.update(sealed);
  opener.finish();
  return opened;
}

}  // namespace synckit
