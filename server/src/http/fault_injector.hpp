// Test faults on purpose (--fault-rate, --fault-status): a share of sync and blob requests fail
// before touching the database, so clients' retry paths can be tested for real.
#pragma once

#include <optional>
#include <string_view>

namespace synckit::server {

class FaultInjector {
 public:
  FaultInjector(double rate, int status) : rate_(rate), status_(status) {}
  // The status to fail this request with, or nullopt to serve it. Only /v1/sync/ and /v1/blobs/.
  std::optional<int> pick(std::string_view path) const;

 private:
  double rate_;
  int status_;
};

}  // namespace synckit::server
