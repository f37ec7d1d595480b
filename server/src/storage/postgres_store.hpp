// The Store on PostgreSQL through libpq, for one or several server nodes sharing one database.
//
// Threading: a pool of connections, each lent to one thread at a time; every Store method is one
// transaction (READ COMMITTED unless noted) on one pooled connection, so nodes and threads run
// concurrently. Correctness across nodes comes from the database, never from process memory:
// - push locks the user's user_sync row (SELECT ... FOR UPDATE), so one user's pushes are serialised
//   across every node and sequence numbers stay gap-free and ordered; a change_id the user already has
//   is skipped (UNIQUE (user_id, change_id) backs it), so a batch retried on another node is stored once;
// - put_envelope is one conditional statement (UPDATE ... WHERE version = expected, or INSERT ... ON
//   CONFLICT DO NOTHING for 0): exactly one of racing writers wins;
// - rotate_session is one conditional UPDATE ... RETURNING and take_oauth_code one DELETE ...
//   RETURNING: single use;
// - per-user writes lock the user's row (FOR KEY SHARE) and delete_user deletes it first, so no
//   write slips in beside an account deletion.
// pull and stats read one snapshot (REPEATABLE READ READ ONLY, or a single statement).
// The semantics of every method are those of SqliteStore (see sqlite_store.hpp); the same protocol
// replies come out of either backend.
#pragma once

#include <memory>
#include <string>

#include "storage/postgres_connection.hpp"
#include "storage/store.hpp"

namespace synckit::server {

class PostgresStore final : public Store {
 public:
  // Connects to `url` (postgres://… or postgresql://…, any libpq connection string works) and brings
  // the schema up to date. `connections` bounds the pool. Throws StoreError, including when the
  // schema is newer than this binary or the database cannot be reached.
  static std::unique_ptr<PostgresStore> open(const std::string& url, std::size_t connections = 8);
  ~PostgresStore() override;

  App create_app(const std::string& name, const Hash& api_key_hash,
                 const std::vector<std::string>& redirect_uris) override;
  std::optional<App> find_app_by_key(const Hash& api_key_hash) override;
  std::vector<App> list_apps() override;
  std::vector<std::string> redirect_uris(const std::string& app_id) override;
  bool set_redirect_uris(const std::string& app_id, const std::vector<std::string>& uris) override;

  std::optional<User> create_user(const std::string& app_id, const std::string& email,
                                  const std::string& auth_hash) override;
  std::optional<User> find_user(const std::string& app_id, const std::string& email) override;
  std::optional<User> find_user_by_id(const std::string& user_id) override;

  // postgres_store_account.cpp: sessions, credentials, account deletion, recovery envelope.
  // replace_credentials locks the user's row (FOR NO KEY UPDATE); a racing user taking the same email
  // between its check and its update is caught by the unique index (email_taken).
  CredentialResult replace_credentials(const CredentialChange& change) override;
  // Deletes the users row first: its row lock makes a racing per-user write (which takes FOR KEY
  // SHARE on it) either finish before the deletes, which then see its rows, or find no user.
  bool delete_user(const std::string& user_id, const std::string& expected_auth_hash) override;
  std::string add_session(const Hash& refresh_hash, const std::string& user_id, Millis now,
                          Millis expires_at) override;
  // One UPDATE ... RETURNING: of two nodes rotating the same token, the second finds it replaced.
  std::optional<RefreshGrant> rotate_session(const Hash& old_hash, const Hash& new_hash, Millis now,
                                             Millis new_expires_at) override;
  void end_session_by_refresh(const Hash& refresh_hash) override;
  bool end_session(const std::string& user_id, const std::string& session_id) override;
  std::vector<SessionRow> list_sessions(const std::string& user_id, Millis now) override;
  bool session_active(const std::string& session_id, const std::string& user_id, Millis now) override;
  std::optional<StoredRecovery> get_recovery(const std::string& user_id) override;
  std::optional<std::int64_t> put_recovery(const std::string& user_id, const std::string& envelope_json,
                                           const std::string& auth_hash, std::int64_t expected_version) override;
  std::optional<RecoveryLogin> find_recovery_login(const std::string& app_id, const std::string& email) override;
  std::int64_t purge_expired(Millis now) override;

  void add_oauth_code(const Hash& code_hash, const OAuthCode& code) override;
  // Returns the code even if expired (the caller checks expires_at); it is deleted either way.
  std::optional<OAuthCode> take_oauth_code(const Hash& code_hash) override;

  std::optional<StoredEnvelope> get_envelope(const std::string& user_id) override;
  std::optional<std::int64_t> put_envelope(const std::string& user_id, const std::string& envelope_json,
                                           std::int64_t expected_version) override;

  DeviceRow add_device(const std::string& user_id, const std::string& name, const std::string& platform,
                       Millis now) override;
  // Non-revoked devices, oldest first (ties by id).
  std::vector<DeviceRow> list_devices(const std::string& user_id) override;
  std::optional<DeviceRow> find_device(const std::string& user_id, const std::string& device_id) override;
  bool revoke_device(const std::string& user_id, const std::string& device_id) override;

  std::int64_t push(const std::string& user_id, const std::string& device_id,
                    const std::vector<NewChange>& changes) override;
  // Cursor rules as SqliteStore::pull.
  PullPage pull(const std::string& user_id, const std::string& device_id, std::int64_t cursor,
                int limit) override;
  UserStats stats(const std::string& user_id) override;

  PutResult put_blob(const std::string& user_id, const std::string& blob_id, const std::string& bytes,
                     Millis now) override;
  std::optional<StoredBlob> open_blob(const std::string& user_id, const std::string& blob_id) override;
  bool delete_blob(const std::string& user_id, const std::string& blob_id) override;
  std::optional<std::string> read_blob_part(const std::string& content_id, std::int64_t part, std::int64_t offset,
                                            std::int64_t length) override;

  std::string create_upload(const std::string& user_id, const std::string& blob_id, std::int64_t size,
                            std::int64_t part_size, Millis now) override;
  std::optional<BlobUpload> find_upload(const std::string& user_id, const std::string& blob_id,
                                        const std::string& upload_id) override;
  bool put_upload_part(const std::string& user_id, const std::string& blob_id, const std::string& upload_id,
                       std::int64_t part, const std::string& bytes) override;
  CompleteResult complete_upload(const std::string& user_id, const std::string& blob_id,
                                 const std::string& upload_id, Millis now) override;
  bool delete_upload(const std::string& user_id, const std::string& blob_id, const std::string& upload_id) override;
  std::int64_t purge_uploads(Millis created_before) override;

  // Not supported: always throws StoreError("use pg_dump for PostgreSQL backups").
  std::unique_ptr<ChangeWatch> watch_changes(std::function<void(const std::string&)> on_change,
                                             std::function<void()> on_gap) override;
  void backup_to(const std::string& path) override;

 private:
  PostgresStore(std::string url, std::size_t connections);
  // Runs f(PgConnection&) on a pooled connection.
  template <class F>
  auto with(F&& f) {
    auto lease = pool_.acquire();
    return f(*lease);
  }
  // Inside a transaction: locks the user's row against deletion until it ends (FOR KEY SHARE,
  // which credential changes do not conflict with) and throws UserGone if there is none.
  static void lock_user(PgConnection& conn, const std::string& user_id);
  // Inside a transaction: serialises writes of one blob id across nodes (an advisory lock on a
  // hash of user and blob id, held until the transaction ends), so no blob is in both forms.
  static void lock_blob(PgConnection& conn, const std::string& user_id, const std::string& blob_id);

  std::string url_;
  PgPool pool_;
};

}  // namespace synckit::server
