// SqliteReplicaStore: one SQLite file, one table, cached statements (sqlite_replica_store.hpp).
#include "synckit/native/sqlite_replica_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

namespace synckit::native {
namespace {

// How long open waits for another connection to release the file before reporting it in use.
// Once open, the store holds the file's exclusive lock, so nothing else ever waits.
constexpr int kBusyTimeoutMs = 200;

// A non-null pointer for empty blobs: sqlite3_bind_blob with a null pointer binds NULL.
const std::uint8_t kEmptyBlob = 0;

[[noreturn]] void throw_sqlite(sqlite3* db, std::string_view what) {
  throw Error(ErrorKind::storage, "sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

bool is_busy(int rc) {
  const int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

std::string quoted(const std::string& path) { return "\"" + path + "\""; }

// Creates the file owner-only if it does not exist. O_EXCL matters: closing a descriptor of a
// file this process already has open in SQLite would drop SQLite's POSIX locks on it, and with
// O_EXCL a descriptor exists only for a file nobody had.
void create_if_missing(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) return;
    std::string detail = "cannot create the replica file " + quoted(path) + ": " + std::strerror(error);
    if (error == ENOENT) detail += " (its directory must exist)";
    throw Error(ErrorKind::storage, std::move(detail));
  }
  (void)::fsync(fd);
  ::close(fd);
  // Make the new directory entry durable too (best effort: SQLite syncs the directory again when
  // it creates the WAL file there).
  const std::string::size_type slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

// The smallest byte string greater than every string starting with `prefix`: the prefix with its
// last byte that is not 0xFF incremented and what follows it dropped. False when there is none
// (an empty prefix, or one of 0xFF bytes only): every key from the prefix on matches then.
bool prefix_successor(ByteView prefix, Bytes& out) {
  std::size_t end = prefix.size();
  while (end > 0 && prefix[end - 1] == 0xFF) --end;
  if (end == 0) return false;
  out.assign(prefix.begin(), prefix.begin() + static_cast<std::ptrdiff_t>(end));
  ++out.back();
  return true;
}

// Resets a cached statement and drops its bindings when a use of it ends, however it ends, so no
// statement keeps a read open or points at a caller's buffer.
class StatementUse {
 public:
  explicit StatementUse(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

}  // namespace

struct SqliteReplicaStore::Impl {
  sqlite3* db = nullptr;
  std::string path;
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  sqlite3_stmt* rollback = nullptr;
  sqlite3_stmt* get = nullptr;
  sqlite3_stmt* put = nullptr;
  sqlite3_stmt* remove = nullptr;
  sqlite3_stmt* scan_range = nullptr;  // key in [prefix, successor)
  sqlite3_stmt* scan_from = nullptr;   // key >= prefix (no successor)
  sqlite3_stmt* count = nullptr;
  // A rollback failed: the connection may still hold a half-applied transaction, which reads
  // would see. Every later call refuses.
  bool broken = false;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    for (sqlite3_stmt* stmt : {begin, commit, rollback, get, put, remove, scan_range, scan_from, count}) {
      sqlite3_finalize(stmt);  // a no-op for null
    }
    sqlite3_close_v2(db);  // rolls back an open transaction; releases the lock
  }

  // --- open ---

  Error open_error(int rc, std::string_view what) const {
    if (is_busy(rc)) {
      return Error(ErrorKind::storage, "the replica file is in use by another process: " + quoted(path));
    }
    return Error(ErrorKind::storage, "sqlite: " + std::string(what) + " " + quoted(path) + ": " +
                                         (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  [[noreturn]] void fail_open(int rc, std::string_view what) const { throw open_error(rc, what); }

  void exec_open(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail_open(rc, what);
  }

  // read(stmt) on the one row `sql` returns.
  template <class Read>
  auto query_row(const char* sql, std::string_view what, Read read) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
    if (rc != SQLITE_OK) fail_open(rc, what);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
      Error error = open_error(rc, what);
      sqlite3_finalize(stmt);
      throw error;
    }
    auto value = read(stmt);
    sqlite3_finalize(stmt);
    return value;
  }

  // The first column of the one row `sql` returns, as an integer.
  std::int64_t query_int(const char* sql, std::string_view what) {
    return query_row(sql, what, [](sqlite3_stmt* stmt) { return sqlite3_column_int64(stmt, 0); });
  }

  // The text `sql` returns (PRAGMA journal_mode answers with the mode in force).
  std::string query_text(const char* sql, std::string_view what) {
    return query_row(sql, what, [](sqlite3_stmt* stmt) {
      const unsigned char* chars = sqlite3_column_text(stmt, 0);
      return chars != nullptr ? std::string(reinterpret_cast<const char*>(chars)) : std::string();
    });
  }

  sqlite3_stmt* prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) fail_open(rc, "prepare");
    return stmt;
  }

  void open() {
    // With SQLITE_USE_URI (Debian's build) a name starting "file:" would be parsed as a URI.
    const std::string name = path.rfind("file:", 0) == 0 ? "./" + path : path;
    int rc = sqlite3_open_v2(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) fail_open(rc, "open");
    if (sqlite3_db_readonly(db, "main") == 1) {
      throw Error(ErrorKind::storage, "the replica file " + quoted(path) + " is read-only");
    }
    sqlite3_extended_result_codes(db, 1);
    rc = sqlite3_busy_timeout(db, kBusyTimeoutMs);
    if (rc != SQLITE_OK) fail_open(rc, "busy_timeout");
    // Before anything reads the file: from the first read on, the locks are never released, and
    // the WAL index goes to heap memory instead of a shared -shm file.
    exec_open("PRAGMA locking_mode=EXCLUSIVE", "locking_mode");

    // Look before changing anything: a file that is not ours is refused untouched.
    const std::int64_t version = query_int("PRAGMA user_version", "read schema version");
    const std::int64_t objects = query_int("SELECT count(*) FROM sqlite_master", "read schema");
    const std::int64_t kv_tables =
        query_int("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='kv'", "read schema");
    const bool fresh = version == 0 && objects == 0;
    if (version > schema_version) {
      throw Error(ErrorKind::storage, "the replica file " + quoted(path) + " has schema version " +
                                          std::to_string(version) + ", newer than this SyncKit's (" +
                                          std::to_string(schema_version) + "): open it with a newer SyncKit");
    }
    if (!fresh && !(version == schema_version && kv_tables == 1)) {
      throw Error(ErrorKind::storage, "the file " + quoted(path) +
                                          " is a SQLite database but not a SyncKit replica (unknown schema, version " +
                                          std::to_string(version) + ")");
    }

    if (query_text("PRAGMA journal_mode=WAL", "journal_mode") != "wal") {
      throw Error(ErrorKind::storage, "sqlite: journal_mode " + quoted(path) + ": WAL mode is not available");
    }
    exec_open("PRAGMA synchronous=FULL", "synchronous");
    exec_open("PRAGMA secure_delete=ON", "secure_delete");

    // A write transaction takes the exclusive lock now (it is kept until close), and creates the
    // schema in a fresh file.
    exec_open("BEGIN IMMEDIATE", "begin");
    if (fresh) {
      exec_open(
          "CREATE TABLE kv(space INTEGER NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,"
          " PRIMARY KEY(space, key)) WITHOUT ROWID",
          "create schema");
      exec_open("PRAGMA user_version=1", "create schema");
    }
    exec_open("COMMIT", "commit schema");

    begin = prepare("BEGIN IMMEDIATE");
    commit = prepare("COMMIT");
    rollback = prepare("ROLLBACK");
    get = prepare("SELECT value FROM kv WHERE space = ?1 AND key = ?2");
    put = prepare("INSERT OR REPLACE INTO kv(space, key, value) VALUES(?1, ?2, ?3)");
    remove = prepare("DELETE FROM kv WHERE space = ?1 AND key = ?2");
    scan_range = prepare(
        "SELECT key, value FROM kv WHERE space = ?1 AND key >= ?2 AND key < ?3 ORDER BY key LIMIT ?4");
    scan_from = prepare("SELECT key, value FROM kv WHERE space = ?1 AND key >= ?2 ORDER BY key LIMIT ?3");
    count = prepare("SELECT count(*) FROM kv WHERE space = ?1");
  }

  // --- use ---

  void check_usable() const {
    if (broken) {
      throw Error(ErrorKind::storage,
                  "sqlite: the store is unusable after a failed rollback; open the replica file again");
    }
  }

  void bind_space(sqlite3_stmt* stmt, int index, StoreSpace space, std::string_view what) {
    if (sqlite3_bind_int(stmt, index, static_cast<int>(space)) != SQLITE_OK) throw_sqlite(db, what);
  }

  // Binds without copying: the bytes must outlive the step (StatementUse clears the binding).
  void bind_bytes(sqlite3_stmt* stmt, int index, ByteView bytes, std::string_view what) {
    const void* data = bytes.empty() ? &kEmptyBlob : static_cast<const void*>(bytes.data());
    if (sqlite3_bind_blob64(stmt, index, data, bytes.size(), SQLITE_STATIC) != SQLITE_OK) throw_sqlite(db, what);
  }

  void bind_limit(sqlite3_stmt* stmt, int index, std::size_t limit, std::string_view what) {
    const auto max = static_cast<std::size_t>(std::numeric_limits<sqlite3_int64>::max());
    const sqlite3_int64 value = limit == 0 || limit > max ? -1 : static_cast<sqlite3_int64>(limit);
    if (sqlite3_bind_int64(stmt, index, value) != SQLITE_OK) throw_sqlite(db, what);
  }

  // Steps once; SQLITE_ROW or SQLITE_DONE, or throws (the message is taken before any reset).
  int step(sqlite3_stmt* stmt, std::string_view what) {
    const int rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw_sqlite(db, what);
    return rc;
  }

  Bytes column_bytes(sqlite3_stmt* stmt, int column, std::string_view what) {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, column));
    const int size = sqlite3_column_bytes(stmt, column);
    if (size == 0) return {};
    if (data == nullptr) throw_sqlite(db, what);  // out of memory
    return Bytes(data, data + size);
  }

  void step_done(sqlite3_stmt* stmt, std::string_view what) {
    StatementUse use(stmt);
    step(stmt, what);
  }

  // Ends a failed transaction. Never throws: if it cannot, the store refuses every later call.
  void roll_back() noexcept {
    if (sqlite3_get_autocommit(db) != 0) return;  // SQLite already rolled it back
    sqlite3_step(rollback);
    sqlite3_reset(rollback);
    if (sqlite3_get_autocommit(db) == 0) broken = true;
  }

  void apply(const std::vector<StoreWrite>& writes) {
    check_usable();
    step_done(begin, "begin");
    try {
      for (const StoreWrite& write : writes) {
        if (write.value) {
          StatementUse use(put);
          bind_space(put, 1, write.space, "put");
          bind_bytes(put, 2, write.key, "put");
          bind_bytes(put, 3, *write.value, "put");
          step(put, "put");
        } else {
          StatementUse use(remove);
          bind_space(remove, 1, write.space, "delete");
          bind_bytes(remove, 2, write.key, "delete");
          step(remove, "delete");
        }
      }
      step_done(commit, "commit");
    } catch (...) {
      roll_back();
      throw;
    }
  }
};

SqliteReplicaStore::SqliteReplicaStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SqliteReplicaStore::~SqliteReplicaStore() = default;

std::unique_ptr<SqliteReplicaStore> SqliteReplicaStore::open(const std::string& path) {
  if (path.empty() || path.find('\0') != std::string::npos) {
    throw Error(ErrorKind::storage, "the replica file path is empty or holds a NUL byte");
  }
  create_if_missing(path);
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->open();
  return std::unique_ptr<SqliteReplicaStore>(new SqliteReplicaStore(std::move(impl)));
}

std::optional<Bytes> SqliteReplicaStore::get(StoreSpace space, ByteView key) {
  Impl& s = *impl_;
  s.check_usable();
  StatementUse use(s.get);
  s.bind_space(s.get, 1, space, "get");
  s.bind_bytes(s.get, 2, key, "get");
  if (s.step(s.get, "get") != SQLITE_ROW) return std::nullopt;
  return s.column_bytes(s.get, 0, "get");
}

std::vector<StoreEntry> SqliteReplicaStore::scan(StoreSpace space, ByteView prefix, std::size_t limit) {
  Impl& s = *impl_;
  s.check_usable();
  Bytes upper;
  const bool bounded = prefix_successor(prefix, upper);
  sqlite3_stmt* stmt = bounded ? s.scan_range : s.scan_from;
  StatementUse use(stmt);
  s.bind_space(stmt, 1, space, "scan");
  s.bind_bytes(stmt, 2, prefix, "scan");
  if (bounded) s.bind_bytes(stmt, 3, upper, "scan");
  s.bind_limit(stmt, bounded ? 4 : 3, limit, "scan");
  std::vector<StoreEntry> entries;
  while (s.step(stmt, "scan") == SQLITE_ROW) {
    StoreEntry entry;
    entry.key = s.column_bytes(stmt, 0, "scan");
    entry.value = s.column_bytes(stmt, 1, "scan");
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::size_t SqliteReplicaStore::count(StoreSpace space) {
  Impl& s = *impl_;
  s.check_usable();
  StatementUse use(s.count);
  s.bind_space(s.count, 1, space, "count");
  if (s.step(s.count, "count") != SQLITE_ROW) throw Error(ErrorKind::storage, "sqlite: count: no result row");
  return static_cast<std::size_t>(sqlite3_column_int64(s.count, 0));
}

void SqliteReplicaStore::commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) {
  std::optional<Error> error;
  try {
    impl_->apply(writes);
  } catch (const Error& e) {
    error = e;
  }
  // After the transaction ended either way: a throw from done leaves nothing open.
  if (done) done(std::move(error));
}

}  // namespace synckit::native
