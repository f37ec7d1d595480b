#include "http/request_context.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/wire/key_messages.hpp"

namespace synckit::server {
namespace {

void get_envelope(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const auto stored = ctx.store.get_envelope(session.user_id);
  if (!stored) throw HttpError(404, "no key envelope yet");
  send_json(res, 200, {{"envelope", wire::parse_json(stored->envelope_json, "stored envelope")},
                       {"version", stored->version}});
}

void put_envelope(ServerContext& ctx, const Request& req, Response& res) {
  const Session session = require_session(ctx, req);
  const auto request = wire::parse_put_envelope_request_text(body_within(req, kMaxJsonBody));
  // Stored in its canonical form: the exact fields of the format, nothing else.
  const auto version =
      ctx.store.put_envelope(session.user_id, envelope_to_json(request.envelope).dump(), request.expected_version);
  if (!version) throw HttpError(409, "the stored envelope version is not expected_version");
  send_json(res, 200, wire::to_json(wire::PutEnvelopeReply{*version}));
}

}  // namespace

void add_key_routes(Router& router, ServerContext& ctx) {
  router.get("/v1/keys/envelope", guarded([&](const auto& req, auto& res) { get_envelope(ctx, req, res); }));
  router.put("/v1/keys/envelope", guarded([&](const auto& req, auto& res) { put_envelope(ctx, req, res); }));
}

}  // namespace synckit::server
