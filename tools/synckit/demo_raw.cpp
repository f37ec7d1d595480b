#include "demo_raw.hpp"

#include <httplib.h>

#include "synckit/error.hpp"
#include "synckit/wire/error_body.hpp"

namespace synckit::cli {
namespace {

// The body of a 200 reply; the protocol's typed error otherwise.
std::string body_of(const httplib::Result& result, const std::string& what) {
  if (!result) throw Error(ErrorKind::network, what + ": " + httplib::to_string(result.error()));
  if (result->status != 200) {
    throw wire::error_from_reply(result->status, result->body, result->get_header_value("Retry-After"));
  }
  return result->body;
}

}  // namespace

struct RawServerView::Http {
  explicit Http(int port) : client("127.0.0.1", port) {
    client.set_connection_timeout(5);
    client.set_read_timeout(30);
  }
  httplib::Client client;
};

RawServerView::RawServerView(int port, std::string api_key)
    : http_(std::make_unique<Http>(port)), api_key_(std::move(api_key)) {}

RawServerView::~RawServerView() = default;

std::vector<wire::PulledChange> RawServerView::pull(const std::string& token, const std::string& device_id,
                                                    std::int64_t cursor) {
  const httplib::Headers headers{{"X-SyncKit-Api-Key", api_key_}, {"Authorization", "Bearer " + token}};
  const std::string path =
      "/v1/sync/pull?device_id=" + device_id + "&cursor=" + std::to_string(cursor) + "&limit=1000";
  return wire::parse_pull_reply_text(body_of(http_->client.Get(path, headers), "GET /v1/sync/pull")).changes;
}

Bytes RawServerView::blob(const std::string& token, const std::string& blob_id) {
  const httplib::Headers headers{{"X-SyncKit-Api-Key", api_key_}, {"Authorization", "Bearer " + token}};
  const std::string body = body_of(http_->client.Get("/v1/blobs/" + blob_id, headers), "GET /v1/blobs");
  return Bytes(body.begin(), body.end());
}

}  // namespace synckit::cli
