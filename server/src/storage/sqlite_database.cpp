#include "storage/sqlite_database.hpp"

#include <chrono>
#include <thread>

#include <sqlite3.h>

#include <utility>

namespace synckit::server {

namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kWalRetryMs = 50;

// The message names the failed operation and carries SQLite's text (which names constraints and
// columns, never bound values).
[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view what) {
  std::string message = "sqlite: ";
  message += what;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw StoreError(message);
}

}  // namespace

// ---- Statement ----

Statement::Statement(sqlite3* db, std::string_view sql, bool persistent) : db_(db) {
  const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), flags, &stmt_, nullptr);
  if (rc != SQLITE_OK) throw_sqlite(db, rc, "prepare");
  if (stmt_ == nullptr) throw StoreError("sqlite: prepare: empty statement");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::fail(int rc, std::string_view what) const { throw_sqlite(db_, rc, what); }

Statement& Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // A zero-length blob needs a non-null pointer, or SQLite binds NULL.
  const char* data = bytes.empty() ? "" : bytes.data();
  const int rc = sqlite3_bind_blob64(stmt_, index, data, bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_blob_ref(int index, const std::string& bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(rc, "bind");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(rc, "step");
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return text != nullptr ? std::string(text, size) : std::string();
}

std::string Statement::column_blob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return data != nullptr ? std::string(data, size) : std::string();
}

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

// ---- StatementLease ----

StatementLease::StatementLease(Statement& statement) noexcept : statement_(&statement) {
  statement_->leased_ = true;
}

StatementLease::StatementLease(StatementLease&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)) {}

StatementLease::~StatementLease() {
  if (statement_ == nullptr) return;
  statement_->reset();
  statement_->leased_ = false;
}

// ---- Database ----

Database::Database(const std::string& path, Access access) {
  // NOMUTEX: the owner serialises use of a connection (see the class comment).
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (access == Access::read_write ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    // db_ may hold the error message; it must be closed either way.
    std::string message = "sqlite: open: ";
    message += db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(message);
  }
  try {
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    // WAL with synchronous=FULL: the WAL is fsynced at every commit before it is acknowledged, so an
    // acknowledged push survives a kill -9, an OS crash and a power loss. One fsync per transaction
    // (a push of up to 1000 changes is one transaction) keeps it cheap.
    if (access == Access::read_write) enable_wal();
    // secure_delete: deleted rows (an account deletion above all) are overwritten with zeros in
    // the page, and freed pages zeroed, so the file keeps no trace of them once the WAL is
    // checkpointed. It costs a write of what is freed, nothing for inserts and reads.
    exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON");
    if (access == Access::read_only) exec("PRAGMA query_only=ON");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

// Switching a new database to WAL needs an exclusive lock that the busy timeout does not wait for:
// when another process (a second node, `app create`) opens it at the same moment, try again.
void Database::enable_wal() {
  for (int attempt = 1;; ++attempt) {
    try {
      exec("PRAGMA journal_mode=WAL");
      return;
    } catch (const StoreError&) {
      if (attempt * kWalRetryMs >= kBusyTimeoutMs) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(kWalRetryMs));
    }
  }
}

Database::~Database() {
  statements_.clear();  // finalize every statement before closing
  sqlite3_close(db_);
}

void Database::fail(int rc, std::string_view what) const { throw_sqlite(db_, rc, what); }

void Database::exec(const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, "exec");
}

StatementLease Database::cached(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto statement = std::make_unique<Statement>(db_, sql, true);
    it = statements_.emplace(std::string(sql), std::move(statement)).first;
  }
  if (it->second->leased_) throw StoreError("sqlite: statement is already in use on this connection");
  return StatementLease(*it->second);
}

std::optional<std::string> Database::read_blob(const char* table, const char* column, std::int64_t rowid,
                                               std::int64_t offset, std::int64_t length) {
  sqlite3_blob* blob = nullptr;
  const int rc = sqlite3_blob_open(db_, "main", table, column, rowid, 0, &blob);
  if (rc != SQLITE_OK) {
    sqlite3_blob_close(blob);
    if (rc == SQLITE_ERROR) return std::nullopt;  // no such row (any more)
    fail(rc, "open blob");
  }
  const std::unique_ptr<sqlite3_blob, int (*)(sqlite3_blob*)> closer(blob, sqlite3_blob_close);
  if (offset < 0 || length < 0 || sqlite3_blob_bytes(blob) < offset + length) return std::nullopt;
  std::string bytes(static_cast<std::size_t>(length), '\0');
  const int read = sqlite3_blob_read(blob, bytes.data(), static_cast<int>(length), static_cast<int>(offset));
  if (read != SQLITE_OK) fail(read, "read blob");
  return bytes;
}

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }

bool Database::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

// ---- Transaction ----

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  db_.cached(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")->run();
}

Transaction::~Transaction() {
  if (done_ || !db_.in_transaction()) return;  // some errors already rolled SQLite back
  try {
    db_.cached("ROLLBACK")->run();
  } catch (...) {
    // Nothing useful to do: the connection reports the failure on its next use.
  }
}

void Transaction::commit() {
  db_.cached("COMMIT")->run();
  done_ = true;
}

// ---- ReaderPool ----

ReaderPool::ReaderPool(std::string path, std::size_t max_size)
    : path_(std::move(path)), max_size_(max_size == 0 ? 1 : max_size) {
  idle_.reserve(max_size_);  // so give_back never allocates
}

ReaderPool::Lease ReaderPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_count_ < max_size_; });
  if (!idle_.empty()) {
    auto db = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(db));
  }
  ++open_count_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Database>(path_, Database::Access::read_only));
  } catch (...) {
    {
      std::lock_guard relock(mutex_);
      --open_count_;
    }
    available_.notify_one();
    throw;
  }
}

void ReaderPool::give_back(std::unique_ptr<Database> db) noexcept {
  if (db == nullptr) return;
  {
    std::lock_guard lock(mutex_);
    // A connection left inside a transaction (should not happen) is dropped rather than reused.
    if (db->in_transaction()) {
      --open_count_;
      db.reset();
    } else {
      idle_.push_back(std::move(db));
    }
  }
  available_.notify_one();
}

}  // namespace synckit::server
