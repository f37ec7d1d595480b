#include "storage/postgres_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "storage/row_ids.hpp"
#include "storage/postgres_change_listener.hpp"
#include "storage/postgres_migrations.hpp"

namespace synckit::server {

namespace {

using P = PgParam;

// Rows per multi-row statement in push (3 parameters each, far below libpq's 65535).
constexpr std::size_t kPushChunk = 1000;

DeviceRow read_device(const PgResult& rows, int row, const std::string& user_id) {
  DeviceRow device;
  device.id = rows.bytes(row, 0);
  device.user_id = user_id;
  device.name = rows.bytes(row, 1);
  device.platform = rows.bytes(row, 2);
  device.created_at = rows.int64(row, 3);
  device.revoked = !rows.is_null(row, 4);
  return device;
}

// "$first, $first+1, …" for `count` placeholders.
std::string placeholders(std::size_t first, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += '$' + std::to_string(first + i);
  }
  return out;
}

}  // namespace

// ---- lifecycle ----

void PostgresStore::lock_user(PgConnection& conn, const std::string& user_id) {
  if (conn.exec("SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE", {P::bytes(user_id)}).rows() == 0) {
    throw UserGone();
  }
}

std::unique_ptr<PostgresStore> PostgresStore::open(const std::string& url, std::size_t connections) {
  if (sodium_init() < 0) throw StoreError("libsodium failed to initialise");
  std::unique_ptr<PostgresStore> store(new PostgresStore(url, std::max<std::size_t>(connections, 1)));
  store->with([](PgConnection& conn) { postgres_migrate(conn); });
  return store;
}

PostgresStore::PostgresStore(std::string url, std::size_t connections) : url_(url), pool_(std::move(url), connections) {}

PostgresStore::~PostgresStore() = default;

// ---- apps and users ----

namespace {

void insert_redirect_uris(PgConnection& conn, const std::string& app_id, const std::vector<std::string>& uris) {
  std::int64_t position = 0;
  for (const auto& uri : uris) {
    conn.exec("INSERT INTO app_redirect_uris (app_id, position, uri) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
              {P::bytes(app_id), P::int64(position++), P::bytes(uri)});
  }
}

}  // namespace

App PostgresStore::create_app(const std::string& name, const Hash& api_key_hash,
                              const std::vector<std::string>& redirect_uris) {
  App app{new_uuid(), name};
  with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    conn.exec("INSERT INTO apps (id, name, api_key_hash, created_at) VALUES ($1, $2, $3, $4)",
              {P::bytes(app.id), P::bytes(name), P::bytes(api_key_hash), P::int64(now_millis())});
    insert_redirect_uris(conn, app.id, redirect_uris);
    tx.commit();
  });
  return app;
}

std::vector<App> PostgresStore::list_apps() {
  return with([&](PgConnection& conn) {
    const PgResult rows = conn.exec("SELECT id, name FROM apps ORDER BY created_at, id");
    std::vector<App> apps;
    for (int i = 0; i < rows.rows(); ++i) apps.push_back(App{rows.bytes(i, 0), rows.bytes(i, 1)});
    return apps;
  });
}

std::vector<std::string> PostgresStore::redirect_uris(const std::string& app_id) {
  return with([&](PgConnection& conn) {
    const PgResult rows =
        conn.exec("SELECT uri FROM app_redirect_uris WHERE app_id = $1 ORDER BY position", {P::bytes(app_id)});
    std::vector<std::string> uris;
    for (int i = 0; i < rows.rows(); ++i) uris.push_back(rows.bytes(i, 0));
    return uris;
  });
}

bool PostgresStore::set_redirect_uris(const std::string& app_id, const std::vector<std::string>& uris) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    if (conn.exec("SELECT 1 FROM apps WHERE id = $1 FOR UPDATE", {P::bytes(app_id)}).rows() == 0) return false;
    conn.exec("DELETE FROM app_redirect_uris WHERE app_id = $1", {P::bytes(app_id)});
    insert_redirect_uris(conn, app_id, uris);
    tx.commit();
    return true;
  });
}

std::optional<App> PostgresStore::find_app_by_key(const Hash& api_key_hash) {
  return with([&](PgConnection& conn) -> std::optional<App> {
    const PgResult rows =
        conn.exec("SELECT id, name FROM apps WHERE api_key_hash = $1", {P::bytes(api_key_hash)});
    if (rows.rows() == 0) return std::nullopt;
    return App{rows.bytes(0, 0), rows.bytes(0, 1)};
  });
}

std::optional<User> PostgresStore::create_user(const std::string& app_id, const std::string& email,
                                               const std::string& auth_hash) {
  User user{new_uuid(), app_id, email, auth_hash};
  const bool created = with([&](PgConnection& conn) {
    const PgResult done = conn.exec(
        "INSERT INTO users (id, app_id, email, auth_hash, created_at) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (app_id, email) DO NOTHING",
        {P::bytes(user.id), P::bytes(app_id), P::bytes(email), P::bytes(auth_hash), P::int64(now_millis())});
    return done.affected() > 0;
  });
  if (!created) return std::nullopt;
  return user;
}

std::optional<User> PostgresStore::find_user(const std::string& app_id, const std::string& email) {
  return with([&](PgConnection& conn) -> std::optional<User> {
    const PgResult rows = conn.exec("SELECT id, auth_hash FROM users WHERE app_id = $1 AND email = $2",
                                    {P::bytes(app_id), P::bytes(email)});
    if (rows.rows() == 0) return std::nullopt;
    return User{rows.bytes(0, 0), app_id, email, rows.bytes(0, 1)};
  });
}

std::optional<User> PostgresStore::find_user_by_id(const std::string& user_id) {
  return with([&](PgConnection& conn) -> std::optional<User> {
    const PgResult rows =
        conn.exec("SELECT app_id, email, auth_hash FROM users WHERE id = $1", {P::bytes(user_id)});
    if (rows.rows() == 0) return std::nullopt;
    return User{user_id, rows.bytes(0, 0), rows.bytes(0, 1), rows.bytes(0, 2)};
  });
}

// ---- oauth codes ----

void PostgresStore::add_oauth_code(const Hash& code_hash, const OAuthCode& code) {
  with([&](PgConnection& conn) {
    conn.exec(
        "INSERT INTO oauth_codes (hash, app_id, user_id, redirect_uri, code_challenge, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {P::bytes(code_hash), P::bytes(code.app_id), P::bytes(code.user_id), P::bytes(code.redirect_uri),
         P::bytes(code.code_challenge), P::int64(code.expires_at)});
  });
}

std::optional<OAuthCode> PostgresStore::take_oauth_code(const Hash& code_hash) {
  return with([&](PgConnection& conn) -> std::optional<OAuthCode> {
    const PgResult taken = conn.exec(
        "DELETE FROM oauth_codes WHERE hash = $1 "
        "RETURNING app_id, user_id, redirect_uri, code_challenge, expires_at",
        {P::bytes(code_hash)});
    if (taken.rows() == 0) return std::nullopt;
    return OAuthCode{taken.bytes(0, 0), taken.bytes(0, 1), taken.bytes(0, 2), taken.bytes(0, 3),
                     taken.int64(0, 4)};
  });
}

// ---- key envelope ----

std::optional<StoredEnvelope> PostgresStore::get_envelope(const std::string& user_id) {
  return with([&](PgConnection& conn) -> std::optional<StoredEnvelope> {
    const PgResult rows =
        conn.exec("SELECT envelope_json, version FROM envelopes WHERE user_id = $1", {P::bytes(user_id)});
    if (rows.rows() == 0) return std::nullopt;
    return StoredEnvelope{rows.bytes(0, 0), rows.int64(0, 1)};
  });
}

std::optional<std::int64_t> PostgresStore::put_envelope(const std::string& user_id,
                                                        const std::string& envelope_json,
                                                        std::int64_t expected_version) {
  if (expected_version < 0) return std::nullopt;
  // The WHERE / conflict clause of each branch is the compare of the CAS (the insert runs after
  // lock_user, in its transaction). Under READ COMMITTED a racing UPDATE waits for the winner, then
  // re-checks the version and matches nothing.
  const bool stored = with([&](PgConnection& conn) {
    if (expected_version == 0) {
      PgTransaction tx(conn);
      lock_user(conn, user_id);  // an update needs none: a deleted user has no row to update
      const bool inserted = conn
                                .exec("INSERT INTO envelopes (user_id, version, envelope_json) VALUES ($1, 1, $2) "
                                      "ON CONFLICT (user_id) DO NOTHING",
                                      {P::bytes(user_id), P::bytes(envelope_json)})
                                .affected() > 0;
      tx.commit();
      return inserted;
    }
    return conn
               .exec("UPDATE envelopes SET envelope_json = $2, version = version + 1 "
                     "WHERE user_id = $1 AND version = $3",
                     {P::bytes(user_id), P::bytes(envelope_json), P::int64(expected_version)})
               .affected() > 0;
  });
  if (!stored) return std::nullopt;
  return expected_version + 1;
}

// ---- devices ----

DeviceRow PostgresStore::add_device(const std::string& user_id, const std::string& name,
                                    const std::string& platform, Millis now) {
  DeviceRow device{new_uuid(), user_id, name, platform, now, false};
  with([&](PgConnection& conn) {
    // One statement that locks the user's row first (see lock_user); no row, no insert.
    const PgResult done = conn.exec(
        "WITH u AS (SELECT id FROM users WHERE id = $2 FOR KEY SHARE) "
        "INSERT INTO devices (id, user_id, name, platform, created_at) SELECT $1, u.id, $3, $4, $5 FROM u",
        {P::bytes(device.id), P::bytes(user_id), P::bytes(name), P::bytes(platform), P::int64(now)});
    if (done.affected() == 0) throw UserGone();
  });
  return device;
}

std::vector<DeviceRow> PostgresStore::list_devices(const std::string& user_id) {
  return with([&](PgConnection& conn) {
    const PgResult rows = conn.exec(
        "SELECT id, name, platform, created_at, revoked_at FROM devices "
        "WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
        {P::bytes(user_id)});
    std::vector<DeviceRow> devices;
    devices.reserve(static_cast<std::size_t>(rows.rows()));
    for (int row = 0; row < rows.rows(); ++row) devices.push_back(read_device(rows, row, user_id));
    return devices;
  });
}

std::optional<DeviceRow> PostgresStore::find_device(const std::string& user_id, const std::string& device_id) {
  return with([&](PgConnection& conn) -> std::optional<DeviceRow> {
    const PgResult rows = conn.exec(
        "SELECT id, name, platform, created_at, revoked_at FROM devices WHERE id = $1 AND user_id = $2",
        {P::bytes(device_id), P::bytes(user_id)});
    if (rows.rows() == 0) return std::nullopt;
    return read_device(rows, 0, user_id);
  });
}

bool PostgresStore::revoke_device(const std::string& user_id, const std::string& device_id) {
  return with([&](PgConnection& conn) {
    return conn
               .exec("UPDATE devices SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND user_id = $2",
                     {P::bytes(device_id), P::bytes(user_id), P::int64(now_millis())})
               .affected() > 0;
  });
}

// ---- sync ----

namespace {

// Locks the user's counters row (creating it at zero if missing) until the transaction ends, so one
// user's pushes run one at a time across every node. Returns (latest_seq, change_count).
std::pair<std::int64_t, std::int64_t> lock_sync_counters(PgConnection& conn, const std::string& user_id) {
  const auto locked = [&]() -> std::optional<std::pair<std::int64_t, std::int64_t>> {
    const PgResult row = conn.exec(
        "SELECT latest_seq, change_count FROM user_sync WHERE user_id = $1 FOR UPDATE", {P::bytes(user_id)});
    if (row.rows() == 0) return std::nullopt;
    return std::pair{row.int64(0, 0), row.int64(0, 1)};
  };
  if (auto counters = locked()) return *counters;
  conn.exec("INSERT INTO user_sync (user_id, latest_seq, change_count) VALUES ($1, 0, 0) "
            "ON CONFLICT (user_id) DO NOTHING",
            {P::bytes(user_id)});
  if (auto counters = locked()) return *counters;
  throw StoreError("postgres: push: the user's counters row is missing");
}

// The change_ids among `changes` that the user already has.
std::unordered_set<std::string> known_change_ids(PgConnection& conn, const std::string& user_id,
                                                 const std::vector<NewChange>& changes) {
  std::unordered_set<std::string> known;
  for (std::size_t start = 0; start < changes.size(); start += kPushChunk) {
    const std::size_t count = std::min(kPushChunk, changes.size() - start);
    std::vector<PgParam> params{P::bytes(user_id)};
    for (std::size_t i = 0; i < count; ++i) params.push_back(P::bytes(changes[start + i].change_id));
    const std::string sql =
        "SELECT change_id FROM changes WHERE user_id = $1 AND change_id IN (" + placeholders(2, count) + ")";
    const PgResult rows = conn.exec_once(sql, params);
    for (int row = 0; row < rows.rows(); ++row) known.insert(rows.bytes(row, 0));
  }
  return known;
}

}  // namespace

std::int64_t PostgresStore::push(const std::string& user_id, const std::string& device_id,
                                 const std::vector<NewChange>& changes) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    lock_user(conn, user_id);
    auto [latest, count] = lock_sync_counters(conn, user_id);
    if (changes.empty()) {
      tx.commit();
      return latest;
    }
    // With the row locked no other push of this user runs: what is not stored yet gets the next
    // numbers, in batch order; a change_id repeated in the batch is stored once (its first occurrence).
    std::unordered_set<std::string> seen = known_change_ids(conn, user_id, changes);
    std::vector<const NewChange*> fresh;
    for (const auto& change : changes) {
      if (seen.insert(change.change_id).second) fresh.push_back(&change);
    }
    const std::int64_t before = latest;
    for (std::size_t start = 0; start < fresh.size(); start += kPushChunk) {
      const std::size_t rows = std::min(kPushChunk, fresh.size() - start);
      std::vector<PgParam> params{P::bytes(user_id), P::bytes(device_id)};
      params.reserve(2 + rows * 3);
      std::string sql = "INSERT INTO changes (user_id, seq, change_id, device_id, payload) VALUES ";
      for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t first = params.size() + 1;
        if (i > 0) sql += ", ";
        sql += "($1, $" + std::to_string(first) + ", $" + std::to_string(first + 1) + ", $2, $" +
               std::to_string(first + 2) + ")";
        params.push_back(P::int64(++latest));
        params.push_back(P::bytes(fresh[start + i]->change_id));
        params.push_back(P::bytes(fresh[start + i]->payload));
      }
      conn.exec_once(sql, params);
    }
    if (latest != before) {
      conn.exec("UPDATE user_sync SET latest_seq = $2, change_count = $3 WHERE user_id = $1",
                {P::bytes(user_id), P::int64(latest), P::int64(count + (latest - before))});
      // Delivered to every node's listener when (and only if) the transaction commits.
      conn.exec("SELECT pg_notify('synckit_changes', $1)", {P::text(user_id)});
    }
    tx.commit();
    return latest;
  });
}

PullPage PostgresStore::pull(const std::string& user_id, const std::string& device_id, std::int64_t cursor,
                             int limit) {
  const auto page_size = static_cast<std::size_t>(std::max(limit, 0));
  return with([&](PgConnection& conn) {
    // One statement, so the rows and the latest seq come from one snapshot. The first row always
    // exists and carries the latest seq; the change columns are NULL when no change matched.
    const PgResult rows = conn.exec(
        "SELECT l.latest, c.seq, c.change_id, c.device_id, c.payload "
        "FROM (SELECT coalesce((SELECT latest_seq FROM user_sync WHERE user_id = $1), 0) AS latest) l "
        "LEFT JOIN LATERAL (SELECT seq, change_id, device_id, payload FROM changes "
        "WHERE user_id = $1 AND seq > $2 AND device_id <> $3 ORDER BY seq LIMIT $4) c ON true "
        "ORDER BY c.seq",
        {P::bytes(user_id), P::int64(cursor), P::bytes(device_id),
         P::int64(static_cast<std::int64_t>(page_size) + 1)});
    PullPage page;
    page.changes.reserve(std::min<std::size_t>(page_size, static_cast<std::size_t>(rows.rows())));
    for (int row = 0; row < rows.rows(); ++row) {
      if (rows.is_null(row, 1)) continue;
      if (page.changes.size() == page_size) {
        page.has_more = true;
        break;
      }
      page.changes.push_back(
          StoredChange{rows.int64(row, 1), rows.bytes(row, 2), rows.bytes(row, 3), rows.bytes(row, 4)});
    }
    if (page.has_more) {
      page.cursor = page.changes.empty() ? cursor : page.changes.back().seq;
    } else {
      // Everything up to the latest was examined (see SqliteStore::pull for a cursor beyond it).
      page.cursor = rows.rows() > 0 ? rows.int64(0, 0) : 0;
    }
    return page;
  });
}

UserStats PostgresStore::stats(const std::string& user_id) {
  return with([&](PgConnection& conn) {
    const PgResult row = conn.exec(
        "SELECT coalesce((SELECT latest_seq FROM user_sync WHERE user_id = $1), 0), "
        "coalesce((SELECT change_count FROM user_sync WHERE user_id = $1), 0), "
        "(SELECT count(*) FROM devices WHERE user_id = $1 AND revoked_at IS NULL), "
        "b.n, b.bytes FROM (SELECT count(*) AS n, coalesce(sum(size), 0)::bigint AS bytes "
        "FROM (SELECT size FROM blobs WHERE user_id = $1 UNION ALL "
        "SELECT size FROM stream_blobs WHERE user_id = $1) s) b",
        {P::bytes(user_id)});
    UserStats stats;
    stats.latest_cursor = row.int64(0, 0);
    stats.changes = row.int64(0, 1);
    stats.devices = row.int64(0, 2);
    stats.blobs = row.int64(0, 3);
    stats.blob_bytes = row.int64(0, 4);
    return stats;
  });
}

// ---- backup ----

std::unique_ptr<ChangeWatch> PostgresStore::watch_changes(std::function<void(const std::string&)> on_change,
                                                          std::function<void()> on_gap) {
  return std::make_unique<PgChangeListener>(url_, std::move(on_change), std::move(on_gap));
}

void PostgresStore::backup_to(const std::string&) { throw StoreError("use pg_dump for PostgreSQL backups"); }

}  // namespace synckit::server
