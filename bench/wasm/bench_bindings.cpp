// Benchmark-only wasm module (bench/wasm/CMakeLists.txt): the core functions the npm package's push
// and pull run, without the network, so bench/wasm/crypto.mjs can time sealing and opening against
// libsodium.js in the same process. Never part of js/dist or the shipped API.
//   push: UTF-8 JSON bytes -> changes_from_json (ChangePlaintexts) -> per change a fresh change id
//         (what the client gives when no failed push is remembered) and seal_change -> body
//   pull: per sealed change open_change_plaintext -> pull_result_to_json (the text the package
//         JSON.parses)
#include <emscripten/bind.h>

#include <sodium.h>

#include <span>
#include <string>
#include <vector>

#include "js_convert.hpp"  // platform/web/src: the adapter's own conversions
#include "synckit/change_entry.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"
#include "synckit/web/web_random.hpp"
#include "synckit/wire/sync_messages.hpp"

namespace {

using emscripten::val;
using namespace synckit;

constexpr const char* kDevice = "00000000-0000-4000-8000-000000000001";

class Bench {
 public:
  Bench() : master_(generate_master_key(random_)), change_(derive_change_key(master_)), blob_(derive_blob_key(master_)) {}

  // The push path up to the request body: returns how many changes were sealed.
  int sealBatch(val changes_utf8) {
    std::string changes_json = web::text_from_js_bytes(changes_utf8, "changes");
    const std::vector<ChangePlaintext> changes = web::changes_from_json(changes_json);
    secure_wipe(changes_json.data(), changes_json.size());
    sealed_.clear();
    sealed_.reserve(changes.size());
    for (const ChangePlaintext& change : changes) {
      std::string id = new_change_id(random_);
      Bytes payload = seal_change(change_, id, change, random_);
      sealed_.push_back(wire::SealedChange{std::move(id), std::move(payload)});
    }
    return static_cast<int>(sealed_.size());
  }

  // The push body of the last sealBatch (wire::to_json(PushRequest), base64 payloads): its length.
  int pushBodyBytes() const {
    return static_cast<int>(wire::to_json(wire::PushRequest{kDevice, sealed_}).dump().size());
  }

  // The pull path after the reply is parsed: opens every change of the last sealBatch and returns
  // the JSON text the adapter hands to JavaScript.
  std::string openBatch() const {
    PlaintextPullResult result;
    result.changes.reserve(sealed_.size());
    std::int64_t seq = 0;
    for (const wire::SealedChange& change : sealed_) {
      PulledPlaintext& out = result.changes.emplace_back();
      out.seq = ++seq;
      out.change_id = change.change_id;
      out.device_id = kDevice;
      out.plaintext = open_change_plaintext(change_, change.change_id, change.payload);
    }
    result.cursor = seq;
    return web::pull_result_to_json(result);
  }

  // The plaintext the first change of `changes_json` is sealed as (the baseline encrypts the same).
  std::string plaintextOf(val changes_utf8) const {
    return std::string(web::changes_from_json(web::text_from_js_bytes(changes_utf8, "changes")).at(0).text());
  }

  // Sealed change `index` of the last sealBatch (a copy; the copy-crypto check reads it).
  val sealedAt(int index) const {
    const Bytes& payload = sealed_.at(static_cast<std::size_t>(index)).payload;
    return val(emscripten::typed_memory_view(payload.size(), payload.data())).call<val>("slice");
  }

  // putBlob's work (ClientAdapter::putBlob + Client::put_blob_in_place): the Uint8Array is copied
  // into the request body at offset 24 and sealed there; the sealed body stays for openBlob.
  int sealBlob(std::string blob_id, val bytes) {
    const auto size = bytes["length"].as<std::size_t>();
    std::string buffer(size + kBlobOverhead, '\0');
    const std::span<std::uint8_t> whole(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size());
    val(emscripten::typed_memory_view(size, whole.data() + kBlobOffset)).call<void>("set", bytes);
    blob_id_ = std::move(blob_id);
    seal_blob_into(blob_, blob_id_, whole.subspan(kBlobOffset, size), random_, whole);
    blob_sealed_ = std::move(buffer);
    return static_cast<int>(blob_sealed_.size());
  }

  // getBlob's work past the transport: open the sealed bytes (open_blob_into, as open_blob_in_place
  // does where the response arrived; here into a second buffer, so the sealed bytes stay for the
  // next round) and hand JavaScript a view to slice, as the package does. wipeBlob is the rest.
  val openBlob() {
    const ByteView sealed = as_bytes(blob_sealed_);
    blob_work_.resize(sealed.size() - kBlobOverhead);
    open_blob_into(blob_, blob_id_, sealed, blob_work_span());
    return val(emscripten::typed_memory_view(blob_work_.size(), blob_work_span().data()));
  }
  // getBlob's wipe of the opened blob in the heap (OpenedBlob's destructor).
  void wipeBlob() { secure_wipe(blob_work_.data(), blob_work_.size()); }

  void dropBlob() {
    wipeBlob();
    blob_work_ = std::string();
    blob_sealed_ = std::string();
  }

  // setupEncryptionExisting's Argon2id: wrap once (not timed), then unwrap_master_key.
  void wrapForUnwrap(std::string password, double opslimit, double memlimit) {
    envelope_ = wrap_master_key(master_, password, random_,
                                EnvelopeParams{static_cast<std::uint64_t>(opslimit), static_cast<std::uint64_t>(memlimit)});
  }
  bool unwrap(std::string password) const {
    return unwrap_master_key(envelope_, password).view().size() == kKeyBytes;
  }

 private:
  web::WebRandom random_;
  MasterKey master_;
  ChangeKey change_;
  BlobKey blob_;
  std::vector<wire::SealedChange> sealed_;
  std::span<std::uint8_t> blob_work_span() {
    return {reinterpret_cast<std::uint8_t*>(blob_work_.data()), blob_work_.size()};
  }

  std::string blob_id_;
  std::string blob_sealed_, blob_work_;
  KeyEnvelope envelope_;
};

bool copy_crypto() {
#ifdef SYNCKIT_BENCH_COPY_CRYPTO
  return true;
#else
  return false;
#endif
}

}  // namespace

EMSCRIPTEN_BINDINGS(synckit_bench) {
  emscripten::class_<Bench>("Bench")
      .constructor<>()
      .function("sealBatch", &Bench::sealBatch)
      .function("pushBodyBytes", &Bench::pushBodyBytes)
      .function("openBatch", &Bench::openBatch)
      .function("plaintextOf", &Bench::plaintextOf)
      .function("sealedAt", &Bench::sealedAt)
      .function("sealBlob", &Bench::sealBlob)
      .function("openBlob", &Bench::openBlob)
      .function("wipeBlob", &Bench::wipeBlob)
      .function("dropBlob", &Bench::dropBlob)
      .function("wrapForUnwrap", &Bench::wrapForUnwrap)
      .function("unwrap", &Bench::unwrap);
  emscripten::function("copyCrypto", &copy_crypto);
}
