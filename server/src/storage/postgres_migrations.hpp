// The PostgreSQL schema, versioned in a one-row schema_version table and brought up to date by
// ordered migrations (the same versions as the SQLite schema).
#pragma once

#include "storage/postgres_connection.hpp"

namespace synckit::server {

// The schema version this binary creates and understands (equal to the SQLite one).
int postgres_schema_version_known() noexcept;

// The database's schema version (0 for an empty database). Throws StoreError.
int postgres_schema_version(PgConnection& conn);

// Applies every migration newer than the database's version, each in its own transaction holding a
// transaction-level advisory lock, so nodes starting at once apply each step exactly once. Throws
// StoreError, including "database schema vN is newer than this server (vM)". `up_to` stops at an
// older version (tests make databases as an older server left them).
void postgres_migrate(PgConnection& conn, int up_to = postgres_schema_version_known());

}  // namespace synckit::server
