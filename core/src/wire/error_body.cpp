#include "synckit/wire/error_body.hpp"

#include <algorithm>
#include <exception>

namespace synckit::wire {
namespace {

constexpr std::string_view kWhat = "error body";
// A body longer than this is not a protocol error body; it is not even parsed.
constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;
constexpr std::size_t kMaxQuotedRetryAfterChars = 40;

bool is_printable_ascii(char c) noexcept { return c >= 0x20 && c <= 0x7e; }

// Whether a code may be quoted as is: [a-z0-9_], 1..64 bytes.
bool is_plain_code(std::string_view code) noexcept {
  if (code.empty() || code.size() > kMaxErrorCodeBytes) return false;
  for (const char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool is_digits(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

ErrorKind kind_for(int status, const ErrorBody* body) noexcept {
  switch (status) {
    case 400:
      return body != nullptr && body->code == "invalid_grant" ? ErrorKind::invalid_grant
                                                              : ErrorKind::invalid_input;
    case 401: return ErrorKind::unauthorized;
    case 403: return ErrorKind::forbidden;
    case 404: return ErrorKind::not_found;
    case 409: return ErrorKind::conflict;
    case 413: return ErrorKind::payload_too_large;
    case 429: return ErrorKind::rate_limited;
    default: return ErrorKind::server_status;
  }
}

// The body as an ErrorBody when it follows the protocol; nothing otherwise. Never throws.
std::optional<ErrorBody> try_parse(std::string_view body) noexcept {
  if (body.empty() || body.size() > kMaxErrorBodyBytes) return std::nullopt;
  try {
    return parse_error_body_text(body);
  } catch (...) {
    return std::nullopt;
  }
}

std::string retry_after_note(std::string_view header) {
  if (is_digits(header) && header.size() <= 10) return "; retry after " + std::string(header) + " s";
  const std::string text = sanitize_server_text(header, kMaxQuotedRetryAfterChars);
  return text.empty() ? std::string() : "; retry after " + text;
}

std::string reply_detail(int status, const std::optional<ErrorBody>& parsed, std::string_view body,
                         std::optional<std::string_view> retry_after) {
  std::string detail = "HTTP " + std::to_string(status);
  if (parsed) {
    if (is_plain_code(parsed->code)) detail += " " + parsed->code;
    const std::string message = sanitize_server_text(parsed->message);
    if (!message.empty()) detail += ": " + message;
  } else if (!body.empty()) {
    detail += " (the reply body is not a SyncKit error)";
  }
  if (retry_after) detail += retry_after_note(*retry_after);
  return detail;
}

}  // namespace

JsonValue to_json(const ErrorBody& body) {
  JsonValue error = JsonValue::object();
  error["code"] = body.code;
  error["message"] = body.message;
  JsonValue out = JsonValue::object();
  out["error"] = std::move(error);
  return out;
}

ErrorBody parse_error_body(const ObjectReader& reader) {
  const ObjectReader error = reader.object("error");
  ErrorBody body;
  body.code = error.string("code", 1, kMaxErrorCodeBytes);
  body.message = error.string("message");
  return body;
}

ErrorBody parse_error_body_text(std::string_view body) {
  return parse_object_text(body, kWhat, [](const ObjectReader& r) { return parse_error_body(r); });
}

std::string sanitize_server_text(std::string_view text, std::size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars) + 3);
  bool truncated = false;
  bool in_run = false;  // inside a run of non-printable bytes, already written as one '?'
  for (const char c : text) {
    const bool printable = is_printable_ascii(c);
    if (!printable && in_run) continue;
    in_run = !printable;
    const char next = printable ? c : '?';
    if (out.empty() && next == ' ') continue;
    if (out.size() >= max_chars) {
      truncated = true;
      break;
    }
    out += next;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (truncated) out += "...";
  return out;
}

Error error_from_reply(int status, std::string_view body,
                       std::optional<std::string_view> retry_after_header) {
  const std::optional<ErrorBody> parsed = try_parse(body);
  const ErrorKind kind = kind_for(status, parsed ? &*parsed : nullptr);
  try {
    return Error(kind, reply_detail(status, parsed, body, retry_after_header), {}, status);
  } catch (const std::exception&) {
    return Error(kind, {}, {}, status);  // out of memory composing the detail: keep the kind at least
  }
}

}  // namespace synckit::wire
