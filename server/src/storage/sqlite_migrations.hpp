// The SQLite schema, versioned by PRAGMA user_version and brought up to date by ordered migrations.
#pragma once

#include "storage/sqlite_database.hpp"

namespace synckit::server {

// The schema version this binary creates and understands.
int current_schema_version() noexcept;

// The database's schema version (0 for a new, empty file). Throws StoreError.
int schema_version(Database& db);

// Applies every migration newer than the database's version, each in its own BEGIN IMMEDIATE
// transaction (so concurrent openers never apply a step twice). Throws StoreError, including
// "database schema vN is newer than this server (vM)" when the file comes from a newer binary.
// `up_to` stops at an older version (tests make databases as an older server left them).
void migrate(Database& db, int up_to = current_schema_version());

}  // namespace synckit::server
