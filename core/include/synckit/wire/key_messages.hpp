// The key-envelope endpoints' bodies (protocol.md, "Key envelope"). The envelope's own JSON form and
// its checks belong to crypto/envelope.hpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "synckit/crypto/envelope.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/json_reader.hpp"

namespace synckit::wire {

// GET /v1/keys/envelope reply {"envelope":{...},"version":n}; version is 1..2^53.
struct EnvelopeReply {
  KeyEnvelope envelope;
  std::int64_t version = 1;

  friend bool operator==(const EnvelopeReply&, const EnvelopeReply&) = default;
};

// PUT /v1/keys/envelope body {"envelope":{...},"expected_version":n}; n is 0..2^53 (0 = none yet).
struct PutEnvelopeRequest {
  KeyEnvelope envelope;
  std::int64_t expected_version = 0;

  friend bool operator==(const PutEnvelopeRequest&, const PutEnvelopeRequest&) = default;
};

// PUT /v1/keys/envelope reply {"version":n}; n is 1..2^53.
struct PutEnvelopeReply {
  std::int64_t version = 1;

  friend bool operator==(const PutEnvelopeReply&, const PutEnvelopeReply&) = default;
};

// The JSON forms. The request's throws Error{invalid_input} naming "expected_version" when out of
// range; the replies' do not check (for servers and test fakes).
JsonValue to_json(const EnvelopeReply& reply);
JsonValue to_json(const PutEnvelopeRequest& request);
JsonValue to_json(const PutEnvelopeReply& reply);

// Strict reads: Error{json} naming the field ("version", "envelope.salt"); the envelope's own
// checks may also throw Error{invalid_data} (see envelope_from_json).
EnvelopeReply parse_envelope_reply(const ObjectReader& reader);
EnvelopeReply parse_envelope_reply_text(std::string_view body);
PutEnvelopeRequest parse_put_envelope_request(const ObjectReader& reader);
PutEnvelopeRequest parse_put_envelope_request_text(std::string_view body);
PutEnvelopeReply parse_put_envelope_reply(const ObjectReader& reader);
PutEnvelopeReply parse_put_envelope_reply_text(std::string_view body);

}  // namespace synckit::wire
