#include <catch2/catch.hpp>

#include "crypto_fixtures.hpp"
#include "synckit/error.hpp"

using namespace synckit;

TEST_CASE("the plaintext is written in the format's key order without whitespace", "[change_entry]") {
  CHECK(change_entry_to_json(test::sample_entry()) ==
        R"({"table":"todos","op":"insert","row_id":"todo-1","timestamp":"2026-11-25T16:30:59.123Z",)"
        R"("data":{"title":"Buy milk","done":false,"tags":["home"]}})");
  ChangeEntry removal = test::sample_entry();
  removal.op = ChangeOp::remove;
  removal.data = nullptr;
  CHECK(change_entry_to_json(removal) ==
        R"({"table":"todos","op":"delete","row_id":"todo-1","timestamp":"2026-11-25T16:30:59.123Z","data":null})");
}

TEST_CASE("the plaintext is read with keys in any order and unknown keys ignored", "[change_entry]") {
  const ChangeEntry entry = change_entry_from_json(
      R"({"future":1,"data":{"b":1,"a":2},"timestamp":"2026-11-25T16:30:59.123Z","row_id":"r","op":"update","table":"t"})",
      ErrorKind::invalid_data);
  CHECK(entry.table == "t");
  CHECK(entry.op == ChangeOp::update);
  CHECK(entry.row_id == "r");
  CHECK(format_timestamp(entry.timestamp) == "2026-11-25T16:30:59.123Z");
  CHECK(entry.data.dump() == R"({"b":1,"a":2})");
  CHECK(change_entry_from_json(change_entry_to_json(test::sample_entry()), ErrorKind::invalid_data) ==
        test::sample_entry());
}

TEST_CASE("entries that break the rules are refused naming the field", "[change_entry]") {
  struct Case {
    const char* json;
    const char* field;
  };
  const std::string ts = R"("timestamp":"2026-11-25T16:30:59.123Z")";
  const std::string long_table = std::string(129, 't'), long_row = std::string(257, 'r');
  const std::string texts[][2] = {
      {R"({"op":"insert","row_id":"r",)" + ts + R"(,"data":1})", "table"},
      {R"({"table":"","op":"insert","row_id":"r",)" + ts + R"(,"data":1})", "table"},
      {R"({"table":")" + long_table + R"(","op":"insert","row_id":"r",)" + ts + R"(,"data":1})", "table"},
      {R"({"table":5,"op":"insert","row_id":"r",)" + ts + R"(,"data":1})", "table"},
      {R"({"table":"t","op":"upsert","row_id":"r",)" + ts + R"(,"data":1})", "op"},
      {R"({"table":"t","op":null,"row_id":"r",)" + ts + R"(,"data":1})", "op"},
      {R"({"table":"t","op":"insert","row_id":"",)" + ts + R"(,"data":1})", "row_id"},
      {R"({"table":"t","op":"insert","row_id":")" + long_row + R"(",)" + ts + R"(,"data":1})", "row_id"},
      {R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59Z","data":1})", "timestamp"},
      {R"({"table":"t","op":"insert","row_id":"r","timestamp":1795624259123,"data":1})", "timestamp"},
      {R"({"table":"t","op":"insert","row_id":"r",)" + ts + "}", "data"},
      {R"({"table":"t","op":"insert","row_id":"r",)" + ts + R"(,"data":null})", "data"},
      {R"({"table":"t","op":"delete","row_id":"r",)" + ts + R"(,"data":{}})", "data"},
  };
  for (const auto& [text, field] : texts) {
    INFO(text);
    try {
      change_entry_from_json(text, ErrorKind::invalid_data);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::invalid_data);
      CHECK(e.field() == field);
    }
  }
  for (const char* text : {"[]", "\"x\"", "{", "", "null"}) {
    CHECK(test::kind_thrown([&] { change_entry_from_json(text, ErrorKind::invalid_input); }) ==
          ErrorKind::invalid_input);
  }
}

TEST_CASE("entries from the app are validated before sealing", "[change_entry]") {
  ChangeEntry entry = test::sample_entry();
  entry.table = std::string(128, 'x');
  entry.row_id = std::string(256, 'y');
  CHECK_NOTHROW(validate_change_entry(entry));
  entry.row_id = "\xff\xfe";
  CHECK(test::kind_thrown([&] { change_entry_to_json(entry); }) == ErrorKind::invalid_input);
  entry.row_id = "r";
  entry.data = JsonValue{{"bad", "\xc3\x28"}};
  CHECK(test::kind_thrown([&] { change_entry_to_json(entry); }) == ErrorKind::invalid_input);
  entry.data = nullptr;
  CHECK(test::kind_thrown([&] { validate_change_entry(entry); }) == ErrorKind::invalid_input);
  CHECK(parse_change_op("delete") == ChangeOp::remove);
  CHECK_FALSE(parse_change_op("DELETE"));
}

TEST_CASE("a raw NUL byte anywhere in the plaintext is refused (nlohmann would stop reading there)",
          "[change_entry]") {
  using namespace std::string_literals;
  const std::string valid =
      R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":427})";
  CHECK(change_entry_from_json(valid, ErrorKind::invalid_data).data == 427);
  // After the object, inside data's span (found by fuzz_change_open), and inside a string.
  for (const std::string& text : {valid + "\0junk"s,
                                  R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":427)"s +
                                      "\0\0\0}"s,
                                  R"({"table":"t)"s + "\0"s + R"(","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1})"s}) {
    try {
      change_entry_from_json(text, ErrorKind::invalid_data);
      FAIL("accepted a plaintext with a NUL byte");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::invalid_data);
      CHECK(e.field().empty());
    }
  }
}
