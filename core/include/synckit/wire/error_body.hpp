// The protocol's error body ({"error":{"code","message"}}) and the mapping of any non-2xx HTTP reply
// to a typed synckit::Error (protocol.md, "Conventions").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "synckit/error.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// Longest error code accepted, and the most of a server message an Error detail ever carries.
inline constexpr std::size_t kMaxErrorCodeBytes = 64;
inline constexpr std::size_t kMaxQuotedServerChars = 200;

// {"error":{"code":"not_found","message":"..."}}. code is 1..64 bytes; message may be empty.
struct ErrorBody {
  std::string code;
  std::string message;

  friend bool operator==(const ErrorBody&, const ErrorBody&) = default;
};

// The JSON form. Does not check the fields (for servers and test fakes); strings must be UTF-8.
JsonValue to_json(const ErrorBody& body);
// Strict read of the whole reply object; throws Error{json} naming the field ("error.code").
ErrorBody parse_error_body(const ObjectReader& reader);
// The same from reply text; throws Error{json} (never quoting the text).
ErrorBody parse_error_body_text(std::string_view body);

// Server text made safe for a message: printable ASCII only (each run of other bytes becomes one
// '?'), trimmed, at most max_chars characters and then "...". Never throws but bad_alloc.
std::string sanitize_server_text(std::string_view text, std::size_t max_chars = kMaxQuotedServerChars);

// The typed error for a non-2xx reply. Kind by status: 400 -> invalid_input (invalid_grant when the
// body's code is "invalid_grant"), 401 unauthorized, 403 forbidden, 404 not_found, 409 conflict,
// 413 payload_too_large, 429 rate_limited, anything else server_status; status() is the HTTP status.
// The detail holds the status, the code and the sanitised message when the body follows the protocol
// (never any of a body that does not), and a sanitised Retry-After. Returns; never throws the Error.
Error error_from_reply(int status, std::string_view body,
                       std::optional<std::string_view> retry_after_header = {});

}  // namespace synckit::wire
