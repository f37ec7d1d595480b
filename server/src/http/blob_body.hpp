// The reply body of a streamed blob's GET: bytes first..last read from the store a piece (1 MiB,
// never across a part) at a time, so a reply of any size holds one piece in memory (net/ asks for
// the pieces on its workers).
#pragma once

#include <cstdint>
#include <string>

#include "http/message.hpp"
#include "storage/store.hpp"
#include "synckit/wire/byte_range.hpp"

namespace synckit::server {

class BlobPartsBody : public BodySource {
 public:
  static constexpr std::uint64_t kPieceBytes = 1u << 20;

  // `blob` is a stream-v1 blob; `range` lies within it.
  BlobPartsBody(Store& store, StoredBlob blob, wire::ByteRange range);
  std::uint64_t size() const override;
  // The next piece: up to kPieceBytes of the current part within the range. Throws StoreError when the part is gone (the
  // blob was replaced or deleted since it was opened) or is not the length the blob says.
  std::string next() override;

 private:
  Store& store_;
  StoredBlob blob_;
  std::uint64_t next_ = 0;  // the offset of the next byte to send
  std::uint64_t end_ = 0;   // one past the last
  std::uint64_t size_ = 0;
};

}  // namespace synckit::server
