// GET /v1/health reply (protocol.md, "Service").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

inline constexpr std::size_t kMaxHealthStatusBytes = 64;
inline constexpr std::size_t kMaxHealthVersionBytes = 128;

inline constexpr std::size_t kMaxHealthFeatures = 32;

// {"status":"ok","version":"...","protocol":"1.0","features":["live_pull"]}: status is 1..64 bytes
// ("ok" when healthy), version 0..128 bytes; protocol and features are optional (a 1.0 server
// may send neither): the protocol version served in full, and the 1.1 sections served already.
struct Health {
  std::string status;
  std::string version;
  std::string protocol;               // "" when not sent
  std::vector<std::string> features;  // e.g. "live_pull"

  bool has_feature(std::string_view name) const;

  friend bool operator==(const Health&, const Health&) = default;
};

// The JSON form. Does not check the fields (for servers and test fakes); strings must be UTF-8.
JsonValue to_json(const Health& health);
// Strict read; throws Error{json} naming the field.
Health parse_health(const ObjectReader& reader);
// The same from reply text; throws Error{json}.
Health parse_health_text(std::string_view body);

}  // namespace synckit::wire
