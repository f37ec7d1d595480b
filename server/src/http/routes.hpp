// Route registration: each file adds one area of protocol.md to the server.
#pragma once

#include "http/router.hpp"

#include "http/server_context.hpp"
#include "synckit/json_value.hpp"

namespace synckit::server {

void add_auth_routes(Router& router, ServerContext& ctx);     // /v1/auth/*
void add_oauth_routes(Router& router, ServerContext& ctx);    // /v1/oauth/*
void add_key_routes(Router& router, ServerContext& ctx);      // /v1/keys/envelope
void add_device_routes(Router& router, ServerContext& ctx);   // /v1/devices
void add_sync_routes(Router& router, ServerContext& ctx);     // /v1/sync/*
void add_blob_routes(Router& router, ServerContext& ctx);     // /v1/blobs/*
void add_service_routes(Router& router, ServerContext& ctx);  // /v1/health

// A token reply for a fresh sign-in: a new access token and a new refresh token (stored hashed).
JsonValue issue_tokens(ServerContext& ctx, const std::string& user_id, const std::string& app_id);

}  // namespace synckit::server
