#include "hostile_support.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "../support/child_process.hpp"

namespace synckit::hostile {
namespace {

constexpr std::string_view kListening = "hostile listening on ";

// Forwards to a RecordingKeychain the test owns (AsyncKeyStore owns its keychain).
class ForwardingKeychain final : public native::Keychain {
 public:
  explicit ForwardingKeychain(RecordingKeychain& target) : target_(target) {}
  void save(const KeyStoreEntry& entry, const MasterKey& key) override { target_.save(entry, key); }
  std::optional<MasterKey> load(const KeyStoreEntry& entry) override { return target_.load(entry); }
  void remove(const KeyStoreEntry& entry) override { target_.remove(entry); }

 private:
  RecordingKeychain& target_;
};

}  // namespace

HostileProxy::HostileProxy(const ServerProcess& upstream) {
  int fds[2];
  test::make_cloexec_pipe(fds);
  pid_ = test::spawn_child({SYNCKIT_PYTHON, SYNCKIT_HOSTILE_SERVER, "--upstream", upstream.url()}, fds[1], {});
  ::close(fds[1]);
  const std::string out = test::read_until(fds[0], std::chrono::steady_clock::now() + std::chrono::seconds(15), "\n");
  ::close(fds[0]);  // the proxy prints nothing more; a write would only get EPIPE
  if (out.rfind(kListening, 0) != 0 || out.find('\n') == std::string::npos) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    throw std::runtime_error("HostileProxy: the proxy did not report listening: '" + out + "'");
  }
  url_ = out.substr(kListening.size(), out.find('\n') - kListening.size());
}

HostileProxy::~HostileProxy() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

nlohmann::json HostileProxy::control(const std::string& method, const std::string& path, const std::string& body) {
  httplib::Client http(url_);
  http.set_connection_timeout(10, 0);
  http.set_read_timeout(10, 0);
  auto reply = method == "GET" ? http.Get(path) : http.Post(path, body, "application/json");
  if (!reply || reply->status != 200) throw std::runtime_error("HostileProxy: control call " + path + " failed");
  return nlohmann::json::parse(reply->body);
}

void HostileProxy::arm(const nlohmann::json& spec) { control("POST", "/__hostile/scenario", spec.dump()); }
void HostileProxy::reset() { control("POST", "/__hostile/reset", "{}"); }
nlohmann::json HostileProxy::stats() { return control("GET", "/__hostile/stats", ""); }

void RecordingKeychain::save(const KeyStoreEntry& entry, const MasterKey& key) {
  ++saves;
  keys_.save(entry, key);
}
std::optional<MasterKey> RecordingKeychain::load(const KeyStoreEntry& entry) {
  ++loads;
  return keys_.load(entry);
}
void RecordingKeychain::remove(const KeyStoreEntry& entry) {
  ++removes;
  keys_.remove(entry);
}

InspectableClient::InspectableClient(const std::string& url, const std::string& api_key, RecordingKeychain& keychain,
                                     native::CurlOptions transport, net::RetryPolicy retry, LogSink* log,
                                     int pull_limit) {
  key_store_ = std::make_unique<native::AsyncKeyStore>(std::make_unique<ForwardingKeychain>(keychain), loop_);
  transport_ = std::make_unique<native::CurlTransport>(loop_, transport);
  ClientConfig config;
  config.server_url = url;
  config.api_key = api_key;
  config.retry = retry;
  config.pull_limit = pull_limit;
  if (log) config.log = log->hook();
  core_ = std::make_unique<synckit::Client>(std::move(config),
                                            ClientServices{*transport_, loop_, *key_store_, clock_, random_});
}

// The same order as native::Client: the core first, then the key store and transport (their
// pending completions still reach a live loop), the loop last. The core is destroyed on the loop.
InspectableClient::~InspectableClient() {
  std::promise<void> gone;
  loop_.post({}, [&] {
    core_.reset();
    gone.set_value();
  });
  gone.get_future().wait();
  transport_.reset();
  key_store_.reset();
}

Account InspectableClient::create_account(const std::string& email, const std::string& password) {
  return call<Account>([&](auto& c, auto done) { c.create_account(email, password, done); });
}
Account InspectableClient::authenticate(const std::string& email, const std::string& password) {
  return call<Account>([&](auto& c, auto done) { c.authenticate(email, password, done); });
}
void InspectableClient::setup_encryption_new(const std::string& password) {
  call<Done>([&](auto& c, auto done) { c.setup_encryption_new(password, done); });
}
void InspectableClient::setup_encryption_existing(const std::string& password) {
  call<Done>([&](auto& c, auto done) { c.setup_encryption_existing(password, done); });
}
Device InspectableClient::register_device(const std::string& name) {
  return call<Device>([&](auto& c, auto done) { c.register_device(name, "linux", done); });
}
std::int64_t InspectableClient::push(const std::string& device_id, const std::vector<ChangeEntry>& changes) {
  return call<std::int64_t>([&](auto& c, auto done) { c.push(device_id, changes, done); });
}
PullResult InspectableClient::pull(const std::string& device_id, std::int64_t cursor) {
  return call<PullResult>([&](auto& c, auto done) { c.pull(device_id, cursor, done); });
}
void InspectableClient::put_blob(const std::string& blob_id, ByteView bytes) {
  call<Done>([&](auto& c, auto done) { c.put_blob(blob_id, bytes, done); });
}
Bytes InspectableClient::get_blob(const std::string& blob_id) {
  return call<Bytes>([&](auto& c, auto done) { c.get_blob(blob_id, done); });
}
SyncStatus InspectableClient::status() {
  return call<SyncStatus>([](auto& c, auto done) { c.status(done); });
}
void InspectableClient::logout() {
  call<Done>([](auto& c, auto done) { c.logout(done); });
}
bool InspectableClient::encryption_ready() {
  return call<bool>([](auto& c, auto done) { done(c.encryption_ready()); });
}
std::optional<SessionTokens> InspectableClient::session() {
  return call<std::optional<SessionTokens>>([](auto& c, auto done) { done(c.session()); });
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace synckit::hostile
