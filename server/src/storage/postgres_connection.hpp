// A small RAII layer over libpq: results, typed binary parameters, connections, transactions and a
// pool of connections. Every libpq failure becomes a StoreError carrying PostgreSQL's primary
// message (errors are terse, so never a bound value or a connection password).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/store.hpp"

struct pg_conn;
struct pg_result;

namespace synckit::server {

// A statement PostgreSQL refused, with its SQLSTATE ("23505" unique_violation), so a caller can
// tell an expected race from a failure.
struct PgError : StoreError {
  PgError(const std::string& message, std::string state) : StoreError(message), sqlstate(std::move(state)) {}
  std::string sqlstate;  // "" when the failure has none (a lost connection)
};

inline constexpr const char* kPgUniqueViolation = "23505";

// One statement parameter, always sent in binary format with an explicit type.
class PgParam {
 public:
  // A text value (must be valid UTF-8 without NUL bytes). Keeps a view: `value` must outlive the call.
  static PgParam text(std::string_view value) noexcept { return PgParam(kText, value); }
  // A bytea value (any bytes). Keeps a view: `value` must outlive the call.
  static PgParam bytes(std::string_view value) noexcept { return PgParam(kBytea, value); }
  // A bigint value (copied, big-endian).
  static PgParam int64(std::int64_t value) noexcept;
  // SQL NULL of type bigint.
  static PgParam null_int64() noexcept;

  unsigned int type() const noexcept { return type_; }
  const char* data() const noexcept { return null_ ? nullptr : owned_ ? own_ : view_.data(); }
  int length() const noexcept { return null_ ? 0 : owned_ ? 8 : static_cast<int>(view_.size()); }

 private:
  static constexpr unsigned int kText = 25, kBytea = 17, kInt8 = 20;
  PgParam(unsigned int type, std::string_view view) noexcept : type_(type), view_(view) {}
  unsigned int type_;
  std::string_view view_;
  char own_[8] = {};
  bool owned_ = false;
  bool null_ = false;
};

// A query result (binary format). Accessors take 0-based row and column; never throw.
class PgResult {
 public:
  explicit PgResult(pg_result* result) noexcept : result_(result) {}
  ~PgResult();
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult& operator=(PgResult&&) = delete;

  int rows() const noexcept;
  // Rows affected by INSERT/UPDATE/DELETE (PQcmdTuples), 0 when not applicable.
  std::int64_t affected() const noexcept;
  bool is_null(int row, int column) const noexcept;
  // The raw bytes of a text or bytea column.
  std::string bytes(int row, int column) const;
  // A bigint (or integer) column; 0 for NULL.
  std::int64_t int64(int row, int column) const noexcept;
  // A boolean column; false for NULL.
  bool boolean(int row, int column) const noexcept;

 private:
  pg_result* result_;
};

// One connection. Not thread-safe: PgPool lends it to one thread at a time.
class PgConnection {
 public:
  // Connects with a libpq connection string or URL (client encoding UTF8, terse errors). Throws
  // StoreError "postgres: connect: <message>".
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement with binary parameters and results, prepared on first use and kept for the
  // connection's lifetime (for fixed SQL text). Throws StoreError.
  PgResult exec(const char* sql, const std::vector<PgParam>& params = {});
  // The same without preparing, for SQL built at run time. Throws StoreError.
  PgResult exec_once(const std::string& sql, const std::vector<PgParam>& params);
  // Runs one or more statements without parameters (DDL, BEGIN/COMMIT). Throws StoreError.
  void exec_script(const char* sql);
  // Whether the connection is usable and idle (no transaction left open).
  bool healthy() const noexcept;
  // Reconnects when the connection is broken or the server closed it while idle. Throws StoreError.
  void ensure_connected();
  // The connection's socket, to wait on for notifications (LISTEN).
  int socket() const noexcept;
  // Reads what has arrived and returns the payloads of the notifications received (NOTIFY), in
  // order. Throws StoreError when the connection is lost.
  std::vector<std::string> take_notifications();

 private:
  [[noreturn]] void fail(const char* what, pg_result* result) const;
  // The name of the prepared statement for `sql`, preparing it when new. Throws StoreError.
  const std::string& prepared(const char* sql, const std::vector<PgParam>& params);

  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// BEGIN ... COMMIT on one connection; rolls back if destroyed before commit().
class PgTransaction {
 public:
  // `begin` is the BEGIN statement (e.g. "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").
  // Throws StoreError.
  explicit PgTransaction(PgConnection& conn, const char* begin = "BEGIN");
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  // Commits. Throws StoreError (the destructor then rolls back).
  void commit();

 private:
  PgConnection& conn_;
  bool done_ = false;
};

// Up to `max_size` connections to one database, opened lazily, each lent to one thread at a time.
// A connection returned broken or inside a transaction is dropped; a broken idle one is reconnected
// on its next lease.
class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> conn) noexcept : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.give_back(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    PgConnection& operator*() const noexcept { return *conn_; }
    PgConnection* operator->() const noexcept { return conn_.get(); }

   private:
    PgPool& pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(std::string conninfo, std::size_t max_size);
  // Lends an idle connection (reconnected if broken), opening one if fewer than max_size exist, else
  // waits. Throws StoreError.
  Lease acquire();

 private:
  void give_back(std::unique_ptr<PgConnection> conn) noexcept;

  std::string conninfo_;
  std::size_t max_size_;
  std::size_t open_count_ = 0;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace synckit::server
