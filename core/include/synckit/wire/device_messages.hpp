// The device endpoints' bodies (protocol.md, "Devices").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "synckit/clock.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// Limits on a device's name and platform, in UTF-8 bytes (both must be non-empty).
inline constexpr std::size_t kMaxDeviceNameBytes = 128;
inline constexpr std::size_t kMaxDevicePlatformBytes = 128;

// POST /v1/devices body {"name","platform"}: 1..128 bytes of UTF-8 each ("Ada's laptop", "linux").
struct RegisterDeviceRequest {
  std::string name;
  std::string platform;

  friend bool operator==(const RegisterDeviceRequest&, const RegisterDeviceRequest&) = default;
};

// One device {"id","name","platform","created_at"}: id a lowercase UUID, name and platform as above,
// created_at an RFC 3339 UTC timestamp with milliseconds.
struct Device {
  std::string id;
  std::string name;
  std::string platform;
  SystemTime created_at{};

  friend bool operator==(const Device&, const Device&) = default;
};

// GET /v1/devices reply {"devices":[...]}.
struct DeviceList {
  std::vector<Device> devices;

  friend bool operator==(const DeviceList&, const DeviceList&) = default;
};

// The request's JSON form; throws Error{invalid_input} naming the field when empty, too long or
// not UTF-8.
JsonValue to_json(const RegisterDeviceRequest& request);
// The replies' JSON forms (for servers and test fakes); throw Error{invalid_input} only when
// created_at is outside years 0000..9999.
JsonValue to_json(const Device& device);
JsonValue to_json(const DeviceList& list);

// Strict reads; throw Error{json} naming the field ("devices[1].created_at").
RegisterDeviceRequest parse_register_device_request(const ObjectReader& reader);
RegisterDeviceRequest parse_register_device_request_text(std::string_view body);
Device parse_device(const ObjectReader& reader);
Device parse_device_text(std::string_view body);
DeviceList parse_device_list(const ObjectReader& reader);
DeviceList parse_device_list_text(std::string_view body);

}  // namespace synckit::wire
