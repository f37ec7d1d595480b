// Who is calling: the app named by the API key, the user named by the bearer token; and the
// request body read within its limit. Each throws HttpError with the protocol's status.
#pragma once

#include <string>
#include <string_view>

#include "http/router.hpp"
#include <nlohmann/json.hpp>

#include "http/server_context.hpp"

namespace synckit::server {

inline constexpr std::size_t kMaxJsonBody = 64u << 10;  // every JSON body but a push
inline constexpr std::size_t kMaxPushBody = 8u << 20;

struct Session {
  App app;
  std::string user_id;
  std::string session_id;  // the session the access token was issued to (JWT claim "sid")
};

// The app of the X-SyncKit-Api-Key header; 401 when missing or unknown.
App require_app(ServerContext& ctx, const Request& req);
// The app of an API key given some other way (OAuth client_id); 400 invalid_request when unknown.
App app_for_client_id(ServerContext& ctx, const std::string& client_id);
// API key plus a valid, unexpired bearer token issued for that app to a session that has not
// ended (one primary-key lookup); 401 otherwise.
Session require_session(ServerContext& ctx, const Request& req);
// The blob id of a /v1/blobs/{blob_id}… path (the router's first capture); 400 unless valid.
std::string blob_id_of(const Request& req);
// The body, refused with 413 when longer than `limit`.
std::string_view body_within(const Request& req, std::size_t limit);
// Counts one sign-in attempt against the caller's address; 429 with Retry-After when over.
void limit_auth_attempts(ServerContext& ctx, const Request& req, Response& res);

}  // namespace synckit::server
