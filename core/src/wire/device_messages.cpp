#include "synckit/wire/device_messages.hpp"

#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kRequest = "register device request";
constexpr std::string_view kDevice = "device";
constexpr std::string_view kDeviceList = "device list";

// Whether nlohmann can dump the text (strict UTF-8: no overlongs, no surrogates).
bool is_utf8(const std::string& text) {
  try {
    (void)dump_json(JsonValue(text));
    return true;
  } catch (const JsonValue::exception&) {
    return false;
  }
}

// Throws Error{invalid_input} naming `field` unless `text` is 1..max_bytes of UTF-8.
void check_text(const std::string& text, const char* field, std::size_t max_bytes) {
  const std::string name(field);
  if (text.empty() || text.size() > max_bytes) {
    throw Error(ErrorKind::invalid_input,
                "'" + name + "' must be 1.." + std::to_string(max_bytes) + " bytes long", name);
  }
  if (!is_utf8(text)) throw Error(ErrorKind::invalid_input, "'" + name + "' must be valid UTF-8", name);
}

}  // namespace

JsonValue to_json(const RegisterDeviceRequest& request) {
  check_text(request.name, "name", kMaxDeviceNameBytes);
  check_text(request.platform, "platform", kMaxDevicePlatformBytes);
  JsonValue out = JsonValue::object();
  out["name"] = request.name;
  out["platform"] = request.platform;
  return out;
}

JsonValue to_json(const Device& device) {
  JsonValue out = JsonValue::object();
  out["created_at"] = format_timestamp(device.created_at);
  out["id"] = device.id;
  out["name"] = device.name;
  out["platform"] = device.platform;
  return out;
}

JsonValue to_json(const DeviceList& list) {
  JsonValue devices = JsonValue::array();
  for (const Device& device : list.devices) devices.push_back(to_json(device));
  JsonValue out = JsonValue::object();
  out["devices"] = std::move(devices);
  return out;
}

RegisterDeviceRequest parse_register_device_request(const ObjectReader& reader) {
  RegisterDeviceRequest request;
  request.name = reader.string("name", 1, kMaxDeviceNameBytes);
  request.platform = reader.string("platform", 1, kMaxDevicePlatformBytes);
  return request;
}

RegisterDeviceRequest parse_register_device_request_text(std::string_view body) {
  return parse_object_text(body, kRequest, [](const ObjectReader& r) { return parse_register_device_request(r); });
}

Device parse_device(const ObjectReader& reader) {
  Device device;
  device.id = reader.uuid("id");
  device.name = reader.string("name", 1, kMaxDeviceNameBytes);
  device.platform = reader.string("platform", 1, kMaxDevicePlatformBytes);
  const std::optional<SystemTime> created_at = parse_timestamp(reader.string("created_at"));
  if (!created_at) reader.fail("created_at", "must be an RFC 3339 UTC timestamp with milliseconds");
  device.created_at = *created_at;
  return device;
}

Device parse_device_text(std::string_view body) {
  return parse_object_text(body, kDevice, [](const ObjectReader& r) { return parse_device(r); });
}

DeviceList parse_device_list(const ObjectReader& reader) {
  DeviceList list;
  for (const ObjectReader& item : reader.objects("devices")) list.devices.push_back(parse_device(item));
  return list;
}

DeviceList parse_device_list_text(std::string_view body) {
  return parse_object_text(body, kDeviceList, [](const ObjectReader& r) { return parse_device_list(r); });
}

}  // namespace synckit::wire
