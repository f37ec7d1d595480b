// Replies in the protocol's shape: JSON bodies and {"error":{"code","message"}} errors.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/router.hpp"

#include "synckit/json_value.hpp"

namespace synckit::server {

// Thrown by route handlers to answer with a protocol error; guarded() renders it.
struct HttpError : std::runtime_error {
  HttpError(int http_status, std::string message) : std::runtime_error(std::move(message)), status(http_status) {}
  HttpError(int http_status, std::string error_code, std::string message)
      : std::runtime_error(std::move(message)), status(http_status), code(std::move(error_code)) {}
  int status;
  std::string code;  // empty: the protocol's code for the status
};

// The protocol's error code for a status ("not_found" for 404); "internal" for unknown 5xx.
std::string_view error_code_for(int status) noexcept;
void send_json(Response& res, int status, const JsonValue& body);
void send_error(Response& res, int status, std::string_view code, std::string_view message);
// Wraps a route: HttpError, synckit::Error (bad input → 400 naming the field) and everything else
// (→ 500, logged without details that could hold data) become protocol error replies.
Handler guarded(Handler handler);

}  // namespace synckit::server
