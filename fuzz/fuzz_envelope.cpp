// envelope_from_json_text on any text. A parsed envelope must survive envelope_to_json and parse
// back equal. Unwrapping is skipped by default: every envelope that parses carries Argon2id costs
// of at least 2 passes over 16 MiB (the format's floor), tens of milliseconds per input, and past
// the parse unwrap only sees fixed-size arrays. SYNCKIT_FUZZ_UNWRAP=1 unwraps minimum-cost
// envelopes with a fixed password (the seeds' "hunter2"), for a slow deliberate run.
#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "synckit/crypto/envelope.hpp"

namespace synckit_fuzz {

inline void envelope(std::string_view input) {
  guarded(input, [](std::string_view text) {
    const synckit::KeyEnvelope parsed = synckit::envelope_from_json_text(text);
    const synckit::KeyEnvelope again = must_succeed("envelope JSON round trip", [&] {
      return synckit::envelope_from_json_text(synckit::envelope_to_json(parsed).dump());
    });
    check(again == parsed, "envelope JSON round trip");
    static const bool unwrap = std::getenv("SYNCKIT_FUZZ_UNWRAP") != nullptr;
    if (unwrap && parsed.opslimit == synckit::kMinOpslimit && parsed.memlimit == synckit::kMinMemlimit) {
      try {
        (void)synckit::unwrap_master_key(parsed, "hunter2");
      } catch (const synckit::Error& e) {
        check(e.kind() == synckit::ErrorKind::wrong_password, "unwrap fails only as wrong_password");
      }
    }
  });
}

}  // namespace synckit_fuzz

SYNCKIT_FUZZ_ENTRY(envelope)
