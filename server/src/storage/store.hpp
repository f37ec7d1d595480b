// What the server keeps, behind one interface: SqliteStore (embedded, the default) and PostgresStore.
// Every method is one atomic step: it commits entirely or changes nothing. Methods are safe to call
// from several threads at once. Failures of the database itself throw StoreError.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace synckit::server {

// The database failed (IO error, corruption, full disk): the request gets a 500.
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A write of per-user data (device, envelope, changes, blob, session) for a user who no longer
// exists: the account was deleted while the request was on its way. Nothing was written; the
// request's session ended with the account (401).
struct UserGone : std::runtime_error {
  UserGone() : std::runtime_error("the account no longer exists") {}
};

using Millis = std::int64_t;  // Unix time in milliseconds
using Hash = std::string;     // raw SHA-256 (32 bytes) of a secret token; never the token itself

struct App {
  std::string id;    // lowercase UUID
  std::string name;
};

struct User {
  std::string id;
  std::string app_id;
  std::string email;      // normalised (ASCII A-Z lowered)
  std::string auth_hash;  // crypto_pwhash_str of the client's auth key
};

// What a refresh token grants: a session of a user in an app, until expires_at.
struct RefreshGrant {
  std::string session_id;
  std::string user_id;
  std::string app_id;
  Millis expires_at = 0;
};

// One signed-in session. A sign-in (register, login, OAuth, a credential change, recover) makes
// one; it holds one refresh token at a time, replaced on every refresh, and keeps its id, which
// access tokens carry (JWT claim "sid"), so that ending it refuses them at once.
struct SessionRow {
  std::string id;           // lowercase UUID, stable across refreshes
  std::string user_id;
  Millis created_at = 0;    // the sign-in
  Millis last_used_at = 0;  // the sign-in or the latest refresh, whichever came last
  Millis expires_at = 0;    // of the current refresh token
};

// A new sign-in credential (POST /v1/auth/credentials, POST /v1/auth/recover) and the compare of
// its swap: the secret was verified against a hash outside the store (Argon2 is slow), so the
// change applies only while that hash is still the stored one.
struct CredentialChange {
  std::string user_id;
  std::string new_auth_hash;
  std::optional<std::string> new_email;               // normalised; nullopt keeps the email
  std::optional<std::string> expected_auth_hash;      // the sign-in hash that was verified
  std::optional<std::string> expected_recovery_hash;  // or the recovery hash that was verified
  Hash refresh_hash;                                  // of the new session's refresh token
  Millis now = 0;
  Millis expires_at = 0;                              // of the new session
};

enum class CredentialOutcome {
  changed,      // new credential stored, every session ended, the new one made
  stale,        // the expected hash is no longer stored (or the user is gone): nothing changed
  email_taken,  // another user of the app has new_email: nothing changed
};

struct CredentialResult {
  CredentialOutcome outcome = CredentialOutcome::stale;
  std::string session_id;  // the new session, when changed
};

// The recovery envelope (opaque, canonical JSON) and crypto_pwhash_str of the recovery auth key.
struct StoredRecovery {
  std::string envelope_json;
  std::int64_t version = 0;
  std::string auth_hash;
};

// Whom POST /v1/auth/recover names: the user and their recovery hash ("" when they have none).
struct RecoveryLogin {
  std::string user_id;
  std::string recovery_hash;
};

struct OAuthCode {
  std::string app_id;
  std::string user_id;
  std::string redirect_uri;
  std::string code_challenge;
  Millis expires_at = 0;
};

struct StoredEnvelope {
  std::string envelope_json;  // opaque to the server
  std::int64_t version = 0;
};

struct DeviceRow {
  std::string id;
  std::string user_id;
  std::string name;
  std::string platform;
  Millis created_at = 0;
  bool revoked = false;
};

struct NewChange {
  std::string change_id;
  std::string payload;  // sealed bytes
};

struct StoredChange {
  std::int64_t seq = 0;
  std::string change_id;
  std::string device_id;
  std::string payload;
};

struct PullPage {
  std::vector<StoredChange> changes;
  std::int64_t cursor = 0;  // last sequence number examined
  bool has_more = false;
};

struct UserStats {
  std::int64_t devices = 0;  // not revoked
  std::int64_t latest_cursor = 0;
  std::int64_t changes = 0;
  std::int64_t blobs = 0;
  std::int64_t blob_bytes = 0;
};

enum class PutResult { created, replaced };

// The blob formats of X-SyncKit-Blob-Format (protocol 1.1).
inline constexpr const char* kSealedFormat = "sealed-v1";  // single shot: one PUT, stored whole
inline constexpr const char* kStreamFormat = "stream-v1";  // streamed: uploaded and stored in parts

// A stored blob as a reader opens it: the single-shot form with its bytes, or the streamed form
// with where its parts are (read_blob_part), each part_size bytes but the last.
struct StoredBlob {
  std::string format;          // kSealedFormat or kStreamFormat
  std::int64_t size = 0;       // of the sealed bytes
  std::string bytes;           // sealed-v1: all of them
  std::string content_id;      // stream-v1: the owner of the parts
  std::int64_t part_size = 0;  // stream-v1
};

// A streamed upload in progress: parts collect under it until complete_upload makes them the blob.
struct BlobUpload {
  std::string upload_id;              // lowercase UUID
  std::string blob_id;
  std::int64_t size = 0;              // of the whole sealed stream
  std::int64_t part_size = 0;
  Millis created_at = 0;
  std::vector<std::int64_t> parts;    // the parts stored so far, ascending
};

enum class CompleteResult { created, replaced, missing_parts, no_upload };

// Pushes committed through other processes of the same database, as they commit; the watch ends
// when destroyed.
class ChangeWatch {
 public:
  virtual ~ChangeWatch() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Apps. An app's registered OAuth redirect URIs are kept in the order given; an app without any
  // accepts no OAuth sign-in. set_redirect_uris replaces them all; false if there is no such app.
  virtual App create_app(const std::string& name, const Hash& api_key_hash,
                         const std::vector<std::string>& redirect_uris) = 0;
  virtual std::optional<App> find_app_by_key(const Hash& api_key_hash) = 0;
  virtual std::vector<App> list_apps() = 0;  // by creation time, then id
  virtual std::vector<std::string> redirect_uris(const std::string& app_id) = 0;
  virtual bool set_redirect_uris(const std::string& app_id, const std::vector<std::string>& uris) = 0;

  // Users. create_user returns nullopt when the email already exists in the app.
  virtual std::optional<User> create_user(const std::string& app_id, const std::string& email,
                                          const std::string& auth_hash) = 0;
  virtual std::optional<User> find_user(const std::string& app_id, const std::string& email) = 0;
  virtual std::optional<User> find_user_by_id(const std::string& user_id) = 0;

  // Sign-in credentials and the account. replace_credentials stores the new hash (and email), ends
  // every session of the user and makes the new one, in one transaction (see CredentialChange).
  // delete_user removes the user and everything stored for them (sessions, OAuth codes, envelopes,
  // devices, changes, counters, blobs) in one transaction, only while expected_auth_hash is still
  // their hash; false (nothing deleted) otherwise or when there is no such user.
  virtual CredentialResult replace_credentials(const CredentialChange& change) = 0;
  virtual bool delete_user(const std::string& user_id, const std::string& expected_auth_hash) = 0;

  // Sessions; refresh tokens are stored hashed. add_session starts one (UserGone if the user does
  // not exist) and returns its id. rotate_session replaces the session's refresh token `old_hash`
  // by `new_hash` (single use) keeping its id and created_at, with last_used_at = now; nullopt
  // when `old_hash` is unknown or expired at `now` (an expired session is deleted).
  virtual std::string add_session(const Hash& refresh_hash, const std::string& user_id, Millis now,
                                  Millis expires_at) = 0;
  virtual std::optional<RefreshGrant> rotate_session(const Hash& old_hash, const Hash& new_hash, Millis now,
                                                     Millis new_expires_at) = 0;
  // Ends the session holding this refresh token (logout); nothing happens when none does.
  virtual void end_session_by_refresh(const Hash& refresh_hash) = 0;
  // Ends one session of the user; false if the user has no such session.
  virtual bool end_session(const std::string& user_id, const std::string& session_id) = 0;
  // The user's sessions not expired at `now`, oldest first (ties by id).
  virtual std::vector<SessionRow> list_sessions(const std::string& user_id, Millis now) = 0;
  // Whether `session_id` is a session of `user_id` not expired at `now`: asked on every
  // authenticated request, so it is one primary-key lookup.
  virtual bool session_active(const std::string& session_id, const std::string& user_id, Millis now) = 0;

  // OAuth codes (stored hashed): take_oauth_code returns the code once and deletes it.
  virtual void add_oauth_code(const Hash& code_hash, const OAuthCode& code) = 0;
  virtual std::optional<OAuthCode> take_oauth_code(const Hash& code_hash) = 0;

  // Key envelope with compare-and-swap: put succeeds (returning the new version) only when the
  // stored version equals expected_version (0 = none yet); otherwise nullopt.
  virtual std::optional<StoredEnvelope> get_envelope(const std::string& user_id) = 0;
  virtual std::optional<std::int64_t> put_envelope(const std::string& user_id, const std::string& envelope_json,
                                                   std::int64_t expected_version) = 0;

  // Recovery envelope, compare-and-swap like the key envelope; put also stores the recovery auth
  // key's hash. find_recovery_login finds the user of an email with their recovery hash in one
  // lookup, so an unknown email and a user without recovery cost the same.
  virtual std::optional<StoredRecovery> get_recovery(const std::string& user_id) = 0;
  virtual std::optional<std::int64_t> put_recovery(const std::string& user_id, const std::string& envelope_json,
                                                   const std::string& auth_hash, std::int64_t expected_version) = 0;
  virtual std::optional<RecoveryLogin> find_recovery_login(const std::string& app_id, const std::string& email) = 0;

  // Per-user writes (put_envelope, put_recovery, add_device, push, put_blob, add_session) throw
  // UserGone when the user does not exist, so a request racing an account deletion leaves nothing.

  // Devices.
  virtual DeviceRow add_device(const std::string& user_id, const std::string& name,
                               const std::string& platform, Millis now) = 0;
  virtual std::vector<DeviceRow> list_devices(const std::string& user_id) = 0;
  virtual std::optional<DeviceRow> find_device(const std::string& user_id, const std::string& device_id) = 0;
  // Marks the device revoked; false if the user has no such device.
  virtual bool revoke_device(const std::string& user_id, const std::string& device_id) = 0;

  // Sync. push stores the changes whose change_id the user does not have yet, each with the
  // user's next sequence number, all or nothing; returns the user's latest sequence number.
  virtual std::int64_t push(const std::string& user_id, const std::string& device_id,
                            const std::vector<NewChange>& changes) = 0;
  // Changes with seq > cursor pushed by devices other than device_id, at most limit. The page's
  // cursor is the last seq returned when has_more, else the user's latest seq (even when that is
  // below the requested cursor).
  virtual PullPage pull(const std::string& user_id, const std::string& device_id, std::int64_t cursor,
                        int limit) = 0;
  virtual UserStats stats(const std::string& user_id) = 0;

  // Blobs (sealed bytes, opaque). put_blob stores the single-shot form, replacing either form;
  // open_blob finds either; delete_blob removes either with its parts.
  virtual PutResult put_blob(const std::string& user_id, const std::string& blob_id, const std::string& bytes,
                             Millis now) = 0;
  virtual std::optional<StoredBlob> open_blob(const std::string& user_id, const std::string& blob_id) = 0;
  virtual bool delete_blob(const std::string& user_id, const std::string& blob_id) = 0;
  // The single-shot form's bytes; nullopt when there is no blob or it is streamed.
  std::optional<std::string> get_blob(const std::string& user_id, const std::string& blob_id) {
    auto blob = open_blob(user_id, blob_id);
    if (!blob || blob->format != kSealedFormat) return std::nullopt;
    return std::move(blob->bytes);
  }
  // Bytes offset..offset+length of part `part` of a streamed blob's content
  // (StoredBlob::content_id), read without loading the rest of the part; nullopt when the part is
  // gone (the blob was replaced or deleted since it was opened) or shorter.
  virtual std::optional<std::string> read_blob_part(const std::string& content_id, std::int64_t part,
                                                    std::int64_t offset, std::int64_t length) = 0;

  // Streamed uploads. create_upload starts one (UserGone if the user does not exist) and returns
  // its id; find_upload finds an upload of that user and blob with the parts it has;
  // put_upload_part stores or replaces one part (false when there is no such upload);
  // complete_upload makes an upload holding every part the blob, replacing either form of it, in
  // one transaction; delete_upload drops one with its parts.
  virtual std::string create_upload(const std::string& user_id, const std::string& blob_id, std::int64_t size,
                                    std::int64_t part_size, Millis now) = 0;
  virtual std::optional<BlobUpload> find_upload(const std::string& user_id, const std::string& blob_id,
                                                const std::string& upload_id) = 0;
  virtual bool put_upload_part(const std::string& user_id, const std::string& blob_id, const std::string& upload_id,
                               std::int64_t part, const std::string& bytes) = 0;
  virtual CompleteResult complete_upload(const std::string& user_id, const std::string& blob_id,
                                         const std::string& upload_id, Millis now) = 0;
  virtual bool delete_upload(const std::string& user_id, const std::string& blob_id,
                             const std::string& upload_id) = 0;

  // Deletes sessions and OAuth codes that expired at or before `now`; returns how many.
  virtual std::int64_t purge_expired(Millis now) = 0;
  // Deletes uploads (with their parts) created at or before `created_before`; returns how many.
  virtual std::int64_t purge_uploads(Millis created_before) = 0;

  // Calls on_change(user_id) for every push that stores changes, through any process of this
  // database (on a thread of its own), and on_gap() whenever some may have been missed (the
  // connection was lost and is back). nullptr when only this process writes (SQLite).
  virtual std::unique_ptr<ChangeWatch> watch_changes(std::function<void(const std::string&)> on_change,
                                                     std::function<void()> on_gap) = 0;

  // Writes a consistent copy of the whole database to `path` (online backup).
  virtual void backup_to(const std::string& path) = 0;
};

}  // namespace synckit::server
