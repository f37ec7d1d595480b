#include "synckit/native/client.hpp"

#include <future>

#include "client_parts.hpp"

namespace synckit::native {

std::unique_ptr<Keychain> make_keychain(KeyCache cache) {
  switch (cache) {
    case KeyCache::os_keychain: return make_os_keychain();
    case KeyCache::memory: return std::make_unique<MemoryKeychain>();
    case KeyCache::none: return std::make_unique<NullKeychain>();
  }
  return std::make_unique<NullKeychain>();
}

Client::Client(Config config) : parts_(std::make_unique<Parts>(std::move(config))) {}
Client::~Client() = default;

Account Client::create_account(const std::string& email, const std::string& password) {
  return parts_->call<Account>([&](auto& c, auto done) { c.create_account(email, password, done); });
}
Account Client::authenticate(const std::string& email, const std::string& password) {
  return parts_->call<Account>([&](auto& c, auto done) { c.authenticate(email, password, done); });
}
std::string Client::begin_oauth(const std::string& redirect_uri) {
  return parts_->on_loop([&](auto& c) { return c.begin_oauth(redirect_uri); });
}
Account Client::complete_oauth(const std::string& redirect_url) {
  return parts_->call<Account>([&](auto& c, auto done) { c.complete_oauth(redirect_url, done); });
}
void Client::restore_session(const SessionTokens& tokens) {
  parts_->on_loop([&](auto& c) {
    c.restore_session(tokens);
    return Done{};
  });
}
std::optional<SessionTokens> Client::session() {
  return parts_->on_loop([](auto& c) { return c.session(); });
}
std::optional<Account> Client::account() {
  return parts_->on_loop([](auto& c) { return c.account(); });
}
void Client::setup_encryption_new(const std::string& password) {
  parts_->call<Done>([&](auto& c, auto done) { c.setup_encryption_new(password, done); });
}
void Client::setup_encryption_existing(const std::string& password) {
  parts_->call<Done>([&](auto& c, auto done) { c.setup_encryption_existing(password, done); });
}
bool Client::unlock_from_key_store() {
  return parts_->call<bool>([](auto& c, auto done) { c.unlock_from_key_store(done); });
}
void Client::change_password(const std::string& old_password, const std::string& new_password) {
  parts_->call<Done>([&](auto& c, auto done) { c.change_password(old_password, new_password, done); });
}
bool Client::encryption_ready() {
  return parts_->on_loop([](auto& c) { return c.encryption_ready(); });
}
RecoveryCode Client::create_recovery_code() {
  return parts_->call<RecoveryCode>([](auto& c, auto done) { c.create_recovery_code(done); });
}
Account Client::recover(const std::string& email, std::string_view code, const std::string& new_password) {
  return parts_->call<Account>([&](auto& c, auto done) { c.recover(email, code, new_password, done); });
}
void Client::change_sign_in_password(const std::string& old_password, const std::string& new_password) {
  parts_->call<Done>([&](auto& c, auto done) { c.change_sign_in_password(old_password, new_password, done); });
}
void Client::change_passwords(const std::string& old_password, const std::string& new_password) {
  parts_->call<Done>([&](auto& c, auto done) { c.change_passwords(old_password, new_password, done); });
}
std::vector<SessionInfo> Client::list_sessions() {
  return parts_->call<std::vector<SessionInfo>>([](auto& c, auto done) { c.list_sessions(done); });
}
void Client::end_session(const std::string& session_id) {
  parts_->call<Done>([&](auto& c, auto done) { c.end_session(session_id, done); });
}
void Client::delete_account(const std::string& password) {
  parts_->call<Done>([&](auto& c, auto done) { c.delete_account(password, done); });
}
Device Client::register_device(const std::string& name, const std::string& platform) {
  return parts_->call<Device>([&](auto& c, auto done) { c.register_device(name, platform, done); });
}
std::vector<Device> Client::list_devices() {
  return parts_->call<std::vector<Device>>([](auto& c, auto done) { c.list_devices(done); });
}
void Client::revoke_device(const std::string& device_id) {
  parts_->call<Done>([&](auto& c, auto done) { c.revoke_device(device_id, done); });
}
std::int64_t Client::push(const std::string& device_id, const std::vector<ChangeEntry>& changes) {
  return parts_->call<std::int64_t>([&](auto& c, auto done) { c.push(device_id, changes, done); });
}
PullResult Client::pull(const std::string& device_id, std::int64_t cursor) {
  return parts_->call<PullResult>([&](auto& c, auto done) { c.pull(device_id, cursor, done); });
}
std::int64_t Client::push_plaintexts(const std::string& device_id, std::vector<ChangePlaintext> changes) {
  return parts_->call<std::int64_t>(
      [&](auto& c, auto done) { c.push_plaintexts(device_id, std::move(changes), done); });
}
PullResult Client::pull(const std::string& device_id, std::int64_t cursor, const PullOptions& options) {
  return parts_->call<PullResult>([&](auto& c, auto done) { c.pull(device_id, cursor, options, done); });
}

std::unique_ptr<NativeWatch> Client::watch(const std::string& device_id, std::int64_t cursor,
                                           std::function<void(Result<PullResult>)> on_page, WatchOptions options) {
  auto watch = parts_->on_loop([&](synckit::Client& c) {
    return c.watch(device_id, cursor, std::move(options), std::move(on_page));
  });
  return std::make_unique<NativeWatch>(std::move(watch), parts_->loop);
}

void NativeWatch::stop() {
  if (!watch_) return;
  auto watch = std::move(watch_);
  if (loop_.on_loop_thread()) return watch->stop();
  // On the loop, so that once this returns no page callback is running or will start.
  std::promise<void> stopped;
  auto future = stopped.get_future();
  loop_.post({}, [&] {
    watch->stop();
    stopped.set_value();
  });
  future.wait();
}

PlaintextPullResult Client::pull_plaintexts(const std::string& device_id, std::int64_t cursor) {
  return parts_->call<PlaintextPullResult>([&](auto& c, auto done) { c.pull_plaintexts(device_id, cursor, done); });
}
void Client::put_blob(const std::string& blob_id, ByteView bytes) {
  parts_->call<Done>([&](auto& c, auto done) { c.put_blob(blob_id, bytes, done); });
}
Bytes Client::get_blob(const std::string& blob_id) {
  return parts_->call<Bytes>([&](auto& c, auto done) { c.get_blob(blob_id, done); });
}
void Client::delete_blob(const std::string& blob_id) {
  parts_->call<Done>([&](auto& c, auto done) { c.delete_blob(blob_id, done); });
}
SyncStatus Client::status() {
  return parts_->call<SyncStatus>([](auto& c, auto done) { c.status(done); });
}
void Client::logout() {
  parts_->call<Done>([](auto& c, auto done) { c.logout(done); });
}

}  // namespace synckit::native
