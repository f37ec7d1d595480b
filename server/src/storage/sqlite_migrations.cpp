#include "storage/sqlite_migrations.hpp"

#include <array>
#include <string>

namespace synckit::server {

namespace {

struct Migration {
  int version;
  const char* sql;
};

// Version 1: everything. Notes on the layout:
// - Hashes of secrets (api keys, refresh tokens, oauth codes) are BLOBs of the raw digest.
// - Per-user data (changes, blobs, devices, envelopes, counters) is keyed by user_id without a foreign
//   key: the HTTP layer only passes ids of authenticated users (since v3 users can be deleted: the
//   store deletes their rows explicitly, see kSchemaV3).
// - Large values come last in their row (payload, bytes): SQLite reads columns in order, so a column
//   after a big value would have to walk its overflow pages.
// - changes is a rowid table with two unique indexes: (user_id, seq) for pull's range scan (rowids
//   follow insertion order, so the row lookups are sequential) and (user_id, change_id), which makes
//   retried pushes idempotent. WITHOUT ROWID was measured and rejected: with 4 KiB pages, rows over
//   ~1 KB spill to an overflow page each (1 KB payloads: 3x slower pushes, 3x the file size).
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE apps (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  api_key_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY NOT NULL,
  app_id TEXT NOT NULL REFERENCES apps(id),
  email TEXT NOT NULL,
  auth_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (app_id, email)
);
CREATE TABLE user_sync (
  user_id TEXT PRIMARY KEY NOT NULL,
  latest_seq INTEGER NOT NULL,
  change_count INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE refresh_tokens (
  hash BLOB PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
CREATE TABLE oauth_codes (
  hash BLOB PRIMARY KEY NOT NULL,
  app_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE envelopes (
  user_id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL,
  envelope_json TEXT NOT NULL
);
CREATE TABLE devices (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  platform TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX devices_by_user ON devices (user_id, created_at, id);
CREATE TABLE changes (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  change_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  payload BLOB NOT NULL,
  UNIQUE (user_id, seq),
  UNIQUE (user_id, change_id)
);
CREATE TABLE blobs (
  user_id TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (user_id, blob_id)
);
)sql";

// Version 2: registered OAuth redirect URIs per app (position keeps the order they were given in).
// Existing apps get none, so they accept no OAuth sign-in until their operator registers one.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE app_redirect_uris (
  app_id TEXT NOT NULL REFERENCES apps(id),
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  PRIMARY KEY (app_id, uri)
) WITHOUT ROWID;
)sql";

// Version 3: sessions with a stable id (access tokens name it, so ending it refuses them at once),
// the recovery envelope, and what deleting an account needs.
// - Every refresh token becomes its own session and keeps working. Its times are derived from the
//   row: every refresh token so far was issued for exactly 30 days, so expires_at - 30 days is when
//   it was last issued, the best estimate there is of created_at and last_used_at. The id is a
//   random version 4 UUID, made here in SQL.
// - sessions is WITHOUT ROWID with the id as its key: the lookup made on every authenticated
//   request is one b-tree descent. refresh_hash is unique (refresh finds the session by it).
// - Per-user tables keep no foreign key to users (adding one would rebuild the changes table);
//   the store deletes a user's rows explicitly, and per-user writes check the user exists. OAuth
//   codes get an index by user for that.
constexpr const char* kSchemaV3 = R"sql(
CREATE TABLE sessions (
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  refresh_hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
INSERT INTO sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at)
  SELECT lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||
           substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
           substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))),
         user_id, hash, expires_at - 2592000000, expires_at - 2592000000, expires_at
  FROM refresh_tokens;
DROP TABLE refresh_tokens;
CREATE TABLE recovery_envelopes (
  user_id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL,
  auth_hash TEXT NOT NULL,
  envelope_json TEXT NOT NULL
);
CREATE INDEX oauth_codes_by_user ON oauth_codes (user_id);
)sql";

// Version 4: streamed blobs (protocol 1.1). A streamed blob's bytes are parts (part_size each but
// the last) owned by a content id: the upload's id, kept when complete_upload turns the upload into
// the blob, so completing moves no bytes. A blob id is in blobs (single shot) or in stream_blobs,
// never both. Parts are rows of their own so no value is larger than a part (SQLite caps a value
// at 1 GB) and a ranged read touches only the parts it needs.
constexpr const char* kSchemaV4 = R"sql(
CREATE TABLE blob_uploads (
  upload_id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  part_size INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX blob_uploads_by_user ON blob_uploads (user_id);
CREATE INDEX blob_uploads_by_age ON blob_uploads (created_at);
CREATE TABLE stream_blobs (
  user_id TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  content_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  part_size INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, blob_id)
);
CREATE TABLE blob_parts (
  content_id TEXT NOT NULL,
  part INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  PRIMARY KEY (content_id, part)
);
)sql";

// Ordered by version, starting at 1 without gaps. Never edit a released step; append a new one.
constexpr std::array kMigrations{
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2},
    Migration{3, kSchemaV3},
    Migration{4, kSchemaV4},
};

void apply(Database& db, const Migration& migration) {
  Transaction tx(db, Transaction::Kind::immediate);
  if (schema_version(db) >= migration.version) return;  // another process got here first
  db.exec(migration.sql);
  db.exec("PRAGMA user_version = " + std::to_string(migration.version));
  tx.commit();
}

}  // namespace

int current_schema_version() noexcept { return kMigrations.back().version; }

int schema_version(Database& db) {
  auto query = db.cached("PRAGMA user_version");
  if (!query->step()) throw StoreError("sqlite: PRAGMA user_version returned no row");
  return static_cast<int>(query->column_int64(0));
}

void migrate(Database& db, int up_to) {
  const int found = schema_version(db);
  const int known = current_schema_version();
  if (found > known) {
    throw StoreError("database schema v" + std::to_string(found) + " is newer than this server (v" +
                     std::to_string(known) + ")");
  }
  for (const auto& migration : kMigrations) {
    if (migration.version > found && migration.version <= up_to) apply(db, migration);
  }
}

}  // namespace synckit::server
