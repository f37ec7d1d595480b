// ChangePlaintext: text already in the format's form is checked and kept byte for byte; any other
// form is read like an opened plaintext and written again; bad input is refused with its field.
#include <catch2/catch.hpp>

#include <string>

#include "synckit/change_plaintext.hpp"
#include "synckit/error.hpp"

using namespace synckit;

namespace {

const std::string kHead = R"({"table":"todos","op":"insert","row_id":"todo-1","timestamp":"2026-11-25T16:30:59.123Z","data":)";

std::string with_data(const std::string& data) { return kHead + data + "}"; }

// What the slow path makes of `text`: read as an opened plaintext, written again.
std::string rewritten(const std::string& text) {
  return change_entry_to_json(change_entry_from_json(text, ErrorKind::invalid_input));
}

std::string field_of_error(const std::string& text) {
  try {
    ChangePlaintext::from_json(text);
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::invalid_input);
    return error.field();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("a change in the format's own form is kept byte for byte", "[change_plaintext]") {
  const char* data[] = {
      R"({"title":"Buy milk","done":false,"tags":["home"],"n":null})",
      R"({"z":1,"a":{"b":[[],{},[1,-2,3.5,-0,0.25e-3,6E+2,7e1]]}})",  // key order, number forms kept
      R"("esc: \" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0000")",     // escapes kept as written
      "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"",                   // raw UTF-8
      "12345678901234567890123456789", "9.999e307", "1e-400", "0e99999999999999", "true", "[false]",
  };
  for (const char* d : data) {
    INFO(d);
    CHECK(ChangePlaintext::from_json(with_data(d)).text() == with_data(d));
  }
  const std::string removal =
      R"({"table":"t","op":"delete","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":null})";
  CHECK(ChangePlaintext::from_json(removal).text() == removal);
}

TEST_CASE("a change in any other form is read and written again", "[change_plaintext]") {
  const std::string texts[] = {
      with_data(R"({ "a" : 1 })"),  // whitespace
      " " + with_data("1"),
      R"({"op":"update","table":"t","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":2})",  // order
      R"({"table":"t","op":"update","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":2,"x":[]})",
      R"({"table":"caf\u00e9","op":"update","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z","data":2})",
      "{\"table\":\"t\xC3\xA9\",\"op\":\"update\",\"row_id\":\"r\",\"timestamp\":\"2026-11-25T16:30:59.123Z\",\"data\":2}",
      with_data("1e308"),   // at the validator's conservative limit: nlohmann decides (finite)
      with_data(std::string(300, '[') + std::string(300, ']')),  // deeper than the validator goes
  };
  for (const std::string& text : texts) {
    INFO(text);
    const ChangePlaintext plain = ChangePlaintext::from_json(text);
    CHECK(plain.text() == rewritten(text));
  }
  const ChangeEntry entry = change_entry_from_json(with_data(R"({"a":1})"), ErrorKind::invalid_input);
  CHECK(ChangePlaintext(entry).text() == change_entry_to_json(entry));
}

TEST_CASE("invalid JSON in data is refused, whatever path reads it", "[change_plaintext]") {
  const std::string bad[] = {
      R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\x")", R"("\u12G4")", "\"a\x01\"",
      std::string("\"a\0b\"", 5), "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xE2\x82\"",
      "01", "1.", "-", "1e", "1e+", ".5", "+1", "[1,]", "[,1]", R"({"a":})", R"({"a"1})", R"({1:2})", "tru",
      "nul", "[1", "{", "\"open", "1e400", "-1e400", std::string(400, '9'), "[1]]", "NaN", "Infinity",
  };
  for (const std::string& d : bad) {
    INFO(d);
    CHECK(field_of_error(with_data(d)) != "(no error)");
  }
}

TEST_CASE("each field rule is checked on the fast path too", "[change_plaintext]") {
  const auto change = [](const std::string& table, const std::string& op, const std::string& row_id,
                         const std::string& timestamp, const std::string& data) {
    return R"({"table":")" + table + R"(","op":")" + op + R"(","row_id":")" + row_id + R"(","timestamp":")" +
           timestamp + R"(","data":)" + data + "}";
  };
  const std::string ts = "2026-11-25T16:30:59.123Z";
  CHECK(field_of_error(change(std::string(128, 't'), "insert", "r", ts, "1")) == "(no error)");
  CHECK(field_of_error(change(std::string(129, 't'), "insert", "r", ts, "1")) == "table");
  CHECK(field_of_error(change("", "insert", "r", ts, "1")) == "table");
  CHECK(field_of_error(change("t", "upsert", "r", ts, "1")) == "op");
  CHECK(field_of_error(change("t", "insert", std::string(256, 'r'), ts, "1")) == "(no error)");
  CHECK(field_of_error(change("t", "insert", std::string(257, 'r'), ts, "1")) == "row_id");
  CHECK(field_of_error(change("t", "insert", "", ts, "1")) == "row_id");
  CHECK(field_of_error(change("t", "insert", "r", "2026-11-25T16:30:59Z", "1")) == "timestamp");
  CHECK(field_of_error(change("t", "insert", "r", "2026-13-25T16:30:59.123Z", "1")) == "timestamp");
  CHECK(field_of_error(change("t", "delete", "r", ts, "1")) == "data");
  CHECK(field_of_error(change("t", "insert", "r", ts, "null")) == "data");
  CHECK(field_of_error(R"({"table":"t","op":"insert","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z"})") == "data");
  CHECK(field_of_error("[1]") == "");
  CHECK(field_of_error(with_data("1") + "x") == "");
}

TEST_CASE("an array of changes: each element read on its own, errors name the element", "[change_plaintext]") {
  const std::string plain = with_data("1");
  const std::string spaced = with_data("[1, 2]");
  const auto changes = change_plaintexts_from_json_array("[" + plain + "," + spaced + " ,\n" + plain + "]");
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].text() == plain);
  CHECK(changes[1].text() == ChangePlaintext::from_json(spaced).text());  // the same as alone
  CHECK(changes[2].text() == plain);
  CHECK(change_plaintexts_from_json_array(" [ ] ").empty());

  const auto field_of = [](const std::string& text) {
    try {
      change_plaintexts_from_json_array(text);
    } catch (const Error& error) {
      return error.field();
    }
    return std::string("(no error)");
  };
  CHECK(field_of("[" + plain + "," + with_data("01") + "]") == "changes[1]");
  CHECK(field_of("[" + plain + R"(,{"table":"t"}])") == "changes[1].op");
  CHECK(field_of("[" + plain + ",5]") == "changes[1]");
  CHECK(field_of("[" + plain + "]x") == "changes");
  CHECK(field_of("[" + plain) == "changes");
  CHECK(field_of("[" + plain + ",]") == "changes[1]");
  CHECK(field_of("{}") == "changes");
  CHECK(field_of("") == "changes");
}

namespace {
const std::string kHlc = R"(,"hlc":"001764772345123-0000-9f30ba274f874d50")";

std::string with_data_hlc(const std::string& data, const std::string& hlc = kHlc) { return kHead + data + hlc + "}"; }

std::string field_of_error(const std::string& text, ErrorKind kind) {
  try {
    ChangePlaintext::from_json(text, kind);
  } catch (const Error& error) {
    CHECK(error.kind() == kind);
    return error.field();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a change with an hlc in the format's own form is kept byte for byte", "[change_plaintext]") {
  for (const char* d : {R"({"title":"Buy milk","done":false})", R"({"z":1,"a":[1.50,-0]})", R"("\u00e9 \"hlc\"")",
                        "12345678901234567890123456789", "[false]"}) {
    INFO(d);
    CHECK(ChangePlaintext::from_json(with_data_hlc(d)).text() == with_data_hlc(d));
    CHECK(ChangePlaintext::from_json(with_data_hlc(d), ErrorKind::invalid_data).text() == with_data_hlc(d));
    // The slow path reads the same entry (data's text may be written otherwise: 1.50 as 1.5).
    CHECK(change_entry_from_json(ChangePlaintext::from_json(with_data_hlc(d)).text(), ErrorKind::invalid_data) ==
          change_entry_from_json(rewritten(with_data_hlc(d)), ErrorKind::invalid_data));
    CHECK(change_entry_from_json(with_data_hlc(d), ErrorKind::invalid_data).hlc == kHlc.substr(8, 37));
  }
  const std::string removal = R"({"table":"t","op":"delete","row_id":"r","timestamp":"2026-11-25T16:30:59.123Z",)"
                              R"("data":null,"hlc":"999999999999999-ffff-ffffffffffffffff"})";
  CHECK(ChangePlaintext::from_json(removal).text() == removal);
  CHECK(change_entry_from_json(removal, ErrorKind::invalid_data).hlc == "999999999999999-ffff-ffffffffffffffff");
  ChangeEntry entry = change_entry_from_json(with_data("1"), ErrorKind::invalid_input);
  entry.hlc = "000000000000000-0000-0000000000000000";
  CHECK(ChangePlaintext(entry).text() == with_data_hlc("1", R"(,"hlc":"000000000000000-0000-0000000000000000")"));
  const auto changes = change_plaintexts_from_json_array("[" + with_data_hlc("1") + "," + with_data("2") + "]");
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].text() == with_data_hlc("1"));
  CHECK(changes[1].text() == with_data("2"));
}

TEST_CASE("a change with an hlc in any other form is written again with hlc after data", "[change_plaintext]") {
  const std::string ts = R"("timestamp":"2026-11-25T16:30:59.123Z")";
  const std::string stamp = R"("hlc":"001764772345123-0000-9f30ba274f874d50")";
  const std::string expected = with_data_hlc("2");
  const std::string texts[] = {
      "{" + stamp + R"(,"table":"todos","op":"insert","row_id":"todo-1",)" + ts + R"(,"data":2})",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts + "," + stamp + R"(,"data":2})",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts + R"(,"data":2,)" + stamp + R"(,"x":0})",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts + R"(,"data":2, )" + stamp + "}",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts + R"(,"data":2,"hlc" :"001764772345123-0000-9f30ba274f874d50"})",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts +
          R"(,"data":2,"hlc":"\u0030\u0030\u0031764772345123-0000-9f30ba274f874d50"})",
      R"({"table":"todos","op":"insert","row_id":"todo-1",)" + ts + R"(,"data":2,"hlc":1,)" + stamp + "}",
  };
  for (const std::string& text : texts) {
    INFO(text);
    CHECK(rewritten(text) == expected);
    CHECK(ChangePlaintext::from_json(text).text() == expected);
    CHECK(ChangePlaintext::from_json(text, ErrorKind::invalid_data).text() == expected);
  }
  // Readers keep ignoring keys they do not know; a key that merely looks like hlc is one of them.
  CHECK(ChangePlaintext::from_json(with_data_hlc("2", R"(,"HLC":"x","hlc_":5)")).text() == with_data("2"));
}

TEST_CASE("an hlc that is not a replica stamp is refused on either path, naming hlc", "[change_plaintext]") {
  const std::string bad[] = {
      R"(,"hlc":5)", R"(,"hlc":null)", R"(,"hlc":{})", R"(,"hlc":"")",
      R"(,"hlc":"001764772345123-0000-9f30ba274f874d5")",    // 36 bytes
      R"(,"hlc":"001764772345123-0000-9f30ba274f874d500")",  // 38 bytes
      R"(,"hlc":"001764772345123-0000-9f30ba274F874d50")",   // upper-case hex
      R"(,"hlc":"001764772345123+0000-9f30ba274f874d50")",   // bad separators
      R"(,"hlc":"0017647723451230000--9f30ba274f874d50")",
      R"(,"hlc":"001764772345123-0000-9f30ba274f874d50\u0000")",
  };
  for (const std::string& hlc : bad) {
    INFO(hlc);
    for (const ErrorKind kind : {ErrorKind::invalid_input, ErrorKind::invalid_data}) {
      CHECK(field_of_error(with_data_hlc("1", hlc), kind) == "hlc");
      CHECK(field_of_error(with_data_hlc("1", " " + hlc), kind) == "hlc");  // the slow path
    }
    try {
      change_plaintexts_from_json_array("[" + with_data_hlc("1") + "," + with_data_hlc("1", hlc) + "]");
      FAIL("accepted");
    } catch (const Error& error) {
      CHECK(error.field() == "changes[1].hlc");
    }
  }
  // Not the format's form after all: trailing text or a broken string is a JSON error.
  CHECK(field_of_error(with_data_hlc("1") + "x") == "");
  CHECK(field_of_error(kHead + "1" + kHlc) == "");
  CHECK(field_of_error(kHead + "1" + kHlc.substr(0, kHlc.size() - 1) + "}") == "");
  CHECK(field_of_error(kHead + "1" + R"(,"hlc":"001764772345123-0000-9f30ba274f874d50)") == "");
}
