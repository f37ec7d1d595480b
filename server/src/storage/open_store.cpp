#include "storage/open_store.hpp"

#include "storage/postgres_store.hpp"
#include "storage/sqlite_store.hpp"

namespace synckit::server {

namespace {

bool starts_with(const std::string& text, const char* prefix) noexcept { return text.rfind(prefix, 0) == 0; }

}  // namespace

bool is_postgres_url(const std::string& db) noexcept {
  return starts_with(db, "postgres://") || starts_with(db, "postgresql://");
}

std::string sqlite_path(const std::string& db) { return starts_with(db, "sqlite:") ? db.substr(7) : db; }

std::unique_ptr<Store> open_store(const std::string& db, std::size_t connections) {
  if (is_postgres_url(db)) return PostgresStore::open(db, connections);
  return SqliteStore::open(sqlite_path(db));
}

}  // namespace synckit::server
