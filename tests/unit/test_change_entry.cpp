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

namespace {
const std::string kStamp = "001764772345123-0000-9f30ba274f874d50";

ChangeEntry stamped_entry() {
  ChangeEntry entry = test::sample_entry();
  entry.hlc = kStamp;
  return entry;
}
}  // namespace

TEST_CASE("a replica's stamp is written after data as \"hlc\" and read back", "[change_entry]") {
  const std::string text =
      R"({"table":"todos","op":"insert","row_id":"todo-1","timestamp":"2026-11-25T16:30:59.123Z",)"
      R"("data":{"title":"Buy milk","done":false,"tags":["home"]},"hlc":"001764772345123-0000-9f30ba274f874d50"})";
  CHECK(change_entry_to_json(stamped_entry()) == text);
  CHECK(change_entry_from_json(text, ErrorKind::invalid_data) == stamped_entry());
  CHECK(change_entry_from_json(change_entry_to_json(test::sample_entry()), ErrorKind::invalid_data).hlc.empty());
  ChangeEntry removal = stamped_entry();
  removal.op = ChangeOp::remove;
  removal.data = nullptr;
  const std::string removal_text =
      R"({"table":"todos","op":"delete","row_id":"todo-1","timestamp":"2026-11-25T16:30:59.123Z","data":null,)"
      R"("hlc":"001764772345123-0000-9f30ba274f874d50"})";
  CHECK(change_entry_to_json(removal) == removal_text);
  CHECK(change_entry_from_json(removal_text, ErrorKind::invalid_data) == removal);
  CHECK(stamped_entry() != test::sample_entry());
}

TEST_CASE("hlc is read in any key order and any form, as the fast form reads it", "[change_entry]") {
  const std::string ts = R"("timestamp":"2026-11-25T16:30:59.123Z")";
  const std::string hlc = R"("hlc":")" + kStamp + "\"";
  const std::string texts[] = {
      // the fast reader: keys in any order, no whitespace, plain strings
      R"({"table":"t","op":"update","row_id":"r",)" + ts + R"(,"data":[1],)" + hlc + "}",
      "{" + hlc + R"(,"table":"t","op":"update","row_id":"r",)" + ts + R"(,"data":[1]})",
      R"({"data":[1],"table":"t",)" + hlc + R"(,"op":"update","row_id":"r",)" + ts + "}",
      // the SAX reader: whitespace, unknown keys, an escape, a duplicate key (the last one wins)
      R"({ "table" : "t", "op":"update","row_id":"r",)" + ts + R"(, "data" : [ 1 ] , )" + hlc + " }",
      "{" + hlc + R"(,"x":{"hlc":5},"table":"t","op":"update","row_id":"r",)" + ts + R"(,"data":[1]})",
      R"({"table":"t","op":"update","row_id":"r",)" + ts +
          R"(,"data":[1],"hlc":"001764772345123\u002d0000-9f30ba274f874d50"})",
      R"({"table":"t","op":"update","row_id":"r",)" + ts + R"(,"hlc":null,"data":[1],)" + hlc + "}",
  };
  for (const std::string& text : texts) {
    INFO(text);
    for (const ErrorKind kind : {ErrorKind::invalid_data, ErrorKind::invalid_input}) {
      const ChangeEntry entry = change_entry_from_json(text, kind);
      CHECK(entry.hlc == kStamp);
      CHECK(entry.table == "t");
      CHECK(entry.data == JsonValue::parse("[1]"));
      CHECK(change_entry_to_json(entry) ==
            R"({"table":"t","op":"update","row_id":"r",)" + ts + R"(,"data":[1],)" + hlc + "}");
    }
  }
}

TEST_CASE("an hlc that is not a replica stamp is refused naming hlc", "[change_entry]") {
  const std::string head = R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1,)";
  const std::string bad[] = {
      "5", "null", "true", "{}", "[]", R"([")" + kStamp + R"("])", R"("")",
      R"("001764772345123-0000-9f30ba274f874d5")",    // 36 bytes
      R"("001764772345123-0000-9f30ba274f874d500")",  // 38 bytes
      R"("01764772345123-00000-9f30ba274f874d50")",   // separator one place early
      R"("001764772345123-0000-9F30BA274F874D50")",   // upper-case hex
      R"("001764772345123-000A-9f30ba274f874d50")",
      R"("001764772345123_0000-9f30ba274f874d50")",   // other separators
      R"("001764772345123-0000_9f30ba274f874d50")",
      R"("001764772345123:0000:9f30ba274f874d50")",
      R"("0017647723451a3-0000-9f30ba274f874d50")",   // hex in the wall
      R"("001764772345123-00g0-9f30ba274f874d50")",
      R"("-01764772345123-0000-9f30ba274f874d50")",
      R"(" 01764772345123-0000-9f30ba274f874d50")",
      R"("001764772345123-0000-9f30ba274f874d50\n")",
  };
  for (const std::string& value : bad) {
    for (const std::string& text : {head + R"("hlc":)" + value + "}", head + R"( "hlc" : )" + value + " }",
                                    R"({"hlc":)" + value + "," + head.substr(1, head.size() - 2) + "}"}) {
      INFO(text);
      for (const ErrorKind kind : {ErrorKind::invalid_data, ErrorKind::invalid_input}) {
        try {
          change_entry_from_json(text, kind);
          FAIL("accepted");
        } catch (const Error& e) {
          CHECK(e.kind() == kind);
          CHECK(e.field() == "hlc");
          CHECK(std::string(e.what()).find("replica stamp") != std::string::npos);
        }
      }
    }
  }
  // The other fields are checked first, in the usual order.
  try {
    change_entry_from_json(R"({"table":"t","op":"delete","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":1,"hlc":5})",
                           ErrorKind::invalid_data);
    FAIL("accepted");
  } catch (const Error& e) {
    CHECK(e.field() == "data");
  }
}

TEST_CASE("an entry's hlc is validated before writing", "[change_entry]") {
  ChangeEntry entry = stamped_entry();
  CHECK_NOTHROW(validate_change_entry(entry));
  for (const std::string value : {std::string("001764772345123-0000-9F30BA274F874D50"), kStamp.substr(1),
                                  kStamp + "0", std::string("001764772345123-0000-9f30ba274f874d5\""),
                                  std::string("x")}) {
    INFO(value);
    entry.hlc = value;
    for (const auto& call : {+[](const ChangeEntry& e) { validate_change_entry(e); },
                             +[](const ChangeEntry& e) { change_entry_to_json(e); }}) {
      try {
        call(entry);
        FAIL("accepted");
      } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::invalid_input);
        CHECK(e.field() == "hlc");
      }
    }
  }
}
