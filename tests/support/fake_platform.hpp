// A scripted platform for unit tests of the client's request logic (retry timing, token refresh):
// the transport answers from a queue, the scheduler runs tasks when the test says so. Sync itself
// is proven against the real server in the integration tests, not here.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synckit/bytes.hpp"
#include "synckit/client/key_store.hpp"
#include "synckit/client/scheduler.hpp"
#include "synckit/client/transport.hpp"

namespace synckit::test {

// Runs posted tasks only in run_all(), recording each delay.
class ManualScheduler final : public Scheduler {
 public:
  void post(std::chrono::milliseconds delay, std::function<void()> task) override {
    delays.push_back(delay);
    tasks.push_back(std::move(task));
  }
  // Runs tasks (and those they post) until none is left.
  void run_all() {
    while (!tasks.empty()) {
      auto task = std::move(tasks.front());
      tasks.pop_front();
      task();
    }
  }
  std::vector<std::chrono::milliseconds> delays;
  std::deque<std::function<void()>> tasks;
};

// Answers each request with the next scripted result, delivered through the scheduler.
class ScriptedTransport final : public Transport {
 public:
  explicit ScriptedTransport(Scheduler& scheduler) : scheduler_(scheduler) {}
  void send(HttpRequest request, std::function<void(TransportResult)> done) override {
    if (script.empty()) throw std::logic_error("ScriptedTransport: no scripted reply left for " + request.url);
    TransportResult result = std::move(script.front());
    script.pop_front();
    sent.push_back(std::move(request));
    scheduler_.post(std::chrono::milliseconds(0), [done = std::move(done), result = std::move(result)] { done(result); });
  }
  void reply(int status, std::string body = "{}", HttpHeaders headers = {}) {
    script.push_back(TransportResult{HttpResponse{status, std::move(headers), std::move(body)}, {}, {}});
  }
  void fail(TransportFailure failure) { script.push_back(TransportResult{std::nullopt, failure, "scripted"}); }

  std::deque<TransportResult> script;
  std::vector<HttpRequest> sent;

 private:
  Scheduler& scheduler_;
};

// Keeps keys in a map; completes through the scheduler.
class MemoryKeyStore final : public KeyStore {
 public:
  explicit MemoryKeyStore(Scheduler& scheduler) : scheduler_(scheduler) {}
  void save(const KeyStoreEntry& entry, const MasterKey& key, KeyStoreDone done) override {
    keys[id(entry)] = Bytes(key.view().begin(), key.view().end());
    scheduler_.post({}, [done] { done(std::nullopt); });
  }
  void load(const KeyStoreEntry& entry, KeyStoreLoaded done) override {
    const auto it = keys.find(id(entry));
    std::optional<Bytes> bytes = it == keys.end() ? std::nullopt : std::optional<Bytes>(it->second);
    scheduler_.post({}, [done, bytes] {
      if (!bytes) return done(std::nullopt, std::nullopt);
      done(master_key_from_bytes(*bytes), std::nullopt);
    });
  }
  void remove(const KeyStoreEntry& entry, KeyStoreDone done) override {
    keys.erase(id(entry));
    scheduler_.post({}, [done] { done(std::nullopt); });
  }
  std::map<std::string, Bytes> keys;

 private:
  static std::string id(const KeyStoreEntry& e) { return e.server_url + "|" + e.app_id + "|" + e.user_id; }
  Scheduler& scheduler_;
};

// An unsigned JWT-shaped token with the given exp (the client never checks signatures).
inline std::string fake_jwt(std::int64_t exp, const std::string& user = "u") {
  const nlohmann::json claims = {{"sub", user}, {"app", "a"}, {"iat", exp - 900}, {"exp", exp}};
  return base64url_encode(as_bytes(R"({"alg":"HS256","typ":"JWT"})")) + "." +
         base64url_encode(as_bytes(claims.dump())) + ".c2ln";
}

inline std::string token_reply_json(const std::string& access, const std::string& refresh) {
  return nlohmann::json{{"user_id", "11111111-1111-4111-8111-111111111111"},
                        {"app_id", "22222222-2222-4222-8222-222222222222"},
                        {"access_token", access},
                        {"refresh_token", refresh},
                        {"token_type", "Bearer"},
                        {"expires_in", 900}}
      .dump();
}

}  // namespace synckit::test
