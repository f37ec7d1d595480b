#include "synckit/wire/key_messages.hpp"

#include "synckit/error.hpp"

namespace synckit::wire {
namespace {

constexpr std::string_view kEnvelopeReply = "envelope reply";
constexpr std::string_view kPutRequest = "put envelope request";
constexpr std::string_view kPutReply = "put envelope reply";

}  // namespace

JsonValue to_json(const EnvelopeReply& reply) {
  JsonValue out = JsonValue::object();
  out["envelope"] = envelope_to_json(reply.envelope);
  out["version"] = reply.version;
  return out;
}

JsonValue to_json(const PutEnvelopeRequest& request) {
  if (request.expected_version < 0 || request.expected_version > kMaxCursor) {
    throw Error(ErrorKind::invalid_input, "'expected_version' must be an integer in 0..2^53",
                "expected_version");
  }
  JsonValue out = JsonValue::object();
  out["envelope"] = envelope_to_json(request.envelope);
  out["expected_version"] = request.expected_version;
  return out;
}

JsonValue to_json(const PutEnvelopeReply& reply) {
  JsonValue out = JsonValue::object();
  out["version"] = reply.version;
  return out;
}

EnvelopeReply parse_envelope_reply(const ObjectReader& reader) {
  EnvelopeReply reply;
  reply.envelope = envelope_from_json(reader.object("envelope"));
  reply.version = reader.integer("version", 1, kMaxCursor);
  return reply;
}

EnvelopeReply parse_envelope_reply_text(std::string_view body) {
  return parse_object_text(body, kEnvelopeReply, [](const ObjectReader& r) { return parse_envelope_reply(r); });
}

PutEnvelopeRequest parse_put_envelope_request(const ObjectReader& reader) {
  PutEnvelopeRequest request;
  request.envelope = envelope_from_json(reader.object("envelope"));
  request.expected_version = reader.integer("expected_version", 0, kMaxCursor);
  return request;
}

PutEnvelopeRequest parse_put_envelope_request_text(std::string_view body) {
  return parse_object_text(body, kPutRequest, [](const ObjectReader& r) { return parse_put_envelope_request(r); });
}

PutEnvelopeReply parse_put_envelope_reply(const ObjectReader& reader) {
  PutEnvelopeReply reply;
  reply.version = reader.integer("version", 1, kMaxCursor);
  return reply;
}

PutEnvelopeReply parse_put_envelope_reply_text(std::string_view body) {
  return parse_object_text(body, kPutReply, [](const ObjectReader& r) { return parse_put_envelope_reply(r); });
}

}  // namespace synckit::wire
