#include "synckit/wire/health.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kWhat = "health reply";

}  // namespace

JsonValue to_json(const Health& health) {
  JsonValue out = JsonValue::object();
  out["status"] = health.status;
  out["version"] = health.version;
  return out;
}

Health parse_health(const ObjectReader& reader) {
  Health health;
  health.status = reader.string("status", 1, kMaxHealthStatusBytes);
  health.version = reader.string("version", 0, kMaxHealthVersionBytes);
  return health;
}

Health parse_health_text(std::string_view body) {
  return parse_object_text(body, kWhat, [](const ObjectReader& r) { return parse_health(r); });
}

}  // namespace synckit::wire
