// The Store implementations: schema, auth records, envelope CAS, devices, sync semantics (push
// idempotency, pull cursors), isolation between users, blobs, backup, threads. By default every
// test runs on SqliteStore over temporary files. With SYNCKIT_TEST_PG_URL set (a PostgreSQL
// superuser URL; tests/server/postgres_cluster.py --exec sets it) the shared tests run on
// PostgresStore instead, each on a fresh database: run them with "~[sqlite]" (the SQLite-only tests);
// the "postgres:" tests check PostgreSQL specifics there and do nothing on SQLite.
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres_connection.hpp"
#include "storage/postgres_migrations.hpp"
#include "storage/postgres_store.hpp"
#include "storage/sqlite_database.hpp"
#include "storage/sqlite_migrations.hpp"
#include "storage/sqlite_store.hpp"

namespace fs = std::filesystem;
using namespace synckit::server;

namespace {

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() /
           ("synckit-store-test-" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// The raw SHA-256 of a label, standing in for the hash of a secret token.
Hash hash_of(const std::string& label) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(label.data()), label.size());
  return digest;
}

std::vector<NewChange> make_changes(const std::vector<std::string>& ids) {
  std::vector<NewChange> changes;
  for (const auto& id : ids) changes.push_back({id, "payload-of-" + id + std::string("\0\x01\xff", 3)});
  return changes;
}

std::vector<std::int64_t> seqs_of(const PullPage& page) {
  std::vector<std::int64_t> seqs;
  for (const auto& change : page.changes) seqs.push_back(change.seq);
  return seqs;
}

std::vector<std::string> ids_of(const PullPage& page) {
  std::vector<std::string> ids;
  for (const auto& change : page.changes) ids.push_back(change.change_id);
  return ids;
}

using Seqs = std::vector<std::int64_t>;

// The PostgreSQL superuser URL of the run (SYNCKIT_TEST_PG_URL), or nullptr for SQLite.
const char* pg_admin_url() {
  const char* url = std::getenv("SYNCKIT_TEST_PG_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

// The URL of a new, empty database in the run's PostgreSQL cluster.
std::string fresh_pg_database() {
  static std::atomic<int> counter{0};
  std::random_device random;
  const std::string name = "unit_" + std::to_string(random()) + "_" + std::to_string(counter++);
  PgConnection admin(pg_admin_url());
  admin.exec_script(("CREATE DATABASE " + name).c_str());
  std::string url = pg_admin_url();
  return url.substr(0, url.rfind('/') + 1) + name;
}

// The store under test: PostgreSQL on a fresh database when the run has one, else SQLite in `dir`.
std::unique_ptr<Store> open_test_store(const TempDir& dir) {
  if (pg_admin_url() != nullptr) return PostgresStore::open(fresh_pg_database());
  return SqliteStore::open(dir.file("server.db"));
}

// A store with one app and one user ready to use.
struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = open_test_store(dir);
  App app = store->create_app("demo", hash_of("api-key"), {});
  User user = *store->create_user(app.id, "alice@example.com", "$argon2id$stub");
};

const std::regex kUuidV4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

}  // namespace

TEST_CASE("schema: opening twice is idempotent and keeps the data", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("server.db");
  std::string app_id;
  {
    auto store = SqliteStore::open(path);
    app_id = store->create_app("demo", hash_of("k"), {}).id;
  }
  REQUIRE(fs::exists(path));
  auto store = SqliteStore::open(path);
  auto again = SqliteStore::open(path);  // a second store on the same file is fine too
  const auto app = store->find_app_by_key(hash_of("k"));
  REQUIRE(app);
  CHECK(app->id == app_id);
  CHECK(again->find_app_by_key(hash_of("k"))->name == "demo");
  Database db(path);
  CHECK(schema_version(db) == current_schema_version());
}

TEST_CASE("schema: a database from a newer server is refused", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("server.db");
  SqliteStore::open(path).reset();
  const int newer = current_schema_version() + 1;
  {
    Database db(path);
    db.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  const std::string expected = "database schema v" + std::to_string(newer) + " is newer than this server (v" +
                               std::to_string(current_schema_version()) + ")";
  REQUIRE_THROWS_MATCHES(SqliteStore::open(path), StoreError, Catch::Message(expected));
}

TEST_CASE("schema: a file that is not a database is a StoreError", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("garbage.db");
  std::ofstream(path) << std::string(4096, 'x');
  CHECK_THROWS_AS(SqliteStore::open(path), StoreError);
  CHECK_THROWS_AS(SqliteStore::open(dir.file("missing-dir/server.db")), StoreError);
}

TEST_CASE("database: transactions roll back on exceptions, cached statements are reused", "[database][sqlite]") {
  TempDir dir;
  Database db(dir.file("raw.db"));
  db.exec("CREATE TABLE t (v INTEGER NOT NULL)");
  try {
    Transaction tx(db);
    db.cached("INSERT INTO t (v) VALUES (?1)")->bind(1, std::int64_t{1}).run();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(db.in_transaction());
  {
    auto count = db.cached("SELECT count(*) FROM t");
    REQUIRE(count->step());
    CHECK(count->column_int64(0) == 0);
    // The same SQL cannot be leased twice at once on one connection.
    CHECK_THROWS_AS(db.cached("SELECT count(*) FROM t"), StoreError);
  }
  {
    Transaction tx(db);
    db.cached("INSERT INTO t (v) VALUES (?1)")->bind(1, std::int64_t{7}).run();
    tx.commit();
  }
  auto count = db.cached("SELECT count(*) FROM t");
  REQUIRE(count->step());
  CHECK(count->column_int64(0) == 1);
  CHECK_THROWS_WITH(db.exec("INSERT INTO t (v) VALUES (NULL)"),
                    Catch::Contains("NOT NULL constraint failed"));
  CHECK_THROWS_AS(db.cached("SELECT nonsense FROM"), StoreError);
}

TEST_CASE("apps: created with a UUID and found by key hash", "[apps]") {
  TempDir dir;
  auto store = open_test_store(dir);
  const auto app = store->create_app("Notes", hash_of("key-1"), {});
  CHECK(std::regex_match(app.id, kUuidV4));
  CHECK(app.name == "Notes");
  const auto found = store->find_app_by_key(hash_of("key-1"));
  REQUIRE(found);
  CHECK(found->id == app.id);
  CHECK(found->name == "Notes");
  CHECK_FALSE(store->find_app_by_key(hash_of("key-2")));
  CHECK(store->create_app("Other", hash_of("key-2"), {}).id != app.id);
}

TEST_CASE("apps: redirect URIs are kept in order, replaced whole, listed with the apps", "[apps]") {
  TempDir dir;
  auto store = open_test_store(dir);
  const auto app = store->create_app("Notes", hash_of("key-1"), {"https://notes.example/cb", "http://127.0.0.1/cb"});
  const auto bare = store->create_app("Bare", hash_of("key-2"), {});
  CHECK(store->redirect_uris(app.id) == std::vector<std::string>{"https://notes.example/cb", "http://127.0.0.1/cb"});
  CHECK(store->redirect_uris(bare.id).empty());
  CHECK(store->set_redirect_uris(app.id, {"com.example.notes:/done"}));
  CHECK(store->redirect_uris(app.id) == std::vector<std::string>{"com.example.notes:/done"});
  CHECK(store->redirect_uris(bare.id).empty());
  CHECK(store->set_redirect_uris(app.id, {}));
  CHECK(store->redirect_uris(app.id).empty());
  CHECK_FALSE(store->set_redirect_uris("no-such-app", {"https://x.example/cb"}));
  CHECK(store->redirect_uris("no-such-app").empty());
  // Listed by creation time, then id (two apps made in the same millisecond come in id order).
  const auto apps = store->list_apps();
  const auto named = [&](const std::string& id) {
    const auto it = std::find_if(apps.begin(), apps.end(), [&](const App& a) { return a.id == id; });
    return it == apps.end() ? std::string("(missing)") : it->name;
  };
  CHECK(named(app.id) == "Notes");
  CHECK(named(bare.id) == "Bare");
}

TEST_CASE("schema: a v1 database migrates to v2, its apps without redirect URIs", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("server.db");
  const std::string app_id = "3ca68d5e-641f-48b5-9718-e8677f6872cf";
  {
    Database db(path);  // what a v1 server left
    migrate(db, 1);
    REQUIRE(schema_version(db) == 1);
    db.cached("INSERT INTO apps (id, name, api_key_hash, created_at) VALUES (?1, 'old', ?2, 1)")
        ->bind(1, app_id)
        .bind_blob(2, hash_of("k"))
        .run();
  }
  auto store = SqliteStore::open(path);
  CHECK(store->find_app_by_key(hash_of("k"))->id == app_id);
  CHECK(store->redirect_uris(app_id).empty());
  CHECK(store->set_redirect_uris(app_id, {"https://old.example/cb"}));
  Database db(path);
  CHECK(schema_version(db) == current_schema_version());
}

TEST_CASE("schema: a v3 database migrates to v4 and keeps its blobs, single shot", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("server.db");
  {
    Database db(path);
    migrate(db, 3);
    db.exec("INSERT INTO apps (id, name, api_key_hash, created_at) VALUES ('app-1', 'old', x'01', 1)");
    db.exec("INSERT INTO users (id, app_id, email, auth_hash, created_at) VALUES ('user-1', 'app-1', 'a@b.c', 'h', 1)");
    db.exec("INSERT INTO blobs (user_id, blob_id, size, updated_at, bytes) VALUES ('user-1', 'b', 3, 1, x'010203')");
  }
  auto store = SqliteStore::open(path);
  const auto blob = store->open_blob("user-1", "b");
  REQUIRE(blob);
  CHECK(blob->format == kSealedFormat);
  CHECK(blob->bytes == std::string("\1\2\3", 3));
  CHECK(store->stats("user-1").blob_bytes == 3);
  CHECK_FALSE(store->create_upload("user-1", "s", 41, 10, 2).empty());
}

TEST_CASE("schema: a v2 database migrates to v3, each refresh token its own working session", "[schema][sqlite]") {
  TempDir dir;
  const auto path = dir.file("server.db");
  constexpr Millis kThirtyDays = 30LL * 24 * 3600 * 1000;
  {
    Database db(path);  // what a v2 server left: an account with two signed-in devices
    migrate(db, 2);
    REQUIRE(schema_version(db) == 2);
    db.exec("INSERT INTO apps (id, name, api_key_hash, created_at) VALUES ('app-1', 'old', x'01', 1)");
    db.exec("INSERT INTO users (id, app_id, email, auth_hash, created_at) VALUES ('user-1', 'app-1', 'a@b.c', 'h', 1)");
    for (const char* token : {"t1", "t2"}) {
      db.cached("INSERT INTO refresh_tokens (hash, user_id, expires_at) VALUES (?1, ?2, ?3)")
          ->bind_blob(1, hash_of(token))
          .bind(2, std::string("user-1"))
          .bind(3, kThirtyDays + 5'000)
          .run();
    }
  }
  auto store = SqliteStore::open(path);
  {
    Database db(path);
    CHECK(schema_version(db) == current_schema_version());
    CHECK_THROWS_AS(db.exec("SELECT count(*) FROM refresh_tokens"), StoreError);  // gone
  }
  const auto sessions = store->list_sessions("user-1", 0);
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].id != sessions[1].id);
  for (const auto& session : sessions) {
    CHECK(std::regex_match(session.id, kUuidV4));
    CHECK(session.created_at == 5'000);  // when the token was issued: 30 days before it expires
    CHECK(session.last_used_at == 5'000);
    CHECK(session.expires_at == kThirtyDays + 5'000);
    CHECK(store->session_active(session.id, "user-1", 6'000));
  }
  const auto grant = store->rotate_session(hash_of("t1"), hash_of("t1-next"), 6'000, 2 * kThirtyDays);
  REQUIRE(grant);
  CHECK(grant->user_id == "user-1");
  CHECK(grant->app_id == "app-1");
  CHECK((grant->session_id == sessions[0].id || grant->session_id == sessions[1].id));
  CHECK(store->rotate_session(hash_of("t2"), hash_of("t2-next"), 6'000, 2 * kThirtyDays));
  CHECK_FALSE(store->get_recovery("user-1"));
  CHECK(store->put_recovery("user-1", "{}", "h", 0) == 1);
}

TEST_CASE("sqlite: connections zero deleted content (secure_delete)", "[schema][sqlite]") {
  TempDir dir;
  Database db(dir.file("raw.db"));
  auto pragma = db.cached("PRAGMA secure_delete");
  REQUIRE(pragma->step());
  CHECK(pragma->column_int64(0) == 1);
}

TEST_CASE("errors: StoreError carries SQLite's message, never the bound values", "[errors][sqlite]") {
  TempDir dir;
  auto store = SqliteStore::open(dir.file("server.db"));
  store->create_app("Notes", hash_of("key-1"), {});
  try {
    store->create_app("Secret-Name-123", hash_of("key-1"), {});
    FAIL("duplicate api key hash accepted");
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("UNIQUE constraint failed"));
    CHECK(what.find("Secret-Name-123") == std::string::npos);
    CHECK(what.find(hash_of("key-1")) == std::string::npos);
  }
  try {
    store->create_user("no-such-app-42", "secret-email@example.com", "h");
    FAIL("user of a missing app accepted");
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("FOREIGN KEY constraint failed"));
    CHECK(what.find("no-such-app-42") == std::string::npos);
    CHECK(what.find("secret-email") == std::string::npos);
  }
  CHECK_THROWS_AS(store->add_session(hash_of("token"), "no-such-user-42", 1, 1000), UserGone);
}

TEST_CASE("users: unique email per app, same email in two apps", "[users]") {
  Fixture f;
  CHECK(std::regex_match(f.user.id, kUuidV4));
  CHECK(f.user.app_id == f.app.id);
  CHECK(f.user.email == "alice@example.com");
  CHECK_FALSE(f.store->create_user(f.app.id, "alice@example.com", "$argon2id$other"));

  const auto other_app = f.store->create_app("other", hash_of("other-key"), {});
  const auto twin = f.store->create_user(other_app.id, "alice@example.com", "$argon2id$twin");
  REQUIRE(twin);
  CHECK(twin->id != f.user.id);

  const auto found = f.store->find_user(f.app.id, "alice@example.com");
  REQUIRE(found);
  CHECK(found->id == f.user.id);
  CHECK(found->auth_hash == "$argon2id$stub");
  CHECK(found->app_id == f.app.id);
  CHECK(f.store->find_user(other_app.id, "alice@example.com")->auth_hash == "$argon2id$twin");
  CHECK_FALSE(f.store->find_user(f.app.id, "bob@example.com"));
}

TEST_CASE("sessions: refresh rotation is single use, keeps the id and honours expiry", "[auth]") {
  Fixture f;
  const std::string id = f.store->add_session(hash_of("r1"), f.user.id, 1'000, 10'000);
  CHECK(std::regex_match(id, kUuidV4));

  const auto grant = f.store->rotate_session(hash_of("r1"), hash_of("r2"), 5'000, 20'000);
  REQUIRE(grant);
  CHECK(grant->session_id == id);
  CHECK(grant->user_id == f.user.id);
  CHECK(grant->app_id == f.app.id);
  CHECK(grant->expires_at == 20'000);
  CHECK_FALSE(f.store->rotate_session(hash_of("r1"), hash_of("r3"), 5'000, 20'000));  // used up
  CHECK(f.store->rotate_session(hash_of("r2"), hash_of("r3"), 6'000, 30'000)->session_id == id);
  const auto sessions = f.store->list_sessions(f.user.id, 6'000);
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].id == id);
  CHECK(sessions[0].created_at == 1'000);    // the sign-in
  CHECK(sessions[0].last_used_at == 6'000);  // the latest refresh
  CHECK(sessions[0].expires_at == 30'000);

  SECTION("an expired token is refused and its session deleted") {
    CHECK_FALSE(f.store->rotate_session(hash_of("r3"), hash_of("r4"), 30'000, 40'000));  // expires_at == now
    CHECK_FALSE(
        f.store->rotate_session(hash_of("r3"), hash_of("r4"), 1'000, 40'000));  // gone, not just expired
    CHECK_FALSE(f.store->rotate_session(hash_of("r4"), hash_of("r5"), 1'000, 40'000));
    CHECK(f.store->list_sessions(f.user.id, 0).empty());
  }
  SECTION("a logged-out token is refused") {
    f.store->end_session_by_refresh(hash_of("r3"));
    f.store->end_session_by_refresh(hash_of("never-existed"));
    CHECK_FALSE(f.store->rotate_session(hash_of("r3"), hash_of("r4"), 6'000, 40'000));
    CHECK_FALSE(f.store->session_active(id, f.user.id, 6'000));
  }
  SECTION("unknown token") { CHECK_FALSE(f.store->rotate_session(hash_of("nope"), hash_of("r9"), 0, 1)); }
}

TEST_CASE("sessions: concurrent rotations of one token, exactly one wins", "[auth][threads]") {
  Fixture f;
  f.store->add_session(hash_of("shared"), f.user.id, 1, 1'000'000);
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (f.store->rotate_session(hash_of("shared"), hash_of("new-" + std::to_string(i)), 1, 2'000'000))
        ++wins;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wins == 1);
  CHECK(f.store->list_sessions(f.user.id, 1).size() == 1);
}

TEST_CASE("sessions: listed oldest first, active until ended or expired, per user", "[auth]") {
  Fixture f;
  const auto bob = *f.store->create_user(f.app.id, "bob@example.com", "$argon2id$bob");
  const std::string a = f.store->add_session(hash_of("a"), f.user.id, 300, 10'000);
  const std::string b = f.store->add_session(hash_of("b"), f.user.id, 100, 10'000);
  const std::string c = f.store->add_session(hash_of("c"), f.user.id, 200, 2'000);
  const std::string theirs = f.store->add_session(hash_of("bob"), bob.id, 100, 10'000);

  std::vector<std::string> ids;
  for (const auto& session : f.store->list_sessions(f.user.id, 1'000)) ids.push_back(session.id);
  CHECK(ids == std::vector<std::string>{b, c, a});
  CHECK(f.store->list_sessions(f.user.id, 2'000).size() == 2);  // c expired at 2'000
  CHECK(f.store->session_active(c, f.user.id, 1'999));
  CHECK_FALSE(f.store->session_active(c, f.user.id, 2'000));
  CHECK_FALSE(f.store->session_active(theirs, f.user.id, 1'000));  // not this user's
  CHECK(f.store->session_active(theirs, bob.id, 1'000));
  CHECK_FALSE(f.store->session_active("no-such-session", f.user.id, 1'000));

  CHECK_FALSE(f.store->end_session(f.user.id, theirs));  // another user's: untouched
  CHECK(f.store->session_active(theirs, bob.id, 1'000));
  CHECK(f.store->end_session(f.user.id, a));
  CHECK_FALSE(f.store->end_session(f.user.id, a));
  CHECK_FALSE(f.store->session_active(a, f.user.id, 1'000));
  CHECK_FALSE(f.store->rotate_session(hash_of("a"), hash_of("a2"), 1'000, 20'000));
  CHECK(f.store->rotate_session(hash_of("b"), hash_of("b2"), 1'000, 20'000));
}

TEST_CASE("credentials: replaced with every session ended, or nothing changes", "[auth][account]") {
  Fixture f;
  const auto bob = *f.store->create_user(f.app.id, "bob@example.com", "$argon2id$bob");
  const std::string old1 = f.store->add_session(hash_of("s1"), f.user.id, 1, 100'000);
  const std::string old2 = f.store->add_session(hash_of("s2"), f.user.id, 2, 100'000);
  const std::string bobs = f.store->add_session(hash_of("bob"), bob.id, 1, 100'000);
  f.store->add_oauth_code(hash_of("code"), {f.app.id, f.user.id, "https://a/cb", "c", 100'000});
  f.store->add_oauth_code(hash_of("bob-code"), {f.app.id, bob.id, "https://a/cb", "c", 100'000});

  CredentialChange change;
  change.user_id = f.user.id;
  change.new_auth_hash = "$argon2id$new";
  change.expected_auth_hash = "$argon2id$stub";
  change.refresh_hash = hash_of("fresh");
  change.now = 10;
  change.expires_at = 100'000;

  SECTION("changed") {
    change.new_email = "alice.new@example.com";
    const auto result = f.store->replace_credentials(change);
    REQUIRE(result.outcome == CredentialOutcome::changed);
    CHECK(std::regex_match(result.session_id, kUuidV4));
    CHECK_FALSE(f.store->session_active(old1, f.user.id, 10));
    CHECK_FALSE(f.store->session_active(old2, f.user.id, 10));
    CHECK_FALSE(f.store->rotate_session(hash_of("s1"), hash_of("x"), 10, 100'000));
    CHECK(f.store->session_active(result.session_id, f.user.id, 10));
    const auto sessions = f.store->list_sessions(f.user.id, 10);
    REQUIRE(sessions.size() == 1);
    CHECK(sessions[0].created_at == 10);
    CHECK(f.store->rotate_session(hash_of("fresh"), hash_of("fresh2"), 11, 100'000)->session_id ==
          result.session_id);
    CHECK_FALSE(f.store->find_user(f.app.id, "alice@example.com"));
    CHECK(f.store->find_user(f.app.id, "alice.new@example.com")->auth_hash == "$argon2id$new");
    CHECK(f.store->find_user_by_id(f.user.id)->email == "alice.new@example.com");
    CHECK_FALSE(f.store->take_oauth_code(hash_of("code")));  // would sign in on the old credential
    // another user is untouched
    CHECK(f.store->session_active(bobs, bob.id, 10));
    CHECK(f.store->take_oauth_code(hash_of("bob-code")));
    CHECK(f.store->find_user_by_id(bob.id)->auth_hash == "$argon2id$bob");
  }
  SECTION("the same email again is no conflict") {
    change.new_email = "alice@example.com";
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::changed);
  }
  // A refused replacement changes nothing.
  const auto unchanged = [&] {
    CHECK(f.store->find_user(f.app.id, "alice@example.com")->auth_hash == "$argon2id$stub");
    CHECK(f.store->session_active(old1, f.user.id, 10));
    CHECK(f.store->session_active(old2, f.user.id, 10));
    CHECK(f.store->list_sessions(f.user.id, 10).size() == 2);
    CHECK(f.store->take_oauth_code(hash_of("code")));
  };
  SECTION("stale: the hash verified is no longer stored") {
    change.expected_auth_hash = "$argon2id$changed-meanwhile";
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::stale);
    unchanged();
  }
  SECTION("email taken") {
    change.new_email = "bob@example.com";
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::email_taken);
    unchanged();
    CHECK(f.store->find_user_by_id(bob.id)->email == "bob@example.com");
  }
  SECTION("recovery: needs the recovery hash verified") {
    change.expected_auth_hash.reset();
    change.expected_recovery_hash = "$argon2id$recovery";
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::stale);  // none stored
    REQUIRE(f.store->put_recovery(f.user.id, R"({"r":1})", "$argon2id$other", 0) == 1);
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::stale);  // another one
    REQUIRE(f.store->put_recovery(f.user.id, R"({"r":2})", "$argon2id$recovery", 1) == 2);
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::changed);
    CHECK(f.store->get_recovery(f.user.id)->version == 2);  // the recovery envelope stays
  }
  SECTION("a user who does not exist") {
    change.user_id = "no-such-user";
    CHECK(f.store->replace_credentials(change).outcome == CredentialOutcome::stale);
  }
}

TEST_CASE("recovery envelope: compare-and-swap, found by email with its hash", "[recovery]") {
  Fixture f;
  CHECK_FALSE(f.store->get_recovery(f.user.id));
  auto login = f.store->find_recovery_login(f.app.id, "alice@example.com");
  REQUIRE(login);
  CHECK(login->user_id == f.user.id);
  CHECK(login->recovery_hash.empty());
  CHECK_FALSE(f.store->find_recovery_login(f.app.id, "nobody@example.com"));

  CHECK_FALSE(f.store->put_recovery(f.user.id, R"({"v":0})", "h0", 1));
  CHECK(f.store->put_recovery(f.user.id, R"({"v":1})", "h1", 0) == 1);
  CHECK_FALSE(f.store->put_recovery(f.user.id, R"({"v":"x"})", "hx", 0));
  CHECK(f.store->put_recovery(f.user.id, R"({"v":2})", "h2", 1) == 2);
  CHECK_FALSE(f.store->put_recovery(f.user.id, R"({"v":"stale"})", "hs", 1));
  CHECK_FALSE(f.store->put_recovery(f.user.id, R"({"v":"negative"})", "hn", -1));
  const auto stored = f.store->get_recovery(f.user.id);
  REQUIRE(stored);
  CHECK(stored->envelope_json == R"({"v":2})");
  CHECK(stored->version == 2);
  CHECK(stored->auth_hash == "h2");
  CHECK(f.store->find_recovery_login(f.app.id, "alice@example.com")->recovery_hash == "h2");
  CHECK_FALSE(f.store->get_envelope(f.user.id));  // a separate record from the key envelope
  CHECK_THROWS_AS(f.store->put_recovery("no-such-user", "{}", "h", 0), UserGone);
}

TEST_CASE("account deletion: every row of the user goes, in one step, others stay", "[account]") {
  Fixture f;
  const auto bob = *f.store->create_user(f.app.id, "bob@example.com", "$argon2id$bob");
  const auto fill = [&](const User& user, const std::string& tag) {
    const auto device = f.store->add_device(user.id, "phone", "ios", 1);
    f.store->push(user.id, device.id, make_changes({tag + "-1", tag + "-2"}));
    f.store->put_blob(user.id, tag + "-blob", "bytes-of-" + tag, 1);
    f.store->put_envelope(user.id, "{}", 0);
    f.store->put_recovery(user.id, "{}", "h", 0);
    f.store->add_session(hash_of(tag + "-refresh"), user.id, 1, 100'000);
    f.store->add_oauth_code(hash_of(tag + "-code"), {f.app.id, user.id, "https://a/cb", "c", 100'000});
    return device;
  };
  const auto device = fill(f.user, "alice");
  fill(bob, "bob");

  CHECK_FALSE(f.store->delete_user(f.user.id, "$argon2id$wrong"));  // changed meanwhile: nothing goes
  CHECK(f.store->find_user_by_id(f.user.id));
  CHECK_FALSE(f.store->delete_user("no-such-user", "$argon2id$stub"));

  REQUIRE(f.store->delete_user(f.user.id, "$argon2id$stub"));
  CHECK_FALSE(f.store->find_user_by_id(f.user.id));
  CHECK_FALSE(f.store->find_user(f.app.id, "alice@example.com"));
  CHECK_FALSE(f.store->find_recovery_login(f.app.id, "alice@example.com"));
  CHECK_FALSE(f.store->get_envelope(f.user.id));
  CHECK_FALSE(f.store->get_recovery(f.user.id));
  CHECK(f.store->list_devices(f.user.id).empty());
  CHECK_FALSE(f.store->find_device(f.user.id, device.id));
  CHECK(f.store->pull(f.user.id, "reader", 0, 100).changes.empty());
  const auto stats = f.store->stats(f.user.id);
  CHECK(stats.latest_cursor == 0);
  CHECK(stats.changes == 0);
  CHECK(stats.blobs == 0);
  CHECK_FALSE(f.store->get_blob(f.user.id, "alice-blob"));
  CHECK(f.store->list_sessions(f.user.id, 0).empty());
  CHECK_FALSE(f.store->rotate_session(hash_of("alice-refresh"), hash_of("x"), 1, 100'000));
  CHECK_FALSE(f.store->take_oauth_code(hash_of("alice-code")));
  CHECK_FALSE(f.store->delete_user(f.user.id, "$argon2id$stub"));  // once

  // Writes racing the deletion store nothing.
  CHECK_THROWS_AS(f.store->push(f.user.id, device.id, make_changes({"late"})), UserGone);
  CHECK_THROWS_AS(f.store->put_blob(f.user.id, "late", "x", 2), UserGone);
  CHECK_THROWS_AS(f.store->add_device(f.user.id, "late", "linux", 2), UserGone);
  CHECK_THROWS_AS(f.store->put_envelope(f.user.id, "{}", 0), UserGone);
  CHECK_THROWS_AS(f.store->put_recovery(f.user.id, "{}", "h", 0), UserGone);
  CHECK_THROWS_AS(f.store->add_session(hash_of("late"), f.user.id, 2, 100'000), UserGone);
  CHECK(f.store->stats(f.user.id).changes == 0);
  CHECK_FALSE(f.store->get_blob(f.user.id, "late"));

  // Bob keeps everything.
  CHECK(f.store->find_user_by_id(bob.id));
  CHECK(f.store->pull(bob.id, "reader", 0, 100).changes.size() == 2);
  CHECK(*f.store->get_blob(bob.id, "bob-blob") == "bytes-of-bob");
  CHECK(f.store->get_envelope(bob.id));
  CHECK(f.store->get_recovery(bob.id));
  CHECK(f.store->list_devices(bob.id).size() == 1);
  CHECK(f.store->rotate_session(hash_of("bob-refresh"), hash_of("bob-2"), 1, 100'000));
  CHECK(f.store->take_oauth_code(hash_of("bob-code")));
}

TEST_CASE("account deletion: racing pushes leave no row behind", "[account][threads]") {
  Fixture f;
  const auto device = f.store->add_device(f.user.id, "phone", "ios", 1);
  std::atomic<bool> stop{false};
  std::atomic<int> stored{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop && i < 10'000; ++i) {
        try {
          f.store->push(f.user.id, device.id, make_changes({std::to_string(t) + "-" + std::to_string(i)}));
          f.store->put_blob(f.user.id, "b" + std::to_string(t), "x", i);
          ++stored;
        } catch (const UserGone&) {
          ++refused;
          return;
        }
      }
    });
  }
  while (stored < 20) std::this_thread::yield();
  REQUIRE(f.store->delete_user(f.user.id, "$argon2id$stub"));
  stop = true;
  for (auto& thread : threads) thread.join();
  CHECK(refused > 0);
  const auto stats = f.store->stats(f.user.id);
  CHECK(stats.changes == 0);
  CHECK(stats.latest_cursor == 0);
  CHECK(stats.blobs == 0);
  CHECK(f.store->pull(f.user.id, "reader", 0, 1000).changes.empty());
}

TEST_CASE("oauth codes: taken once", "[auth]") {
  Fixture f;
  const OAuthCode code{f.app.id, f.user.id, "https://app.example/cb", "challenge-xyz", 60'000};
  f.store->add_oauth_code(hash_of("code"), code);
  const auto taken = f.store->take_oauth_code(hash_of("code"));
  REQUIRE(taken);
  CHECK(taken->app_id == code.app_id);
  CHECK(taken->user_id == code.user_id);
  CHECK(taken->redirect_uri == code.redirect_uri);
  CHECK(taken->code_challenge == code.code_challenge);
  CHECK(taken->expires_at == 60'000);
  CHECK_FALSE(f.store->take_oauth_code(hash_of("code")));
  CHECK_FALSE(f.store->take_oauth_code(hash_of("other")));
}

TEST_CASE("purge: expired sessions and codes go, live ones stay", "[auth]") {
  Fixture f;
  f.store->add_session(hash_of("old"), f.user.id, 1, 1'000);
  f.store->add_session(hash_of("live"), f.user.id, 1, 9'000);
  f.store->add_oauth_code(hash_of("old-code"), {f.app.id, f.user.id, "https://a/cb", "c", 1'000});
  f.store->add_oauth_code(hash_of("live-code"), {f.app.id, f.user.id, "https://a/cb", "c", 9'000});
  CHECK(f.store->purge_expired(5'000) == 2);
  CHECK(f.store->purge_expired(5'000) == 0);
  CHECK_FALSE(f.store->take_oauth_code(hash_of("old-code")));
  CHECK(f.store->take_oauth_code(hash_of("live-code")));
  CHECK_FALSE(f.store->rotate_session(hash_of("old"), hash_of("n1"), 0, 20'000));
  CHECK(f.store->rotate_session(hash_of("live"), hash_of("n2"), 0, 20'000));
  CHECK(f.store->list_sessions(f.user.id, 0).size() == 1);
}

TEST_CASE("envelope: compare-and-swap on the version", "[envelope]") {
  Fixture f;
  CHECK_FALSE(f.store->get_envelope(f.user.id));
  CHECK_FALSE(f.store->put_envelope(f.user.id, R"({"v":0})", 1));  // nothing stored yet
  CHECK(f.store->put_envelope(f.user.id, R"({"v":1})", 0) == 1);
  CHECK_FALSE(f.store->put_envelope(f.user.id, R"({"v":"x"})", 0));  // one exists now
  CHECK(f.store->put_envelope(f.user.id, R"({"v":2})", 1) == 2);
  CHECK_FALSE(f.store->put_envelope(f.user.id, R"({"v":"stale"})", 1));
  CHECK_FALSE(f.store->put_envelope(f.user.id, R"({"v":"future"})", 3));
  CHECK_FALSE(f.store->put_envelope(f.user.id, R"({"v":"negative"})", -1));
  const auto stored = f.store->get_envelope(f.user.id);
  REQUIRE(stored);
  CHECK(stored->envelope_json == R"({"v":2})");
  CHECK(stored->version == 2);
}

TEST_CASE("devices: listed oldest first, revoked ones hidden from the list but found", "[devices]") {
  Fixture f;
  const auto phone = f.store->add_device(f.user.id, "phone", "ios", 2'000);
  const auto laptop = f.store->add_device(f.user.id, "laptop", "macos", 1'000);
  const auto tablet = f.store->add_device(f.user.id, "tablet", "android", 2'000);
  CHECK(std::regex_match(phone.id, kUuidV4));
  CHECK(phone.user_id == f.user.id);
  CHECK(phone.created_at == 2'000);
  CHECK_FALSE(phone.revoked);

  auto listed = f.store->list_devices(f.user.id);
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].id == laptop.id);
  const auto [first, second] = std::minmax(phone.id, tablet.id);
  CHECK(listed[1].id == first);
  CHECK(listed[2].id == second);
  CHECK(listed[0].name == "laptop");
  CHECK(listed[0].platform == "macos");

  CHECK(f.store->revoke_device(f.user.id, phone.id));
  CHECK(f.store->revoke_device(f.user.id, phone.id));  // again: still a device of the user
  CHECK_FALSE(f.store->revoke_device(f.user.id, "00000000-0000-4000-8000-000000000000"));
  listed = f.store->list_devices(f.user.id);
  REQUIRE(listed.size() == 2);
  CHECK(std::none_of(listed.begin(), listed.end(), [&](const DeviceRow& d) { return d.id == phone.id; }));

  const auto found = f.store->find_device(f.user.id, phone.id);
  REQUIRE(found);
  CHECK(found->revoked);
  CHECK(found->name == "phone");
  CHECK_FALSE(f.store->find_device(f.user.id, tablet.id)->revoked);
  CHECK_FALSE(f.store->find_device(f.user.id, "unknown"));
}

TEST_CASE("push: a change_id is stored once and sequence numbers have no gaps", "[sync]") {
  Fixture f;
  CHECK(f.store->push(f.user.id, "dev-a", make_changes({"a", "b", "c"})) == 3);
  CHECK(f.store->push(f.user.id, "dev-a", make_changes({"c", "d", "d", "e"})) == 5);  // retry + dup in batch
  CHECK(f.store->push(f.user.id, "dev-b", make_changes({"a", "e"})) == 5);  // other device, same ids
  CHECK(f.store->push(f.user.id, "dev-a", {}) == 5);
  CHECK(f.store->push(f.user.id, "dev-a", make_changes({"f"})) == 6);

  const auto page = f.store->pull(f.user.id, "reader", 0, 100);
  CHECK(seqs_of(page) == Seqs{1, 2, 3, 4, 5, 6});
  CHECK(ids_of(page) == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
  for (const auto& change : page.changes) {
    CHECK(change.device_id == "dev-a");
    CHECK(change.payload == "payload-of-" + change.change_id + std::string("\0\x01\xff", 3));
  }
  const auto stats = f.store->stats(f.user.id);
  CHECK(stats.changes == 6);
  CHECK(stats.latest_cursor == 6);
}

TEST_CASE("pull: other devices' changes in order, cursor and has_more", "[sync]") {
  Fixture f;
  const std::string a = "dev-a", b = "dev-b";
  f.store->push(f.user.id, a, make_changes({"a1", "a2", "a3"}));  // seq 1..3
  f.store->push(f.user.id, b, make_changes({"b1", "b2"}));        // seq 4..5
  f.store->push(f.user.id, a, make_changes({"a4", "a5"}));        // seq 6..7

  SECTION("everything fits") {
    const auto page = f.store->pull(f.user.id, b, 0, 10);
    CHECK(seqs_of(page) == Seqs{1, 2, 3, 6, 7});
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
    CHECK(page.changes[3].change_id == "a4");
    CHECK(page.changes[3].device_id == a);
  }
  SECTION("the last rows are the caller's own: cursor still moves to the latest seq") {
    const auto page = f.store->pull(f.user.id, a, 0, 10);
    CHECK(seqs_of(page) == Seqs{4, 5});
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("paging: cursor is the last returned seq while has_more") {
    auto page = f.store->pull(f.user.id, b, 0, 3);
    CHECK(seqs_of(page) == Seqs{1, 2, 3});
    CHECK(page.has_more);
    CHECK(page.cursor == 3);
    page = f.store->pull(f.user.id, b, page.cursor, 3);
    CHECK(seqs_of(page) == Seqs{6, 7});
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("limit exactly the number left is not has_more") {
    const auto page = f.store->pull(f.user.id, b, 3, 2);
    CHECK(seqs_of(page) == Seqs{6, 7});
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("limit 1 with the caller's own rows in between") {
    auto page = f.store->pull(f.user.id, a, 0, 1);
    CHECK(seqs_of(page) == Seqs{4});
    CHECK(page.has_more);
    CHECK(page.cursor == 4);
    page = f.store->pull(f.user.id, a, 4, 1);
    CHECK(seqs_of(page) == Seqs{5});
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("at or beyond the latest seq") {
    auto page = f.store->pull(f.user.id, b, 7, 10);
    CHECK(page.changes.empty());
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
    page = f.store->pull(f.user.id, b, 100, 10);
    CHECK(page.changes.empty());
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);  // the latest: a client ahead of the server (a restored backup) sees it
  }
  SECTION("only the caller's own changes remain") {
    const auto page = f.store->pull(f.user.id, a, 5, 10);
    CHECK(page.changes.empty());
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("limit 0 only says whether more exist") {
    auto page = f.store->pull(f.user.id, b, 0, 0);
    CHECK(page.changes.empty());
    CHECK(page.has_more);
    CHECK(page.cursor == 0);
    page = f.store->pull(f.user.id, b, 7, 0);
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 7);
  }
  SECTION("a user without changes") {
    const auto page = f.store->pull("someone-else", b, 0, 10);
    CHECK(page.changes.empty());
    CHECK_FALSE(page.has_more);
    CHECK(page.cursor == 0);
  }
}

TEST_CASE("pull: paging with any limit delivers every other-device change exactly once", "[sync]") {
  Fixture f;
  std::mt19937 random(42);
  std::vector<std::string> expected;
  int next = 0;
  for (int batch = 0; batch < 40; ++batch) {
    const bool mine = random() % 3 == 0;
    std::vector<std::string> ids;
    const auto count = 1 + random() % 7;
    for (unsigned i = 0; i < count; ++i) ids.push_back("c" + std::to_string(next++));
    f.store->push(f.user.id, mine ? "me" : "other-" + std::to_string(batch % 3), make_changes(ids));
    if (!mine) expected.insert(expected.end(), ids.begin(), ids.end());
  }
  for (int limit : {1, 2, 3, 5, 8, 1000}) {
    std::vector<std::string> got;
    std::int64_t cursor = 0;
    for (int guard = 0; guard < 1000; ++guard) {
      const auto page = f.store->pull(f.user.id, "me", cursor, limit);
      REQUIRE(page.changes.size() <= static_cast<std::size_t>(limit));
      REQUIRE(page.cursor >= cursor);
      for (const auto& change : page.changes) got.push_back(change.change_id);
      cursor = page.cursor;
      if (!page.has_more) break;
    }
    CHECK(got == expected);
    CHECK(cursor == next);
  }
}

TEST_CASE("isolation: a user never sees another user's data", "[isolation]") {
  Fixture f;
  const auto bob = *f.store->create_user(f.app.id, "bob@example.com", "$argon2id$bob");
  const auto device = f.store->add_device(f.user.id, "phone", "ios", 1);
  f.store->push(f.user.id, device.id, make_changes({"x", "y"}));
  f.store->put_blob(f.user.id, "photo", "alice-bytes", 1);
  f.store->put_envelope(f.user.id, "{}", 0);

  const auto page = f.store->pull(bob.id, "bobs-device", 0, 100);
  CHECK(page.changes.empty());
  CHECK(page.cursor == 0);
  CHECK_FALSE(f.store->get_blob(bob.id, "photo"));
  CHECK_FALSE(f.store->delete_blob(bob.id, "photo"));
  CHECK_FALSE(f.store->get_envelope(bob.id));
  CHECK(f.store->list_devices(bob.id).empty());
  CHECK_FALSE(f.store->find_device(bob.id, device.id));
  CHECK_FALSE(f.store->revoke_device(bob.id, device.id));
  const auto stats = f.store->stats(bob.id);
  CHECK(stats.changes == 0);
  CHECK(stats.latest_cursor == 0);
  CHECK(stats.devices == 0);
  CHECK(stats.blobs == 0);

  // The same change_id and blob_id are independent per user.
  CHECK(f.store->push(bob.id, "bobs-device", make_changes({"x"})) == 1);
  f.store->put_blob(bob.id, "photo", "bob-bytes", 2);
  CHECK(*f.store->get_blob(f.user.id, "photo") == "alice-bytes");
  CHECK(*f.store->get_blob(bob.id, "photo") == "bob-bytes");
  CHECK(f.store->pull(f.user.id, "reader", 0, 100).changes.size() == 2);
  CHECK_FALSE(f.store->find_device(f.user.id, device.id)->revoked);
}

TEST_CASE("streamed uploads: parts, complete, ranged part reads, replace and delete", "[blobs]") {
  Fixture f;
  const std::string part0(10, 'a'), part1(4, 'b');
  const std::string id = f.store->create_upload(f.user.id, "s", 14, 10, 100);
  CHECK(f.store->find_upload(f.user.id, "s", id)->parts.empty());
  CHECK_FALSE(f.store->find_upload(f.user.id, "other", id));
  CHECK(f.store->put_upload_part(f.user.id, "s", id, 1, part1));
  CHECK_FALSE(f.store->put_upload_part(f.user.id, "other", id, 0, part0));
  CHECK(f.store->complete_upload(f.user.id, "s", id, 101) == CompleteResult::missing_parts);
  CHECK(f.store->put_upload_part(f.user.id, "s", id, 0, part0));
  CHECK(f.store->find_upload(f.user.id, "s", id)->parts == std::vector<std::int64_t>{0, 1});
  CHECK(f.store->put_blob(f.user.id, "s", "single", 102) == PutResult::created);
  CHECK(f.store->complete_upload(f.user.id, "s", id, 103) == CompleteResult::replaced);
  CHECK(f.store->complete_upload(f.user.id, "s", id, 104) == CompleteResult::no_upload);
  CHECK_FALSE(f.store->find_upload(f.user.id, "s", id));
  const auto blob = f.store->open_blob(f.user.id, "s");
  REQUIRE(blob);
  CHECK(blob->format == kStreamFormat);
  CHECK(blob->size == 14);
  CHECK(blob->part_size == 10);
  CHECK(blob->content_id == id);
  CHECK_FALSE(f.store->get_blob(f.user.id, "s"));  // not the single-shot form
  CHECK(*f.store->read_blob_part(id, 0, 3, 5) == "aaaaa");
  CHECK(*f.store->read_blob_part(id, 1, 0, 4) == "bbbb");
  CHECK_FALSE(f.store->read_blob_part(id, 1, 2, 3));  // beyond the part
  CHECK_FALSE(f.store->read_blob_part(id, 2, 0, 1));
  auto stats = f.store->stats(f.user.id);
  CHECK(stats.blobs == 1);
  CHECK(stats.blob_bytes == 14);
  // the single-shot form replaces the streamed one, and its parts go
  CHECK(f.store->put_blob(f.user.id, "s", "single", 105) == PutResult::replaced);
  CHECK(f.store->open_blob(f.user.id, "s")->format == kSealedFormat);
  CHECK_FALSE(f.store->read_blob_part(id, 0, 0, 1));
  // delete takes a streamed blob with its parts
  const std::string again = f.store->create_upload(f.user.id, "t", 3, 10, 106);
  CHECK(f.store->put_upload_part(f.user.id, "t", again, 0, "xyz"));
  CHECK(f.store->complete_upload(f.user.id, "t", again, 107) == CompleteResult::created);
  CHECK(f.store->delete_blob(f.user.id, "t"));
  CHECK_FALSE(f.store->open_blob(f.user.id, "t"));
  CHECK_FALSE(f.store->read_blob_part(again, 0, 0, 1));
  CHECK_FALSE(f.store->delete_blob(f.user.id, "t"));
}

TEST_CASE("streamed uploads: abandoned ones are purged by age, blobs never", "[blobs]") {
  Fixture f;
  const std::string old_id = f.store->create_upload(f.user.id, "a", 3, 10, 1000);
  const std::string new_id = f.store->create_upload(f.user.id, "b", 3, 10, 2000);
  const std::string done_id = f.store->create_upload(f.user.id, "c", 3, 10, 500);
  for (const auto& id : {old_id, new_id}) CHECK(f.store->put_upload_part(f.user.id, id == old_id ? "a" : "b", id, 0, "xyz"));
  CHECK(f.store->put_upload_part(f.user.id, "c", done_id, 0, "xyz"));
  CHECK(f.store->complete_upload(f.user.id, "c", done_id, 600) == CompleteResult::created);
  CHECK(f.store->purge_uploads(1000) == 1);
  CHECK_FALSE(f.store->find_upload(f.user.id, "a", old_id));
  CHECK_FALSE(f.store->read_blob_part(old_id, 0, 0, 3));
  CHECK(f.store->find_upload(f.user.id, "b", new_id));
  CHECK(*f.store->read_blob_part(done_id, 0, 0, 3) == "xyz");
  CHECK(f.store->delete_upload(f.user.id, "b", new_id));
  CHECK_FALSE(f.store->delete_upload(f.user.id, "b", new_id));
  CHECK_FALSE(f.store->read_blob_part(new_id, 0, 0, 3));
  CHECK(f.store->purge_uploads(1'000'000) == 0);
}

TEST_CASE("blobs: created, replaced, read, deleted", "[blobs]") {
  Fixture f;
  const std::string bytes("\0sealed\xff bytes", 14);
  CHECK(f.store->put_blob(f.user.id, "b1", bytes, 1) == PutResult::created);
  CHECK(*f.store->get_blob(f.user.id, "b1") == bytes);
  CHECK(f.store->put_blob(f.user.id, "b1", "v2", 2) == PutResult::replaced);
  CHECK(*f.store->get_blob(f.user.id, "b1") == "v2");
  CHECK(f.store->put_blob(f.user.id, "empty", "", 3) == PutResult::created);
  const auto empty = f.store->get_blob(f.user.id, "empty");
  REQUIRE(empty);
  CHECK(empty->empty());
  const std::string big(3 * 1024 * 1024 + 17, 'z');
  CHECK(f.store->put_blob(f.user.id, "big", big, 4) == PutResult::created);
  CHECK(*f.store->get_blob(f.user.id, "big") == big);

  auto stats = f.store->stats(f.user.id);
  CHECK(stats.blobs == 3);
  CHECK(stats.blob_bytes == static_cast<std::int64_t>(2 + big.size()));

  CHECK(f.store->delete_blob(f.user.id, "b1"));
  CHECK_FALSE(f.store->delete_blob(f.user.id, "b1"));
  CHECK_FALSE(f.store->get_blob(f.user.id, "b1"));
  CHECK_FALSE(f.store->get_blob(f.user.id, "never"));
  stats = f.store->stats(f.user.id);
  CHECK(stats.blobs == 2);
  CHECK(stats.blob_bytes == static_cast<std::int64_t>(big.size()));
}

TEST_CASE("stats: devices, cursor, changes and blobs of the user", "[stats]") {
  Fixture f;
  auto stats = f.store->stats(f.user.id);
  CHECK(stats.devices == 0);
  CHECK(stats.latest_cursor == 0);
  CHECK(stats.changes == 0);
  CHECK(stats.blobs == 0);
  CHECK(stats.blob_bytes == 0);

  const auto d1 = f.store->add_device(f.user.id, "one", "linux", 1);
  f.store->add_device(f.user.id, "two", "linux", 2);
  f.store->revoke_device(f.user.id, d1.id);
  f.store->push(f.user.id, d1.id, make_changes({"a", "b", "c"}));
  f.store->push(f.user.id, d1.id, make_changes({"c", "d"}));
  f.store->put_blob(f.user.id, "x", "12345", 1);
  f.store->put_blob(f.user.id, "y", "123", 1);
  stats = f.store->stats(f.user.id);
  CHECK(stats.devices == 1);
  CHECK(stats.latest_cursor == 4);
  CHECK(stats.changes == 4);
  CHECK(stats.blobs == 2);
  CHECK(stats.blob_bytes == 8);
}

TEST_CASE("backup: the copy opens and holds the same data", "[backup][sqlite]") {
  Fixture f;
  const auto device = f.store->add_device(f.user.id, "phone", "ios", 5);
  f.store->push(f.user.id, device.id, make_changes({"a", "b"}));
  f.store->put_blob(f.user.id, "blob", std::string("\0\1\2", 3), 1);
  f.store->put_envelope(f.user.id, R"({"k":1})", 0);
  const std::string session = f.store->add_session(hash_of("r"), f.user.id, 1, 100);

  const auto copy_path = f.dir.file("backup.db");
  f.store->backup_to(copy_path);
  f.store->push(f.user.id, device.id, make_changes({"after-backup"}));  // not in the copy
  REQUIRE(fs::exists(copy_path));
  CHECK_FALSE(fs::exists(copy_path + "-wal"));

  auto copy = SqliteStore::open(copy_path);
  CHECK(copy->find_app_by_key(hash_of("api-key"))->id == f.app.id);
  CHECK(copy->find_user(f.app.id, "alice@example.com")->id == f.user.id);
  const auto page = copy->pull(f.user.id, "reader", 0, 10);
  CHECK(ids_of(page) == std::vector<std::string>{"a", "b"});
  CHECK(page.cursor == 2);
  CHECK(*copy->get_blob(f.user.id, "blob") == std::string("\0\1\2", 3));
  CHECK(copy->get_envelope(f.user.id)->version == 1);
  CHECK(copy->find_device(f.user.id, device.id)->name == "phone");
  CHECK(copy->rotate_session(hash_of("r"), hash_of("r2"), 1, 200)->session_id == session);

  SECTION("an existing non-empty file is not overwritten") {
    CHECK_THROWS_AS(f.store->backup_to(copy_path), StoreError);
    CHECK(copy->pull(f.user.id, "reader", 0, 10).changes.size() == 2);
  }
}

TEST_CASE("threads: concurrent pushes get sequence numbers 1..N without gaps", "[threads][sync]") {
  Fixture f;
  constexpr int kThreads = 4, kBatches = 25, kPerBatch = 8;
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::int64_t last = 0;
      for (int batch = 0; batch < kBatches; ++batch) {
        std::vector<std::string> ids;
        for (int i = 0; i < kPerBatch; ++i)
          ids.push_back(std::to_string(t) + "-" + std::to_string(batch * kPerBatch + i));
        const auto cursor = f.store->push(f.user.id, "device-" + std::to_string(t), make_changes(ids));
        if (cursor < last + kPerBatch) failed = true;
        last = cursor;
      }
    });
  }
  // A reader pulling all along must only ever see a prefix-consistent, ordered view.
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      const auto page = f.store->pull(f.user.id, "reader", 0, 1000);
      for (std::size_t k = 0; k < page.changes.size(); ++k) {
        if (page.changes[k].seq != static_cast<std::int64_t>(k) + 1) failed = true;
      }
      if (page.cursor != static_cast<std::int64_t>(page.changes.size())) failed = true;
    }
  });
  for (auto& thread : threads) thread.join();
  CHECK_FALSE(failed);

  constexpr int kTotal = kThreads * kBatches * kPerBatch;
  const auto page = f.store->pull(f.user.id, "reader", 0, 1000);
  REQUIRE(page.changes.size() == kTotal);
  std::set<std::string> ids;
  for (std::size_t k = 0; k < page.changes.size(); ++k) {
    CHECK(page.changes[k].seq == static_cast<std::int64_t>(k) + 1);
    ids.insert(page.changes[k].change_id);
  }
  CHECK(ids.size() == kTotal);
  CHECK(f.store->stats(f.user.id).changes == kTotal);
}

TEST_CASE("threads: the same changes pushed concurrently are stored once", "[threads][sync]") {
  Fixture f;
  std::vector<std::string> ids;
  for (int i = 0; i < 50; ++i) ids.push_back("same-" + std::to_string(i));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { f.store->push(f.user.id, "device", make_changes(ids)); });
  }
  for (auto& thread : threads) thread.join();
  const auto page = f.store->pull(f.user.id, "reader", 0, 1000);
  CHECK(ids_of(page) == ids);
  CHECK(page.cursor == 50);
}

TEST_CASE("memory: a private in-memory database works (reads share the one connection)", "[memory][sqlite]") {
  auto store = SqliteStore::open(":memory:");
  const auto app = store->create_app("mem", hash_of("k"), {});
  const auto user = *store->create_user(app.id, "m@example.com", "h");
  store->push(user.id, "d1", make_changes({"a", "b"}));
  const auto page = store->pull(user.id, "d2", 0, 10);
  CHECK(seqs_of(page) == Seqs{1, 2});
  CHECK(store->find_app_by_key(hash_of("k"))->id == app.id);
}

// ---- PostgreSQL specifics (no-ops on SQLite runs) ----

TEST_CASE("postgres: migrations run once, a newer schema is refused", "[postgres][schema]") {
  if (pg_admin_url() == nullptr) return;
  const std::string url = fresh_pg_database();
  {
    // several stores opening the empty database at once: one migrates, the others find it done
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        try {
          PostgresStore::open(url, 1).reset();
        } catch (const StoreError&) {
          ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(failures == 0);
  }
  PgConnection conn(url);
  CHECK(postgres_schema_version(conn) == postgres_schema_version_known());
  CHECK(conn.exec("SELECT count(*) FROM schema_version").int64(0, 0) == 1);
  const int newer = postgres_schema_version_known() + 1;
  conn.exec("UPDATE schema_version SET version = $1", {PgParam::int64(newer)});
  const std::string expected = "database schema v" + std::to_string(newer) + " is newer than this server (v" +
                               std::to_string(postgres_schema_version_known()) + ")";
  REQUIRE_THROWS_MATCHES(PostgresStore::open(url), StoreError, Catch::Message(expected));
}

TEST_CASE("postgres: StoreError carries PostgreSQL's message, never the bound values", "[postgres][errors]") {
  if (pg_admin_url() == nullptr) return;
  Fixture f;
  try {
    f.store->create_app("Secret-Name-123", hash_of("api-key"), {});
    FAIL("duplicate api key hash accepted");
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("duplicate key value violates unique constraint"));
    CHECK(what.find("Secret-Name-123") == std::string::npos);
    CHECK(what.find(hash_of("api-key")) == std::string::npos);
  }
  try {
    f.store->create_user("no-such-app-42", "secret-email@example.com", "h");
    FAIL("user of a missing app accepted");
  } catch (const StoreError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("foreign key constraint"));
    CHECK(what.find("no-such-app-42") == std::string::npos);
    CHECK(what.find("secret-email") == std::string::npos);
  }
  CHECK_THROWS_AS(f.store->add_session(hash_of("token"), "no-such-user-42", 1, 1000), UserGone);
  CHECK_THROWS_WITH(f.store->backup_to(f.dir.file("copy.db")), "use pg_dump for PostgreSQL backups");
  CHECK_THROWS_WITH(PostgresStore::open("postgres://nobody@127.0.0.1:1/none"),
                    Catch::StartsWith("postgres: connect: "));
}

TEST_CASE("postgres: any bytes in strings are kept and matched exactly", "[postgres][devices]") {
  if (pg_admin_url() == nullptr) return;
  Fixture f;
  const std::string odd_name("nul\0and\xff bytes", 14);
  const auto device = f.store->add_device(f.user.id, odd_name, "linux", 5);
  CHECK(f.store->find_device(f.user.id, device.id)->name == odd_name);
  CHECK_FALSE(f.store->find_device(f.user.id, std::string("\0\xfe", 2)));
  const std::string odd_email("a\0b@example.com", 15);
  REQUIRE(f.store->create_user(f.app.id, odd_email, "h"));
  CHECK(f.store->find_user(f.app.id, odd_email));
  CHECK_FALSE(f.store->find_user(f.app.id, "a"));
}

TEST_CASE("postgres: a v2 database migrates to v3, each refresh token its own working session", "[postgres][schema]") {
  if (pg_admin_url() == nullptr) return;
  constexpr Millis kThirtyDays = 30LL * 24 * 3600 * 1000;
  const std::string url = fresh_pg_database();
  {
    PgConnection conn(url);  // what a v2 server left: an account with two signed-in devices
    postgres_migrate(conn, 2);
    REQUIRE(postgres_schema_version(conn) == 2);
    conn.exec_script(
        "INSERT INTO apps (id, name, api_key_hash, created_at) VALUES ('app-1', 'old', '\\x01', 1);"
        "INSERT INTO users (id, app_id, email, auth_hash, created_at) VALUES ('user-1', 'app-1', 'a@b.c', 'h', 1)");
    for (const char* token : {"t1", "t2"}) {
      const Hash hash = hash_of(token);
      conn.exec("INSERT INTO refresh_tokens (hash, user_id, expires_at) VALUES ($1, $2, $3)",
                {PgParam::bytes(hash), PgParam::bytes("user-1"), PgParam::int64(kThirtyDays + 5'000)});
    }
  }
  auto store = PostgresStore::open(url);
  {
    PgConnection conn(url);
    CHECK(postgres_schema_version(conn) == postgres_schema_version_known());
    CHECK_FALSE(conn.exec("SELECT to_regclass('refresh_tokens') IS NOT NULL").boolean(0, 0));
  }
  const auto sessions = store->list_sessions("user-1", 0);
  REQUIRE(sessions.size() == 2);
  CHECK(sessions[0].id != sessions[1].id);
  for (const auto& session : sessions) {
    CHECK(std::regex_match(session.id, kUuidV4));
    CHECK(session.created_at == 5'000);
    CHECK(session.last_used_at == 5'000);
    CHECK(store->session_active(session.id, "user-1", 6'000));
  }
  const auto grant = store->rotate_session(hash_of("t1"), hash_of("t1-next"), 6'000, 2 * kThirtyDays);
  REQUIRE(grant);
  CHECK(grant->app_id == "app-1");
  CHECK(store->rotate_session(hash_of("t2"), hash_of("t2-next"), 6'000, 2 * kThirtyDays));
  CHECK(store->put_recovery("user-1", "{}", "h", 0) == 1);
}
