// Chooses the storage backend from the --db value.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "storage/store.hpp"

namespace synckit::server {

// True for a PostgreSQL URL: "postgres://…" or "postgresql://…".
bool is_postgres_url(const std::string& db) noexcept;

// The SQLite file named by `db`: "sqlite:PATH" → PATH, a plain path as is. Only for non-Postgres values.
std::string sqlite_path(const std::string& db);

// Opens the store `db` names: a PostgreSQL URL → PostgresStore; "sqlite:PATH" or any other value
// → SqliteStore on that file. Brings the schema up to date. `connections` bounds PostgreSQL's pool.
// Throws StoreError.
std::unique_ptr<Store> open_store(const std::string& db, std::size_t connections = 8);

}  // namespace synckit::server
