#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/health.hpp"

// SYNCKIT_VERSION comes from CMake (the project version).


namespace synckit::server {

void add_service_routes(httplib::Server& server, ServerContext&) {
  server.Get("/v1/health", guarded([](const auto&, auto& res) {
               send_json(res, 200, wire::to_json(wire::Health{"ok", SYNCKIT_VERSION}));
             }));
}

}  // namespace synckit::server
