// SqliteStore: sessions, sign-in credentials, account deletion and the recovery envelope (schema
// v3). Writes run on the one writer connection inside BEGIN IMMEDIATE, so each method's checks and
// writes see no other writer in between.
#include <array>

#include "storage/row_ids.hpp"
#include "storage/sqlite_store.hpp"

namespace synckit::server {

namespace {

// Every table holding rows of one user, keyed by a column naming the user. users itself is last:
// sessions reference it.
constexpr std::array<const char*, 13> kDeleteUserRows{
    "DELETE FROM sessions WHERE user_id = ?1",
    "DELETE FROM oauth_codes WHERE user_id = ?1",
    "DELETE FROM envelopes WHERE user_id = ?1",
    "DELETE FROM recovery_envelopes WHERE user_id = ?1",
    "DELETE FROM devices WHERE user_id = ?1",
    "DELETE FROM changes WHERE user_id = ?1",
    "DELETE FROM user_sync WHERE user_id = ?1",
    "DELETE FROM blobs WHERE user_id = ?1",
    "DELETE FROM blob_parts WHERE content_id IN (SELECT content_id FROM stream_blobs WHERE user_id = ?1)",
    "DELETE FROM blob_parts WHERE content_id IN (SELECT upload_id FROM blob_uploads WHERE user_id = ?1)",
    "DELETE FROM stream_blobs WHERE user_id = ?1",
    "DELETE FROM blob_uploads WHERE user_id = ?1",
    "DELETE FROM users WHERE id = ?1",
};

void insert_session(Database& db, const std::string& id, const Hash& refresh_hash, const std::string& user_id,
                    Millis now, Millis expires_at) {
  // One statement whose WHERE is the check that the user exists.
  auto insert = db.cached(
      "INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at) "
      "SELECT ?1, ?2, ?3, ?4, ?4, ?5 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)");
  insert->bind(1, id).bind(2, user_id).bind_blob(3, refresh_hash).bind(4, now).bind(5, expires_at).run();
  if (db.changes() == 0) throw UserGone();
}

// After an account deletion: the WAL still holds the frames of earlier transactions, page images
// with the user's rows in them, and a checkpoint alone would keep them in the file (it is reused
// from its start, not shortened). TRUNCATE copies every frame into the database, whose pages
// secure_delete has zeroed, and empties the WAL. Best effort: a reader holding an old snapshot
// makes it stop early (busy), and the WAL is then emptied by a later checkpoint or at shutdown.
void forget_history(Database& db) noexcept {
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const StoreError&) {
    // Nothing is lost: the deletion committed; the next checkpoint finishes the job.
  }
}

// The stored hash of the user's recovery auth key, "" when they have no recovery envelope.
std::string recovery_hash(Database& db, const std::string& user_id) {
  auto query = db.cached("SELECT auth_hash FROM recovery_envelopes WHERE user_id = ?1");
  query->bind(1, user_id);
  return query->step() ? query->column_text(0) : std::string();
}

}  // namespace

// ---- sign-in credentials and the account ----

CredentialResult SqliteStore::replace_credentials(const CredentialChange& change) {
  return write([&](Database& db) -> CredentialResult {
    Transaction tx(db);
    std::string app_id, email, auth_hash;
    {
      auto user = db.cached("SELECT app_id, email, auth_hash FROM users WHERE id = ?1");
      user->bind(1, change.user_id);
      if (!user->step()) return {CredentialOutcome::stale, {}};
      app_id = user->column_text(0);
      email = user->column_text(1);
      auth_hash = user->column_text(2);
    }
    if (change.expected_auth_hash && *change.expected_auth_hash != auth_hash) return {CredentialOutcome::stale, {}};
    if (change.expected_recovery_hash) {
      const std::string stored = recovery_hash(db, change.user_id);
      if (stored.empty() || stored != *change.expected_recovery_hash) return {CredentialOutcome::stale, {}};
    }
    const std::string& new_email = change.new_email ? *change.new_email : email;
    if (new_email != email) {
      auto taken = db.cached("SELECT 1 FROM users WHERE app_id = ?1 AND email = ?2");
      taken->bind(1, app_id).bind(2, new_email);
      if (taken->step()) return {CredentialOutcome::email_taken, {}};
    }
    db.cached("UPDATE users SET auth_hash = ?2, email = ?3 WHERE id = ?1")
        ->bind(1, change.user_id)
        .bind(2, change.new_auth_hash)
        .bind(3, new_email)
        .run();
    // Every session ends, and so do pending OAuth codes: each would start a session on the
    // strength of the old credential.
    db.cached("DELETE FROM sessions WHERE user_id = ?1")->bind(1, change.user_id).run();
    db.cached("DELETE FROM oauth_codes WHERE user_id = ?1")->bind(1, change.user_id).run();
    CredentialResult result{CredentialOutcome::changed, new_uuid()};
    insert_session(db, result.session_id, change.refresh_hash, change.user_id, change.now, change.expires_at);
    tx.commit();
    return result;
  });
}

bool SqliteStore::delete_user(const std::string& user_id, const std::string& expected_auth_hash) {
  return write([&](Database& db) {
    Transaction tx(db);
    {
      auto user = db.cached("SELECT 1 FROM users WHERE id = ?1 AND auth_hash = ?2");
      user->bind(1, user_id).bind(2, expected_auth_hash);
      if (!user->step()) return false;
    }
    for (const char* sql : kDeleteUserRows) db.cached(sql)->bind(1, user_id).run();
    tx.commit();
    forget_history(db);
    return true;
  });
}

// ---- sessions ----

std::string SqliteStore::add_session(const Hash& refresh_hash, const std::string& user_id, Millis now,
                                     Millis expires_at) {
  std::string id = new_uuid();
  write([&](Database& db) { insert_session(db, id, refresh_hash, user_id, now, expires_at); });
  return id;
}

std::optional<RefreshGrant> SqliteStore::rotate_session(const Hash& old_hash, const Hash& new_hash, Millis now,
                                                        Millis new_expires_at) {
  return write([&](Database& db) -> std::optional<RefreshGrant> {
    Transaction tx(db);
    RefreshGrant grant;
    {
      auto query = db.cached(
          "SELECT s.id, s.user_id, u.app_id, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
          "WHERE s.refresh_hash = ?1");
      query->bind_blob(1, old_hash);
      if (!query->step()) return std::nullopt;
      grant = RefreshGrant{query->column_text(0), query->column_text(1), query->column_text(2),
                           query->column_int64(3)};
    }
    if (grant.expires_at <= now) {
      db.cached("DELETE FROM sessions WHERE id = ?1")->bind(1, grant.session_id).run();
      tx.commit();
      return std::nullopt;
    }
    db.cached("UPDATE sessions SET refresh_hash = ?2, last_used_at = ?3, expires_at = ?4 WHERE id = ?1")
        ->bind(1, grant.session_id)
        .bind_blob(2, new_hash)
        .bind(3, now)
        .bind(4, new_expires_at)
        .run();
    tx.commit();
    grant.expires_at = new_expires_at;
    return grant;
  });
}

void SqliteStore::end_session_by_refresh(const Hash& refresh_hash) {
  write([&](Database& db) {
    db.cached("DELETE FROM sessions WHERE refresh_hash = ?1")->bind_blob(1, refresh_hash).run();
  });
}

bool SqliteStore::end_session(const std::string& user_id, const std::string& session_id) {
  return write([&](Database& db) {
    db.cached("DELETE FROM sessions WHERE id = ?1 AND user_id = ?2")->bind(1, session_id).bind(2, user_id).run();
    return db.changes() > 0;
  });
}

std::vector<SessionRow> SqliteStore::list_sessions(const std::string& user_id, Millis now) {
  return read([&](Database& db) {
    auto query = db.cached(
        "SELECT id, created_at, last_used_at, expires_at FROM sessions "
        "WHERE user_id = ?1 AND expires_at > ?2 ORDER BY created_at, id");
    query->bind(1, user_id).bind(2, now);
    std::vector<SessionRow> sessions;
    while (query->step()) {
      sessions.push_back(SessionRow{query->column_text(0), user_id, query->column_int64(1), query->column_int64(2),
                                    query->column_int64(3)});
    }
    return sessions;
  });
}

bool SqliteStore::session_active(const std::string& session_id, const std::string& user_id, Millis now) {
  return read([&](Database& db) {
    auto query = db.cached("SELECT user_id, expires_at FROM sessions WHERE id = ?1");
    query->bind(1, session_id);
    return query->step() && query->column_text(0) == user_id && query->column_int64(1) > now;
  });
}

std::int64_t SqliteStore::purge_expired(Millis now) {
  std::int64_t purged = 0;
  write([&](Database& db) {
    db.cached("DELETE FROM sessions WHERE expires_at <= ?1")->bind(1, now).run();
    purged += db.changes();
    db.cached("DELETE FROM oauth_codes WHERE expires_at <= ?1")->bind(1, now).run();
    purged += db.changes();
  });
  return purged;
}

// ---- recovery envelope ----

std::optional<StoredRecovery> SqliteStore::get_recovery(const std::string& user_id) {
  return read([&](Database& db) -> std::optional<StoredRecovery> {
    auto query = db.cached("SELECT envelope_json, version, auth_hash FROM recovery_envelopes WHERE user_id = ?1");
    query->bind(1, user_id);
    if (!query->step()) return std::nullopt;
    return StoredRecovery{query->column_text(0), query->column_int64(1), query->column_text(2)};
  });
}

std::optional<std::int64_t> SqliteStore::put_recovery(const std::string& user_id, const std::string& envelope_json,
                                                      const std::string& auth_hash, std::int64_t expected_version) {
  if (expected_version < 0) return std::nullopt;
  // As put_envelope: the WHERE / conflict clause of each branch is the compare of the swap.
  const bool stored = write([&](Database& db) {
    Transaction tx(db);
    if (expected_version == 0) {
      require_user(db, user_id);
      db.cached(
            "INSERT INTO recovery_envelopes (user_id, version, auth_hash, envelope_json) VALUES (?1, 1, ?2, ?3) "
            "ON CONFLICT (user_id) DO NOTHING")
          ->bind(1, user_id)
          .bind(2, auth_hash)
          .bind(3, envelope_json)
          .run();
    } else {
      db.cached(
            "UPDATE recovery_envelopes SET auth_hash = ?2, envelope_json = ?3, version = version + 1 "
            "WHERE user_id = ?1 AND version = ?4")
          ->bind(1, user_id)
          .bind(2, auth_hash)
          .bind(3, envelope_json)
          .bind(4, expected_version)
          .run();
    }
    const bool changed = db.changes() > 0;
    tx.commit();
    return changed;
  });
  if (!stored) return std::nullopt;
  return expected_version + 1;
}

std::optional<RecoveryLogin> SqliteStore::find_recovery_login(const std::string& app_id, const std::string& email) {
  return read([&](Database& db) -> std::optional<RecoveryLogin> {
    auto query = db.cached(
        "SELECT u.id, coalesce(r.auth_hash, '') FROM users u LEFT JOIN recovery_envelopes r ON r.user_id = u.id "
        "WHERE u.app_id = ?1 AND u.email = ?2");
    query->bind(1, app_id).bind(2, email);
    if (!query->step()) return std::nullopt;
    return RecoveryLogin{query->column_text(0), query->column_text(1)};
  });
}

}  // namespace synckit::server
