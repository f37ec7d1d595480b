#include "synckit/wire/device_messages.hpp"

#include "synckit/error.hpp"
#include "synckit/timestamp.hpp"
#include "wire/field_rules.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kRequest = "register device request";
constexpr std::string_view kDevice = "device";
constexpr std::string_view kDeviceList = "device list";

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
