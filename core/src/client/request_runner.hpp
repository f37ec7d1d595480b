// One HTTP exchange with the retry policy applied: transient failures (network, 5xx, 429) are
// retried with backoff on the Scheduler; the final response (any status) or a network Error is
// handed back. Private to the core.
#pragma once

#include <functional>

#include "synckit/client/result.hpp"
#include "synckit/client/scheduler.hpp"
#include "synckit/client/transport.hpp"
#include "synckit/clock.hpp"
#include "synckit/net/retry_policy.hpp"
#include "synckit/random.hpp"

namespace synckit::detail {

class RequestRunner {
 public:
  using Log = std::function<void(std::string_view line)>;

  RequestRunner(Transport& transport, Scheduler& scheduler, const Clock& clock, RandomSource& random,
                net::RetryPolicy policy, Log log);

  // Sends `request` until it gets a response that is not transient, or retries run out. `done`
  // gets that response, or Error{network} when the transport never delivered one.
  void run(HttpRequest request, std::function<void(Result<HttpResponse>)> done);

 private:
  struct Attempt;
  Transport& transport_;
  Scheduler& scheduler_;
  const Clock& clock_;
  RandomSource& random_;
  net::RetryPolicy policy_;
  Log log_;
};

}  // namespace synckit::detail
