// Streamed blob uploads (protocol.md 1.1, "Streamed blob uploads and ranged reads"): the JSON of
// POST /v1/blobs/{id}/uploads, its reply, and GET /v1/blobs/{id}/uploads/{upload_id}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

inline constexpr std::string_view kStreamBlobFormat = "stream-v1";
inline constexpr std::string_view kSealedBlobFormat = "sealed-v1";

// {"format":"stream-v1","size":n}: size is the whole sealed stream's, 0..2^53.
struct UploadStart {
  std::string format{kStreamBlobFormat};
  std::int64_t size = 0;
  friend bool operator==(const UploadStart&, const UploadStart&) = default;
};

// {"upload_id","part_size"}: a lowercase UUID and the server's part size, 1..2^31.
struct UploadStartReply {
  std::string upload_id;
  std::int64_t part_size = 0;
  friend bool operator==(const UploadStartReply&, const UploadStartReply&) = default;
};

// {"parts":[…],"size":n}: the parts that have arrived (ascending, no repeats) and the stream size.
struct UploadState {
  std::vector<std::int64_t> parts;
  std::int64_t size = 0;
  friend bool operator==(const UploadState&, const UploadState&) = default;
};

// The JSON forms. Do not check the fields.
JsonValue to_json(const UploadStart& start);
JsonValue to_json(const UploadStartReply& reply);
JsonValue to_json(const UploadState& state);
// Strict reads from text; throw Error{json} naming the field.
UploadStart parse_upload_start_text(std::string_view body);
UploadStartReply parse_upload_start_reply_text(std::string_view body);
UploadState parse_upload_state_text(std::string_view body);

// The number of parts of a `size`-byte stream cut in parts of `part_size` (at least 1).
std::int64_t part_count(std::int64_t size, std::int64_t part_size) noexcept;
// The byte length of part `part`: part_size except the last. 0 for a part beyond the end.
std::int64_t part_length(std::int64_t size, std::int64_t part_size, std::int64_t part) noexcept;

}  // namespace synckit::wire
