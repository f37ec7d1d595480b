// What one synckit command runs with: the profile (from --profile), the server, API key and key
// cache (flags, remembered in the profile) and, on first use, a native::Client that resumes the
// saved session and saves the tokens to the profile whenever they change.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "args.hpp"
#include "profile.hpp"
#include "synckit/native/client.hpp"

namespace synckit::cli {

class Session {
 public:
  // Loads the profile and applies --server, --api-key and --key-cache to it (a new server or API
  // key drops the saved session). Throws UsageError for a bad --key-cache, Error for a bad profile.
  explicit Session(const Args& args);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // A copy of the profile as it stands.
  Profile profile() const;
  // Applies `change` to the profile and saves it at once.
  void update(const std::function<void(Profile&)>& change);
  const std::filesystem::path& dir() const noexcept { return dir_; }
  // "os", "memory" or "none".
  std::string key_cache_name() const;

  // The client (made on first use; saves the server and API key). Throws UsageError without them.
  native::Client& client();
  // The client with the saved session; Error{not_set_up} when not signed in.
  native::Client& signed_in();
  // The signed-in client with the master key unlocked from the key cache, or with --password-file
  // when the cache has none; otherwise Error{not_set_up} saying what to run.
  native::Client& unlocked();
  // The current device's id; Error{not_set_up} when this profile has none.
  std::string device_id() const;
  // Throws the error of a profile save that failed while the client rotated tokens.
  void check_saved();

 private:
  void on_session_change(const std::optional<SessionTokens>& tokens);

  const Args& args_;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  Profile profile_;
  bool dirty_ = false;
  std::optional<std::string> save_error_;
  std::unique_ptr<native::Client> client_;  // last: destroyed first, while what its callback uses lives
};

}  // namespace synckit::cli
