#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "synckit/error.hpp"

using synckit::Error;
using synckit::ErrorKind;

TEST_CASE("every error kind has its own name and a message", "[error]") {
  std::set<std::string> names;
  const ErrorKind kinds[] = {
#define SYNCKIT_TEST_KIND(id, name, message) ErrorKind::id,
      SYNCKIT_ERROR_KINDS(SYNCKIT_TEST_KIND)
#undef SYNCKIT_TEST_KIND
  };
  for (const ErrorKind kind : kinds) {
    CHECK_FALSE(synckit::error_kind_message(kind).empty());
    CHECK(names.insert(std::string(synckit::error_kind_name(kind))).second);
  }
  CHECK(names.size() >= 17);
  CHECK(synckit::error_kind_name(ErrorKind::wrong_password) == "wrong_password");
}

TEST_CASE("an error carries kind, field, status and a composed message", "[error]") {
  const Error error(ErrorKind::json, "'cursor' in pull reply is missing", "cursor", 200);
  CHECK(error.kind() == ErrorKind::json);
  CHECK(error.field() == "cursor");
  CHECK(error.status() == 200);
  CHECK(std::string(error.what()) == "a reply or document is not the expected JSON: 'cursor' in pull reply is missing");
  CHECK(std::string(Error(ErrorKind::wrong_password).what()) == "wrong password");
}

TEST_CASE("docs/errors.md lists every kind", "[error]") {
  std::ifstream in(SYNCKIT_DOCS_DIR "/errors.md");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
#define SYNCKIT_TEST_DOC(id, name, message) CHECK(text.str().find("| `" name "` |") != std::string::npos);
  SYNCKIT_ERROR_KINDS(SYNCKIT_TEST_DOC)
#undef SYNCKIT_TEST_DOC
}
