#include "http/http_app.hpp"

#include <cstdio>

#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/timestamp.hpp"

namespace synckit::server {
namespace {

// Replies made by the server itself (no route, a route's empty error) get the protocol's body.
void fill_error_body(Response& res) {
  if (res.status == 0) res.status = 404;
  if (!res.body.empty() || res.status < 400) return;
  const std::string_view message = res.status == 404   ? "no such endpoint"
                                   : res.status == 413 ? "the request body is too large"
                                                       : "the request could not be served";
  send_error(res, res.status, error_code_for(res.status), message);
}

}  // namespace

HttpApp::HttpApp(const ServerConfig& config, Store& store, const TokenSigner& signer, WakeHub& wakes)
    : request_limiter_(config.rate_limit, std::chrono::seconds(1)),
      auth_limiter_(config.auth_rate_limit, std::chrono::minutes(1)),
      faults_(config.fault_rate, config.fault_status),
      cors_(config.cors_origins),
      ctx_{store, signer, config, auth_limiter_, wakes} {
  add_auth_routes(router_, ctx_);
  add_account_routes(router_, ctx_);
  add_session_routes(router_, ctx_);
  add_recovery_routes(router_, ctx_);
  add_oauth_routes(router_, ctx_);
  add_key_routes(router_, ctx_);
  add_device_routes(router_, ctx_);
  add_sync_routes(router_, ctx_);
  add_blob_routes(router_, ctx_);
  add_service_routes(router_, ctx_);
}

Response HttpApp::handle(Request& req) {
  Response res;
  try {
    cors_.apply(req, res);
    if (cors_.answer_preflight(req, res)) return res;
    if (!req.resumed && req.path != "/v1/health") {
      if (const auto wait = request_limiter_.take(req.remote_addr + "|" + req.get_header_value("X-SyncKit-Api-Key"))) {
        res.set_header("Retry-After", std::to_string(*wait));
        send_error(res, 429, "rate_limited", "too many requests; try again later");
        return res;
      }
    }
    if (const auto status = req.resumed ? std::nullopt : faults_.pick(req.path)) {
      if (*status != 500) res.set_header("Retry-After", "1");
      send_error(res, *status, error_code_for(*status), "fault injected on purpose (--fault-rate)");
      return res;
    }
    router_.dispatch(req, res);
    if (!res.hold) fill_error_body(res);
  } catch (const std::exception&) {
    res = Response{};
    send_error(res, 500, "internal", "the server could not complete the request");
  }
  return res;
}

void log_request(const Request& req, const Response& res) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - req.received_at).count();
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::fprintf(stderr, "%s %s %s %d %.1fms\n", format_timestamp(now).c_str(), req.method.c_str(), req.path.c_str(),
               res.status, static_cast<double>(micros) / 1000.0);
}

}  // namespace synckit::server
