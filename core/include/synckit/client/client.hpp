// The SyncKit client: sign-in, encryption setup, devices, push/pull of encrypted changes, blobs.
// Asynchronous and platform-free: it reaches the world only through the Transport, Scheduler,
// KeyStore, Clock and RandomSource it is given. Every call completes exactly once, through its
// callback, on the Scheduler's thread; the client must only be used from that thread.
// Platform layers wrap it: platform/native adds a blocking facade, platform/web Promises.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "synckit/bytes.hpp"
#include "synckit/change_entry.hpp"
#include "synckit/change_plaintext.hpp"
#include "synckit/client/blob_transfer.hpp"
#include "synckit/client/cancel_signal.hpp"
#include "synckit/client/key_store.hpp"
#include "synckit/client/result.hpp"
#include "synckit/client/scheduler.hpp"
#include "synckit/client/transport.hpp"
#include "synckit/clock.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/recovery.hpp"
#include "synckit/net/retry_policy.hpp"
#include "synckit/random.hpp"
#include "synckit/wire/account_messages.hpp"
#include "synckit/wire/device_messages.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace synckit {

template <class T>
using Callback = std::function<void(Result<T>)>;

// The signed-in account.
struct Account {
  std::string user_id;
  std::string app_id;
};

// What a client needs to resume a session without signing in again (the CLI keeps it in its
// profile). Holds bearer credentials: store it owner-only, never log it.
struct SessionTokens {
  std::string user_id;
  std::string app_id;
  std::string access_token;
  std::string refresh_token;
  // The sign-in email when the client signed in with one (create_account, authenticate, recover);
  // empty after an OAuth sign-in. The account calls that prove the password need it.
  std::string email;
};

struct ClientConfig {
  std::string server_url;  // https://…, or http:// for loopback hosts only
  std::string api_key;     // names the app
  net::RetryPolicy retry;  // transient failures: network, 5xx, 429
  int pull_limit = 500;    // changes asked for per pull (1..1000)
  // Called whenever the tokens change (sign-in, refresh rotation, logout → nullopt).
  std::function<void(const std::optional<SessionTokens>&)> on_session_change;
  // Receives one line per event (request sent, reply status, retry scheduled). Lines name the
  // method and path (never the query), statuses and delays; never tokens, keys or payloads.
  std::function<void(std::string_view line)> log;
};

// The platform services the client runs on; they must outlive it.
struct ClientServices {
  Transport& transport;
  Scheduler& scheduler;
  KeyStore& key_store;
  const Clock& clock;
  RandomSource& random;
};

// One pulled change: decrypted, or (tampered, misplaced, malformed) the typed error that says
// why not. Such entries are reported, never silently dropped.
struct PulledEntry {
  std::int64_t seq = 0;
  std::string change_id;
  std::string device_id;
  std::optional<ChangeEntry> entry;  // set when it opened
  std::optional<Error> error;        // set when it did not (kind crypto or invalid_data)
};

struct PullResult {
  std::vector<PulledEntry> changes;
  std::int64_t cursor = 0;  // pass it to the next pull
  bool has_more = false;
};

// One pulled change as its plaintext (pull_plaintexts), or the typed error that says why it did
// not open.
struct PulledPlaintext {
  std::int64_t seq = 0;
  std::string change_id;
  std::string device_id;
  std::optional<ChangePlaintext> plaintext;  // set when it opened
  std::optional<Error> error;                // set when it did not (kind crypto or invalid_data)
};

struct PlaintextPullResult {
  std::vector<PulledPlaintext> changes;
  std::int64_t cursor = 0;  // pass it to the next pull
  bool has_more = false;
};

using Device = wire::Device;
using SyncStatus = wire::SyncStatus;
using SessionInfo = wire::SessionInfo;  // one signed-in session: id, created_at, last_used_at, current

inline constexpr int kMaxPullWaitSeconds = 60;  // protocol 1.1, "Live pull"

// How a pull asks.
struct PullOptions {
  // Live pull (protocol 1.1): when nothing is there yet, the server holds the pull up to this
  // many seconds (0..60) and answers as soon as another device pushes. A 1.0 server answers at once.
  int wait_seconds = 0;
  // Fired: the pull ends with Error{cancelled} and its request is dropped (optional).
  std::shared_ptr<CancelSignal> cancel;
};

// A running watch (Client::watch): stop() ends it; no request of it is left once its pull
// has ended (soon after stop(), as the transport drops it). Thread-safe.
class Watch {
 public:
  virtual ~Watch() = default;
  virtual void stop() = 0;
  virtual bool stopped() const = 0;
};

struct WatchOptions {
  // How long each live pull may be held (1..60 s), and how often a server without live pull
  // (protocol 1.0) is polled instead.
  int wait_seconds = 30;
  std::chrono::milliseconds poll_interval{2000};
  // While the server is away (network, 5xx, 429 after the transport's own retries), the watch
  // waits first_backoff, doubling up to max_backoff, and pulls again; each such error is reported
  // here (optional). Other errors end the watch through on_page.
  std::chrono::milliseconds first_backoff{500};
  std::chrono::milliseconds max_backoff{30'000};
  std::function<void(const Error&)> on_retry;
};

class Client {
 public:
  // Throws Error{invalid_input} for a server URL that is not https:// (or http:// on loopback) or
  // an empty API key.
  Client(ClientConfig config, ClientServices services);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Email/password sign-up and sign-in. The password never leaves the device: an Argon2id auth
  // key derived from it does. Errors: conflict (email taken), unauthorized (wrong credentials).
  void create_account(const std::string& email, const std::string& password, Callback<Account> done);
  void authenticate(const std::string& email, const std::string& password, Callback<Account> done);

  // OAuth2 PKCE: the URL to open in a browser (the client keeps verifier and state), then the
  // URL the browser was redirected to. Errors: invalid_grant (state mismatch, bad or used code).
  std::string begin_oauth(const std::string& redirect_uri);
  void complete_oauth(const std::string& redirect_url, Callback<Account> done);

  // Resumes a saved session (no network). Throws Error{invalid_input} for malformed tokens.
  void restore_session(const SessionTokens& tokens);
  std::optional<SessionTokens> session() const;
  std::optional<Account> account() const;

  // First device: a new master key, wrapped by `password` and uploaded (conflict if the account
  // already has one). Another device: download and unwrap (wrong_password; not_found if none yet).
  // Both cache the key in the key store; a key-store failure there is logged, not an error (the
  // key is unlocked; the next start then needs the password).
  void setup_encryption_new(const std::string& password, Callback<Done> done);
  void setup_encryption_existing(const std::string& password, Callback<Done> done);
  // Loads the cached key from the key store: true when found (no password needed).
  void unlock_from_key_store(Callback<bool> done);
  // Re-wraps the master key under `new_password` with a fresh salt (wrong_password for a wrong
  // `old_password`; conflict when another device changed it first). This is the encryption
  // password; the sign-in password is separate and unchanged.
  void change_password(const std::string& old_password, const std::string& new_password, Callback<Done> done);
  bool encryption_ready() const noexcept;

  // --- The account (protocol 1.1). The calls that take a password need the session's email
  // (SessionTokens::email): after an OAuth sign-in they fail with not_set_up. Wrong passwords are
  // unauthorized; the server rate-limits these calls like sign-in (rate_limited).

  // A new recovery code for the unlocked account: a random recovery key seals the master key in
  // the recovery envelope, which is uploaded with the key's sign-in proof; an earlier code stops
  // working. Show the code to the user once: SyncKit keeps no copy. Errors: not_set_up (not
  // signed in or not unlocked), conflict (another device made one at the same moment).
  void create_recovery_code(Callback<RecoveryCode> done);
  // For a forgotten password, on any device: signs in with the code, makes `new_password` the
  // sign-in and the encryption password, and unlocks (the key is cached in the key store). Every
  // other session ends; the code keeps working until a new one is made. Errors: invalid_input
  // for a typo (the code's checksum; nothing is sent), unauthorized for a wrong email or code
  // (nothing changes). Failing after the sign-in step, it completes when called again the same way.
  void recover(const std::string& email, std::string_view code, const std::string& new_password,
               Callback<Account> done);
  // Changes the sign-in password; every other session ends and this one goes on with new tokens.
  // The encryption password is change_password's.
  void change_sign_in_password(const std::string& old_password, const std::string& new_password,
                               Callback<Done> done);
  // For apps with one password for both: change_password, then change_sign_in_password. Stopped
  // between the two, every signed-in device stays signed in and unlocked, and the old password
  // still signs in; called again the same way, it sees the envelope already opens with
  // `new_password` and finishes the sign-in part (so when both are new_password already, it
  // succeeds whatever old_password is: the caller has just proved it knows the new one).
  void change_passwords(const std::string& old_password, const std::string& new_password, Callback<Done> done);
  // The account's sessions (one per signed-in client), oldest first.
  void list_sessions(Callback<std::vector<SessionInfo>> done);
  // Ends a session (a lost device): its tokens stop working at once. Errors: not_found. Ending
  // this client's own session signs it out (the next call fails with token_expired).
  void end_session(const std::string& session_id, Callback<Done> done);
  // Deletes the account: everything of it on the server, in one transaction; then, as logout,
  // forgets the tokens and the key and removes the key from the key store.
  void delete_account(const std::string& password, Callback<Done> done);

  void register_device(const std::string& name, const std::string& platform, Callback<Device> done);
  void list_devices(Callback<std::vector<Device>> done);
  void revoke_device(const std::string& device_id, Callback<Done> done);

  // Encrypts each change under a change id and pushes them in batches of at most 1000; yields
  // the server's cursor. Errors: invalid_input naming the field of a change that breaks a rule
  // (nothing is sent then), and the transport's and server's errors. The server stores an id
  // once, so a change is never stored twice when its id is sent again:
  // - the transport's retries resend the same ids;
  // - when a push() call fails (also after some batches were stored), the client remembers the ids
  //   it gave that call's changes, keyed by a keyed hash (BLAKE2b under a random per-client key,
  //   so no plaintext is kept) of the user, the device and the change's plaintext; when the app
  //   pushes the identical changes again, they get the same ids, so the stored ones are not stored
  //   again. Identical changes within one call are distinct (the k-th copy reuses the k-th
  //   remembered id). Once a call succeeds its ids are forgotten: pushing the same change after
  //   that is a new change. At most 65,536 ids are remembered (the oldest are forgotten first),
  //   and only in memory: after a restart a change pushed again is stored again.
  void push(const std::string& device_id, const std::vector<ChangeEntry>& changes, Callback<std::int64_t> done);
  // The same for changes given as plaintexts (ChangePlaintext::from_json or
  // change_plaintexts_from_json_array: rows the app holds as JSON text).
  void push_plaintexts(const std::string& device_id, std::vector<ChangePlaintext> changes,
                       Callback<std::int64_t> done);
  // Other devices' changes after `cursor`, decrypted. Errors: json for a malformed reply (including
  // a cursor that goes backwards), forbidden for a revoked device.
  void pull(const std::string& device_id, std::int64_t cursor, Callback<PullResult> done);
  // The same, each change as its plaintext JSON text (ChangePlaintext) instead of a parsed entry:
  // for apps (and the web package) that hand rows on as JSON text.
  void pull_plaintexts(const std::string& device_id, std::int64_t cursor, Callback<PlaintextPullResult> done);
  // The same with options: a live pull's wait, a cancel signal. Errors also invalid_input
  // (wait_seconds outside 0..60) and cancelled.
  void pull(const std::string& device_id, std::int64_t cursor, const PullOptions& options, Callback<PullResult> done);
  void pull_plaintexts(const std::string& device_id, std::int64_t cursor, const PullOptions& options,
                       Callback<PlaintextPullResult> done);
  // Pulls from `cursor` on and on until stopped: live pulls when the server serves them (health's
  // "live_pull"), else polls. Calls on_page for each page that has changes or moves the cursor
  // (with has_more pages delivered at once, one after another), and once with the error that ends
  // it (unauthorized, forbidden, not_set_up, json, ...). Callbacks run on the client's thread.
  std::shared_ptr<Watch> watch(const std::string& device_id, std::int64_t cursor, WatchOptions options,
                               std::function<void(Result<PullResult>)> on_page);
  // The same with each change as its plaintext text (as pull_plaintexts).
  std::shared_ptr<Watch> watch_plaintexts(const std::string& device_id, std::int64_t cursor, WatchOptions options,
                                          std::function<void(Result<PlaintextPullResult>)> on_page);

  void put_blob(const std::string& blob_id, ByteView bytes, Callback<Done> done);
  // put_blob without a copy of the blob: `buffer` is the blob's size + 40 bytes with the blob at
  // offset kBlobOffset (synckit/crypto/blob.hpp); it is sealed where it lies and becomes the request
  // body. Errors as put_blob, and invalid_input for a buffer shorter than 40 bytes. The plaintext
  // never outlives the call: it is sealed over, or wiped when the call fails before sealing.
  void put_blob_in_place(const std::string& blob_id, std::string buffer, Callback<Done> done);
  void get_blob(const std::string& blob_id, Callback<Bytes> done);
  // get_blob without a second buffer: the response is opened where it arrived (open_blob_in_place);
  // the OpenedBlob wipes the blob when destroyed. Errors as get_blob.
  void get_blob_in_place(const std::string& blob_id, Callback<OpenedBlob> done);
  void delete_blob(const std::string& blob_id, Callback<Done> done);
  // get_blob and get_blob_in_place read both forms (single shot and streamed, held whole here).

  // Uploads `plain_size` bytes from `reader` as a streamed blob (secretstream in 64 KiB chunks,
  // sent in the server's parts), retrying a failed part alone. With options.resume it first asks
  // the server which parts it has and skips them once the plaintext seals to the same bytes again.
  // Errors: invalid_input (blob id; a reader that ends early), conflict (the plaintext differs from
  // the resumed upload's: start again without resume; nothing was sent), payload_too_large (over
  // the server's streamed limit), cancelled, network, what the reader gives, the server's.
  void put_blob_stream(const std::string& blob_id, std::uint64_t plain_size, BlobReader reader,
                       BlobUploadOptions options, Callback<Done> done);
  // Downloads either form in ranges (a failed range is retried alone), handing authenticated
  // plaintext to `writer` in order. Only a value in `done` means the blob was whole: until then
  // the writer's bytes may turn out truncated (write a temporary file). Errors: crypto (truncated,
  // reordered, tampered, replaced during the download), json (a reply that breaks the protocol),
  // not_found, cancelled, network, what the writer gives, the server's.
  void get_blob_stream(const std::string& blob_id, BlobWriter writer, BlobDownloadOptions options,
                       Callback<BlobDownloadInfo> done);

  void status(Callback<SyncStatus> done);
  // Ends the session on the server (best effort), forgets the tokens and the master key, and
  // removes the key from the key store.
  void logout(Callback<Done> done);

  struct Impl;

 private:
  friend class Replica;  // the local replica (synckit/replica/replica.hpp) syncs through the client
  std::shared_ptr<Impl> impl_;
};

}  // namespace synckit
