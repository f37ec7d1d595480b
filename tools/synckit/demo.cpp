// synckit demo: one account, two devices ("laptop" and "phone") syncing a to-do list and blobs
// through a local synckit-server, with what the server stores (fetched raw over HTTP) shown beside
// what each device reads. The clients cache the master key in memory only: the demo never touches
// the OS keychain.
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
#include "synckit/native/system_clock.hpp"

namespace synckit::cli {
namespace {

constexpr const char* kEmail = "demo@example.com";
constexpr const char* kPassword = "correct horse battery staple";

// A demo device: its client and the to-do list it holds locally (row id -> data).
struct DemoDevice {
  std::string name;
  std::unique_ptr<native::Client> client;
  std::string id;
  std::map<std::string, JsonValue> todos;
  std::int64_t cursor = 0;
};

DemoDevice make_device(const LocalServer& server, std::string name) {
  native::Config config;
  config.server_url = server.url();
  config.api_key = server.api_key();
  config.key_cache = native::KeyCache::memory;
  return DemoDevice{std::move(name), std::make_unique<native::Client>(std::move(config)), {}, {}, 0};
}

ChangeEntry todo(ChangeOp op, std::string row_id, JsonValue data) {
  return ChangeEntry{"todos", op, std::move(row_id), native::SystemClock().now(), std::move(data)};
}

JsonValue item(const std::string& title, bool done) { return JsonValue{{"title", title}, {"done", done}}; }

// "insert  todo-1  {"title":"Buy milk","done":false}"
std::string describe(const ChangeEntry& entry) {
  return pad(change_op_name(entry.op), 7) + pad(entry.row_id, 8) + entry.data.dump();
}

void apply(DemoDevice& device, const ChangeEntry& entry) {
  if (entry.op == ChangeOp::remove) {
    device.todos.erase(entry.row_id);
  } else {
    device.todos[entry.row_id] = entry.data;
  }
}

std::string token_of(DemoDevice& device) { return device.client->session().value().access_token; }

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
}

void write_changes(DemoDevice& device, const std::vector<ChangeEntry>& changes) {
  say(device.name + " writes");
  for (const ChangeEntry& entry : changes) {
    apply(device, entry);
    say("  " + describe(entry));
  }
  const std::int64_t cursor = device.client->push(device.id, changes);
  say("  encrypted on the " + device.name + " and pushed; the server's cursor is now " +
      std::to_string(cursor));
}

// Pulls as `device`, applies what it reads to its list; the decrypted entries.
std::vector<PulledEntry> read_changes(DemoDevice& device) {
  PullResult result = device.client->pull(device.id, device.cursor);
  device.cursor = result.cursor;
  for (const PulledEntry& pulled : result.changes) {
    if (!pulled.entry) throw pulled.error.value_or(Error(ErrorKind::invalid_data, "an entry did not open"));
    apply(device, *pulled.entry);
  }
  return std::move(result.changes);
}

// Side by side, per change: what the server stores (raw) and what the reading device decrypted.
void show_both(const std::vector<wire::PulledChange>& stored, const std::vector<PulledEntry>& read,
               const std::string& reader) {
  say(pad("seq", 5) + pad("change id", 24) + pad("sealed", 8) + pad("the server stores (base64)", 28) +
      "the " + reader + " reads (decrypted)");
  for (const wire::PulledChange& change : stored) {
    std::string plain = "(not pulled)";
    for (const PulledEntry& entry : read) {
      if (entry.change_id == change.change.change_id) plain = describe(*entry.entry);
    }
    say(pad(std::to_string(change.seq), 5) + pad(change.change.change_id, 24) +
        pad(std::to_string(change.change.payload.size()) + " B", 8) +
        pad(shorten(base64_encode(change.change.payload), 24), 28) + plain);
  }
}

void sync_rows(RawServerView& raw, DemoDevice& from, DemoDevice& to, const std::vector<ChangeEntry>& changes,
               const std::string& title) {
  heading(title);
  const std::int64_t before = to.cursor;
  write_changes(from, changes);
  const auto stored = raw.pull(token_of(from), to.id, before);
  say("the server's copy: raw GET /v1/sync/pull?device_id=<" + to.name + "> with the " + from.name +
      "'s token; then the " + to.name + " pulls:");
  show_both(stored, read_changes(to), to.name);
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

std::string list_line(const DemoDevice& device) {
  std::string out = pad(device.name, 7) + " ";
  for (const auto& [row_id, data] : device.todos) {
    out +=
        " [" + std::string(data.value("done", false) ? "x" : " ") + "] " + data.value("title", row_id) + ";";
  }
  return out;
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
  sync_rows(raw, laptop, phone,
            {todo(ChangeOp::insert, "todo-1", item("Buy milk", false)),
             todo(ChangeOp::insert, "todo-2", item("Write the report", false)),
             todo(ChangeOp::insert, "todo-3", item("Call the plumber", false))},
            "laptop -> phone: three new to-dos");
  sync_rows(
      raw, phone, laptop,
      {todo(ChangeOp::update, "todo-1", item("Buy milk", true)), todo(ChangeOp::remove, "todo-3", nullptr),
       todo(ChangeOp::insert, "todo-4", item("Book the dentist", false))},
      "phone -> laptop: one done, one deleted, one added");
  heading("Blobs, both ways");
  const std::string photo = "a photo of the fridge: the milk is gone";
  const std::string note = "voice note: the plumber comes on Tuesday";
  sync_blob(raw, laptop, phone, "fridge-photo", photo);
  sync_blob(raw, phone, laptop, "voice-note", note);
  heading("What each device sees now");
  say(list_line(laptop));
  say(list_line(phone));
  if (laptop.todos != phone.todos) throw Error(ErrorKind::invalid_data, "the devices disagree");
  summary(server, raw, laptop, phone,
          {"Buy milk", "Write the report", "Call the plumber", "Book the dentist", photo, note});
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
