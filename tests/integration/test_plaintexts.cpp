// Changes as JSON text through the real server: push_plaintexts keeps text in the format's form
// byte for byte and writes other forms again; pull_plaintexts yields the same texts, and pull()
// the same changes as entries.
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace synckit::integration;
using synckit::change_entry_from_json;
using synckit::change_entry_to_json;
using synckit::change_plaintexts_from_json_array;
using synckit::ChangePlaintext;
using synckit::PlaintextPullResult;
using synckit::PulledPlaintext;

TEST_CASE("changes as JSON text: pushed as given, pulled as text and as entries", "[sync]") {
  ServerProcess server;
  Client client(client_config(server));
  client.create_account("grace@example.com", "login password");
  client.setup_encryption_new("envelope password");
  const Device writer = client.register_device("writer", "linux");
  const Device reader = client.register_device("reader", "linux");

  const std::string common =
      R"({"table":"notes","op":"insert","row_id":"n-1","timestamp":"2026-11-25T16:30:59.123Z",)"
      R"("data":{"z":1,"a":[1.50,"caf\u00e9 \ud83d\ude00",null],"t":true}})";
  const std::string other_form =
      "{ \"op\": \"update\", \"table\": \"notes\", \"row_id\": \"n-\xC3\xBC\", \"timestamp\": "
      "\"2026-11-25T16:31:00.000Z\", \"data\": { \"b\" : 2 }, \"later\": 1 }";
  const std::string removal =
      R"({"table":"notes","op":"delete","row_id":"n-1","timestamp":"2026-11-25T16:32:00.000Z","data":null})";
  auto changes = change_plaintexts_from_json_array("[" + common + "," + other_form + "," + removal + "]");
  std::vector<std::string> texts;
  for (const ChangePlaintext& change : changes) texts.emplace_back(change.text());
  CHECK(texts[0] == common);
  CHECK(texts[1] == change_entry_to_json(change_entry_from_json(other_form, ErrorKind::invalid_input)));
  CHECK(texts[2] == removal);
  CHECK(client.push_plaintexts(writer.id, std::move(changes)) == 3);

  const PlaintextPullResult as_text = client.pull_plaintexts(reader.id, 0);
  REQUIRE(as_text.changes.size() == 3);
  const PullResult as_entries = client.pull(reader.id, 0);
  REQUIRE(as_entries.changes.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const PulledPlaintext& text = as_text.changes[i];
    REQUIRE(text.plaintext);
    CHECK(text.plaintext->text() == texts[i]);
    CHECK(text.device_id == writer.id);
    CHECK(text.change_id == as_entries.changes[i].change_id);
    REQUIRE(as_entries.changes[i].entry);
    CHECK(*as_entries.changes[i].entry == change_entry_from_json(texts[i], ErrorKind::invalid_data));
  }
  CHECK(as_text.cursor == as_entries.cursor);
  CHECK_FALSE(as_text.has_more);
}
