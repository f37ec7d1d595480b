#include "http/responses.hpp"

#include <cstdio>

#include "storage/store.hpp"
#include "synckit/error.hpp"

namespace synckit::server {

std::string_view error_code_for(int status) noexcept {
  switch (status) {
    case 400: return "invalid_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 429: return "rate_limited";
    case 503: return "unavailable";
    default: return status >= 500 ? "internal" : "invalid_request";
  }
}

void send_json(Response& res, int status, const JsonValue& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(Response& res, int status, std::string_view code, std::string_view message) {
  send_json(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

Handler guarded(Handler handler) {
  return [handler = std::move(handler)](const Request& req, Response& res) {
    try {
      handler(req, res);
    } catch (const HttpError& e) {
      send_error(res, e.status, e.code.empty() ? error_code_for(e.status) : e.code, e.what());
    } catch (const synckit::Error& e) {
      // Core parsers throw these for bad request bodies; their details name fields, never values.
      send_error(res, 400, "invalid_request", e.detail().empty() ? e.what() : e.detail());
    } catch (const UserGone&) {
      // The account was deleted while this request was on its way: its session ended with it.
      send_error(res, 401, "unauthorized", "the session of the access token has ended");
    } catch (const StoreError& e) {
      std::fprintf(stderr, "synckit-server: storage error on %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                   e.what());
      send_error(res, 500, "internal", "the server could not complete the request");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "synckit-server: internal error on %s %s\n", req.method.c_str(), req.path.c_str());
      send_error(res, 500, "internal", "the server could not complete the request");
    }
  };
}

}  // namespace synckit::server
