// The account endpoints' bodies (protocol.md 1.1, "Sign-in credentials and the account",
// "Recovery"): changing the sign-in credential, deleting the account, sessions, the recovery
// envelope and recovering with it. Auth keys are synckit::AuthKey (they wipe themselves), so the
// requests holding them are move-only; they are never logged or put in an error message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/auth/login_key.hpp"
#include "synckit/clock.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// POST /v1/auth/credentials body {"auth_key","new_auth_key"} plus "new_email" when set.
struct CredentialChangeRequest {
  AuthKey auth_key;
  AuthKey new_auth_key;
  std::optional<std::string> new_email;  // 1..254 bytes of UTF-8
};

// POST /v1/account/delete body {"auth_key"}.
struct DeleteAccountRequest {
  AuthKey auth_key;
};

// One session {"id","created_at","last_used_at","current"}: id a lowercase UUID, times RFC 3339
// UTC with milliseconds; current is true for the session that asked.
struct SessionInfo {
  std::string id;
  SystemTime created_at{};
  SystemTime last_used_at{};
  bool current = false;

  friend bool operator==(const SessionInfo&, const SessionInfo&) = default;
};

// GET /v1/auth/sessions reply {"sessions":[...]}.
struct SessionList {
  std::vector<SessionInfo> sessions;

  friend bool operator==(const SessionList&, const SessionList&) = default;
};

// PUT /v1/keys/recovery body {"envelope":{...},"recovery_auth_key","expected_version"}; the
// version is 0..2^53 (0 = none yet). The reply is PutEnvelopeReply (key_messages.hpp).
struct PutRecoveryRequest {
  RecoveryEnvelope envelope;
  AuthKey recovery_auth_key;
  std::int64_t expected_version = 0;
};

// GET /v1/keys/recovery reply {"envelope":{...},"version":n}; n is 1..2^53.
struct RecoveryReply {
  RecoveryEnvelope envelope;
  std::int64_t version = 1;

  friend bool operator==(const RecoveryReply&, const RecoveryReply&) = default;
};

// POST /v1/auth/recover body {"email","recovery_auth_key","new_auth_key"}. The reply is a
// TokenReply (auth_messages.hpp).
struct RecoverRequest {
  std::string email;  // 1..254 bytes of UTF-8
  AuthKey recovery_auth_key;
  AuthKey new_auth_key;
};

// The JSON forms. The requests' throw Error{invalid_input} naming the field that breaks a limit
// above (never quoting it); they hold keys in base64: dump them into the body and drop them.
// The replies' do not check (for servers and test fakes), except created_at/last_used_at outside
// years 0000..9999 (Error{invalid_input}).
JsonValue to_json(const CredentialChangeRequest& request);
JsonValue to_json(const DeleteAccountRequest& request);
JsonValue to_json(const SessionInfo& session);
JsonValue to_json(const SessionList& list);
JsonValue to_json(const PutRecoveryRequest& request);
JsonValue to_json(const RecoveryReply& reply);
JsonValue to_json(const RecoverRequest& request);

// Strict reads; throw Error{json} naming the field ("sessions[1].last_used_at", "new_auth_key"),
// never quoting a key; the envelope's own checks may throw Error{invalid_data}.
CredentialChangeRequest parse_credential_change_request_text(std::string_view body);
DeleteAccountRequest parse_delete_account_request_text(std::string_view body);
SessionList parse_session_list_text(std::string_view body);
PutRecoveryRequest parse_put_recovery_request_text(std::string_view body);
RecoveryReply parse_recovery_reply_text(std::string_view body);
RecoverRequest parse_recover_request_text(std::string_view body);

}  // namespace synckit::wire
