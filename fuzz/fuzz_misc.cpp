// The small parsers of outside text: RFC 3339 timestamps (round trip through format_timestamp),
// HTTP dates and Retry-After (against a clock from the input), the OAuth redirect URL and its
// query, percent-decoding, PKCE verifiers, ids, change op names, and HTTP byte ranges (Range
// against a size from the input, Content-Range; each range read back from what it formats).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/auth/pkce.hpp"
#include "synckit/auth/url_encoding.hpp"
#include "synckit/change_entry.hpp"
#include "synckit/ids.hpp"
#include "synckit/net/http_date.hpp"
#include "synckit/timestamp.hpp"
#include "synckit/wire/byte_range.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit_fuzz {

inline void misc(std::string_view input) {
  if (const auto time = synckit::parse_timestamp(input)) {
    check(must_succeed("timestamp round trip", [&] { return synckit::format_timestamp(*time); }) == input,
          "timestamp round trip");
  }
  std::uint32_t raw = 0;
  std::memcpy(&raw, input.data(), std::min(input.size(), sizeof raw));
  // A clock between 1970 and about 2106, from the first 4 bytes.
  const synckit::SystemTime now{std::chrono::seconds{raw}};
  (void)synckit::net::parse_http_date(input);
  if (const auto wait = synckit::net::parse_retry_after(input, now)) {
    check(wait->count() >= 0, "Retry-After is never negative");
  }
  guarded(input, [](std::string_view url) {
    const synckit::OAuthRedirect redirect = synckit::parse_oauth_redirect(url);
    check(!redirect.code.empty() && !redirect.state.empty(), "redirect code and state are non-empty");
  });
  guarded(input, [](std::string_view query) { (void)synckit::parse_query(query); });
  guarded(input, [](std::string_view text) {
    const std::string decoded = synckit::percent_decode(text, "field", false);
    check(synckit::percent_decode(synckit::percent_encode(decoded), "field") == decoded,
          "percent round trip");
  });
  if (synckit::is_valid_pkce_verifier(input)) {
    check(must_succeed("pkce challenge", [&] { return synckit::pkce_challenge_s256(input); }).size() == 43,
          "an S256 challenge is 43 characters");
  }
  std::uint64_t size = 0;
  std::memcpy(&size, input.data(), std::min(input.size(), sizeof size));
  size %= std::uint64_t{1} << 53;
  const auto range = synckit::wire::parse_range(input, size);
  if (range.kind == synckit::wire::RangeRequest::Kind::part) {
    check(range.range.first <= range.range.last && range.range.last < size, "a range lies within the size");
    const auto again = synckit::wire::parse_range(synckit::wire::format_range(range.range), size);
    check(again.kind == range.kind && again.range == range.range, "Range round trip");
  }
  if (const auto content = synckit::wire::parse_content_range(input)) {
    check(content->range.first <= content->range.last && content->range.last < content->size, "a Content-Range is ordered");
    check(synckit::wire::parse_content_range(synckit::wire::format_content_range(content->range, content->size)) == content,
          "Content-Range round trip");
  }
  (void)synckit::is_valid_change_id(input);
  (void)synckit::is_valid_blob_id(input);
  (void)synckit::wire::is_lowercase_uuid(input);
  if (const auto op = synckit::parse_change_op(input)) {
    check(synckit::change_op_name(*op) == input, "change op name round trip");
  }
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(misc)
