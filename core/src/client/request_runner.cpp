#include "client/request_runner.hpp"

#include <memory>
#include <string>

namespace synckit::detail {

// The state of one logical request across its tries; kept alive by the callbacks that hold it.
struct RequestRunner::Attempt : std::enable_shared_from_this<Attempt> {
  Attempt(RequestRunner& owner, HttpRequest req, std::function<void(Result<HttpResponse>)> callback)
      : runner(owner),
        request(std::move(req)),
        schedule(owner.policy_, owner.clock_, owner.random_),
        done(std::move(callback)) {}

  void start() {
    if (cancelled()) return done(cancelled_error());
    auto self = shared_from_this();
    runner.transport_.send(request, [self](TransportResult result) { self->finished(std::move(result)); });
  }

  bool cancelled() const { return request.cancel && request.cancel->cancelled(); }
  static Error cancelled_error() { return Error(ErrorKind::cancelled, "the request was cancelled"); }

  // "POST /v1/sync/push": the method and the path, never the query.
  std::string what() const {
    const auto scheme_end = request.url.find("://");
    const auto path_start = request.url.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    const std::string path = path_start == std::string::npos ? "/" : request.url.substr(path_start);
    return request.method + " " + path.substr(0, path.find('?'));
  }

  void log(const std::string& line) const {
    if (runner.log_) runner.log_(line);
  }

  void finished(TransportResult result) {
    log(what() + " -> " + (result.response ? std::to_string(result.response->status)
                                           : std::string(transport_failure_name(result.failure))));
    if (cancelled()) return done(cancelled_error());
    const net::AttemptOutcome outcome =
        result.response ? net::AttemptOutcome::http(result.response->status, retry_after(*result.response))
                        : net::AttemptOutcome::network();
    const bool may_retry = result.response ? true : is_retryable(result.failure);
    const auto delay = may_retry ? schedule.next_delay(outcome) : std::nullopt;
    if (delay) {
      log(what() + ": retry " + std::to_string(schedule.retries()) + " in " + std::to_string(delay->count()) + " ms");
      auto self = shared_from_this();
      runner.scheduler_.post(*delay, [self] { self->start(); });
      return;
    }
    if (result.response) {
      done(std::move(*result.response));
    } else {
      done(Error(ErrorKind::network, std::string(transport_failure_name(result.failure)) +
                                         (result.detail.empty() ? "" : ": " + result.detail)));
    }
  }

  static std::optional<std::string> retry_after(const HttpResponse& response) {
    const auto value = response.header("Retry-After");
    return value ? std::optional<std::string>(std::string(*value)) : std::nullopt;
  }

  RequestRunner& runner;
  HttpRequest request;
  net::RetrySchedule schedule;
  std::function<void(Result<HttpResponse>)> done;
};

RequestRunner::RequestRunner(Transport& transport, Scheduler& scheduler, const Clock& clock, RandomSource& random,
                             net::RetryPolicy policy, Log log)
    : transport_(transport),
      scheduler_(scheduler),
      clock_(clock),
      random_(random),
      policy_(policy),
      log_(std::move(log)) {}

void RequestRunner::run(HttpRequest request, std::function<void(Result<HttpResponse>)> done) {
  std::make_shared<Attempt>(*this, std::move(request), std::move(done))->start();
}

}  // namespace synckit::detail
