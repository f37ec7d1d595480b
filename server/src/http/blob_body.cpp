#include "http/blob_body.hpp"

#include <algorithm>

#include "synckit/wire/blob_upload_messages.hpp"

namespace synckit::server {

BlobPartsBody::BlobPartsBody(Store& store, StoredBlob blob, wire::ByteRange range)
    : store_(store), blob_(std::move(blob)), next_(range.first), end_(range.last + 1), size_(end_ - next_) {}

std::uint64_t BlobPartsBody::size() const { return size_; }

std::string BlobPartsBody::next() {
  if (next_ >= end_) return {};
  const auto part_size = static_cast<std::uint64_t>(blob_.part_size);
  const auto part = static_cast<std::int64_t>(next_ / part_size);
  const auto part_bytes = static_cast<std::uint64_t>(wire::part_length(blob_.size, blob_.part_size, part));
  const std::uint64_t offset = next_ - static_cast<std::uint64_t>(part) * part_size;
  const std::uint64_t length = std::min({kPieceBytes, part_bytes - offset, end_ - next_});
  auto bytes = store_.read_blob_part(blob_.content_id, part, static_cast<std::int64_t>(offset),
                                     static_cast<std::int64_t>(length));
  if (!bytes || bytes->size() != length) throw StoreError("a part of a streamed blob is gone");
  next_ += length;
  return std::move(*bytes);
}

}  // namespace synckit::server
