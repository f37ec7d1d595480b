// synckit demo: one account, two devices ("laptop" and "phone"), each with a local replica (an
// encrypted SQLite file), syncing a to-do list and blobs through a local synckit-server: what the
// server stores (fetched raw over HTTP) beside what each device reads, both devices editing the
// same to-do offline and the merge that makes them agree. The clients cache the master key in
// memory only: the demo never touches the OS keychain.
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "demo_raw.hpp"
#include "demo_server.hpp"
#include "demo_text.hpp"
#include "file_io.hpp"
#include "synckit/error.hpp"
#include "synckit/native/client.hpp"
#include "synckit/native/replica.hpp"
#include "synckit/replica/merge.hpp"

namespace synckit::cli {
namespace {

constexpr const char* kEmail = "demo@example.com";
constexpr const char* kPassword = "correct horse battery staple";

// A demo device: its client and its replica (opened once the device is registered).
struct DemoDevice {
  std::string name;
  std::unique_ptr<native::Client> client;
  std::string id;
  std::filesystem::path file;
  std::unique_ptr<native::Replica> replica;
};

DemoDevice make_device(const LocalServer& server, std::string name) {
  native::Config config;
  config.server_url = server.url();
  config.api_key = server.api_key();
  config.key_cache = native::KeyCache::memory;
  std::filesystem::path file = server.dir() / (name + "-replica.db");
  return DemoDevice{std::move(name), std::make_unique<native::Client>(std::move(config)), {}, std::move(file), {}};
}

JsonValue item(const std::string& title, bool done) { return JsonValue{{"title", title}, {"done", done}}; }

std::string token_of(DemoDevice& device) { return device.client->session().value().access_token; }

void open_replica(DemoDevice& device) {
  device.replica = std::make_unique<native::Replica>(*device.client, device.file.string(), device.id);
  say(pad(device.name, 7) + " opened its replica " + device.file.filename().string() +
      " (rows sealed under a key derived from the master key)");
}

void sign_up_both(DemoDevice& laptop, DemoDevice& phone) {
  heading("One account, two devices");
  const Account account = laptop.client->create_account(kEmail, kPassword);
  laptop.id = laptop.client->register_device("laptop", "linux").id;
  say("laptop  registered " + std::string(kEmail) + " (user " + account.user_id.substr(0, 8) + "…), device " +
      laptop.id);
  phone.client->authenticate(kEmail, kPassword);
  phone.id = phone.client->register_device("phone", "android").id;
  say("phone   signed in to the same account, device " + phone.id);
  laptop.client->setup_encryption_new(kPassword);
  say("laptop  made a random master key, wrapped it with the password (Argon2id) and uploaded the envelope");
  phone.client->setup_encryption_existing(kPassword);
  say("phone   downloaded the envelope and unwrapped the same master key with the password");
  open_replica(laptop);
  open_replica(phone);
}

std::string sync_line(DemoDevice& device) {
  const SyncReport report = device.replica->sync();
  return pad(device.name, 7) + " syncs: pushed " + std::to_string(report.pushed) + ", pulled and merged " +
         std::to_string(report.pulled);
}

std::string list_line(DemoDevice& device) {
  std::string out = pad(device.name, 7) + " ";
  for (const auto& [row_id, data] : device.replica->list("todos")) {
    out += " [" + std::string(data.value("done", false) ? "x" : " ") + "] " + data.value("title", row_id) + ";";
  }
  return out;
}

// Side by side, per change: what the server stores (raw) and the row the reading device now holds.
void show_both(const std::vector<wire::PulledChange>& stored, DemoDevice& reader, const std::vector<std::string>& rows) {
  say(pad("seq", 5) + pad("change id", 24) + pad("sealed", 8) + pad("the server stores (base64)", 28) + "the " +
      reader.name + " reads (decrypted)");
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const wire::PulledChange& change = stored[i];
    const std::string& row = i < rows.size() ? rows[i] : rows.back();
    const auto data = reader.replica->get("todos", row);
    say(pad(std::to_string(change.seq), 5) + pad(change.change.change_id, 24) +
        pad(std::to_string(change.change.payload.size()) + " B", 8) +
        pad(shorten(base64_encode(change.change.payload), 24), 28) + pad(row, 8) +
        (data ? data->dump() : std::string("(deleted)")));
  }
}

// `from` writes, both sync, and the server's copy is shown beside what `to` reads.
void write_and_sync(RawServerView& raw, DemoDevice& from, DemoDevice& to,
                    const std::vector<std::pair<std::string, JsonValue>>& writes, const std::string& title) {
  heading(title);
  const std::vector<wire::PulledChange> before = raw.pull(token_of(from), to.id, 0);
  say(from.name + " writes to its replica (durable at once, online or not)");
  std::vector<std::string> rows;
  for (const auto& [row, data] : writes) {
    if (data.is_null()) {
      from.replica->remove("todos", row);
    } else {
      from.replica->put("todos", row, data);
    }
    rows.push_back(row);
    say("  " + pad(data.is_null() ? "delete" : "put", 7) + pad(row, 8) + (data.is_null() ? "" : data.dump()));
  }
  say(sync_line(from));
  const std::int64_t cursor = before.empty() ? 0 : before.back().seq;
  const auto stored = raw.pull(token_of(from), to.id, cursor);
  say("the server's copy: raw GET /v1/sync/pull?device_id=<" + to.name + "> with the " + from.name + "'s token");
  say(sync_line(to));
  show_both(stored, to, rows);
}

// Both devices edit the same to-do while offline; they reconnect and agree, and the demo shows
// which edit won and why (the greater hybrid-logical-clock stamp: the later write).
void offline_edits(DemoDevice& laptop, DemoDevice& phone) {
  heading("Offline: both devices edit the same to-do");
  phone.replica->put("todos", "todo-1", item("Buy milk", true));
  say("phone   (offline) marks todo-1 done");
  phone.replica->put("todos", "todo-5", item("Water the plants", false));
  say("phone   (offline) adds todo-5");
  laptop.replica->put("todos", "todo-1", item("Buy oat milk", false));
  say("laptop  (offline, a moment later) renames todo-1 to \"Buy oat milk\"");
  say(list_line(laptop));
  say(list_line(phone));
  say("both reconnect:");
  say(sync_line(phone));
  say(sync_line(laptop));
  say(sync_line(phone));
  // The two edits of todo-1 as the server holds them, opened (each device pulls the other's).
  std::map<std::string, RowVersion> edits;
  for (DemoDevice* device : {&laptop, &phone}) {
    const DemoDevice& other = device == &laptop ? phone : laptop;
    for (const PulledEntry& pulled : device->client->pull(device->id, 0).changes) {
      if (pulled.entry && pulled.entry->row_id == "todo-1") edits[other.name] = {pulled.entry->hlc, pulled.change_id};
    }
  }
  const RowVersion& by_laptop = edits.at("laptop");
  const RowVersion& by_phone = edits.at("phone");
  const bool laptop_won = supersedes(by_laptop, by_phone);
  const bool same_ms = by_laptop.hlc.substr(0, 15) == by_phone.hlc.substr(0, 15);
  say("todo-1 was edited on both: laptop stamp " + by_laptop.hlc + ", phone stamp " + by_phone.hlc);
  say("the " + std::string(laptop_won ? "laptop" : "phone") + "'s edit has the greater stamp (" +
      (same_ms ? "both in the same millisecond: the node ids decide" : "it was made later") +
      "), so both devices keep it: " + laptop.replica->get("todos", "todo-1").value().dump());
  say("(the merge: per row, the write with the greatest hybrid logical clock stamp wins, whatever order the");
  say(" changes arrive in; a write made after seeing another device's always sorts after it)");
}

void sync_blob(RawServerView& raw, DemoDevice& from, DemoDevice& to, const std::string& blob_id,
               const std::string& text) {
  const ByteView plain = as_bytes(text);
  from.client->put_blob(blob_id, plain);
  say(pad(from.name, 7) + " uploads " + blob_id + ": " + std::to_string(plain.size()) + " bytes \"" + text +
      "\"");
  const Bytes stored = raw.blob(token_of(from), blob_id);
  say("server  stores " + std::to_string(stored.size()) + " bytes: " + hex_prefix(stored, 16));
  const Bytes got = to.client->get_blob(blob_id);
  const std::string got_text(got.begin(), got.end());
  say(pad(to.name, 7) + " downloads and decrypts it: \"" + got_text + "\"" +
      (got_text == text ? "" : " (DIFFERENT)"));
  if (got_text != text) throw Error(ErrorKind::invalid_data, "the blob came back different");
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Counts how many of `plaintexts` occur in the server's database files.
std::size_t plaintexts_found(const LocalServer& server, const std::vector<std::string>& plaintexts) {
  const std::string bytes = server.database_bytes();
  std::size_t found = 0;
  for (const std::string& text : plaintexts) found += bytes.find(text) != std::string::npos ? 1 : 0;
  return found;
}

void summary(LocalServer& server, RawServerView& raw, DemoDevice& laptop, DemoDevice& phone,
             const std::vector<std::string>& plaintexts) {
  heading("What the server holds");
  const SyncStatus status = laptop.client->status();
  std::size_t payload_bytes = 0;
  for (const DemoDevice* reader : {&laptop, &phone}) {
    for (const auto& change : raw.pull(token_of(laptop), reader->id, 0)) {
      payload_bytes += change.change.payload.size();
    }
  }
  const std::size_t found = plaintexts_found(server, plaintexts);
  say("searching its database files for the " + std::to_string(plaintexts.size()) +
      " plaintexts (titles, blob texts): " + std::to_string(found) + " found");
  if (found != 0) throw Error(ErrorKind::invalid_data, "plaintext found in the server's database");
  std::size_t in_replicas = 0;
  for (const DemoDevice* device : {&laptop, &phone}) {
    const std::string bytes = file_bytes(device->file) + file_bytes(device->file.string() + "-wal");
    for (const std::string& text : plaintexts) in_replicas += bytes.find(text) != std::string::npos ? 1 : 0;
  }
  say("searching the two replica files the same way: " + std::to_string(in_replicas) + " found");
  if (in_replicas != 0) throw Error(ErrorKind::invalid_data, "plaintext found in a replica file");
  print_line("");
  print_line("the server holds only ciphertext: " + std::to_string(status.changes) + " changes (" +
             std::to_string(payload_bytes) + " bytes sealed), " + std::to_string(status.blobs) + " blobs (" +
             std::to_string(status.blob_bytes) + " bytes sealed); both devices read the same plaintext");
}

void run_demo(LocalServer& server) {
  print_line("SyncKit demo: one account, two devices, and a server that only ever sees ciphertext.");
  heading("A local server");
  say("synckit-server " + server.binary().string());
  say("listening on " + server.url() + ", database " + server.database().string());
  say("app \"SyncKit demo\" created (its API key stays in this process)");
  DemoDevice laptop = make_device(server, "laptop");
  DemoDevice phone = make_device(server, "phone");
  RawServerView raw(server.port(), server.api_key());
  sign_up_both(laptop, phone);
  write_and_sync(raw, laptop, phone,
                 {{"todo-1", item("Buy milk", false)},
                  {"todo-2", item("Write the report", false)},
                  {"todo-3", item("Call the plumber", false)}},
                 "laptop -> phone: three new to-dos");
  write_and_sync(raw, phone, laptop,
                 {{"todo-2", item("Write the report", true)}, {"todo-3", nullptr},
                  {"todo-4", item("Book the dentist", false)}},
                 "phone -> laptop: one done, one deleted, one added");
  offline_edits(laptop, phone);
  heading("Blobs, both ways");
  const std::string photo = "a photo of the fridge: the milk is gone";
  const std::string note = "voice note: the plumber comes on Tuesday";
  sync_blob(raw, laptop, phone, "fridge-photo", photo);
  sync_blob(raw, phone, laptop, "voice-note", note);
  heading("What each device sees now");
  say(list_line(laptop));
  say(list_line(phone));
  if (laptop.replica->list("todos") != phone.replica->list("todos")) {
    throw Error(ErrorKind::invalid_data, "the devices disagree");
  }
  summary(server, raw, laptop, phone,
          {"Buy milk", "Buy oat milk", "Write the report", "Call the plumber", "Book the dentist", "Water the plants",
           photo, note});
}

}  // namespace

void demo(const Invocation& in) {
  LocalServer server(find_server_binary(in.args.value("--server-binary")), in.args.has("--keep"));
  run_demo(server);
  const int status = server.stop();
  if (status != 0) {
    throw Error(ErrorKind::server_status, "synckit-server exited with status " + std::to_string(status));
  }
  print_line("server stopped cleanly (SIGTERM, exit status 0)");
  if (in.args.has("--keep")) print_line("kept " + server.dir().string() + " (database and server log)");
}

}  // namespace synckit::cli
