#include "storage/sqlite_store.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>
#include <tuple>

#include "storage/row_ids.hpp"
#include "storage/sqlite_migrations.hpp"

namespace synckit::server {

namespace {

constexpr std::size_t kReaderConnections = 4;

bool is_private_path(const std::string& path) { return path.empty() || path == ":memory:"; }

DeviceRow read_device(const Statement& row, const std::string& user_id) {
  DeviceRow device;
  device.id = row.column_text(0);
  device.user_id = user_id;
  device.name = row.column_text(1);
  device.platform = row.column_text(2);
  device.created_at = row.column_int64(3);
  device.revoked = !row.column_is_null(4);
  return device;
}

// The user's (latest_seq, change_count), zeros before the first push.
std::pair<std::int64_t, std::int64_t> sync_counters(Database& db, const std::string& user_id) {
  auto query = db.cached("SELECT latest_seq, change_count FROM user_sync WHERE user_id = ?1");
  query->bind(1, user_id);
  if (!query->step()) return {0, 0};
  return {query->column_int64(0), query->column_int64(1)};
}

// Copies the source connection's main database into a new file at `path`; removes it on failure.
void backup_database(sqlite3* source, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0) {
    throw StoreError("backup target already exists and is not empty");
  }
  sqlite3* target = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_backup* backup = sqlite3_backup_init(target, "main", source, "main");
    if (backup == nullptr) {
      rc = sqlite3_errcode(target);
    } else {
      const int step = sqlite3_backup_step(backup, -1);  // the whole database from one read snapshot
      rc = sqlite3_backup_finish(backup);
      if (rc == SQLITE_OK && step != SQLITE_DONE) rc = step;  // e.g. BUSY: finish reports no error
    }
  }
  // The copy is a self-contained single file (no -wal beside it).
  if (rc == SQLITE_OK) rc = sqlite3_exec(target, "PRAGMA journal_mode=DELETE", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_close(target);
    if (rc == SQLITE_OK) return;
  }
  std::string error = "sqlite: backup: ";
  error +=
      target != nullptr && sqlite3_errcode(target) != SQLITE_OK ? sqlite3_errmsg(target) : sqlite3_errstr(rc);
  sqlite3_close(target);
  std::filesystem::remove(path, ec);
  throw StoreError(error);
}

}  // namespace

// ---- lifecycle ----

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path) {
  if (sodium_init() < 0) throw StoreError("libsodium failed to initialise");
  auto writer = std::make_unique<Database>(path, Database::Access::read_write);
  migrate(*writer);
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(writer)));
}

SqliteStore::SqliteStore(std::string path, std::unique_ptr<Database> writer)
    : private_db_(is_private_path(path)),
      writer_(std::move(writer)),
      readers_(std::move(path), kReaderConnections) {}

SqliteStore::~SqliteStore() = default;

void SqliteStore::require_user(Database& db, const std::string& user_id) {
  auto query = db.cached("SELECT 1 FROM users WHERE id = ?1");
  query->bind(1, user_id);
  if (!query->step()) throw UserGone();
}

// ---- apps and users ----

namespace {

void insert_redirect_uris(Database& db, const std::string& app_id, const std::vector<std::string>& uris) {
  std::int64_t position = 0;
  for (const auto& uri : uris) {
    db.cached("INSERT OR IGNORE INTO app_redirect_uris (app_id, position, uri) VALUES (?1, ?2, ?3)")
        ->bind(1, app_id)
        .bind(2, position++)
        .bind(3, uri)
        .run();
  }
}

}  // namespace

App SqliteStore::create_app(const std::string& name, const Hash& api_key_hash,
                            const std::vector<std::string>& redirect_uris) {
  App app{new_uuid(), name};
  write([&](Database& db) {
    Transaction tx(db);
    auto insert = db.cached("INSERT INTO apps (id, name, api_key_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
    insert->bind(1, app.id).bind(2, name).bind_blob(3, api_key_hash).bind(4, now_millis()).run();
    insert_redirect_uris(db, app.id, redirect_uris);
    tx.commit();
  });
  return app;
}

std::vector<App> SqliteStore::list_apps() {
  return read([&](Database& db) {
    std::vector<App> apps;
    auto query = db.cached("SELECT id, name FROM apps ORDER BY created_at, id");
    while (query->step()) apps.push_back(App{query->column_text(0), query->column_text(1)});
    return apps;
  });
}

std::vector<std::string> SqliteStore::redirect_uris(const std::string& app_id) {
  return read([&](Database& db) {
    std::vector<std::string> uris;
    auto query = db.cached("SELECT uri FROM app_redirect_uris WHERE app_id = ?1 ORDER BY position");
    query->bind(1, app_id);
    while (query->step()) uris.push_back(query->column_text(0));
    return uris;
  });
}

bool SqliteStore::set_redirect_uris(const std::string& app_id, const std::vector<std::string>& uris) {
  return write([&](Database& db) {
    Transaction tx(db);
    auto exists = db.cached("SELECT 1 FROM apps WHERE id = ?1");
    exists->bind(1, app_id);
    if (!exists->step()) return false;
    db.cached("DELETE FROM app_redirect_uris WHERE app_id = ?1")->bind(1, app_id).run();
    insert_redirect_uris(db, app_id, uris);
    tx.commit();
    return true;
  });
}

std::optional<App> SqliteStore::find_app_by_key(const Hash& api_key_hash) {
  return read([&](Database& db) -> std::optional<App> {
    auto query = db.cached("SELECT id, name FROM apps WHERE api_key_hash = ?1");
    query->bind_blob(1, api_key_hash);
    if (!query->step()) return std::nullopt;
    return App{query->column_text(0), query->column_text(1)};
  });
}

std::optional<User> SqliteStore::create_user(const std::string& app_id, const std::string& email,
                                             const std::string& auth_hash) {
  User user{new_uuid(), app_id, email, auth_hash};
  const bool created = write([&](Database& db) {
    auto insert = db.cached(
        "INSERT INTO users (id, app_id, email, auth_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (app_id, email) DO NOTHING");
    insert->bind(1, user.id).bind(2, app_id).bind(3, email).bind(4, auth_hash).bind(5, now_millis()).run();
    return db.changes() > 0;
  });
  if (!created) return std::nullopt;
  return user;
}

std::optional<User> SqliteStore::find_user(const std::string& app_id, const std::string& email) {
  return read([&](Database& db) -> std::optional<User> {
    auto query = db.cached("SELECT id, auth_hash FROM users WHERE app_id = ?1 AND email = ?2");
    query->bind(1, app_id).bind(2, email);
    if (!query->step()) return std::nullopt;
    return User{query->column_text(0), app_id, email, query->column_text(1)};
  });
}

std::optional<User> SqliteStore::find_user_by_id(const std::string& user_id) {
  return read([&](Database& db) -> std::optional<User> {
    auto query = db.cached("SELECT app_id, email, auth_hash FROM users WHERE id = ?1");
    query->bind(1, user_id);
    if (!query->step()) return std::nullopt;
    return User{user_id, query->column_text(0), query->column_text(1), query->column_text(2)};
  });
}

// ---- oauth codes ----

void SqliteStore::add_oauth_code(const Hash& code_hash, const OAuthCode& code) {
  write([&](Database& db) {
    auto insert = db.cached(
        "INSERT INTO oauth_codes (hash, app_id, user_id, redirect_uri, code_challenge, expires_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert->bind_blob(1, code_hash).bind(2, code.app_id).bind(3, code.user_id).bind(4, code.redirect_uri);
    insert->bind(5, code.code_challenge).bind(6, code.expires_at).run();
  });
}

std::optional<OAuthCode> SqliteStore::take_oauth_code(const Hash& code_hash) {
  return write([&](Database& db) -> std::optional<OAuthCode> {
    Transaction tx(db);
    OAuthCode code;
    {
      auto take = db.cached(
          "DELETE FROM oauth_codes WHERE hash = ?1 "
          "RETURNING app_id, user_id, redirect_uri, code_challenge, expires_at");
      take->bind_blob(1, code_hash);
      if (!take->step()) return std::nullopt;
      code = OAuthCode{take->column_text(0), take->column_text(1), take->column_text(2), take->column_text(3),
                       take->column_int64(4)};
      take->run();  // finish the statement before COMMIT
    }
    tx.commit();
    return code;
  });
}

// ---- key envelope ----

std::optional<StoredEnvelope> SqliteStore::get_envelope(const std::string& user_id) {
  return read([&](Database& db) -> std::optional<StoredEnvelope> {
    auto query = db.cached("SELECT envelope_json, version FROM envelopes WHERE user_id = ?1");
    query->bind(1, user_id);
    if (!query->step()) return std::nullopt;
    return StoredEnvelope{query->column_text(0), query->column_int64(1)};
  });
}

std::optional<std::int64_t> SqliteStore::put_envelope(const std::string& user_id,
                                                      const std::string& envelope_json,
                                                      std::int64_t expected_version) {
  if (expected_version < 0) return std::nullopt;
  // The WHERE / conflict clause of each branch is the compare of the CAS (the insert also checks that
  // the user exists, in the same transaction).
  const bool stored = write([&](Database& db) {
    if (expected_version == 0) {
      Transaction tx(db);
      require_user(db, user_id);  // an update needs none: a deleted user has no row to update
      db.cached(
            "INSERT INTO envelopes (user_id, version, envelope_json) VALUES (?1, 1, ?2) "
            "ON CONFLICT (user_id) DO NOTHING")
          ->bind(1, user_id)
          .bind(2, envelope_json)
          .run();
      const bool inserted = db.changes() > 0;
      tx.commit();
      return inserted;
    } else {
      auto update = db.cached(
          "UPDATE envelopes SET envelope_json = ?2, version = version + 1 WHERE user_id = ?1 AND version = "
          "?3");
      update->bind(1, user_id).bind(2, envelope_json).bind(3, expected_version).run();
    }
    return db.changes() > 0;
  });
  if (!stored) return std::nullopt;
  return expected_version + 1;
}

// ---- devices ----

DeviceRow SqliteStore::add_device(const std::string& user_id, const std::string& name,
                                  const std::string& platform, Millis now) {
  DeviceRow device{new_uuid(), user_id, name, platform, now, false};
  write([&](Database& db) {
    // One statement whose WHERE is the check that the user exists.
    auto insert = db.cached(
        "INSERT INTO devices (id, user_id, name, platform, created_at) "
        "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)");
    insert->bind(1, device.id).bind(2, user_id).bind(3, name).bind(4, platform).bind(5, now).run();
    if (db.changes() == 0) throw UserGone();
  });
  return device;
}

std::vector<DeviceRow> SqliteStore::list_devices(const std::string& user_id) {
  return read([&](Database& db) {
    auto query = db.cached(
        "SELECT id, name, platform, created_at, revoked_at FROM devices "
        "WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY created_at, id");
    query->bind(1, user_id);
    std::vector<DeviceRow> devices;
    while (query->step()) devices.push_back(read_device(*query, user_id));
    return devices;
  });
}

std::optional<DeviceRow> SqliteStore::find_device(const std::string& user_id, const std::string& device_id) {
  return read([&](Database& db) -> std::optional<DeviceRow> {
    auto query = db.cached(
        "SELECT id, name, platform, created_at, revoked_at FROM devices WHERE id = ?1 AND user_id = ?2");
    query->bind(1, device_id).bind(2, user_id);
    if (!query->step()) return std::nullopt;
    return read_device(*query, user_id);
  });
}

bool SqliteStore::revoke_device(const std::string& user_id, const std::string& device_id) {
  return write([&](Database& db) {
    auto update =
        db.cached("UPDATE devices SET revoked_at = coalesce(revoked_at, ?3) WHERE id = ?1 AND user_id = ?2");
    update->bind(1, device_id).bind(2, user_id).bind(3, now_millis()).run();
    return db.changes() > 0;
  });
}

// ---- sync ----

std::int64_t SqliteStore::push(const std::string& user_id, const std::string& device_id,
                               const std::vector<NewChange>& changes) {
  return write([&](Database& db) {
    Transaction tx(db);
    require_user(db, user_id);
    auto [latest, count] = sync_counters(db, user_id);
    const std::int64_t before = latest;
    {
      // A change_id the user already has (from an earlier push or earlier in this batch) inserts
      // nothing, so db.changes() says whether the sequence number was used.
      auto insert = db.cached(
          "INSERT INTO changes (user_id, seq, change_id, device_id, payload) VALUES (?1, ?2, ?3, ?4, ?5) "
          "ON CONFLICT (user_id, change_id) DO NOTHING");
      for (const auto& change : changes) {
        insert->bind(1, user_id).bind(2, latest + 1).bind(3, change.change_id).bind(4, device_id);
        insert->bind_blob_ref(5, change.payload).run();
        if (db.changes() > 0) ++latest;
        insert->reset();
      }
    }
    if (latest != before) {
      auto update = db.cached(
          "INSERT INTO user_sync (user_id, latest_seq, change_count) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (user_id) DO UPDATE SET latest_seq = excluded.latest_seq, "
          "change_count = excluded.change_count");
      update->bind(1, user_id).bind(2, latest).bind(3, count + (latest - before)).run();
    }
    tx.commit();
    return latest;
  });
}

PullPage SqliteStore::pull(const std::string& user_id, const std::string& device_id, std::int64_t cursor,
                           int limit) {
  const auto page_size = static_cast<std::size_t>(std::max(limit, 0));
  return read([&](Database& db) {
    Transaction tx(db, Transaction::Kind::deferred);  // rows and latest seq from one snapshot
    PullPage page;
    page.changes.reserve(std::min<std::size_t>(page_size, 1024));
    {
      auto query = db.cached(
          "SELECT seq, change_id, device_id, payload FROM changes "
          "WHERE user_id = ?1 AND seq > ?2 AND device_id <> ?3 ORDER BY seq LIMIT ?4");
      query->bind(1, user_id)
          .bind(2, cursor)
          .bind(3, device_id)
          .bind(4, static_cast<std::int64_t>(page_size) + 1);
      while (query->step()) {
        if (page.changes.size() == page_size) {
          page.has_more = true;
          break;
        }
        page.changes.push_back(StoredChange{query->column_int64(0), query->column_text(1),
                                            query->column_text(2), query->column_blob(3)});
      }
    }
    if (page.has_more) {
      page.cursor = page.changes.empty() ? cursor : page.changes.back().seq;
    } else {
      // Everything up to the latest was examined. A cursor beyond it (the database went back, e.g.
      // to a backup) gets the latest back, so the client can tell instead of waiting forever.
      page.cursor = sync_counters(db, user_id).first;
    }
    tx.commit();
    return page;
  });
}

UserStats SqliteStore::stats(const std::string& user_id) {
  return read([&](Database& db) {
    Transaction tx(db, Transaction::Kind::deferred);
    UserStats stats;
    std::tie(stats.latest_cursor, stats.changes) = sync_counters(db, user_id);
    {
      auto devices = db.cached("SELECT count(*) FROM devices WHERE user_id = ?1 AND revoked_at IS NULL");
      devices->bind(1, user_id);
      if (devices->step()) stats.devices = devices->column_int64(0);
    }
    {
      auto blobs = db.cached(
          "SELECT count(*), coalesce(sum(size), 0) FROM (SELECT size FROM blobs WHERE user_id = ?1 "
          "UNION ALL SELECT size FROM stream_blobs WHERE user_id = ?1)");
      blobs->bind(1, user_id);
      if (blobs->step()) {
        stats.blobs = blobs->column_int64(0);
        stats.blob_bytes = blobs->column_int64(1);
      }
    }
    tx.commit();
    return stats;
  });
}

// ---- backup ----

std::unique_ptr<ChangeWatch> SqliteStore::watch_changes(std::function<void(const std::string&)>,
                                                        std::function<void()>) {
  return nullptr;  // one process writes a SQLite file; its pushes wake its own waits directly
}

void SqliteStore::backup_to(const std::string& path) {
  read([&](Database& db) { backup_database(db.handle(), path); });
}

}  // namespace synckit::server
