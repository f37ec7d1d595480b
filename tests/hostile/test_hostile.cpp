// The native client against a hostile server (tests/hostile/hostile_server.py, a tampering proxy in
// front of the real synckit-server). Every misbehaviour must end in a typed synckit::Error of the
// right kind, or in a documented safe outcome, within the configured time limits, with nothing
// written to the key store; afterwards the client keeps working.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>

#include "hostile_support.hpp"

using namespace synckit::hostile;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace native = synckit::native;
namespace net = synckit::net;

namespace {

// The spec `a` with the keys of `b` added (or replaced).
json operator+(json a, const json& b) {
  a.update(b);
  return a;
}

constexpr auto kTotalTimeout = 2000ms;
constexpr int kMaxRetries = 3;
// The longest any call may take: every attempt timing out, plus backoff and slack for 2 shared cores.
constexpr double kCallBudgetSeconds = (kMaxRetries + 1) * 2.0 + 4.0;
const std::string kLoginPassword = "hostile login password";
const std::string kEnvelopePassword = "hostile envelope password";

native::CurlOptions transport_options() {
  native::CurlOptions options;
  options.connect_timeout = kTotalTimeout;
  options.total_timeout = kTotalTimeout;
  options.low_speed_time = 1s;
  return options;
}

net::RetryPolicy retry_policy() {
  net::RetryPolicy policy;
  policy.max_retries = kMaxRetries;
  policy.base_delay = 5ms;
  policy.max_delay = 20ms;
  policy.max_retry_after = 20ms;
  return policy;
}

// A server with one account ("alice": a writer device that pushed 3 changes and a blob), a second
// account ("mallory", another password) whose envelope the proxy can hand out, and alice's reader
// signed in through the proxy with an inspectable key store.
struct World {
  ServerProcess server;
  HostileProxy proxy{server};
  RecordingKeychain keychain;
  LogSink log;
  std::unique_ptr<Client> writer;
  Device writer_device;
  std::unique_ptr<InspectableClient> reader;
  Device reader_device;
  std::string other_envelope_reply;  // mallory's GET /v1/keys/envelope reply, verbatim
  std::vector<std::string> errors;   // every error message seen

  World() {
    writer = std::make_unique<Client>(client_config(server));
    writer->create_account("alice@example.com", kLoginPassword);
    writer->setup_encryption_new(kEnvelopePassword);
    writer_device = writer->register_device("writer", "linux");
    writer->push(writer_device.id, {numbered_change(1), numbered_change(2), numbered_change(3)});
    writer->put_blob("photo", pattern_bytes(4096, 1));

    Client mallory(client_config(server));
    mallory.create_account("mallory@example.com", "mallory login");
    mallory.setup_encryption_new("mallory envelope password");
    auto http = raw_http(server);
    const auto reply = http->Get("/v1/keys/envelope", {{"X-SyncKit-Api-Key", server.api_key()},
                                                       {"Authorization", "Bearer " + mallory.session()->access_token}});
    REQUIRE(reply);
    REQUIRE(reply->status == 200);
    other_envelope_reply = reply->body;

    reader = new_reader();
    reader->authenticate("alice@example.com", kLoginPassword);
    reader->setup_encryption_existing(kEnvelopePassword);
    reader_device = reader->register_device("reader");
    REQUIRE(keychain.saves == 1);
  }

  std::unique_ptr<InspectableClient> new_reader() {
    return std::make_unique<InspectableClient>(proxy.url(), server.api_key(), keychain, transport_options(),
                                               retry_policy(), &log);
  }

  // Runs `call` with `spec` armed; returns the error kind name (or "no error"), checks the time
  // budget and that the key store was not written, then disarms and checks the reader still works.
  std::string hostile(const json& spec, const std::function<void()>& call, double* took = nullptr) {
    proxy.reset();
    proxy.arm(spec);
    const int saves_before = keychain.saves;
    const auto start = Clock::now();
    const std::string kind = error_of(call, &errors);
    const double elapsed = seconds_since(start);
    INFO(spec.dump() << " -> " << kind << " in " << elapsed << " s");
    CHECK(elapsed < kCallBudgetSeconds);
    CHECK(keychain.saves == saves_before);
    const json stats = proxy.stats();
    CHECK(stats["applied"].value(spec["scenario"].get<std::string>(), 0) >= 1);
    CHECK(stats["redirect_hits"] == 0);
    proxy.reset();
    const PullResult after = reader->pull(reader_device.id, 0);
    CHECK_FALSE(after.changes.empty());
    for (const PulledEntry& entry : after.changes) CHECK(entry.entry);
    if (took) *took = elapsed;
    std::cout << "  " << spec["scenario"].get<std::string>() << " on " << spec.value("match", "/v1/") << ": "
              << kind << " (" << elapsed << " s)\n";
    return kind;
  }
};

json scenario(const std::string& name, const std::string& match, int times = 0) {
  return json{{"scenario", name}, {"match", match}, {"times", times}};
}

}  // namespace

TEST_CASE("hostile replies to a pull are typed errors or documented safe outcomes", "[hostile]") {
  World w;
  auto& reader = *w.reader;
  const std::string id = w.reader_device.id;
  const std::string pull = "/v1/sync/pull";
  auto pull0 = [&] { reader.pull(id, 0); };

  CHECK(w.hostile(scenario("garbage_json", pull), pull0) == "json");
  CHECK(w.hostile(scenario("wrong_types", pull), pull0) == "json");
  CHECK(w.hostile(scenario("html_ok", pull), pull0) == "json");
  // 5xx is transient: retried, then reported with the status.
  CHECK(w.hostile(scenario("html_error", pull), pull0) == "server_status");
  // Not followed (the proxy counts any request to the Location), a status the protocol does not define.
  CHECK(w.hostile(scenario("redirect", pull), pull0) == "server_status");
  CHECK(w.hostile(scenario("redirect", pull) + json({{"status", 307}}), pull0) == "server_status");
  // Cut-off bodies are network failures (retried, then reported).
  CHECK(w.hostile(scenario("truncated_body", pull), pull0) == "network");
  CHECK(w.hostile(scenario("reset_mid_body", pull), pull0) == "network");
  // Only once: the retry gets the real reply, so the call succeeds.
  CHECK(w.hostile(scenario("truncated_body", pull, 1), pull0) == "no error");
  CHECK(w.hostile(scenario("reset_mid_body", pull, 2), pull0) == "no error");
  // A body over the transport's limit (80 MiB by default) is refused while it streams.
  CHECK(w.hostile(scenario("huge_body", pull), pull0) == "network");
  // The same without Content-Length: cut off once 80 MiB have arrived.
  CHECK(w.hostile(scenario("huge_body", pull) + json({{"declare_length", false}}), pull0) == "network");
  // Bytes trickled forever: each attempt ends at the total timeout, so the call ends within
  // (retries + 1) timeouts, not when the server stops.
  double took = 0;
  CHECK(w.hostile(scenario("slow_drip", pull) + json({{"interval", 0.3}}), pull0, &took) == "network");
  CHECK(took >= 2.0);
  // The client does not look at Content-Type; it parses every body strictly, so a valid reply
  // under a wrong type is simply the reply (documented safe outcome).
  PullResult page;
  CHECK(w.hostile(scenario("wrong_content_type", pull), [&] { page = reader.pull(id, 0); }) == "no error");
  CHECK(page.changes.size() == 3);

  // Payloads swapped between two change ids: both entries carry a crypto error, none opened.
  CHECK(w.hostile(scenario("move_payload", pull), [&] { page = reader.pull(id, 0); }) == "no error");
  REQUIRE(page.changes.size() == 3);
  CHECK_FALSE(page.changes[0].entry);
  CHECK_FALSE(page.changes[1].entry);
  REQUIRE(page.changes[0].error);
  REQUIRE(page.changes[1].error);
  CHECK(page.changes[0].error->kind() == ErrorKind::crypto);
  CHECK(page.changes[1].error->kind() == ErrorKind::crypto);
  CHECK(page.changes[2].entry);
  w.errors.push_back(page.changes[0].error->what());

  // One change moved to a new change id: that entry is a crypto error too.
  w.proxy.reset();
  w.writer->push(w.writer_device.id, {numbered_change(4)});
  CHECK(w.hostile(scenario("move_payload", pull), [&] { page = reader.pull(id, 3); }) == "no error");
  REQUIRE(page.changes.size() == 1);
  CHECK_FALSE(page.changes[0].entry);
  REQUIRE(page.changes[0].error);
  CHECK(page.changes[0].error->kind() == ErrorKind::crypto);

  // Cursor going backwards, and old changes replayed at or before the asked cursor: json.
  CHECK(w.hostile(scenario("cursor_backwards", pull), [&] { reader.pull(id, 3); }) == "json");
  w.proxy.reset();
  reader.pull(id, 0);  // the proxy records these changes
  w.proxy.arm(scenario("replay_old", pull));
  CHECK(error_of([&] { reader.pull(id, 3); }, &w.errors) == "json");

  // Old changes replayed under new sequence numbers inside a reply that also holds them: json
  // (the reply repeats a change id).
  w.proxy.reset();
  reader.pull(id, 0);  // the proxy records changes 1..4
  w.proxy.arm(scenario("replay_renumbered", pull));
  CHECK(error_of([&] { reader.pull(id, 3); }, &w.errors) == "json");
  // Replayed into a later page under new sequence numbers: one reply cannot show it, but the
  // changes are authentic and keep their change ids, so an app that remembers applied change ids
  // drops them (documented safe outcome; docs/security.md: the server can withhold or replay).
  w.proxy.reset();
  const auto first = reader.pull(id, 0).changes;  // the proxy records changes 1..4
  w.writer->push(w.writer_device.id, {numbered_change(5)});
  w.proxy.arm(scenario("replay_renumbered", pull));
  page = reader.pull(id, 4);
  REQUIRE(page.changes.size() == 1 + first.size());
  for (std::size_t i = 1; i < page.changes.size(); ++i) {
    REQUIRE(page.changes[i].entry);
    CHECK(page.changes[i].change_id == first[i - 1].change_id);
    CHECK(*page.changes[i].entry == *first[i - 1].entry);
  }
  CHECK(w.keychain.saves == 1);
}

TEST_CASE("hostile replies to the key fetch, sign-in and blob fetch are typed errors; the key store stays untouched",
          "[hostile]") {
  World w;
  const std::string envelope = "/v1/keys/envelope";
  // A fresh client per attempt: signed in, encryption not yet set up.
  auto unlock = [&] {
    auto fresh = w.new_reader();
    fresh->authenticate("alice@example.com", kLoginPassword);
    auto run = [&] { fresh->setup_encryption_existing(kEnvelopePassword); };
    try {
      run();
    } catch (...) {
      CHECK_FALSE(fresh->encryption_ready());
      throw;
    }
  };
  // Sign-in goes through the proxy too, so arm the rule for the envelope GET only.
  auto on_envelope = [&](std::string name) { return scenario(std::move(name), envelope) + json({{"method", "GET"}}); };

  // Another user's envelope (under another password): wrong_password, nothing cached.
  CHECK(w.hostile(on_envelope("static") + json({{"body", json::parse(w.other_envelope_reply)}}), unlock) ==
        "wrong_password");
  CHECK(w.hostile(on_envelope("garbage_json"), unlock) == "json");
  CHECK(w.hostile(on_envelope("wrong_types"), unlock) == "json");
  CHECK(w.hostile(on_envelope("html_ok"), unlock) == "json");
  CHECK(w.hostile(on_envelope("html_error"), unlock) == "server_status");
  CHECK(w.hostile(on_envelope("redirect"), unlock) == "server_status");
  CHECK(w.hostile(on_envelope("truncated_body"), unlock) == "network");
  CHECK(w.hostile(on_envelope("reset_mid_body"), unlock) == "network");
  CHECK(w.hostile(on_envelope("static") + json({{"status", 404},
                                                {"body", R"({"error":{"code":"not_found","message":"none"}})"}}),
                  unlock) == "not_found");
  // An envelope whose cost is out of range is refused before any Argon2id runs.
  json costly = json::parse(w.other_envelope_reply);
  costly["envelope"]["memlimit"] = 1ll << 40;
  CHECK(w.hostile(on_envelope("static") + json({{"body", costly}}), unlock) == "invalid_data");

  // Sign-in replies.
  const std::string login = "/v1/auth/login";
  auto sign_in = [&] { w.new_reader()->authenticate("alice@example.com", kLoginPassword); };
  CHECK(w.hostile(scenario("garbage_json", login), sign_in) == "json");
  CHECK(w.hostile(scenario("wrong_types", login), sign_in) == "json");
  CHECK(w.hostile(scenario("html_ok", login), sign_in) == "json");
  CHECK(w.hostile(scenario("redirect", login), sign_in) == "server_status");
  CHECK(w.hostile(scenario("reset_mid_body", login), sign_in) == "network");
  CHECK(w.hostile(scenario("static", login) + json({{"body", R"({"access_token":"x"})"}}), sign_in) == "json");

  // Blob fetch: cut off, replaced by bytes that do not authenticate, or another blob's bytes.
  auto& reader = *w.reader;
  const std::string blob = "/v1/blobs/photo";
  auto fetch = [&] { reader.get_blob("photo"); };
  CHECK(w.hostile(scenario("truncated_body", blob), fetch) == "network");
  CHECK(w.hostile(scenario("huge_body", blob), fetch) == "network");
  CHECK(w.hostile(scenario("static", blob) + json({{"content_type", "application/octet-stream"},
                                                   {"body", std::string(60, 'A')}}),
                  fetch) == "crypto");
  CHECK(w.hostile(scenario("static", blob) + json({{"content_type", "application/octet-stream"},
                                                   {"body", "short"}}),
                  fetch) == "crypto");
  CHECK(w.keychain.saves == 1);
  CHECK(w.keychain.removes == 0);

  // No error message carries a password.
  for (const std::string& what : w.errors) {
    CHECK(what.find(kLoginPassword) == std::string::npos);
    CHECK(what.find(kEnvelopePassword) == std::string::npos);
  }
}

TEST_CASE("hostile replies to a streamed blob download are typed errors and never leave a file", "[hostile][streams]") {
  World w;
  // A streamed blob of 20 chunks and a bit, read through the proxy in 1 MiB ranges by a native client.
  const Bytes data = pattern_bytes(20 * 65536 + 100, 5);
  std::size_t at = 0;
  w.writer->put_blob_stream("clip", data.size(), [&](std::span<std::uint8_t> into) {
    const std::size_t n = std::min(into.size(), data.size() - at);
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(at), n, into.begin());
    at += n;
    return n;
  });
  Config config = client_config(w.server);
  config.server_url = w.proxy.url();
  config.retry = retry_policy();
  Client reader(config);
  reader.authenticate("alice@example.com", kLoginPassword);
  reader.setup_encryption_existing(kEnvelopePassword);
  const std::filesystem::path dir = w.server.dir() / "downloads";
  std::filesystem::create_directories(dir);
  const std::string target = (dir / "clip.bin").string();
  const std::string blob = "/v1/blobs/clip";
  auto every = [&](std::string name) { return scenario(std::move(name), blob); };  // every request
  auto download = [&] { reader.get_blob_file("clip", target); };
  CHECK(w.hostile(every("blob_flip"), download) == "crypto");
  CHECK(w.hostile(every("blob_swap_chunks"), download) == "crypto");
  CHECK(w.hostile(every("blob_shorten"), download) == "crypto");  // the FINAL chunk gone: truncated
  CHECK(w.hostile(every("blob_shorten") + json({{"by", 1000}}), download) == "crypto");
  CHECK(w.hostile(every("blob_shift_range"), download) == "json");
  CHECK(w.hostile(every("blob_format"), download) == "crypto");  // a stream opened as one sealed blob
  CHECK(w.hostile(every("truncated_body"), download) == "network");
  CHECK(w.hostile(every("reset_mid_body"), download) == "network");
  CHECK(w.hostile(every("html_ok"), download) == "crypto");  // an HTML page is no sealed blob
  CHECK(w.hostile(every("html_error"), download) == "server_status");
  CHECK(std::filesystem::is_empty(dir));  // no target, no temporary file
  // The whole-blob read and the callback form: the same kinds; the callback never gets it all.
  CHECK(w.hostile(every("blob_flip"), [&] { reader.get_blob("clip"); }) == "crypto");
  std::size_t handed = 0;
  CHECK(w.hostile(every("blob_shorten"), [&] { reader.get_blob_stream("clip", [&](ByteView b) { handed += b.size(); }); }) ==
        "crypto");
  CHECK(handed < data.size());
  // Unarmed, the same download is whole.
  w.proxy.reset();
  CHECK(reader.get_blob_file("clip", target).plain_size == data.size());
  CHECK(reader.get_blob("clip") == data);
}

TEST_CASE("a push whose reply is lost or garbled after the server stored it, pushed again, is stored once",
          "[hostile]") {
  World w;
  auto& reader = *w.reader;
  const std::string push = "/v1/sync/push";
  int next = 100;
  // The proxy forwards every push (the server stores it) and spoils only the reply.
  for (const json& spec : {scenario("garbage_json", push), scenario("wrong_types", push),
                           scenario("html_error", push), scenario("reset_mid_body", push),
                           scenario("truncated_body", push), scenario("redirect", push)}) {
    std::vector<ChangeEntry> batch;
    for (int i = 0; i < 3; ++i) batch.push_back(numbered_change(next++));
    const std::int64_t before = w.writer->status().changes;
    CHECK(w.hostile(spec, [&] { reader.push(w.reader_device.id, batch); }) != "no error");
    CHECK(w.writer->status().changes == before + 3);  // stored, although the client could not know
    reader.push(w.reader_device.id, batch);           // what an app does after a failed push
    CHECK(w.writer->status().changes == before + 3);  // the same ids: not stored again
  }
  CHECK(w.keychain.saves == 1);
}
