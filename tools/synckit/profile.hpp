// The profile: what synckit remembers between commands, in DIR/profile.json (directory 0700, file
// 0600, replaced atomically). It holds bearer tokens but never a password or the master key (that
// one lives in the key cache).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace synckit::cli {

struct Profile {
  std::string server;     // server URL
  std::string api_key;    // names the app
  std::string key_cache;  // "os", "memory" or "none"; empty means "os"
  std::string user_id;
  std::string app_id;
  std::string access_token;
  std::string refresh_token;
  std::string email;        // the sign-in email (empty after an OAuth sign-in)
  std::string device_id;    // the current device (device add)
  std::int64_t cursor = 0;  // where the next pull resumes

  friend bool operator==(const Profile&, const Profile&) = default;
};

// --profile DIR, else $XDG_CONFIG_HOME/synckit, else $HOME/.config/synckit.
std::filesystem::path profile_dir(const std::optional<std::string>& flag);
// DIR/profile.json.
std::filesystem::path profile_file(const std::filesystem::path& dir);

// The saved profile, or an empty one when there is no file yet. Throws Error{json} for a file that
// is not a profile, Error{invalid_input} for one that cannot be read.
Profile load_profile(const std::filesystem::path& dir);
// Saves it: creates the directory (0700) if needed, writes the file (0600) atomically. Throws Error.
void save_profile(const std::filesystem::path& dir, const Profile& profile);

// Drops the session and everything tied to the account (tokens, user, device, cursor).
void forget_account(Profile& profile);

}  // namespace synckit::cli
