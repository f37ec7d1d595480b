// The Store on one SQLite file (WAL mode).
//
// Threading: one writer connection guarded by a mutex carries every write, so writes are serialised
// in the process (and BEGIN IMMEDIATE serialises them across processes); reads go to a small pool of
// read-only connections, each lent to one thread at a time, which in WAL mode read a committed
// snapshot concurrently with the writer and with each other. A read that starts after a write
// returned sees that write. Multi-statement reads (pull, stats) run in one read transaction, so
// they see one consistent snapshot. A private database (":memory:" or "") exists only inside its one
// connection, so there reads use the writer connection under the mutex as well.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "storage/sqlite_database.hpp"
#include "storage/store.hpp"

namespace synckit::server {

class SqliteStore final : public Store {
 public:
  // Opens `path` (creating it if missing) and brings its schema up to date. Throws StoreError,
  // including when the schema is newer than this binary.
  static std::unique_ptr<SqliteStore> open(const std::string& path);
  ~SqliteStore() override;

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

  // sqlite_store_account.cpp: sessions, credentials, account deletion, recovery envelope.
  CredentialResult replace_credentials(const CredentialChange& change) override;
  // Also ends the user's OAuth codes. With secure_delete on (sqlite_database.cpp) the freed
  // content is zeroed in the file, not merely unlinked.
  bool delete_user(const std::string& user_id, const std::string& expected_auth_hash) override;
  std::string add_session(const Hash& refresh_hash, const std::string& user_id, Millis now,
                          Millis expires_at) override;
  // The returned grant describes the new token: same session, user and app, expires_at =
  // new_expires_at. The user's app comes from the users table.
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
  // Also finds revoked devices (revoked = true).
  std::optional<DeviceRow> find_device(const std::string& user_id, const std::string& device_id) override;
  // Revoking twice keeps the first revocation time and still returns true.
  bool revoke_device(const std::string& user_id, const std::string& device_id) override;

  std::int64_t push(const std::string& user_id, const std::string& device_id,
                    const std::vector<NewChange>& changes) override;
  // has_more: the page is full and more rows follow; cursor = seq of the last returned change.
  // Otherwise cursor = the user's latest seq (never less than the requested cursor). A limit below 1
  // returns no changes and only answers whether any exist beyond the cursor.
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

  // Copies the database with the online backup API into `path`, which must not exist or be empty.
  // Writers are not blocked while it runs (it reads one snapshot).
  std::unique_ptr<ChangeWatch> watch_changes(std::function<void(const std::string&)> on_change,
                                             std::function<void()> on_gap) override;
  void backup_to(const std::string& path) override;

 private:
  SqliteStore(std::string path, std::unique_ptr<Database> writer);
  // Runs f(Database&) on the writer connection under the writer mutex.
  template <class F>
  auto write(F&& f) {
    std::lock_guard lock(writer_mutex_);
    return f(*writer_);
  }
  // Runs f(Database&) on a pooled read connection (the writer for a private database).
  template <class F>
  auto read(F&& f) {
    if (private_db_) return write(std::forward<F>(f));
    auto lease = readers_.acquire();
    return f(*lease);
  }
  // Inside a write: throws UserGone unless the user exists. Writes are serialised (the mutex, and
  // BEGIN IMMEDIATE across processes), so the answer holds until the write commits.
  static void require_user(Database& db, const std::string& user_id);

  bool private_db_;
  std::mutex writer_mutex_;
  std::unique_ptr<Database> writer_;
  ReaderPool readers_;
};

}  // namespace synckit::server
