// synckit-server: the reference SyncKit server. `serve` runs it; `app create` makes an app and
// prints its API key; `backup` copies the database consistently while it may be in use.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <sodium.h>
#include <sys/stat.h>

#include "auth/secrets.hpp"
#include "config.hpp"
#include "http/redirect_uri.hpp"
#include "http/server.hpp"
#include "storage/open_store.hpp"

namespace {

using namespace synckit::server;

constexpr const char* kUsage =
    "usage:\n"
    "  synckit-server serve [--db PATH|sqlite:PATH|postgres://URL] [--secret-file PATH] [--listen HOST:PORT]\n"
    "                       [--token-ttl SECONDS] [--cors-origin ORIGIN]...\n"
    "                       [--rate-limit PER_SECOND] [--auth-rate-limit PER_MINUTE] [--max-blob-bytes N]\n"
    "                       [--fault-rate 0..1] [--fault-status 429|500|503] [--threads N] [--io-threads N]\n"
    "                       [--header-timeout SECONDS] [--idle-timeout SECONDS] [--min-body-rate BYTES_PER_S]\n"
    "                       [--max-header-bytes N] [--max-connections N] [--max-connections-per-address N]\n"
    "  synckit-server app create --db PATH|URL --name NAME [--redirect-uri URI]...\n"
    "  synckit-server app list --db PATH|URL\n"
    "  synckit-server app redirect-uris --db PATH|URL --app APP_ID [--add URI]... [--remove URI]...\n"
    "  synckit-server backup --db PATH --to FILE\n"
    "See docs/server.md.\n";

// "--flag value" pairs into a map; every flag must be in `allowed`.
std::string flag_value(const std::vector<std::string>& args, const std::string& flag) {
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == flag) return args[i + 1];
  }
  throw ConfigError("missing " + flag);
}

// Every value of a repeatable flag, in order.
std::vector<std::string> flag_values(const std::vector<std::string>& args, const std::string& flag) {
  std::vector<std::string> values;
  for (std::size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i] == flag) values.push_back(args[i + 1]);
  }
  return values;
}

// The redirect URIs of `flag`, each checked against what may be registered. Throws ConfigError.
std::vector<std::string> redirect_uri_flags(const std::vector<std::string>& args, const std::string& flag) {
  std::vector<std::string> uris = flag_values(args, flag);
  for (const auto& uri : uris) {
    if (const auto problem = redirect_uri_problem(uri)) throw ConfigError(flag + " '" + uri + "': " + *problem);
  }
  return uris;
}

void print_redirect_uris(Store& store, const App& app) {
  const auto uris = store.redirect_uris(app.id);
  if (uris.empty()) std::printf("  no redirect URIs: OAuth sign-in is refused\n");
  for (const auto& uri : uris) std::printf("  redirect URI %s\n", uri.c_str());
}

void check_flags(const std::vector<std::string>& args, const std::vector<std::string>& allowed) {
  if (args.size() % 2 != 0) throw ConfigError("every flag needs a value");
  for (std::size_t i = 0; i < args.size(); i += 2) {
    if (std::find(allowed.begin(), allowed.end(), args[i]) == allowed.end()) {
      throw ConfigError("unknown flag '" + args[i] + "'");
    }
  }
}

int run_serve(const std::vector<std::string>& args) {
  block_shutdown_signals();
  const ServerConfig config = parse_serve_flags(args);
  auto store = open_store(config.db_path, static_cast<std::size_t>(config.threads));
  serve(config, *store, [&](int port) {
    const bool v6 = config.host.find(':') != std::string::npos;
    std::printf("synckit-server listening on http://%s%s%s:%d\n", v6 ? "[" : "", config.host.c_str(), v6 ? "]" : "",
                port);
    std::fflush(stdout);
  });
  std::fprintf(stderr, "synckit-server stopped\n");
  return 0;
}

int run_app_create(const std::vector<std::string>& args) {
  check_flags(args, {"--db", "--name", "--redirect-uri"});
  const std::string name = flag_value(args, "--name");
  if (name.empty() || name.size() > 128) throw ConfigError("--name needs 1..128 bytes");
  const auto uris = redirect_uri_flags(args, "--redirect-uri");
  auto store = open_store(flag_value(args, "--db"));
  const std::string api_key = "sk_" + random_token();
  const App app = store->create_app(name, token_hash(api_key), uris);
  std::printf("created app %s (%s)\n", app.name.c_str(), app.id.c_str());
  print_redirect_uris(*store, app);
  std::printf("its API key, shown once:\n%s\n", api_key.c_str());
  return 0;
}

int run_app_list(const std::vector<std::string>& args) {
  check_flags(args, {"--db"});
  auto store = open_store(flag_value(args, "--db"));
  for (const App& app : store->list_apps()) {
    std::printf("app %s %s\n", app.id.c_str(), app.name.c_str());
    print_redirect_uris(*store, app);
  }
  return 0;
}

// Adds and removes registered redirect URIs of one app (removals first), then prints them.
int run_app_redirect_uris(const std::vector<std::string>& args) {
  check_flags(args, {"--db", "--app", "--add", "--remove"});
  const std::string app_id = flag_value(args, "--app");
  const auto added = redirect_uri_flags(args, "--add");
  const auto removed = flag_values(args, "--remove");
  auto store = open_store(flag_value(args, "--db"));
  const auto apps = store->list_apps();
  const auto app = std::find_if(apps.begin(), apps.end(), [&](const App& a) { return a.id == app_id; });
  if (app == apps.end()) throw ConfigError("no app with id '" + app_id + "' (synckit-server app list)");
  std::vector<std::string> uris = store->redirect_uris(app_id);
  for (const auto& uri : removed) {
    const auto it = std::find(uris.begin(), uris.end(), uri);
    if (it == uris.end()) throw ConfigError("--remove '" + uri + "' is not registered for this app");
    uris.erase(it);
  }
  for (const auto& uri : added) {
    if (std::find(uris.begin(), uris.end(), uri) == uris.end()) uris.push_back(uri);
  }
  if (!added.empty() || !removed.empty()) {
    if (!store->set_redirect_uris(app_id, uris)) throw ConfigError("the app '" + app_id + "' is gone");
  }
  std::printf("app %s %s\n", app->id.c_str(), app->name.c_str());
  print_redirect_uris(*store, *app);
  return 0;
}

int run_backup(const std::vector<std::string>& args) {
  check_flags(args, {"--db", "--to"});
  auto store = open_store(flag_value(args, "--db"));
  store->backup_to(flag_value(args, "--to"));
  std::printf("backed up to %s\n", flag_value(args, "--to").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  ::umask(0077);  // the database, its WAL and the signing key are the owner's alone
  if (sodium_init() < 0) {
    std::fprintf(stderr, "synckit-server: libsodium failed to initialise\n");
    return 2;
  }
  try {
    if (!words.empty() && words[0] == "serve") return run_serve({words.begin() + 1, words.end()});
    if (words.size() >= 2 && words[0] == "app") {
      const std::vector<std::string> rest(words.begin() + 2, words.end());
      if (words[1] == "create") return run_app_create(rest);
      if (words[1] == "list") return run_app_list(rest);
      if (words[1] == "redirect-uris") return run_app_redirect_uris(rest);
    }
    if (!words.empty() && words[0] == "backup") return run_backup({words.begin() + 1, words.end()});
    if (words.empty() || words[0] == "--help" || words[0] == "-h") {
      std::fputs(kUsage, words.empty() ? stderr : stdout);
      return words.empty() ? 1 : 0;
    }
    throw ConfigError("unknown command '" + words[0] + "'");
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "synckit-server: %s\n%s", e.what(), kUsage);
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "synckit-server: %s\n", e.what());
    return 2;
  }
}
