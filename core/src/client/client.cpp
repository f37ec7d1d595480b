#include "synckit/client/client.hpp"

#include "client/client_impl.hpp"
#include "synckit/net/url_policy.hpp"
#include "synckit/wire/error_body.hpp"
#include "synckit/wire/health.hpp"

namespace synckit {

Result<std::string> reply_body(Result<HttpResponse> result) {
  if (!result) return result.error();
  HttpResponse& response = result.value();
  if (response.status >= 200 && response.status < 300) return std::move(response.body);
  return wire::error_from_reply(response.status, response.body, response.header("Retry-After"));
}

bool is_transient_error(const Error& error) noexcept {
  switch (error.kind()) {
    case ErrorKind::network:
    case ErrorKind::rate_limited: return true;
    case ErrorKind::server_status: return error.status() == 0 || error.status() >= 500;
    default: return false;
  }
}

Client::Impl::Impl(ClientConfig client_config, ClientServices client_services)
    : config(std::move(client_config)),
      services(client_services),
      runner(services.transport, services.scheduler, services.clock, services.random, config.retry, config.log) {
  config.server_url = net::checked_server_url(config.server_url);
  if (config.api_key.empty()) throw Error(ErrorKind::invalid_input, "the API key is empty", "api_key");
  if (config.pull_limit < 1 || config.pull_limit > 1000) {
    throw Error(ErrorKind::invalid_input, "pull_limit must be 1..1000", "pull_limit");
  }
}

HttpRequest Client::Impl::request(std::string method, const std::string& path) const {
  return HttpRequest{std::move(method), config.server_url + path, {{"X-SyncKit-Api-Key", config.api_key}}, {}};
}

HttpRequest Client::Impl::json_request(std::string method, const std::string& path,
                                       const JsonValue& body) const {
  return json_text_request(std::move(method), path, dump_json(body));
}

HttpRequest Client::Impl::json_text_request(std::string method, const std::string& path, std::string body) const {
  HttpRequest out = request(std::move(method), path);
  out.headers.emplace_back("Content-Type", "application/json");
  out.body = std::move(body);
  return out;
}

void Client::Impl::send(HttpRequest request, std::function<void(Result<HttpResponse>)> done) {
  runner.run(std::move(request), [self = shared_from_this(), done = std::move(done)](Result<HttpResponse> r) {
    done(std::move(r));
  });
}

void Client::Impl::send_authed(HttpRequest request, std::function<void(Result<HttpResponse>)> done,
                               bool after_401) {
  auto self = shared_from_this();
  ensure_fresh_token(
      [self, request = std::move(request), done = std::move(done), after_401](std::optional<Error> error) mutable {
        if (error) return done(*error);
        HttpRequest authed = request;
        authed.headers.emplace_back("Authorization", "Bearer " + self->tokens->access_token);
        self->runner.run(std::move(authed), [self, request = std::move(request), done = std::move(done),
                                             after_401](Result<HttpResponse> result) mutable {
          if (!after_401 && result && result.value().status == 401) {
            // The token was refused (revoked, clock skew): refresh once and try again.
            self->access_claims.reset();
            return self->send_authed(std::move(request), std::move(done), true);
          }
          done(std::move(result));
        });
      },
      after_401);
}

void Client::Impl::send_authed_once(HttpRequest request, std::function<void(Result<HttpResponse>)> done) {
  auto self = shared_from_this();
  ensure_fresh_token([self, request = std::move(request), done = std::move(done)](std::optional<Error> error) mutable {
    if (error) return done(*error);
    request.headers.emplace_back("Authorization", "Bearer " + self->tokens->access_token);
    self->runner.run(std::move(request), std::move(done));
  });
}

void Client::Impl::probe_live_pull(std::shared_ptr<CancelSignal> cancel, std::function<void(Result<bool>)> done) {
  HttpRequest health = request("GET", "/v1/health");
  health.cancel = std::move(cancel);
  send(std::move(health), [done = std::move(done)](Result<HttpResponse> result) {
    if (!result) return done(result.error());
    try {
      done(result.value().status == 200 && wire::parse_health_text(result.value().body).has_feature("live_pull"));
    } catch (const Error&) {
      done(false);
    }
  });
}

Client::Client(ClientConfig config, ClientServices services)
    : impl_(std::make_shared<Impl>(std::move(config), services)) {}

Client::~Client() = default;

}  // namespace synckit
