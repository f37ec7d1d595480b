#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/wire/health.hpp"

// SYNCKIT_VERSION comes from CMake (the project version).


namespace synckit::server {

void add_service_routes(Router& router, ServerContext&) {
  router.get("/v1/health", guarded([](const auto&, auto& res) {
               // Protocol 1.1 is reported once all of its sections are served; until then, the ones that are.
               send_json(res, 200, wire::to_json(wire::Health{"ok", SYNCKIT_VERSION, "1.0",
                                                              {"live_pull", "account", "recovery"}}));
             }));
}

}  // namespace synckit::server
