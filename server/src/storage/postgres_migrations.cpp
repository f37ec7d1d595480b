#include "storage/postgres_migrations.hpp"

#include <array>
#include <string>

namespace synckit::server {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Any constant shared by every node: the key of the advisory lock that serialises migrations.
constexpr const char* kLockMigrations = "SELECT pg_advisory_xact_lock(7250481136329540931)";

// Version 1: the same tables as the SQLite schema v1 (sqlite_migrations.cpp explains the layout).
// Differences: integers are BIGINT, and every string is BYTEA: PostgreSQL's TEXT refuses NUL bytes
// and invalid UTF-8 that SQLite keeps (or simply fails to find), and compares by locale; BYTEA
// stores, compares and orders bytewise exactly like SQLite's BINARY collation, so both backends
// answer every request identically. changes needs no surrogate key: (user_id, seq) is the primary
// key. Payloads and blob bytes are ciphertext, so TOAST compression is switched off for them.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE apps (
  id BYTEA PRIMARY KEY NOT NULL,
  name BYTEA NOT NULL,
  api_key_hash BYTEA NOT NULL UNIQUE,
  created_at BIGINT NOT NULL
);
CREATE TABLE users (
  id BYTEA PRIMARY KEY NOT NULL,
  app_id BYTEA NOT NULL REFERENCES apps(id),
  email BYTEA NOT NULL,
  auth_hash BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (app_id, email)
);
CREATE TABLE user_sync (
  user_id BYTEA PRIMARY KEY NOT NULL,
  latest_seq BIGINT NOT NULL,
  change_count BIGINT NOT NULL
);
CREATE TABLE refresh_tokens (
  hash BYTEA PRIMARY KEY NOT NULL,
  user_id BYTEA NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
CREATE TABLE oauth_codes (
  hash BYTEA PRIMARY KEY NOT NULL,
  app_id BYTEA NOT NULL,
  user_id BYTEA NOT NULL,
  redirect_uri BYTEA NOT NULL,
  code_challenge BYTEA NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires_at);
CREATE TABLE envelopes (
  user_id BYTEA PRIMARY KEY NOT NULL,
  version BIGINT NOT NULL,
  envelope_json BYTEA NOT NULL
);
CREATE TABLE devices (
  id BYTEA PRIMARY KEY NOT NULL,
  user_id BYTEA NOT NULL,
  name BYTEA NOT NULL,
  platform BYTEA NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX devices_by_user ON devices (user_id, created_at, id);
CREATE TABLE changes (
  user_id BYTEA NOT NULL,
  seq BIGINT NOT NULL,
  change_id BYTEA NOT NULL,
  device_id BYTEA NOT NULL,
  payload BYTEA NOT NULL,
  PRIMARY KEY (user_id, seq),
  UNIQUE (user_id, change_id)
);
ALTER TABLE changes ALTER COLUMN payload SET STORAGE EXTERNAL;
CREATE TABLE blobs (
  user_id BYTEA NOT NULL,
  blob_id BYTEA NOT NULL,
  size BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (user_id, blob_id)
);
ALTER TABLE blobs ALTER COLUMN bytes SET STORAGE EXTERNAL;
)sql";

// Version 2: registered OAuth redirect URIs per app, as in SQLite's v2.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE app_redirect_uris (
  app_id BYTEA NOT NULL REFERENCES apps(id),
  position BIGINT NOT NULL,
  uri BYTEA NOT NULL,
  PRIMARY KEY (app_id, uri)
);
)sql";

// Version 3: sessions, the recovery envelope and account deletion, as in SQLite's v3 (see there).
// Session ids of migrated refresh tokens come from gen_random_uuid() (PostgreSQL 13+), as bytea of
// its lowercase text like every other id.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE sessions (
  id BYTEA PRIMARY KEY NOT NULL,
  user_id BYTEA NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  refresh_hash BYTEA NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at)
  SELECT convert_to(gen_random_uuid()::text, 'UTF8'), user_id, hash, expires_at - 2592000000,
         expires_at - 2592000000, expires_at
  FROM refresh_tokens;
DROP TABLE refresh_tokens;
CREATE TABLE recovery_envelopes (
  user_id BYTEA PRIMARY KEY NOT NULL,
  version BIGINT NOT NULL,
  auth_hash BYTEA NOT NULL,
  envelope_json BYTEA NOT NULL
);
CREATE INDEX oauth_codes_by_user ON oauth_codes (user_id);
)sql";

// Version 4: streamed blobs, as in SQLite's v4 (parts under a content id that is the upload's id;
// a blob id in blobs or in stream_blobs, never both). Parts are ciphertext: no TOAST compression.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE blob_uploads (
  upload_id BYTEA PRIMARY KEY NOT NULL,
  user_id BYTEA NOT NULL,
  blob_id BYTEA NOT NULL,
  size BIGINT NOT NULL,
  part_size BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX blob_uploads_by_user ON blob_uploads (user_id);
CREATE INDEX blob_uploads_by_age ON blob_uploads (created_at);
CREATE TABLE stream_blobs (
  user_id BYTEA NOT NULL,
  blob_id BYTEA NOT NULL,
  content_id BYTEA NOT NULL,
  size BIGINT NOT NULL,
  part_size BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, blob_id)
);
CREATE TABLE blob_parts (
  content_id BYTEA NOT NULL,
  part BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (content_id, part)
);
ALTER TABLE blob_parts ALTER COLUMN bytes SET STORAGE EXTERNAL;
)sql";

// Ordered by version, starting at 1 without gaps. Never edit a released step; append a new one.
constexpr std::array kMigrations{
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
    Migration{4, kSchemaV4},
};

// Inside a transaction holding the migration lock: creates the version table when missing and
// returns the version.
int locked_version(PgConnection& conn) {
  conn.exec(kLockMigrations);
  conn.exec_script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  return postgres_schema_version(conn);
}

[[noreturn]] void refuse_newer(int found) {
  throw StoreError("database schema v" + std::to_string(found) + " is newer than this server (v" +
                   std::to_string(postgres_schema_version_known()) + ")");
}

}  // namespace

int postgres_schema_version_known() noexcept { return kMigrations.back().version; }

int postgres_schema_version(PgConnection& conn) {
  const PgResult exists = conn.exec("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!exists.boolean(0, 0)) return 0;
  const PgResult found = conn.exec("SELECT coalesce(max(version), 0)::bigint FROM schema_version");
  return static_cast<int>(found.int64(0, 0));
}

void postgres_migrate(PgConnection& conn, int up_to) {
  const int found = postgres_schema_version(conn);
  if (found > postgres_schema_version_known()) refuse_newer(found);
  for (const auto& migration : kMigrations) {
    if (migration.version <= found || migration.version > up_to) continue;
    PgTransaction tx(conn);
    const int now = locked_version(conn);
    if (now > postgres_schema_version_known()) refuse_newer(now);
    if (now >= migration.version) continue;  // another node got here first
    conn.exec_script(migration.sql);
    conn.exec_script("DELETE FROM schema_version");
    conn.exec("INSERT INTO schema_version (version) VALUES ($1::bigint)", {PgParam::int64(migration.version)});
    tx.commit();
  }
}

}  // namespace synckit::server
