#include "storage/postgres_connection.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace synckit::server {

namespace {

// One line: libpq's multi-line messages joined with spaces, trailing whitespace dropped.
void tidy(std::string& message) {
  for (char& c : message) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
}

// Server notices (e.g. "relation already exists, skipping") are not the request log's business.
void ignore_notice(void*, const char*) {}

// Settings of every new or reset connection.
void configure(PGconn* conn) {
  PQsetErrorVerbosity(conn, PQERRORS_TERSE);
  PQsetNoticeProcessor(conn, ignore_notice, nullptr);
}

}  // namespace

// ---- parameters and results ----

PgParam PgParam::int64(std::int64_t value) noexcept {
  PgParam param(kInt8, {});
  auto bits = static_cast<std::uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    param.own_[i] = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  param.owned_ = true;
  return param;
}

PgParam PgParam::null_int64() noexcept {
  PgParam param(kInt8, {});
  param.null_ = true;
  return param;
}

PgResult::~PgResult() { PQclear(result_); }

int PgResult::rows() const noexcept { return PQntuples(result_); }

std::int64_t PgResult::affected() const noexcept {
  const char* text = PQcmdTuples(result_);
  return text == nullptr || *text == '\0' ? 0 : std::strtoll(text, nullptr, 10);
}

bool PgResult::is_null(int row, int column) const noexcept { return PQgetisnull(result_, row, column) != 0; }

std::string PgResult::bytes(int row, int column) const {
  const auto length = static_cast<std::size_t>(PQgetlength(result_, row, column));
  return std::string(PQgetvalue(result_, row, column), length);
}

std::int64_t PgResult::int64(int row, int column) const noexcept {
  if (is_null(row, column)) return 0;
  const auto* data = reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column));
  const int length = PQgetlength(result_, row, column);
  std::uint64_t bits = 0;
  for (int i = 0; i < length; ++i) bits = (bits << 8) | data[i];
  if (length == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(bits));
  if (length == 2) return static_cast<std::int16_t>(static_cast<std::uint16_t>(bits));
  return static_cast<std::int64_t>(bits);
}

bool PgResult::boolean(int row, int column) const noexcept {
  return !is_null(row, column) && PQgetlength(result_, row, column) == 1 &&
         PQgetvalue(result_, row, column)[0] != 0;
}

// ---- connection ----

PgConnection::PgConnection(const std::string& conninfo) {
  // Connection string or URL first, then our fixed settings (later keywords win).
  const char* keys[] = {"dbname", "client_encoding", "application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "UTF8", "synckit-server", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) throw StoreError("postgres: connect: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = "postgres: connect: ";
    message += PQerrorMessage(conn_);
    tidy(message);
    PQfinish(conn_);
    conn_ = nullptr;
    throw StoreError(message);
  }
  configure(conn_);
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::fail(const char* what, pg_result* result) const {
  std::string message = "postgres: ";
  message += what;
  message += ": ";
  const char* primary = result != nullptr ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (primary != nullptr) {
    message += primary;
    if (state != nullptr) (message += " (SQLSTATE ") += state, message += ')';
  } else {
    message += PQerrorMessage(conn_);
  }
  tidy(message);
  std::string sqlstate = state != nullptr ? state : "";
  PQclear(result);
  throw PgError(message, std::move(sqlstate));
}

namespace {

// The parameter arrays libpq takes.
struct ParamArrays {
  std::vector<unsigned int> types;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;

  explicit ParamArrays(const std::vector<PgParam>& params) : formats(params.size(), 1) {
    types.reserve(params.size());
    values.reserve(params.size());
    lengths.reserve(params.size());
    for (const auto& param : params) {
      types.push_back(param.type());
      values.push_back(param.data());
      lengths.push_back(param.length());
    }
  }
  int count() const noexcept { return static_cast<int>(types.size()); }
};

}  // namespace

const std::string& PgConnection::prepared(const char* sql, const std::vector<PgParam>& params) {
  const auto found = prepared_.find(sql);
  if (found != prepared_.end()) return found->second;
  std::string name = "synckit_" + std::to_string(prepared_.size() + 1);
  const ParamArrays arrays(params);
  pg_result* result = PQprepare(conn_, name.c_str(), sql, arrays.count(), arrays.types.data());
  if (PQresultStatus(result) != PGRES_COMMAND_OK) fail("prepare", result);
  PQclear(result);
  return prepared_.emplace(sql, std::move(name)).first->second;
}

PgResult PgConnection::exec(const char* sql, const std::vector<PgParam>& params) {
  const std::string& name = prepared(sql, params);
  const ParamArrays arrays(params);
  pg_result* result = PQexecPrepared(conn_, name.c_str(), arrays.count(), arrays.values.data(),
                                     arrays.lengths.data(), arrays.formats.data(), 1);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("query", result);
  return PgResult(result);
}

PgResult PgConnection::exec_once(const std::string& sql, const std::vector<PgParam>& params) {
  const ParamArrays arrays(params);
  pg_result* result = PQexecParams(conn_, sql.c_str(), arrays.count(), arrays.types.data(),
                                   arrays.values.data(), arrays.lengths.data(), arrays.formats.data(), 1);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("query", result);
  return PgResult(result);
}

void PgConnection::exec_script(const char* sql) {
  pg_result* result = PQexec(conn_, sql);
  const ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail("exec", result);
  PQclear(result);
}

bool PgConnection::healthy() const noexcept {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void PgConnection::ensure_connected() {
  // Reading what arrived while idle notices a connection the server closed meanwhile (a restart, an
  // idle timeout): the goodbye message, then end of file. Costs a non-blocking read, no round trip.
  if (PQstatus(conn_) == CONNECTION_OK && PQconsumeInput(conn_) == 1) {
    (void)PQisBusy(conn_);  // parses the input read
    if (PQconsumeInput(conn_) == 1 && PQstatus(conn_) == CONNECTION_OK) return;
  }
  prepared_.clear();  // a new session has none
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) fail("reconnect", nullptr);
  configure(conn_);
}

int PgConnection::socket() const noexcept { return PQsocket(conn_); }

std::vector<std::string> PgConnection::take_notifications() {
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) fail("listen", nullptr);
  std::vector<std::string> payloads;
  while (PGnotify* notification = PQnotifies(conn_)) {
    payloads.emplace_back(notification->extra);
    PQfreemem(notification);
  }
  return payloads;
}

// ---- transaction ----

PgTransaction::PgTransaction(PgConnection& conn, const char* begin) : conn_(conn) { conn_.exec_script(begin); }

PgTransaction::~PgTransaction() {
  if (done_) return;
  try {
    conn_.exec_script("ROLLBACK");
  } catch (const StoreError&) {
    // The pool drops a connection left inside a transaction.
  }
}

void PgTransaction::commit() {
  conn_.exec_script("COMMIT");
  done_ = true;
}

// ---- pool ----

PgPool::PgPool(std::string conninfo, std::size_t max_size)
    : conninfo_(std::move(conninfo)), max_size_(max_size) {}

PgPool::Lease PgPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_count_ < max_size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    try {
      conn->ensure_connected();
    } catch (...) {
      give_back(nullptr);
      throw;
    }
    return Lease(*this, std::move(conn));
  }
  ++open_count_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<PgConnection>(conninfo_));
  } catch (...) {
    give_back(nullptr);
    throw;
  }
}

void PgPool::give_back(std::unique_ptr<PgConnection> conn) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (conn != nullptr && conn->healthy()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_count_;  // dropped: a later lease opens a fresh connection
    }
  }
  available_.notify_one();
  conn.reset();
}

}  // namespace synckit::server
