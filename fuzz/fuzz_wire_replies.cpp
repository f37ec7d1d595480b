// Every parse_*_text of the protocol (server replies the client reads, requests the server reads)
// and error_from_reply. The first byte picks the parser (mod 22; 17 is error_from_reply, 18
// sanitize_server_text, 19..21 the streamed upload messages); the rest is the body. A body that parses must go through to_json and
// parse back equal. error_from_reply must never throw and must map the status as errors.md says.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/wire/auth_messages.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/blob_upload_messages.hpp"
#include "synckit/wire/device_messages.hpp"
#include "synckit/wire/error_body.hpp"
#include "synckit/wire/health.hpp"
#include "synckit/wire/key_messages.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit_fuzz {
namespace wire_detail {

namespace w = synckit::wire;

template <class Parse>
void round_trip(std::string_view body, Parse parse) {
  const auto parsed = parse(body);
  const auto again =
      must_succeed("wire message JSON round trip", [&] { return parse(to_json(parsed).dump()); });
  check(again == parsed, "wire message JSON round trip");
}

synckit::ErrorKind expected_kind(int status, std::string_view body) {
  switch (status) {
    case 400: {
      try {
        if (!body.empty() && body.size() <= 64 * 1024 &&
            w::parse_error_body_text(body).code == "invalid_grant") {
          return synckit::ErrorKind::invalid_grant;
        }
      } catch (const synckit::Error&) {
      }
      return synckit::ErrorKind::invalid_input;
    }
    case 401:
      return synckit::ErrorKind::unauthorized;
    case 403:
      return synckit::ErrorKind::forbidden;
    case 404:
      return synckit::ErrorKind::not_found;
    case 409:
      return synckit::ErrorKind::conflict;
    case 413:
      return synckit::ErrorKind::payload_too_large;
    case 429:
      return synckit::ErrorKind::rate_limited;
    default:
      return synckit::ErrorKind::server_status;
  }
}

// Layout after the selector: status (2 bytes, mod 1000), header length n (1 byte; 255 = no
// Retry-After header), n bytes of header, then the body.
void error_reply(std::string_view input) {
  if (input.size() < 3) return;
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned>(static_cast<unsigned char>(input[i]));
  };
  const int status = static_cast<int>(((byte(0) << 8) | byte(1)) % 1000);
  const unsigned header_bytes = byte(2);
  input.remove_prefix(3);
  std::optional<std::string_view> header;
  if (header_bytes != 255) {
    header = input.substr(0, header_bytes);
    input.remove_prefix(header->size());
  }
  std::optional<synckit::Error> error;
  try {
    error = w::error_from_reply(status, input, header);
  } catch (const synckit::Error&) {
    check(false, "error_from_reply threw a synckit::Error");
  }
  check(error->status() == status, "error_from_reply keeps the status");
  check(error->kind() == expected_kind(status, input), "error_from_reply maps the status to its kind");
  for (const char c : error->detail()) check(c >= 0x20 && c <= 0x7e, "error detail is printable ASCII");
}

void sanitize(std::string_view input) {
  const std::string out = w::sanitize_server_text(input, 40);
  check(out.size() <= 43, "sanitize_server_text keeps its bound");
  for (const char c : out) check(c >= 0x20 && c <= 0x7e, "sanitize_server_text is printable ASCII");
}

}  // namespace wire_detail

inline void wire_replies(std::string_view input) {
  namespace w = synckit::wire;
  using namespace wire_detail;
  if (input.empty()) return;
  const auto selector = static_cast<unsigned char>(input[0]);
  const std::string_view body = input.substr(1);
  guarded(body, [selector](std::string_view text) {
    switch (selector % 22) {
      case 0:
        return round_trip(text, w::parse_error_body_text);
      case 1:
        return round_trip(text, w::parse_token_reply_text);
      case 2:
        return round_trip(text, w::parse_envelope_reply_text);
      case 3:
        return round_trip(text, w::parse_put_envelope_reply_text);
      case 4:
        return round_trip(text, w::parse_device_text);
      case 5:
        return round_trip(text, w::parse_device_list_text);
      case 6:
        return round_trip(text, w::parse_push_reply_text);
      case 7:
        return round_trip(text, w::parse_pull_reply_text);
      case 8:
        return round_trip(text, w::parse_sync_status_text);
      case 9:
        return round_trip(text, w::parse_blob_put_reply_text);
      case 10:
        return round_trip(text, w::parse_health_text);
      case 11:
        return round_trip(text, w::parse_credentials_request_text);
      case 12:
        return round_trip(text, w::parse_refresh_request_text);
      case 13:
        return round_trip(text, w::parse_logout_request_text);
      case 14:
        return round_trip(text, w::parse_put_envelope_request_text);
      case 15:
        return round_trip(text, w::parse_register_device_request_text);
      case 16:
        return round_trip(text, w::parse_push_request_text);
      case 17:
        return error_reply(text);
      case 19:
        return round_trip(text, w::parse_upload_start_text);
      case 20:
        return round_trip(text, w::parse_upload_start_reply_text);
      case 21:
        return round_trip(text, w::parse_upload_state_text);
      default:
        return sanitize(text);
    }
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(wire_replies)
