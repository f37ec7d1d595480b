// The strict base64 decoders on any text, and the round trips both ways: a decoded string is
// canonical (encode(decode(x)) == x) and any bytes survive decode(encode(bytes)).
#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/bytes.hpp"

namespace synckit_fuzz {

inline void base64(std::string_view input) {
  const synckit::ByteView raw = synckit::as_bytes(input);
  guarded(input, [](std::string_view text) {
    const synckit::Bytes bytes = synckit::base64_decode(text, "field");
    check(synckit::base64_encode(bytes) == text, "base64 decode is strict (canonical)");
    const synckit::SecretBuffer secret = synckit::base64_decode_secret(text, "field");
    check(std::equal(bytes.begin(), bytes.end(), secret.data(), secret.data() + secret.size()),
          "base64_decode_secret agrees with base64_decode");
  });
  guarded(input, [](std::string_view text) {
    const synckit::Bytes bytes = synckit::base64url_decode(text, "field");
    check(synckit::base64url_encode(bytes) == text, "base64url decode is strict (canonical)");
  });
  const synckit::Bytes bytes(raw.begin(), raw.end());
  must_succeed("base64 round trip", [&] {
    check(synckit::base64_decode(synckit::base64_encode(raw), "field") == bytes, "base64 round trip");
    check(synckit::base64url_decode(synckit::base64url_encode(raw), "field") == bytes,
          "base64url round trip");
    return 0;
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(base64)
