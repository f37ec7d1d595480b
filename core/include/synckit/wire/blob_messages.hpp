// PUT /v1/blobs/{blob_id} reply (protocol.md, "Blobs"). Blob bodies themselves are raw bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// {"blob_id","size"}: blob_id passes is_valid_blob_id, size is the stored byte count (0..2^53).
struct BlobPutReply {
  std::string blob_id;
  std::int64_t size = 0;

  friend bool operator==(const BlobPutReply&, const BlobPutReply&) = default;
};

// The JSON form. Does not check the fields (for servers and test fakes).
JsonValue to_json(const BlobPutReply& reply);
// Strict read; throws Error{json} naming the field.
BlobPutReply parse_blob_put_reply(const ObjectReader& reader);
// The same from reply text; throws Error{json}.
BlobPutReply parse_blob_put_reply_text(std::string_view body);

}  // namespace synckit::wire
