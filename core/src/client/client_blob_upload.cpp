// Streamed uploads (protocol 1.1): start an upload (or find the one being resumed), seal the
// reader's plaintext as one secretstream, cut the sealed bytes into the server's parts and PUT
// them one at a time (the request runner retries a failed part alone), then complete.
//
// Resuming re-seals the plaintext under the recorded stream header, which gives the same bytes
// only for the same plaintext. Each part's hash is recorded before the part is first sent, and a
// resumed part whose hash differs ends the upload (conflict) before anything is sent: a stream
// header (the nonce) is never used for two different plaintexts.
#include <sodium.h>

#include <algorithm>
#include <vector>

#include "client/client_impl.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/secret.hpp"
#include "synckit/wire/blob_messages.hpp"
#include "synckit/wire/blob_upload_messages.hpp"

namespace synckit {
namespace {

constexpr std::size_t kReadBytes = 1u << 20;  // plaintext asked of the reader at a time

// Gives the sealer the recorded header instead of fresh random bytes.
class RecordedHeader : public RandomSource {
 public:
  explicit RecordedHeader(const Bytes& header) : header_(header) {}
  void fill(std::span<std::uint8_t> out) override {
    if (out.size() != header_.size()) throw Error(ErrorKind::invalid_input, "a stream header is 24 bytes", "resume");
    std::copy(header_.begin(), header_.end(), out.begin());
  }

 private:
  const Bytes& header_;
};

Bytes part_hash(std::string_view part) {
  Bytes hash(crypto_generichash_BYTES);
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(part.data()), part.size(),
                     nullptr, 0);
  return hash;
}

std::string uploads_path(const std::string& blob_id) { return blob_path(blob_id) + "/uploads"; }

class Upload : public std::enable_shared_from_this<Upload> {
 public:
  Upload(std::shared_ptr<Client::Impl> self, std::string blob_id, std::uint64_t plain_size, BlobReader reader,
         BlobUploadOptions options, Callback<Done> done)
      : self_(std::move(self)),
        blob_id_(std::move(blob_id)),
        plain_size_(plain_size),
        sealed_size_(blob_stream_sealed_size(plain_size)),
        reader_(std::move(reader)),
        options_(std::move(options)),
        done_(std::move(done)) {}

  ~Upload() { secure_wipe(buffer_.data(), buffer_.size()); }

  void start() {
    if (options_.resume && options_.resume->blob_id == blob_id_ && options_.resume->plain_size == plain_size_ &&
        options_.resume->header.size() == kStreamHeaderBytes && wire::is_lowercase_uuid(options_.resume->upload_id)) {
      return ask_resume();
    }
    begin_fresh();
  }

 private:
  HttpRequest request(std::string method, const std::string& path) const {
    HttpRequest req = self_->request(std::move(method), path);
    req.cancel = options_.cancel;
    return req;
  }

  // Ends the upload once: an error, or success.
  void finish(Result<Done> result) {
    if (finished_) return;
    finished_ = true;
    auto done = std::move(done_);
    done(std::move(result));
  }
  void fail(const Error& error) { finish(error); }

  // Runs `step`, turning what it throws into the upload's error.
  template <class F>
  void guard(F&& step) {
    try {
      step();
    } catch (const Error& e) {
      fail(e);
    }
  }

  bool cancelled() {
    if (options_.cancel && options_.cancel->cancelled()) {
      fail(Error(ErrorKind::cancelled, "the upload was cancelled"));
      return true;
    }
    return false;
  }

  void ask_resume() {
    const UploadResume& resume = *options_.resume;
    auto me = shared_from_this();
    self_->send_authed(request("GET", uploads_path(blob_id_) + "/" + resume.upload_id),
                       [me](Result<HttpResponse> result) {
                         me->guard([&] {
                           if (result && result.value().status == 404) return me->begin_fresh();
                           const auto state = wire::parse_upload_state_text(reply_body(std::move(result)).value());
                           const UploadResume& recorded = *me->options_.resume;
                           if (static_cast<std::uint64_t>(state.size) != me->sealed_size_ || recorded.part_size <= 0) {
                             return me->begin_fresh();  // not the upload recorded: start over
                           }
                           me->record_ = recorded;
                           me->present_ = state.parts;  // ascending, as parse_upload_state_text checked
                           me->begin_sealing();
                         });
                       });
  }

  void begin_fresh() {
    present_.clear();
    const wire::UploadStart start{std::string(wire::kStreamBlobFormat), static_cast<std::int64_t>(sealed_size_)};
    auto me = shared_from_this();
    HttpRequest req = self_->json_request("POST", uploads_path(blob_id_), wire::to_json(start));
    req.cancel = options_.cancel;
    self_->send_authed(std::move(req), [me](Result<HttpResponse> result) {
      me->guard([&] {
        const auto reply = wire::parse_upload_start_reply_text(reply_body(std::move(result)).value());
        me->record_ = UploadResume{me->blob_id_, reply.upload_id, me->plain_size_, reply.part_size, {}, {}};
        me->record_.header.resize(kStreamHeaderBytes);
        me->self_->services.random.fill(me->record_.header);
        me->begin_sealing();
      });
    });
  }

  void begin_sealing() {
    if (!self_->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the upload");
    part_count_ = wire::part_count(static_cast<std::int64_t>(sealed_size_), record_.part_size);
    RecordedHeader header(record_.header);
    sealer_.emplace(self_->keys->blob, blob_id_, header, [this](ByteView sealed) {
      pending_.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
    });
    next_part();
  }

  std::size_t part_bytes(std::int64_t part) const {
    return static_cast<std::size_t>(wire::part_length(static_cast<std::int64_t>(sealed_size_), record_.part_size, part));
  }

  // Seals until the current part is complete, then sends or skips it.
  void next_part() {
    if (cancelled()) return;
    if (part_ == part_count_) return complete();
    if (pending_.size() >= part_bytes(part_)) return cut_part();
    if (read_ == plain_size_) {
      sealer_->finish();
      if (pending_.size() < part_bytes(part_)) throw Error(ErrorKind::invalid_input, "the sealed stream is shorter than its size", "reader");
      return cut_part();
    }
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kReadBytes, plain_size_ - read_));
    buffer_.resize(kReadBytes);
    auto me = shared_from_this();
    reader_(std::span<std::uint8_t>(buffer_.data(), want), [me, want](Result<std::size_t> filled) {
      me->guard([&] {
        const std::size_t got = filled.value();
        if (got != want) {
          throw Error(ErrorKind::invalid_input,
                      "the blob's reader ended after " + std::to_string(me->read_ + std::min(got, want)) + " of " +
                          std::to_string(me->plain_size_) + " bytes",
                      "reader");
        }
        me->read_ += got;
        me->sealer_->update(ByteView(me->buffer_.data(), got));
        secure_wipe(me->buffer_.data(), got);
        me->next_part();
      });
    });
  }

  void cut_part() {
    const std::size_t length = part_bytes(part_);
    std::string part = pending_.substr(0, length);
    pending_.erase(0, length);
    Bytes hash = part_hash(part);
    const auto index = static_cast<std::size_t>(part_);
    const bool server_has = std::binary_search(present_.begin(), present_.end(), part_);
    const bool recorded = index < record_.parts.size();
    // A part the server has, or one that may have reached the wire before (its hash was recorded
    // first), must be the same bytes again under this header.
    if ((server_has || recorded) && (!recorded || record_.parts[index] != hash)) {
      throw Error(ErrorKind::conflict,
                  "the blob's data differs from the interrupted upload's: upload it again without resuming");
    }
    if (server_has) return part_done();
    if (!recorded) record_.parts.resize(index + 1);
    record_.parts[index] = std::move(hash);
    if (options_.on_resume_record) options_.on_resume_record(record_);
    HttpRequest req = request("PUT", uploads_path(blob_id_) + "/" + record_.upload_id + "/" + std::to_string(part_));
    req.headers.emplace_back("Content-Type", "application/octet-stream");
    req.body = std::move(part);
    auto me = shared_from_this();
    self_->send_authed(std::move(req), [me](Result<HttpResponse> result) {
      me->guard([&] {
        reply_body(std::move(result)).value();
        me->part_done();
      });
    });
  }

  // Reports progress (plaintext in proportion to the sealed bytes the server has) and goes on with
  // the next part on a fresh stack (a resume skips many at once).
  void part_done() {
    ++part_;
    if (options_.on_progress) {
      const auto sent = std::min<std::uint64_t>(sealed_size_, static_cast<std::uint64_t>(part_) *
                                                              static_cast<std::uint64_t>(record_.part_size));
      const auto plain = sent == sealed_size_ ? plain_size_
                                              : static_cast<std::uint64_t>(static_cast<long double>(sent) * plain_size_ /
                                                                           sealed_size_);
      options_.on_progress(plain, plain_size_);
    }
    auto me = shared_from_this();
    self_->services.scheduler.post(std::chrono::milliseconds(0), [me] { me->guard([&] { me->next_part(); }); });
  }

  void complete() {
    auto me = shared_from_this();
    self_->send_authed(request("POST", uploads_path(blob_id_) + "/" + record_.upload_id + "/complete"),
                       [me](Result<HttpResponse> result) {
                         me->guard([&] {
                           const auto reply = wire::parse_blob_put_reply_text(reply_body(std::move(result)).value());
                           if (reply.blob_id != me->blob_id_ || static_cast<std::uint64_t>(reply.size) != me->sealed_size_) {
                             throw Error(ErrorKind::json, "the server completed another upload than this one", "blob_id");
                           }
                           me->finish(Done{});
                         });
                       });
  }

  std::shared_ptr<Client::Impl> self_;
  std::string blob_id_;
  std::uint64_t plain_size_;
  std::uint64_t sealed_size_;
  BlobReader reader_;
  BlobUploadOptions options_;
  Callback<Done> done_;
  bool finished_ = false;
  UploadResume record_;
  std::vector<std::int64_t> present_;  // parts the server has (when resuming), ascending
  std::optional<BlobStreamSealer> sealer_;
  std::string pending_;             // sealed bytes not yet cut into a part
  Bytes buffer_;                    // plaintext from the reader, wiped once sealed
  std::int64_t part_ = 0;
  std::int64_t part_count_ = 0;
  std::uint64_t read_ = 0;
};

}  // namespace

void Client::put_blob_stream(const std::string& blob_id, std::uint64_t plain_size, BlobReader reader,
                             BlobUploadOptions options, Callback<Done> done) {
  if (auto error = impl_->require_keys()) return done(*error);
  try {
    blob_path(blob_id);
  } catch (const Error& e) {
    return done(e);
  }
  if (!reader) return done(Error(ErrorKind::invalid_input, "a streamed upload needs a reader", "reader"));
  std::make_shared<Upload>(impl_, blob_id, plain_size, std::move(reader), std::move(options), std::move(done))->start();
}

}  // namespace synckit
