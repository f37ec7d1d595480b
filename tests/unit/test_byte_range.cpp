// HTTP byte ranges (wire/byte_range.hpp) and the streamed upload messages
// (wire/blob_upload_messages.hpp): expected output for each form the protocol allows.
#include <catch2/catch.hpp>

#include "synckit/error.hpp"
#include "synckit/wire/blob_upload_messages.hpp"
#include "synckit/wire/byte_range.hpp"

using namespace synckit;
using synckit::wire::ByteRange;
using synckit::wire::RangeRequest;

namespace {

RangeRequest range(std::string_view header, std::uint64_t size) { return wire::parse_range(header, size); }

bool is_part(const RangeRequest& r, std::uint64_t first, std::uint64_t last) {
  return r.kind == RangeRequest::Kind::part && r.range == ByteRange{first, last};
}

}  // namespace

TEST_CASE("Range: the three forms of one byte range, clipped to the size", "[wire][range]") {
  CHECK(is_part(range("bytes=0-0", 100), 0, 0));
  CHECK(is_part(range("bytes=10-19", 100), 10, 19));
  CHECK(is_part(range("bytes=90-", 100), 90, 99));
  CHECK(is_part(range("bytes=-7", 100), 93, 99));
  CHECK(is_part(range("bytes=-700", 100), 0, 99));
  CHECK(is_part(range("bytes=50-5000", 100), 50, 99));
  CHECK(is_part(range(" bytes = 3 - 5 ", 100), 3, 5));
  CHECK(is_part(range("bytes=0-18446744073709551615", 100), 0, 99));
}

TEST_CASE("Range: beyond the end is unsatisfiable; anything else is ignored", "[wire][range]") {
  for (const auto* header : {"bytes=100-", "bytes=100-200", "bytes=-0"}) {
    CHECK(range(header, 100).kind == RangeRequest::Kind::unsatisfiable);
  }
  CHECK(range("bytes=0-", 0).kind == RangeRequest::Kind::unsatisfiable);
  for (const auto* header : {"", "bytes", "bytes=", "bytes=-", "items=0-1", "bytes=0-1,5-6", "bytes=5-2", "bytes=x-",
                             "bytes=+1-2", "bytes=1-+2", "0-1", "bytes=18446744073709551616-", "bytes=1 2-3"}) {
    INFO(header);
    CHECK(range(header, 100).kind == RangeRequest::Kind::whole);
  }
}

TEST_CASE("Range and Content-Range: formatted as the protocol writes them, read back", "[wire][range]") {
  CHECK(wire::format_range({5, 9}) == "bytes=5-9");
  CHECK(wire::format_range_from(4096) == "bytes=4096-");
  CHECK(wire::format_content_range({5, 9}, 100) == "bytes 5-9/100");
  CHECK(wire::parse_content_range("bytes 5-9/100") == wire::ContentRange{{5, 9}, 100});
  CHECK(wire::parse_content_range("bytes 0-0/1") == wire::ContentRange{{0, 0}, 1});
  for (const auto* bad : {"bytes 5-9/*", "bytes */100", "bytes 9-5/100", "bytes 5-100/100", "bytes=5-9/100",
                          "items 5-9/100", "bytes 5-9", "bytes -5-9/100", "bytes 5-9/100/3", ""}) {
    INFO(bad);
    CHECK_FALSE(wire::parse_content_range(bad));
  }
}

TEST_CASE("upload messages: strict reads and their JSON", "[wire][uploads]") {
  CHECK(wire::to_json(wire::UploadStart{"stream-v1", 41}).dump() == R"({"format":"stream-v1","size":41})");
  CHECK(wire::parse_upload_start_text(R"({"format":"stream-v1","size":41})") == wire::UploadStart{"stream-v1", 41});
  CHECK_THROWS_AS(wire::parse_upload_start_text(R"({"format":"sealed-v1","size":41})"), Error);
  CHECK_THROWS_AS(wire::parse_upload_start_text(R"({"format":"stream-v1","size":-1})"), Error);
  const auto reply = wire::parse_upload_start_reply_text(
      R"({"upload_id":"8a4e1d3c-0f5b-4c57-9d1e-2f6b7a9c3e10","part_size":8388608})");
  CHECK(reply == wire::UploadStartReply{"8a4e1d3c-0f5b-4c57-9d1e-2f6b7a9c3e10", 8388608});
  CHECK_THROWS_AS(wire::parse_upload_start_reply_text(R"({"upload_id":"X","part_size":8})"), Error);
  CHECK_THROWS_AS(
      wire::parse_upload_start_reply_text(R"({"upload_id":"8a4e1d3c-0f5b-4c57-9d1e-2f6b7a9c3e10","part_size":0})"),
      Error);
  const auto state = wire::parse_upload_state_text(R"({"parts":[0,2,3],"size":99})");
  CHECK(state == wire::UploadState{{0, 2, 3}, 99});
  CHECK(wire::to_json(state).dump() == R"({"parts":[0,2,3],"size":99})");
  for (const auto* bad : {R"({"parts":[2,1],"size":9})", R"({"parts":[1,1],"size":9})", R"({"parts":[-1],"size":9})",
                          R"({"parts":["0"],"size":9})", R"({"parts":{},"size":9})", R"({"parts":[0.5],"size":9})"}) {
    INFO(bad);
    CHECK_THROWS_AS(wire::parse_upload_state_text(bad), Error);
  }
}

TEST_CASE("upload parts: how a stream is cut", "[wire][uploads]") {
  CHECK(wire::part_count(41, 8) == 6);
  CHECK(wire::part_count(16, 8) == 2);
  CHECK(wire::part_count(17, 8) == 3);
  CHECK(wire::part_length(17, 8, 0) == 8);
  CHECK(wire::part_length(17, 8, 2) == 1);
  CHECK(wire::part_length(17, 8, 3) == 0);
  CHECK(wire::part_length(16, 8, 1) == 8);
}
