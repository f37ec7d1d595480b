// SyncKit for native C++ apps: the core client on its own event loop, with libcurl, the OS
// keychain and a blocking API. Every method waits for its result and throws synckit::Error (with
// a kind from docs/errors.md) on failure; the object may be used from several threads (calls run
// one at a time on the loop). See README "Using SyncKit from C++".
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/client/client.hpp"
#include "synckit/native/curl_transport.hpp"

namespace synckit::native {

class EventLoop;

// Where the master key is cached between runs.
enum class KeyCache {
  os_keychain,  // Linux secret-service, macOS Keychain, Windows Credential Manager (a build with
                // SYNCKIT_KEYCHAIN=OFF keeps nothing instead)
  memory,       // this process only
  none,         // nothing: every start needs the password
};

struct Config {
  std::string server_url;  // https://…, or http:// for loopback hosts only
  std::string api_key;
  KeyCache key_cache = KeyCache::os_keychain;
  net::RetryPolicy retry;   // network errors, 5xx and 429: 3 retries with exponential backoff
  CurlOptions transport;    // timeouts and size limits; TLS verification is always on
  int pull_limit = 500;
  std::function<void(const std::optional<SessionTokens>&)> on_session_change;  // on the loop thread
  std::function<void(std::string_view)> log;  // one line per request/retry; never secrets
};

// A running Client::watch. stop() returns once no page callback runs any more and the watch's
// request has been dropped; the destructor stops it. Thread-safe (not from inside on_page).
class NativeWatch {
 public:
  NativeWatch(std::shared_ptr<Watch> watch, EventLoop& loop) : watch_(std::move(watch)), loop_(loop) {}
  ~NativeWatch() { stop(); }
  NativeWatch(const NativeWatch&) = delete;
  NativeWatch& operator=(const NativeWatch&) = delete;
  void stop();

 private:
  std::shared_ptr<Watch> watch_;
  EventLoop& loop_;
};

// Options of the streamed blob calls. Callbacks run on the client's own thread (keep them short;
// never call this Client's blocking methods from them).
struct BlobTransferOptions {
  std::function<void(std::uint64_t done, std::uint64_t total)> on_progress;  // plaintext bytes
  std::shared_ptr<CancelSignal> cancel;  // fired from any thread: the call ends with Error{cancelled}
  // put_blob_file only: a file that keeps what an interrupted upload needs (public values, no key
  // or plaintext). Called again with the same blob id and file after a crash, the upload sends
  // only the parts the server lacks; the record is removed once the blob is complete. "" = none.
  std::string resume_file;
};

class Client {
 public:
  // Throws Error{invalid_input} for a bad server URL or empty API key.
  explicit Client(Config config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Account create_account(const std::string& email, const std::string& password);
  Account authenticate(const std::string& email, const std::string& password);
  std::string begin_oauth(const std::string& redirect_uri);
  Account complete_oauth(const std::string& redirect_url);
  void restore_session(const SessionTokens& tokens);
  std::optional<SessionTokens> session();
  std::optional<Account> account();

  void setup_encryption_new(const std::string& password);
  void setup_encryption_existing(const std::string& password);
  // Unlocks from the key cache; false when it holds no key for this account.
  bool unlock_from_key_store();
  void change_password(const std::string& old_password, const std::string& new_password);
  bool encryption_ready();

  // The account (Client in synckit/client/client.hpp says what each does and throws).
  RecoveryCode create_recovery_code();
  Account recover(const std::string& email, std::string_view code, const std::string& new_password);
  void change_sign_in_password(const std::string& old_password, const std::string& new_password);
  // Both passwords, encryption first (see Client::change_passwords for why and how to resume).
  void change_passwords(const std::string& old_password, const std::string& new_password);
  std::vector<SessionInfo> list_sessions();
  void end_session(const std::string& session_id);
  // Deletes the account on the server, then signs out and removes the cached key.
  void delete_account(const std::string& password);

  Device register_device(const std::string& name, const std::string& platform);
  std::vector<Device> list_devices();
  void revoke_device(const std::string& device_id);

  std::int64_t push(const std::string& device_id, const std::vector<ChangeEntry>& changes);
  PullResult pull(const std::string& device_id, std::int64_t cursor);
  // push() for changes already written as plaintext JSON (ChangePlaintext::from_json,
  // change_plaintexts_from_json_array): rows the app holds as JSON text.
  std::int64_t push_plaintexts(const std::string& device_id, std::vector<ChangePlaintext> changes);
  // pull() with each change as its plaintext JSON text instead of a parsed entry.
  PlaintextPullResult pull_plaintexts(const std::string& device_id, std::int64_t cursor);
  // pull() with options: options.wait_seconds (0..60) holds it on the server until another
  // device pushes (live pull); options.cancel, fired from another thread, ends it with
  // Error{cancelled}. Throws invalid_input for a wait outside 0..60.
  PullResult pull(const std::string& device_id, std::int64_t cursor, const PullOptions& options);
  // Pulls on and on from `cursor` (live pulls when the server serves them, else polls): each
  // page with news, then the error that ends it, goes to `on_page` on the client's own thread
  // (keep it short; never call this Client's blocking methods from it). Retries while the server
  // is away. Stop the returned watch (or destroy it) before the Client; its request is then gone.
  std::unique_ptr<NativeWatch> watch(const std::string& device_id, std::int64_t cursor,
                                     std::function<void(Result<PullResult>)> on_page, WatchOptions options = {});

  void put_blob(const std::string& blob_id, ByteView bytes);
  // Either form (single shot or streamed), whole in memory.
  Bytes get_blob(const std::string& blob_id);
  void delete_blob(const std::string& blob_id);

  // Streamed blobs (any size, a few parts of memory; see docs/client.md, "Large files").
  // Uploads the file at `path` as a streamed blob. With options.resume_file, a file that changed
  // since the interrupted attempt is uploaded afresh. Throws invalid_input (cannot read the file,
  // it changed size while read), payload_too_large, cancelled, network and the server's errors.
  void put_blob_file(const std::string& blob_id, const std::string& path, const BlobTransferOptions& options = {});
  // Downloads either form into `path`: written to a temporary file beside it, synced and renamed
  // onto `path` only once the whole blob authenticated; on any failure `path` is untouched and the
  // temporary file gone. Throws crypto (truncated, tampered), not_found, invalid_input (cannot
  // write), cancelled, network and the server's errors.
  BlobDownloadInfo get_blob_file(const std::string& blob_id, const std::string& path,
                                 const BlobTransferOptions& options = {});
  // The same with a reader (fills the span, fewer bytes only at the end) and a writer, called on
  // the client's thread; what they throw ends the call. get_blob_stream's writer may already have
  // had bytes when it throws crypto: keep them apart until it returns.
  void put_blob_stream(const std::string& blob_id, std::uint64_t size,
                       std::function<std::size_t(std::span<std::uint8_t>)> read, const BlobTransferOptions& options = {});
  BlobDownloadInfo get_blob_stream(const std::string& blob_id, std::function<void(ByteView)> write,
                                   const BlobTransferOptions& options = {});
  // `length` bytes of the blob's plaintext from `offset` (fewer at its end), either form. A
  // streamed blob is read from its start up to the 64 KiB chunk holding the last byte, no further
  // (secretstream: each chunk's key state follows from the ones before). Throws as get_blob_stream.
  Bytes get_blob_range(const std::string& blob_id, std::uint64_t offset, std::uint64_t length);

  SyncStatus status();
  void logout();

 private:
  friend class Replica;  // synckit/native/replica.hpp: runs on this client's loop
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace synckit::native
