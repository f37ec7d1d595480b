// SyncKit's one error type. Every failure the SDK reports is a synckit::Error with a kind;
// messages come from one table (below) plus a detail that never holds a secret.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace synckit {

// The table: kind, stable name (used by bindings and logs), message shown to users.
#define SYNCKIT_ERROR_KINDS(X)                                                                    \
  X(network, "network", "the request did not reach the server or its reply was cut off")         \
  X(server_status, "server_status", "the server answered with an error status")                  \
  X(rate_limited, "rate_limited", "the server is rate limiting requests; try again later")       \
  X(json, "json", "a reply or document is not the expected JSON")                                \
  X(crypto, "crypto", "decryption failed: data is truncated, tampered with or under another key") \
  X(wrong_password, "wrong_password", "wrong password")                                          \
  X(keychain, "keychain", "the key store failed")                                                \
  X(unauthorized, "unauthorized", "not signed in, or the credentials were rejected")             \
  X(token_expired, "token_expired", "the access token has expired")                              \
  X(invalid_input, "invalid_input", "invalid input")                                             \
  X(invalid_data, "invalid_data", "authenticated data breaks the SyncKit format")                \
  X(forbidden, "forbidden", "the server refused the request (forbidden)")                        \
  X(not_found, "not_found", "not found on the server")                                           \
  X(conflict, "conflict", "conflict: the server holds a newer version")                          \
  X(payload_too_large, "payload_too_large", "the request is larger than the server accepts")     \
  X(invalid_grant, "invalid_grant", "the OAuth code is invalid, expired or already used")        \
  X(not_set_up, "not_set_up", "the client is not signed in or encryption is not set up")            \
  X(cancelled, "cancelled", "the call was cancelled")                                            \
  X(storage, "storage", "the local replica's storage failed")

// What went wrong, coarsely: callers branch on this.
enum class ErrorKind {
#define SYNCKIT_ERROR_ENUM(id, name, message) id,
  SYNCKIT_ERROR_KINDS(SYNCKIT_ERROR_ENUM)
#undef SYNCKIT_ERROR_ENUM
};

// Stable snake_case name of a kind ("wrong_password"); never throws.
std::string_view error_kind_name(ErrorKind kind) noexcept;
// The table's user-facing message for a kind; never throws.
std::string_view error_kind_message(ErrorKind kind) noexcept;

// The exception every SyncKit call throws. what() is "<kind message>: <detail>".
// Details name fields, sizes and statuses; they never contain keys, passwords, plaintext or
// ciphertext.
class Error : public std::runtime_error {
 public:
  // detail: what exactly failed; field: the offending field name, if one; status: HTTP status or 0.
  explicit Error(ErrorKind kind, std::string detail = {}, std::string field = {}, int status = 0);

  ErrorKind kind() const noexcept { return kind_; }
  // Name of the offending field ("cursor", "changes[3].payload"), or empty.
  const std::string& field() const noexcept { return field_; }
  // HTTP status the error came with, or 0 when HTTP gave none.
  int status() const noexcept { return status_; }
  // The detail alone, without the kind's message.
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorKind kind_;
  std::string detail_;
  std::string field_;
  int status_;
};

}  // namespace synckit
