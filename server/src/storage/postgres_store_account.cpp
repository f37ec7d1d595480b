// PostgresStore: sessions, sign-in credentials, account deletion and the recovery envelope (schema
// v3), with the semantics of SqliteStore's (sqlite_store_account.cpp). Each method is one
// transaction (READ COMMITTED) on one pooled connection; row locks order it against other nodes.
#include <array>

#include "storage/postgres_store.hpp"
#include "storage/row_ids.hpp"

namespace synckit::server {

namespace {

using P = PgParam;

// Every table holding rows of one user but users itself, whose row delete_user deletes first.
// user_sync comes before changes: a push holding its row lock commits before the delete of the
// changes, whose statement then sees what it pushed.
constexpr std::array<const char*, 12> kDeleteUserRows{
    "DELETE FROM sessions WHERE user_id = $1",
    "DELETE FROM oauth_codes WHERE user_id = $1",
    "DELETE FROM envelopes WHERE user_id = $1",
    "DELETE FROM recovery_envelopes WHERE user_id = $1",
    "DELETE FROM devices WHERE user_id = $1",
    "DELETE FROM user_sync WHERE user_id = $1",
    "DELETE FROM changes WHERE user_id = $1",
    "DELETE FROM blobs WHERE user_id = $1",
    "DELETE FROM blob_parts WHERE content_id IN (SELECT content_id FROM stream_blobs WHERE user_id = $1)",
    "DELETE FROM blob_parts WHERE content_id IN (SELECT upload_id FROM blob_uploads WHERE user_id = $1)",
    "DELETE FROM stream_blobs WHERE user_id = $1",
    "DELETE FROM blob_uploads WHERE user_id = $1",
};

void insert_session(PgConnection& conn, const std::string& id, const Hash& refresh_hash,
                    const std::string& user_id, Millis now, Millis expires_at) {
  // Locks the user's row first (see lock_user): no row, no session.
  const PgResult done = conn.exec(
      "WITH u AS (SELECT id FROM users WHERE id = $2 FOR KEY SHARE) "
      "INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at) "
      "SELECT $1, u.id, $3, $4, $4, $5 FROM u",
      {P::bytes(id), P::bytes(user_id), P::bytes(refresh_hash), P::int64(now), P::int64(expires_at)});
  if (done.affected() == 0) throw UserGone();
}

}  // namespace

// ---- sign-in credentials and the account ----

CredentialResult PostgresStore::replace_credentials(const CredentialChange& change) {
  return with([&](PgConnection& conn) -> CredentialResult {
    PgTransaction tx(conn);
    const PgResult user = conn.exec("SELECT app_id, email, auth_hash FROM users WHERE id = $1 FOR NO KEY UPDATE",
                                    {P::bytes(change.user_id)});
    if (user.rows() == 0) return {CredentialOutcome::stale, {}};
    const std::string app_id = user.bytes(0, 0), email = user.bytes(0, 1), auth_hash = user.bytes(0, 2);
    if (change.expected_auth_hash && *change.expected_auth_hash != auth_hash) return {CredentialOutcome::stale, {}};
    if (change.expected_recovery_hash) {
      // FOR SHARE: a racing PUT /v1/keys/recovery waits until this commits, or committed first and
      // its new hash is what is compared.
      const PgResult recovery = conn.exec("SELECT auth_hash FROM recovery_envelopes WHERE user_id = $1 FOR SHARE",
                                          {P::bytes(change.user_id)});
      if (recovery.rows() == 0 || recovery.bytes(0, 0) != *change.expected_recovery_hash) {
        return {CredentialOutcome::stale, {}};
      }
    }
    const std::string& new_email = change.new_email ? *change.new_email : email;
    if (new_email != email &&
        conn.exec("SELECT 1 FROM users WHERE app_id = $1 AND email = $2", {P::bytes(app_id), P::bytes(new_email)})
                .rows() > 0) {
      return {CredentialOutcome::email_taken, {}};
    }
    try {
      conn.exec("UPDATE users SET auth_hash = $2, email = $3 WHERE id = $1",
                {P::bytes(change.user_id), P::bytes(change.new_auth_hash), P::bytes(new_email)});
    } catch (const PgError& e) {
      // Another node gave that email to another user after the check above.
      if (e.sqlstate == kPgUniqueViolation) return {CredentialOutcome::email_taken, {}};
      throw;
    }
    // Every session ends, and so do pending OAuth codes (see SqliteStore::replace_credentials).
    conn.exec("DELETE FROM sessions WHERE user_id = $1", {P::bytes(change.user_id)});
    conn.exec("DELETE FROM oauth_codes WHERE user_id = $1", {P::bytes(change.user_id)});
    CredentialResult result{CredentialOutcome::changed, new_uuid()};
    insert_session(conn, result.session_id, change.refresh_hash, change.user_id, change.now, change.expires_at);
    tx.commit();
    return result;
  });
}

bool PostgresStore::delete_user(const std::string& user_id, const std::string& expected_auth_hash) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    // sessions go with the row (ON DELETE CASCADE) and again below, harmlessly.
    const PgResult user = conn.exec("DELETE FROM users WHERE id = $1 AND auth_hash = $2",
                                    {P::bytes(user_id), P::bytes(expected_auth_hash)});
    if (user.affected() == 0) return false;
    for (const char* sql : kDeleteUserRows) conn.exec(sql, {P::bytes(user_id)});
    tx.commit();
    return true;
  });
}

// ---- sessions ----

std::string PostgresStore::add_session(const Hash& refresh_hash, const std::string& user_id, Millis now,
                                       Millis expires_at) {
  std::string id = new_uuid();
  with([&](PgConnection& conn) { insert_session(conn, id, refresh_hash, user_id, now, expires_at); });
  return id;
}

std::optional<RefreshGrant> PostgresStore::rotate_session(const Hash& old_hash, const Hash& new_hash, Millis now,
                                                          Millis new_expires_at) {
  return with([&](PgConnection& conn) -> std::optional<RefreshGrant> {
    // Of two nodes rotating the same token at once, the second waits for the first's row lock,
    // re-checks the WHERE on the updated row and matches nothing.
    const PgResult rotated = conn.exec(
        "UPDATE sessions s SET refresh_hash = $2, last_used_at = $3, expires_at = $4 FROM users u "
        "WHERE s.refresh_hash = $1 AND s.expires_at > $3 AND u.id = s.user_id "
        "RETURNING s.id, s.user_id, u.app_id",
        {P::bytes(old_hash), P::bytes(new_hash), P::int64(now), P::int64(new_expires_at)});
    if (rotated.rows() == 0) {
      conn.exec("DELETE FROM sessions WHERE refresh_hash = $1 AND expires_at <= $2",
                {P::bytes(old_hash), P::int64(now)});
      return std::nullopt;
    }
    return RefreshGrant{rotated.bytes(0, 0), rotated.bytes(0, 1), rotated.bytes(0, 2), new_expires_at};
  });
}

void PostgresStore::end_session_by_refresh(const Hash& refresh_hash) {
  with([&](PgConnection& conn) {
    conn.exec("DELETE FROM sessions WHERE refresh_hash = $1", {P::bytes(refresh_hash)});
  });
}

bool PostgresStore::end_session(const std::string& user_id, const std::string& session_id) {
  return with([&](PgConnection& conn) {
    return conn.exec("DELETE FROM sessions WHERE id = $1 AND user_id = $2", {P::bytes(session_id), P::bytes(user_id)})
               .affected() > 0;
  });
}

std::vector<SessionRow> PostgresStore::list_sessions(const std::string& user_id, Millis now) {
  return with([&](PgConnection& conn) {
    const PgResult rows = conn.exec(
        "SELECT id, created_at, last_used_at, expires_at FROM sessions "
        "WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at, id",
        {P::bytes(user_id), P::int64(now)});
    std::vector<SessionRow> sessions;
    sessions.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) {
      sessions.push_back(
          SessionRow{rows.bytes(row, 0), user_id, rows.int64(row, 1), rows.int64(row, 2), rows.int64(row, 3)});
    }
    return sessions;
  });
}

bool PostgresStore::session_active(const std::string& session_id, const std::string& user_id, Millis now) {
  return with([&](PgConnection& conn) {
    const PgResult row = conn.exec("SELECT user_id, expires_at FROM sessions WHERE id = $1", {P::bytes(session_id)});
    return row.rows() > 0 && row.bytes(0, 0) == user_id && row.int64(0, 1) > now;
  });
}

std::int64_t PostgresStore::purge_expired(Millis now) {
  return with([&](PgConnection& conn) {
    const PgResult purged = conn.exec(
        "WITH s AS (DELETE FROM sessions WHERE expires_at <= $1 RETURNING 1), "
        "o AS (DELETE FROM oauth_codes WHERE expires_at <= $1 RETURNING 1) "
        "SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM o)",
        {P::int64(now)});
    return purged.int64(0, 0);
  });
}

// ---- recovery envelope ----

std::optional<StoredRecovery> PostgresStore::get_recovery(const std::string& user_id) {
  return with([&](PgConnection& conn) -> std::optional<StoredRecovery> {
    const PgResult rows = conn.exec(
        "SELECT envelope_json, version, auth_hash FROM recovery_envelopes WHERE user_id = $1", {P::bytes(user_id)});
    if (rows.rows() == 0) return std::nullopt;
    return StoredRecovery{rows.bytes(0, 0), rows.int64(0, 1), rows.bytes(0, 2)};
  });
}

std::optional<std::int64_t> PostgresStore::put_recovery(const std::string& user_id, const std::string& envelope_json,
                                                        const std::string& auth_hash, std::int64_t expected_version) {
  if (expected_version < 0) return std::nullopt;
  // As put_envelope: the WHERE / conflict clause of each branch is the compare of the swap.
  const bool stored = with([&](PgConnection& conn) {
    if (expected_version == 0) {
      PgTransaction tx(conn);
      lock_user(conn, user_id);
      const bool inserted =
          conn.exec("INSERT INTO recovery_envelopes (user_id, version, auth_hash, envelope_json) "
                    "VALUES ($1, 1, $2, $3) ON CONFLICT (user_id) DO NOTHING",
                    {P::bytes(user_id), P::bytes(auth_hash), P::bytes(envelope_json)})
              .affected() > 0;
      tx.commit();
      return inserted;
    }
    return conn
               .exec("UPDATE recovery_envelopes SET auth_hash = $2, envelope_json = $3, version = version + 1 "
                     "WHERE user_id = $1 AND version = $4",
                     {P::bytes(user_id), P::bytes(auth_hash), P::bytes(envelope_json), P::int64(expected_version)})
               .affected() > 0;
  });
  if (!stored) return std::nullopt;
  return expected_version + 1;
}

std::optional<RecoveryLogin> PostgresStore::find_recovery_login(const std::string& app_id, const std::string& email) {
  return with([&](PgConnection& conn) -> std::optional<RecoveryLogin> {
    const PgResult rows = conn.exec(
        "SELECT u.id, coalesce(r.auth_hash, ''::bytea) FROM users u "
        "LEFT JOIN recovery_envelopes r ON r.user_id = u.id WHERE u.app_id = $1 AND u.email = $2",
        {P::bytes(app_id), P::bytes(email)});
    if (rows.rows() == 0) return std::nullopt;
    return RecoveryLogin{rows.bytes(0, 0), rows.bytes(0, 1)};
  });
}

}  // namespace synckit::server
