// Blobs: sealed on the device (40 bytes of overhead), sent as raw bytes; read back whole in either
// form (a streamed blob is opened as one stream). Streamed transfers: client_blob_upload.cpp and
// client_blob_download.cpp.
#include "client/client_impl.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/wire/blob_upload_messages.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"

namespace synckit {

std::string blob_path(const std::string& blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return "/v1/blobs/" + blob_id;
}

namespace {

// PUTs the body seal(blob key) returns (the sealed blob, moved, not copied: the request's shares
// point at that one string) as `blob_id`. Keys, the blob id and seal's own checks come first;
// their errors go to `done` before anything is sent.
template <class Seal>
void put_sealed_blob(const std::shared_ptr<Client::Impl>& self, const std::string& blob_id, Callback<Done> done,
                     Seal seal) {
  if (auto error = self->require_keys()) return done(*error);
  HttpRequest request;
  try {
    request = self->request("PUT", blob_path(blob_id));
    request.body = seal(self->keys->blob);
  } catch (const Error& e) {
    return done(e);
  }
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  self->send_authed(std::move(request), [done](Result<HttpResponse> result) {
    Client::Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

// GETs the sealed blob `blob_id` and hands it to open(blob key, blob id, sealed body, streamed);
// `done` gets what open returns, or the error. `streamed`: the reply says stream-v1.
template <class T, class Open>
void get_sealed_blob(const std::shared_ptr<Client::Impl>& self, const std::string& blob_id, Callback<T> done,
                     Open open) {
  if (auto error = self->require_keys()) return done(*error);
  std::string path;
  try {
    path = blob_path(blob_id);
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed(self->request("GET", path), [self, blob_id, done, open](Result<HttpResponse> result) {
    Client::Impl::deliver(done, [&] {
      const bool streamed = result && result.value().header("X-SyncKit-Blob-Format") == wire::kStreamBlobFormat;
      std::string sealed = reply_body(std::move(result)).value();
      if (!self->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the download");
      return open(self->keys->blob, blob_id, std::move(sealed), streamed);
    });
  });
}

// Wipes a buffer that still holds a blob's plaintext when it goes out of scope (disarmed once sealed).
struct WipeUnlessSealed {
  std::string& buffer;
  bool sealed = false;
  ~WipeUnlessSealed() {
    if (!sealed) secure_wipe(buffer.data(), buffer.size());
  }
};

}  // namespace

void Client::put_blob(const std::string& blob_id, ByteView bytes, Callback<Done> done) {
  put_sealed_blob(impl_, blob_id, std::move(done), [&](const BlobKey& key) {
    // Sealed straight into the body: no second sealed copy.
    std::string body(bytes.size() + kBlobOverhead, '\0');
    seal_blob_into(key, blob_id, bytes, impl_->services.random,
                   {reinterpret_cast<std::uint8_t*>(body.data()), body.size()});
    return body;
  });
}

void Client::put_blob_in_place(const std::string& blob_id, std::string buffer, Callback<Done> done) {
  WipeUnlessSealed wipe{buffer};
  put_sealed_blob(impl_, blob_id, std::move(done), [&](const BlobKey& key) {
    if (buffer.size() < kBlobOverhead) {
      throw Error(ErrorKind::invalid_input, "an in-place blob buffer is the blob's size + 40 bytes", "buffer");
    }
    const std::span<std::uint8_t> whole(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size());
    seal_blob_into(key, blob_id, whole.subspan(kBlobOffset, whole.size() - kBlobOverhead), impl_->services.random,
                   whole);
    wipe.sealed = true;
    return std::move(buffer);
  });
}

void Client::get_blob(const std::string& blob_id, Callback<Bytes> done) {
  get_sealed_blob(impl_, blob_id, std::move(done),
                  [](const BlobKey& key, const std::string& id, std::string sealed, bool streamed) {
                    if (streamed) return open_blob_stream(key, id, as_bytes(sealed));
                    return open_blob(key, id, as_bytes(sealed));
                  });
}

void Client::get_blob_in_place(const std::string& blob_id, Callback<OpenedBlob> done) {
  get_sealed_blob(impl_, blob_id, std::move(done),
                  [](const BlobKey& key, const std::string& id, std::string sealed, bool streamed) {
                    if (streamed) return open_blob_stream_whole(key, id, as_bytes(sealed));
                    return open_blob_in_place(key, id, std::move(sealed));
                  });
}

void Client::delete_blob(const std::string& blob_id, Callback<Done> done) {
  auto self = impl_;
  if (auto error = self->require_session()) return done(*error);
  std::string path;
  try {
    path = blob_path(blob_id);
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed(self->request("DELETE", path), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

}  // namespace synckit
