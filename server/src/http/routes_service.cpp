#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/health.hpp"

// SYNCKIT_VERSION comes from CMake (the project version).


namespace synckit::server {

void add_service_routes(Router& router, ServerContext&) {
  router.get("/v1/health", guarded([](const auto&, auto& res) {
               // Every section of protocol 1.1 is served; features name them for clients that ask.
               send_json(res, 200, wire::to_json(wire::Health{"ok", SYNCKIT_VERSION, "1.1",
                                                              {"live_pull", "account", "recovery", "blob_streams"}}));
             }));
}

}  // namespace synckit::server
