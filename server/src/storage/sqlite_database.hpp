// A small RAII layer over the SQLite C API: connections, prepared (and cached) statements,
// transactions and a pool of read connections. Every SQLite failure becomes a StoreError carrying
// SQLite's message, never a bound value.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace synckit::server {

// One prepared statement. Not thread-safe (neither is the connection it belongs to).
class Statement {
 public:
  // Prepares `sql` (a single statement) on `db`; `persistent` hints SQLite that it is kept long.
  // Throws StoreError.
  Statement(sqlite3* db, std::string_view sql, bool persistent = false);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binders take 1-based parameter indexes and copy the value. Throw StoreError.
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  // Binds without copying: `bytes` must outlive the next step() (used for large blobs).
  Statement& bind_blob_ref(int index, const std::string& bytes);
  Statement& bind_blob_ref(int index, std::string&&) = delete;

  // Advances: true when a row is available, false when done. Throws StoreError.
  bool step();
  // Runs a statement that yields no rows to completion. Throws StoreError.
  void run();
  // Makes the statement ready to run again and drops every binding. Never throws.
  void reset() noexcept;

  // Column readers (0-based) for the current row. Never throw.
  std::string column_text(int column) const;
  std::string column_blob(int column) const;
  std::int64_t column_int64(int column) const;
  bool column_is_null(int column) const;

 private:
  friend class Database;
  friend class StatementLease;
  [[noreturn]] void fail(int rc, std::string_view what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool leased_ = false;
};

// A cached statement on loan: resets it (and clears its bindings) when it goes out of scope, so an
// unfinished SELECT never keeps a read snapshot open.
class StatementLease {
 public:
  explicit StatementLease(Statement& statement) noexcept;
  ~StatementLease();
  StatementLease(StatementLease&& other) noexcept;
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  StatementLease& operator=(StatementLease&&) = delete;

  Statement* operator->() const noexcept { return statement_; }
  Statement& operator*() const noexcept { return *statement_; }

 private:
  Statement* statement_;
};

// One connection. Not thread-safe: the owner serialises its use (SqliteStore holds a mutex for the
// writer and leases readers to one thread at a time), so it is opened with SQLITE_OPEN_NOMUTEX.
class Database {
 public:
  enum class Access { read_write, read_only };

  // Opens (read_write: creating if missing) the database file and applies the connection settings:
  // WAL journal, synchronous=FULL, foreign keys, secure_delete, busy timeout; read_only
  // connections also set query_only. Throws StoreError.
  explicit Database(const std::string& path, Access access = Access::read_write);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without parameters or results (DDL, PRAGMAs). Throws StoreError.
  void exec(const std::string& sql);
  // The statement for `sql`, prepared on first use and kept for the connection's lifetime. Throws
  // StoreError (also when the same statement is already on loan on this connection).
  StatementLease cached(std::string_view sql);
  // Bytes offset..offset+length of a BLOB value (incremental blob I/O: the rest of the value is not
  // read); nullopt when the row is gone or the value shorter. Throws StoreError.
  std::optional<std::string> read_blob(const char* table, const char* column, std::int64_t rowid, std::int64_t offset,
                                       std::int64_t length);
  // Rows inserted, updated or deleted by the most recent statement.
  std::int64_t changes() const noexcept;
  // Whether a transaction is currently open on this connection.
  bool in_transaction() const noexcept;
  // The raw handle (for the backup API).
  sqlite3* handle() const noexcept { return db_; }
  // Throws StoreError "sqlite: <what>: <SQLite message>" for result code rc.
  [[noreturn]] void fail(int rc, std::string_view what) const;

 private:
  void enable_wal();
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> statements_;
};

// BEGIN ... COMMIT on one connection; rolls back if destroyed before commit() (e.g. on an exception).
class Transaction {
 public:
  // immediate takes the write lock at once (BEGIN IMMEDIATE); deferred is for read snapshots.
  enum class Kind { immediate, deferred };

  // Begins the transaction. Throws StoreError.
  explicit Transaction(Database& db, Kind kind = Kind::immediate);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Commits. Throws StoreError (the destructor then rolls back).
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// Up to `max_size` read-only connections to one file, opened lazily and lent to one thread at a time.
class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<Database> db) noexcept : pool_(pool), db_(std::move(db)) {}
    ~Lease() { pool_.give_back(std::move(db_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Database& operator*() const noexcept { return *db_; }
    Database* operator->() const noexcept { return db_.get(); }

   private:
    ReaderPool& pool_;
    std::unique_ptr<Database> db_;
  };

  ReaderPool(std::string path, std::size_t max_size);
  // Lends an idle connection, opening one if fewer than max_size exist, else waits. Throws StoreError.
  Lease acquire();

 private:
  void give_back(std::unique_ptr<Database> db) noexcept;

  std::string path_;
  std::size_t max_size_;
  std::size_t open_count_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Database>> idle_;
};

}  // namespace synckit::server
