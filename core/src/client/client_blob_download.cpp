// Streamed downloads (protocol 1.1 ranged reads): GET the blob one Range at a time (the request
// runner retries a failed range alone), open a stream-v1 blob as it arrives and hand each range's
// authenticated plaintext to the writer before asking for the next; a sealed-v1 blob (or a server
// that ignores Range) is collected whole and opened at the end. A plaintext range (offset,
// length) reads a stream only up to the chunk holding its last byte and passes on only its bytes.
#include "client/client_impl.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/secret.hpp"
#include "synckit/wire/blob_upload_messages.hpp"
#include "synckit/wire/byte_range.hpp"

namespace synckit {
namespace {

constexpr std::uint64_t kMinRangeBytes = 1u << 20;

[[noreturn]] void bad_reply(const std::string& what) { throw Error(ErrorKind::json, "blob download: " + what, "range"); }

class Download : public std::enable_shared_from_this<Download> {
 public:
  Download(std::shared_ptr<Client::Impl> self, std::string blob_id, BlobWriter writer, BlobDownloadOptions options,
           Callback<BlobDownloadInfo> done)
      : self_(std::move(self)),
        blob_id_(std::move(blob_id)),
        writer_(std::move(writer)),
        options_(std::move(options)),
        done_(std::move(done)) {
    options_.range_bytes = std::max(options_.range_bytes, kMinRangeBytes);
  }

  ~Download() { secure_wipe(plain_.data(), plain_.size()); }

  void fetch() {
    if (options_.cancel && options_.cancel->cancelled()) {
      return fail(Error(ErrorKind::cancelled, "the download was cancelled"));
    }
    HttpRequest req = self_->request("GET", blob_path(blob_id_));
    req.cancel = options_.cancel;
    std::uint64_t last = offset_ + options_.range_bytes - 1;
    if (total_) last = std::min(last, sealed_end() - 1);
    if (!total_ && options_.length) last = std::min(last, stream_end_for(options_.offset + *options_.length));
    req.headers.emplace_back("Range", wire::format_range({offset_, last}));
    auto me = shared_from_this();
    self_->send_authed(std::move(req), [me](Result<HttpResponse> result) {
      me->guard([&] { me->take(std::move(result)); });
    });
  }

 private:
  void fail(const Error& error) {
    if (finished_) return;
    finished_ = true;
    auto done = std::move(done_);
    done(error);
  }

  template <class F>
  void guard(F&& step) {
    try {
      step();
    } catch (const Error& e) {
      fail(e);
    }
  }

  void take(Result<HttpResponse> result) {
    const HttpResponse* response = result ? &result.value() : nullptr;
    const int status = response ? response->status : 0;
    std::optional<std::string> format_header;
    if (response) {
      if (const auto header = response->header("X-SyncKit-Blob-Format")) format_header.emplace(*header);
    }
    std::optional<wire::ContentRange> content_range;
    if (status == 206) {
      const auto header = response->header("Content-Range");
      if (!header || !(content_range = wire::parse_content_range(*header))) bad_reply("a 206 without a valid Content-Range");
    }
    std::string body = reply_body(std::move(result)).value();
    // A server that ignores Range (or a 1.0 one: no format header, sealed-v1) sends it all at once.
    const std::string format = format_header.value_or(std::string(wire::kSealedBlobFormat));
    if (format != wire::kSealedBlobFormat && format != wire::kStreamBlobFormat) bad_reply("an unknown blob format");
    if (format_.empty()) format_ = format;
    if (format != format_) throw Error(ErrorKind::crypto, "the blob was replaced during the download", "blob_id");
    if (!content_range) {
      if (offset_ != 0) bad_reply("a whole blob answered a range in its middle");
      content_range = wire::ContentRange{{0, body.empty() ? 0 : body.size() - 1}, body.size()};
    }
    const wire::ContentRange& got = *content_range;
    if (got.range.first != offset_ || got.range.last - got.range.first + 1 != body.size()) {
      bad_reply("the bytes sent are not the range asked for");
    }
    if (total_ && *total_ != got.size) throw Error(ErrorKind::crypto, "the blob was replaced during the download", "blob_id");
    total_ = got.size;
    offset_ += body.size();
    if (format_ == wire::kSealedBlobFormat) return collect(std::move(body));
    feed(body);
  }

  // The sealed bytes of a stream up to the end of the chunk holding plaintext byte `end` - 1 (at
  // least the header and one chunk), whatever the blob's size.
  static std::uint64_t stream_end_for(std::uint64_t end) {
    const std::uint64_t chunks = end == 0 ? 1 : (end - 1) / kStreamChunkBytes + 1;
    return kStreamHeaderBytes + chunks * (kStreamChunkBytes + kStreamChunkOverhead);
  }

  // Where the download stops: the whole blob, or (a stream and a range) the chunk of its last
  // byte and one byte more: the opener holds a whole chunk back until it sees that more follows
  // (a FINAL chunk is never a whole one).
  std::uint64_t sealed_end() const {
    if (format_ != wire::kStreamBlobFormat || !options_.length) return *total_;
    return std::min(*total_, stream_end_for(want_end()) + 1);
  }

  std::uint64_t want_end() const {
    if (!options_.length) return plain_total_;
    return std::min(plain_total_, options_.offset + std::min(*options_.length, plain_total_));
  }

  // Keeps the part of plaintext at [at, at + size) that lies within the wanted range.
  void keep(ByteView piece) {
    const std::uint64_t at = plain_seen_;
    plain_seen_ += piece.size();
    const std::uint64_t from = std::max(at, options_.offset), to = std::min(plain_seen_, want_end());
    if (from >= to) return;
    plain_.insert(plain_.end(), piece.begin() + static_cast<std::ptrdiff_t>(from - at),
                  piece.begin() + static_cast<std::ptrdiff_t>(to - at));
  }

  // sealed-v1: the whole sealed blob, then one open.
  void collect(std::string body) {
    whole_ += body;
    if (offset_ < *total_) return fetch();
    if (!self_->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the download");
    OpenedBlob opened = open_blob_in_place(self_->keys->blob, blob_id_, std::move(whole_));
    plain_total_ = opened.bytes().size();
    keep(opened.bytes());
    write_out(true);
  }

  // stream-v1: open what arrived, write it, then the next range (or the end).
  void feed(const std::string& body) {
    if (!self_->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the download");
    if (!opener_) {
      plain_total_ = blob_stream_plain_size(*total_);
      opener_.emplace(self_->keys->blob, blob_id_, [this](ByteView piece) { keep(piece); });
    }
    const std::uint64_t end = sealed_end();
    const std::size_t use = static_cast<std::size_t>(std::min<std::uint64_t>(body.size(), end - (offset_ - body.size())));
    opener_->update(ByteView(reinterpret_cast<const std::uint8_t*>(body.data()), use));
    const bool last = offset_ >= end;
    if (last && end == *total_) opener_->finish();  // a range short of the end needs no FINAL chunk
    write_out(last);
  }

  void write_out(bool last) {
    auto me = shared_from_this();
    auto next = [me, last](std::optional<Error> error) {
      me->guard([&] {
        me->written_ += me->plain_.size();
        secure_wipe(me->plain_.data(), me->plain_.size());
        me->plain_.clear();
        if (error) throw *error;
        const std::uint64_t wanted = me->want_end() - std::min(me->want_end(), me->options_.offset);
        if (me->options_.on_progress) me->options_.on_progress(me->written_, wanted);
        if (!last) {
          // A fresh stack for the next range (the writer may answer at once).
          return me->self_->services.scheduler.post(std::chrono::milliseconds(0), [me] { me->fetch(); });
        }
        me->finished_ = true;
        auto done = std::move(me->done_);
        done(BlobDownloadInfo{me->format_, me->plain_total_});
      });
    };
    if (plain_.empty()) return next(std::nullopt);
    writer_(ByteView(plain_.data(), plain_.size()), std::move(next));
  }

  std::shared_ptr<Client::Impl> self_;
  std::string blob_id_;
  BlobWriter writer_;
  BlobDownloadOptions options_;
  Callback<BlobDownloadInfo> done_;
  bool finished_ = false;
  std::string format_;
  std::optional<std::uint64_t> total_;  // sealed size, from the first reply
  std::uint64_t offset_ = 0;            // sealed bytes received
  std::uint64_t plain_total_ = 0;
  std::uint64_t plain_seen_ = 0;        // plaintext opened so far (wanted or not)
  std::uint64_t written_ = 0;
  std::string whole_;                   // sealed-v1: collected until complete
  std::optional<BlobStreamOpener> opener_;
  Bytes plain_;                         // authenticated plaintext waiting for the writer
};

}  // namespace

void Client::get_blob_stream(const std::string& blob_id, BlobWriter writer, BlobDownloadOptions options,
                             Callback<BlobDownloadInfo> done) {
  if (auto error = impl_->require_keys()) return done(*error);
  try {
    blob_path(blob_id);
  } catch (const Error& e) {
    return done(e);
  }
  if (!writer) return done(Error(ErrorKind::invalid_input, "a streamed download needs a writer", "writer"));
  std::make_shared<Download>(impl_, blob_id, std::move(writer), std::move(options), std::move(done))->fetch();
}

}  // namespace synckit
