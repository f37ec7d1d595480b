#include "profile.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "file_io.hpp"
#include "synckit/bytes.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

constexpr int kProfileVersion = 1;

std::string text_field(const nlohmann::json& json, const char* key) {
  const auto it = json.find(key);
  if (it == json.end() || it->is_null()) return {};
  if (!it->is_string()) throw Error(ErrorKind::json, "the profile's field is not a string", key);
  return it->get<std::string>();
}

std::int64_t cursor_field(const nlohmann::json& json) {
  const auto it = json.find("cursor");
  if (it == json.end() || it->is_null()) return 0;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
    throw Error(ErrorKind::json, "the profile's cursor is not a non-negative integer", "cursor");
  }
  return it->get<std::int64_t>();
}

nlohmann::json to_json(const Profile& p) {
  return nlohmann::json{{"version", kProfileVersion},     {"server", p.server},
                        {"api_key", p.api_key},           {"key_cache", p.key_cache},
                        {"user_id", p.user_id},           {"app_id", p.app_id},
                        {"access_token", p.access_token}, {"refresh_token", p.refresh_token},
                        {"email", p.email},               {"device_id", p.device_id},
                        {"cursor", p.cursor}};
}

}  // namespace

std::filesystem::path profile_dir(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return std::filesystem::path(xdg) / "synckit";
  }
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    throw Error(ErrorKind::invalid_input, "neither XDG_CONFIG_HOME nor HOME is set: pass --profile DIR");
  }
  return std::filesystem::path(home) / ".config" / "synckit";
}

std::filesystem::path profile_file(const std::filesystem::path& dir) { return dir / "profile.json"; }

Profile load_profile(const std::filesystem::path& dir) {
  const std::filesystem::path file = profile_file(dir);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return {};
  const Bytes bytes = read_input(file.string());
  const auto json = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (!json.is_object()) {
    throw Error(ErrorKind::json, "the profile " + file.string() + " is not a JSON object");
  }
  Profile p;
  p.server = text_field(json, "server");
  p.api_key = text_field(json, "api_key");
  p.key_cache = text_field(json, "key_cache");
  p.user_id = text_field(json, "user_id");
  p.app_id = text_field(json, "app_id");
  p.access_token = text_field(json, "access_token");
  p.refresh_token = text_field(json, "refresh_token");
  p.email = text_field(json, "email");
  p.device_id = text_field(json, "device_id");
  p.cursor = cursor_field(json);
  return p;
}

void save_profile(const std::filesystem::path& dir, const Profile& profile) {
  ensure_private_dir(dir);
  write_file_atomically(profile_file(dir), to_json(profile).dump(2) + "\n");
}

void forget_account(Profile& profile) {
  profile.user_id.clear();
  profile.app_id.clear();
  profile.access_token.clear();
  profile.refresh_token.clear();
  profile.email.clear();
  profile.device_id.clear();
  profile.cursor = 0;
}

}  // namespace synckit::cli
