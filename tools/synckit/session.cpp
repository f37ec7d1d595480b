#include "session.hpp"

#include <cstdio>

#include "password.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

native::KeyCache parse_key_cache(const std::string& name) {
  if (name.empty() || name == "os") return native::KeyCache::os_keychain;
  if (name == "memory") return native::KeyCache::memory;
  if (name == "none") return native::KeyCache::none;
  throw UsageError("--key-cache is os, memory or none");
}

// Sets `field` to `value`; a change drops the session tied to the old value. True if it changed.
bool remember(Profile& profile, std::string Profile::*field, const std::string& value) {
  if (profile.*field == value) return false;
  if (!(profile.*field).empty() && !profile.access_token.empty()) {
    std::fputs("synckit: the server or API key changed: the saved session was dropped\n", stderr);
  }
  if (!(profile.*field).empty()) forget_account(profile);
  profile.*field = value;
  return true;
}

std::string not_unlocked_message(const std::string& cache) {
  if (cache == "os") {
    return "the master key for this account is not in the OS keychain; run: synckit setup-encryption "
           "existing";
  }
  return "the master key is not cached: with --key-cache " + cache +
         " it lasts only for the command that unlocked it, so pass --password-file to this command, "
         "or use --key-cache os and run: synckit setup-encryption existing";
}

}  // namespace

Session::Session(const Args& args) : args_(args), dir_(profile_dir(args.value("--profile"))) {
  profile_ = load_profile(dir_);
  if (const auto server = args.value("--server")) dirty_ |= remember(profile_, &Profile::server, *server);
  if (const auto key = args.value("--api-key")) dirty_ |= remember(profile_, &Profile::api_key, *key);
  if (const auto cache = args.value("--key-cache")) {
    parse_key_cache(*cache);
    dirty_ |= profile_.key_cache != *cache;
    profile_.key_cache = *cache;
  }
}

Session::~Session() = default;

Profile Session::profile() const {
  std::lock_guard lock(mutex_);
  return profile_;
}

void Session::update(const std::function<void(Profile&)>& change) {
  std::lock_guard lock(mutex_);
  change(profile_);
  save_profile(dir_, profile_);
  dirty_ = false;
}

std::string Session::key_cache_name() const {
  std::lock_guard lock(mutex_);
  return profile_.key_cache.empty() ? "os" : profile_.key_cache;
}

native::Client& Session::client() {
  if (client_) return *client_;
  const Profile saved = profile();
  if (saved.server.empty() || saved.api_key.empty()) {
    throw UsageError("no server yet: pass --server URL --api-key KEY (they are remembered in the profile)");
  }
  native::Config config;
  config.server_url = saved.server;
  config.api_key = saved.api_key;
  config.key_cache = parse_key_cache(saved.key_cache);
  config.on_session_change = [this](const std::optional<SessionTokens>& tokens) {
    on_session_change(tokens);
  };
  if (args_.has("--verbose")) {
    config.log = [](std::string_view line) {
      std::fprintf(stderr, "synckit: %.*s\n", static_cast<int>(line.size()), line.data());
    };
  }
  client_ = std::make_unique<native::Client>(std::move(config));
  if (dirty_) update([](Profile&) {});
  if (!saved.access_token.empty() && !saved.refresh_token.empty()) {
    client_->restore_session(
        SessionTokens{saved.user_id, saved.app_id, saved.access_token, saved.refresh_token, saved.email});
  }
  return *client_;
}

native::Client& Session::signed_in() {
  native::Client& c = client();
  if (!c.session()) throw Error(ErrorKind::not_set_up, "not signed in; run: synckit login EMAIL");
  return c;
}

native::Client& Session::unlocked() {
  native::Client& c = signed_in();
  if (c.unlock_from_key_store()) return c;
  if (args_.value("--password-file")) {
    Password password;
    read_password(args_, "--password-file", "", false, password);
    c.setup_encryption_existing(password.str());
    return c;
  }
  throw Error(ErrorKind::not_set_up, not_unlocked_message(key_cache_name()));
}

std::string Session::device_id() const {
  const Profile saved = profile();
  if (saved.device_id.empty()) {
    throw Error(ErrorKind::not_set_up, "this profile has no device yet; run: synckit device add NAME");
  }
  return saved.device_id;
}

void Session::check_saved() {
  std::lock_guard lock(mutex_);
  if (save_error_) {
    throw Error(ErrorKind::invalid_input, "the new session could not be saved: " + *save_error_);
  }
}

void Session::on_session_change(const std::optional<SessionTokens>& tokens) {
  std::lock_guard lock(mutex_);
  Profile next = profile_;
  if (tokens) {
    if (next.user_id != tokens->user_id || next.app_id != tokens->app_id) {
      next.device_id.clear();
      next.cursor = 0;
    }
    next.user_id = tokens->user_id;
    next.app_id = tokens->app_id;
    next.access_token = tokens->access_token;
    next.refresh_token = tokens->refresh_token;
    next.email = tokens->email;
  } else {
    next.access_token.clear();
    next.refresh_token.clear();
  }
  if (next == profile_ && !dirty_) return;
  profile_ = std::move(next);
  try {
    save_profile(dir_, profile_);
    dirty_ = false;
  } catch (const std::exception& e) {
    save_error_ = e.what();  // never thrown on the client's loop thread: check_saved reports it
  }
}

}  // namespace synckit::cli
