#include "synckit/wire/health.hpp"

#include "synckit/error.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kWhat = "health reply";

}  // namespace

bool Health::has_feature(std::string_view name) const {
  for (const auto& feature : features) {
    if (feature == name) return true;
  }
  return false;
}

JsonValue to_json(const Health& health) {
  JsonValue out = JsonValue::object();
  out["status"] = health.status;
  out["version"] = health.version;
  if (!health.protocol.empty()) out["protocol"] = health.protocol;
  if (!health.features.empty()) {
    out["features"] = JsonValue::array();
    for (const auto& feature : health.features) out["features"].push_back(feature);
  }
  return out;
}

Health parse_health(const ObjectReader& reader) {
  Health health;
  health.status = reader.string("status", 1, kMaxHealthStatusBytes);
  health.version = reader.string("version", 0, kMaxHealthVersionBytes);
  if (reader.has("protocol")) health.protocol = reader.string("protocol", 1, kMaxHealthStatusBytes);
  if (reader.has("features")) {
    const JsonValue& features = reader.value("features");
    if (!features.is_array() || features.size() > kMaxHealthFeatures) {
      throw Error(ErrorKind::json, "health reply: 'features' must be an array of at most 32 names");
    }
    for (const auto& feature : features) {
      if (!feature.is_string() || feature.get_ref<const std::string&>().empty() ||
          feature.get_ref<const std::string&>().size() > kMaxHealthStatusBytes) {
        throw Error(ErrorKind::json, "health reply: 'features' must hold names of 1..64 bytes");
      }
      health.features.push_back(feature.get<std::string>());
    }
  }
  return health;
}

Health parse_health_text(std::string_view body) {
  return parse_object_text(body, kWhat, [](const ObjectReader& r) { return parse_health(r); });
}

}  // namespace synckit::wire
