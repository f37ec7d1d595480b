// Blobs: sealed on the device (40 bytes of overhead), sent as raw bytes.
#include "client/client_impl.hpp"
#include "synckit/crypto/blob.hpp"
#include "synckit/ids.hpp"

namespace synckit {
namespace {

std::string blob_path(const std::string& blob_id) {
  if (!is_valid_blob_id(blob_id)) {
    throw Error(ErrorKind::invalid_input, "a blob id is 1..128 characters of [A-Za-z0-9_-]", "blob_id");
  }
  return "/v1/blobs/" + blob_id;
}

}  // namespace

void Client::put_blob(const std::string& blob_id, ByteView bytes, Callback<Done> done) {
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  HttpRequest request;
  try {
    request = self->request("PUT", blob_path(blob_id));
    // Sealed straight into the body (moved, not copied, into the request): no second sealed copy.
    std::string body(bytes.size() + kBlobOverhead, '\0');
    seal_blob_into(self->keys->blob, blob_id, bytes, self->services.random,
                   {reinterpret_cast<std::uint8_t*>(body.data()), body.size()});
    request.body = std::move(body);
    request.headers.emplace_back("Content-Type", "application/octet-stream");
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed(std::move(request), [done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      reply_body(std::move(result)).value();
      return Done{};
    });
  });
}

void Client::get_blob(const std::string& blob_id, Callback<Bytes> done) {
  auto self = impl_;
  if (auto error = self->require_keys()) return done(*error);
  std::string path;
  try {
    path = blob_path(blob_id);
  } catch (const Error& e) {
    return done(e);
  }
  self->send_authed(self->request("GET", path), [self, blob_id, done](Result<HttpResponse> result) {
    Impl::deliver(done, [&] {
      const std::string sealed = reply_body(std::move(result)).value();
      if (!self->keys) throw Error(ErrorKind::not_set_up, "the client logged out during the download");
      return open_blob(self->keys->blob, blob_id, as_bytes(sealed));
    });
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
