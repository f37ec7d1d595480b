// The demo's look at what the server stores, with plain HTTP (cpp-httplib): no decryption, just the
// protocol's GET /v1/sync/pull and GET /v1/blobs/{id} with a bearer token.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit::cli {

class RawServerView {
 public:
  RawServerView(int port, std::string api_key);
  ~RawServerView();
  RawServerView(const RawServerView&) = delete;
  RawServerView& operator=(const RawServerView&) = delete;

  // What the server hands `device_id` after `cursor`, exactly as stored (sealed payloads).
  // Throws Error (the protocol's error for a non-200 reply).
  std::vector<wire::PulledChange> pull(const std::string& token, const std::string& device_id,
                                       std::int64_t cursor);
  // The sealed bytes the server stores for a blob. Throws Error.
  Bytes blob(const std::string& token, const std::string& blob_id);

 private:
  struct Http;
  std::unique_ptr<Http> http_;
  std::string api_key_;
};

}  // namespace synckit::cli
