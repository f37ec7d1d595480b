// Route registration: each file adds one area of protocol.md to the server.
#pragma once

#include "http/router.hpp"

#include "http/server_context.hpp"
#include "synckit/json_value.hpp"

namespace synckit::server {

void add_auth_routes(Router& router, ServerContext& ctx);      // /v1/auth/register, login, refresh, logout
void add_account_routes(Router& router, ServerContext& ctx);   // /v1/auth/credentials, /v1/account/delete
void add_session_routes(Router& router, ServerContext& ctx);   // /v1/auth/sessions
void add_recovery_routes(Router& router, ServerContext& ctx);  // /v1/keys/recovery, /v1/auth/recover
void add_oauth_routes(Router& router, ServerContext& ctx);     // /v1/oauth/*
void add_key_routes(Router& router, ServerContext& ctx);       // /v1/keys/envelope
void add_device_routes(Router& router, ServerContext& ctx);   // /v1/devices
void add_sync_routes(Router& router, ServerContext& ctx);     // /v1/sync/*
void add_blob_routes(Router& router, ServerContext& ctx);     // /v1/blobs/* (with the uploads)
void add_blob_upload_routes(Router& router, ServerContext& ctx);  // /v1/blobs/*/uploads/…
void add_service_routes(Router& router, ServerContext& ctx);  // /v1/health

inline constexpr Millis kRefreshLifetime = 30LL * 24 * 3600 * 1000;  // 30 days

// A token reply for a fresh sign-in: a new session, its access token and refresh token (stored
// hashed).
JsonValue issue_tokens(ServerContext& ctx, const std::string& user_id, const std::string& app_id);
// The token reply of a session that is already stored with `refresh_token`: a new access token
// naming it (claim "sid"), issued at `now`.
JsonValue token_reply(ServerContext& ctx, const std::string& user_id, const std::string& app_id,
                      const std::string& session_id, std::string refresh_token, Millis now);

}  // namespace synckit::server
