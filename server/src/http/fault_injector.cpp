#include "http/fault_injector.hpp"

#include <sodium.h>

namespace synckit::server {

std::optional<int> FaultInjector::pick(std::string_view path) const {
  if (rate_ <= 0) return std::nullopt;
  if (path.rfind("/v1/sync/", 0) != 0 && path.rfind("/v1/blobs/", 0) != 0) return std::nullopt;
  const double draw = randombytes_random() / 4294967296.0;  // uniform in [0, 1)
  if (draw >= rate_) return std::nullopt;
  return status_;
}

}  // namespace synckit::server
