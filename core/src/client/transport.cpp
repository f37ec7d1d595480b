#include "synckit/client/transport.hpp"

#include <algorithm>
#include <cctype>

namespace synckit {

std::optional<std::string_view> HttpResponse::header(std::string_view name) const {
  const auto same = [name](const std::string& candidate) {
    return candidate.size() == name.size() &&
           std::equal(candidate.begin(), candidate.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  };
  for (const auto& [key, value] : headers) {
    if (same(key)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view transport_failure_name(TransportFailure failure) noexcept {
  switch (failure) {
    case TransportFailure::connection: return "connection";
    case TransportFailure::timeout: return "timeout";
    case TransportFailure::tls: return "tls";
    case TransportFailure::too_large: return "too_large";
    case TransportFailure::invalid_request: return "invalid_request";
    case TransportFailure::cancelled: return "cancelled";
  }
  return "connection";
}

bool is_retryable(TransportFailure failure) noexcept {
  return failure == TransportFailure::connection || failure == TransportFailure::timeout;
}

}  // namespace synckit
