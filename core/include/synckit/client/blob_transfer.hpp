// Streamed blobs from the client's side (protocol 1.1, streamed uploads and ranged reads): the
// plaintext comes from a reader and goes to a writer a piece at a time, so a blob of any size
// passes through a few parts of memory. Client::put_blob_stream and get_blob_stream take these.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/client/cancel_signal.hpp"
#include "synckit/client/result.hpp"

namespace synckit {

// Gives an upload its next plaintext: fills `into` entirely unless the blob ends sooner, then calls
// `filled` exactly once (at once or later, on the client's thread) with the count written, or with
// the Error that ends the upload.
using BlobReader = std::function<void(std::span<std::uint8_t> into, std::function<void(Result<std::size_t>)> filled)>;
// Takes a download's next authenticated plaintext, in order, and calls `written` exactly once when
// done with it (the download waits for it: backpressure), with an Error to end the download. The
// bytes are valid until `written` is called, then wiped.
using BlobWriter = std::function<void(ByteView bytes, std::function<void(std::optional<Error>)> written)>;
// Plaintext bytes done so far of the total: after each part sent, each range written.
using BlobProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// What an interrupted upload needs to go on with the parts the server already has. Public values
// only (the stream's header and hashes of sealed parts are facts about the ciphertext): no key, no
// plaintext, so it may be stored in the clear.
struct UploadResume {
  std::string blob_id;
  std::string upload_id;
  std::uint64_t plain_size = 0;
  std::int64_t part_size = 0;
  Bytes header;              // the stream's 24-byte header
  std::vector<Bytes> parts;  // BLAKE2b-256 of each sealed part sent or being sent, by part number
  friend bool operator==(const UploadResume&, const UploadResume&) = default;
};
// Its JSON text, for a file. parse throws Error{json} naming the field.
std::string upload_resume_to_json(const UploadResume& resume);
UploadResume parse_upload_resume(std::string_view text);

struct BlobUploadOptions {
  BlobProgress on_progress;
  std::shared_ptr<CancelSignal> cancel;
  // From an earlier attempt at the same blob id and the same plaintext: parts the server has are
  // not sent again.
  std::optional<UploadResume> resume;
  // Called with the record before each part is sent (and when it is the first of an upload): keep
  // the latest to resume after a crash.
  std::function<void(const UploadResume&)> on_resume_record;
};

struct BlobDownloadOptions {
  BlobProgress on_progress;
  std::shared_ptr<CancelSignal> cancel;
  std::uint64_t range_bytes = 8u << 20;  // sealed bytes asked for per request (1 MiB at least)
  // A part of the plaintext only: `length` bytes (nullopt: to the end) from `offset`, clipped to
  // the blob. A streamed blob is read from its start to the chunk that holds the last byte wanted
  // (each chunk's state follows from the one before), never further.
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
};

// What a download found.
struct BlobDownloadInfo {
  std::string format;           // "sealed-v1" (single shot) or "stream-v1"
  std::uint64_t plain_size = 0;
  friend bool operator==(const BlobDownloadInfo&, const BlobDownloadInfo&) = default;
};

}  // namespace synckit
