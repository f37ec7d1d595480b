#include "synckit/wire/account_messages.hpp"

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"
#include "synckit/wire/auth_messages.hpp"
#include "wire/field_rules.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kCredentialChange = "credential change request";
constexpr std::string_view kDeleteAccount = "delete account request";
constexpr std::string_view kSessionList = "session list";
constexpr std::string_view kPutRecovery = "put recovery request";
constexpr std::string_view kRecoveryReply = "recovery reply";
constexpr std::string_view kRecover = "recover request";

std::string key_base64(const AuthKey& key) { return base64_encode(key.view()); }

SystemTime read_time(const ObjectReader& reader, std::string_view key) {
  const std::optional<SystemTime> time = parse_timestamp(reader.string(key));
  if (!time) reader.fail(key, "must be an RFC 3339 UTC timestamp with milliseconds");
  return *time;
}

void check_version(std::int64_t version) {
  if (version < 0 || version > kMaxCursor) {
    throw Error(ErrorKind::invalid_input, "'expected_version' must be an integer in 0..2^53", "expected_version");
  }
}

}  // namespace

JsonValue to_json(const CredentialChangeRequest& request) {
  if (request.new_email) check_text(*request.new_email, "new_email", kMaxEmailBytes);
  JsonValue out = JsonValue::object();
  out["auth_key"] = key_base64(request.auth_key);
  out["new_auth_key"] = key_base64(request.new_auth_key);
  if (request.new_email) out["new_email"] = *request.new_email;
  return out;
}

JsonValue to_json(const DeleteAccountRequest& request) {
  JsonValue out = JsonValue::object();
  out["auth_key"] = key_base64(request.auth_key);
  return out;
}

JsonValue to_json(const SessionInfo& session) {
  JsonValue out = JsonValue::object();
  out["id"] = session.id;
  out["created_at"] = format_timestamp(session.created_at);
  out["last_used_at"] = format_timestamp(session.last_used_at);
  out["current"] = session.current;
  return out;
}

JsonValue to_json(const SessionList& list) {
  JsonValue sessions = JsonValue::array();
  for (const SessionInfo& session : list.sessions) sessions.push_back(to_json(session));
  JsonValue out = JsonValue::object();
  out["sessions"] = std::move(sessions);
  return out;
}

JsonValue to_json(const PutRecoveryRequest& request) {
  check_version(request.expected_version);
  JsonValue out = JsonValue::object();
  out["envelope"] = recovery_envelope_to_json(request.envelope);
  out["recovery_auth_key"] = key_base64(request.recovery_auth_key);
  out["expected_version"] = request.expected_version;
  return out;
}

JsonValue to_json(const RecoveryReply& reply) {
  JsonValue out = JsonValue::object();
  out["envelope"] = recovery_envelope_to_json(reply.envelope);
  out["version"] = reply.version;
  return out;
}

JsonValue to_json(const RecoverRequest& request) {
  check_text(request.email, "email", kMaxEmailBytes);
  JsonValue out = JsonValue::object();
  out["email"] = request.email;
  out["recovery_auth_key"] = key_base64(request.recovery_auth_key);
  out["new_auth_key"] = key_base64(request.new_auth_key);
  return out;
}

CredentialChangeRequest parse_credential_change_request_text(std::string_view body) {
  return parse_object_text(body, kCredentialChange, [](const ObjectReader& reader) {
    CredentialChangeRequest request{read_auth_key(reader, "auth_key"), read_auth_key(reader, "new_auth_key"),
                                    std::nullopt};
    if (reader.has("new_email")) request.new_email = reader.string("new_email", 1, kMaxEmailBytes);
    return request;
  });
}

DeleteAccountRequest parse_delete_account_request_text(std::string_view body) {
  return parse_object_text(body, kDeleteAccount, [](const ObjectReader& reader) {
    return DeleteAccountRequest{read_auth_key(reader, "auth_key")};
  });
}

SessionList parse_session_list_text(std::string_view body) {
  return parse_object_text(body, kSessionList, [](const ObjectReader& reader) {
    SessionList list;
    for (const ObjectReader& item : reader.objects("sessions")) {
      list.sessions.push_back(SessionInfo{item.uuid("id"), read_time(item, "created_at"),
                                          read_time(item, "last_used_at"), item.boolean("current")});
    }
    return list;
  });
}

PutRecoveryRequest parse_put_recovery_request_text(std::string_view body) {
  return parse_object_text(body, kPutRecovery, [](const ObjectReader& reader) {
    return PutRecoveryRequest{recovery_envelope_from_json(reader.object("envelope")),
                              read_auth_key(reader, "recovery_auth_key"),
                              reader.integer("expected_version", 0, kMaxCursor)};
  });
}

RecoveryReply parse_recovery_reply_text(std::string_view body) {
  return parse_object_text(body, kRecoveryReply, [](const ObjectReader& reader) {
    return RecoveryReply{recovery_envelope_from_json(reader.object("envelope")),
                         reader.integer("version", 1, kMaxCursor)};
  });
}

RecoverRequest parse_recover_request_text(std::string_view body) {
  return parse_object_text(body, kRecover, [](const ObjectReader& reader) {
    return RecoverRequest{reader.string("email", 1, kMaxEmailBytes), read_auth_key(reader, "recovery_auth_key"),
                          read_auth_key(reader, "new_auth_key")};
  });
}

}  // namespace synckit::wire
