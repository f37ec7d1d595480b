// Blobs: sealed on the device (40 bytes of overhead), sent as raw bytes.
#include "client/client_impl.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/ids.hpp"
#include "synckit/secret.hpp"

namespace synckit {
namespace {

std::string blob_path(const std::string& blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return "/v1/blobs/" + blob_id;
}

// Sends a sealed blob body as the PUT of `blob_id`; `done` gets the outcome.
void send_sealed_blob(const std::shared_ptr<Client::Impl>& self, HttpRequest request, std::string body,
                      Callback<Done> done) {
  request.body = std::move(body);  // moved, not copied: the request's shares point at this one string
  request.headers.emplace_back("Content-Type", "application/octet-stream");
  self->send_authed(std::move(request), [done](Result<HttpResponse> result) {
    Client::Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

// GETs the sealed blob `blob_id` and hands it to open(blob key, blob id, sealed body); `done` gets
// what open returns, or the error.
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
      std::string sealed = reply_body(std::move(result)).value();
      if (!self->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the download");
      return open(self->keys->blob, blob_id, std::move(sealed));
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
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  HttpRequest request;
  std::string body;
  try {
    request = self->request("PUT", blob_path(blob_id));
    // Sealed straight into the body: no second sealed copy.
    body.assign(bytes.size() + kBlobOverhead, '\0');
    seal_blob_into(self->keys->blob, blob_id, bytes, self->services.random,
                   {reinterpret_cast<std::uint8_t*>(body.data()), body.size()});
  } catch (const Error& e) {
    return done(e);
  }
  send_sealed_blob(self, std::move(request), std::move(body), std::move(done));
}

void Client::put_blob_in_place(const std::string& blob_id, std::string buffer, Callback<Done> done) {
  WipeUnlessSealed wipe{buffer};
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  HttpRequest request;
  try {
    if (buffer.size() < kBlobOverhead) {
      throw Error(ErrorKind::invalid_input, "an in-place blob buffer is the blob's size + 40 bytes", "buffer");
    }
    request = self->request("PUT", blob_path(blob_id));
    const std::span<std::uint8_t> whole(reinterpret_cast<std::uint8_t*>(buffer.data()), buffer.size());
    seal_blob_into(self->keys->blob, blob_id, whole.subspan(kBlobOffset, whole.size() - kBlobOverhead),
                   self->services.random, whole);
    wipe.sealed = true;
  } catch (const Error& e) {
    return done(e);
  }
  send_sealed_blob(self, std::move(request), std::move(buffer), std::move(done));
}

void Client::get_blob(const std::string& blob_id, Callback<Bytes> done) {
  get_sealed_blob(impl_, blob_id, std::move(done), [](const BlobKey& key, const std::string& id, std::string sealed) {
    return open_blob(key, id, as_bytes(sealed));
  });
}

void Client::get_blob_in_place(const std::string& blob_id, Callback<OpenedBlob> done) {
  get_sealed_blob(impl_, blob_id, std::move(done), [](const BlobKey& key, const std::string& id, std::string sealed) {
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
