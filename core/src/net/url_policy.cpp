#include "synckit/net/url_policy.hpp"

#include <algorithm>

#include "synckit/error.hpp"

namespace synckit::net {
namespace {

constexpr std::string_view kHttps = "https://", kHttp = "http://";

bool is_octet(std::string_view text) noexcept {
  if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int value = 0;
  for (const char c : text) value = value * 10 + (c - '0');
  return value <= 255;
}

}  // namespace

bool is_loopback_host(std::string_view host) noexcept {
  if (host == "localhost" || host == "[::1]") return true;
  int octets = 0;
  for (std::size_t start = 0; start <= host.size(); ++octets) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view octet = host.substr(start, end - start);
    if (!is_octet(octet) || (octets == 0 && octet != "127")) return false;
    start = end + 1;
  }
  return octets == 4;
}

std::string_view url_host(std::string_view url) noexcept {
  std::string_view rest;
  if (url.rfind(kHttps, 0) == 0) {
    rest = url.substr(kHttps.size());
  } else if (url.rfind(kHttp, 0) == 0) {
    rest = url.substr(kHttp.size());
  } else {
    return {};
  }
  const std::string_view authority = rest.substr(0, std::min(rest.find('/'), rest.find('?')));
  if (authority.empty() || authority.front() != '[') return authority.substr(0, authority.find(':'));
  const auto close = authority.find(']');
  return close == std::string_view::npos ? std::string_view() : authority.substr(0, close + 1);
}

bool is_allowed_url(std::string_view url) noexcept {
  const std::string_view host = url_host(url);
  if (host.empty() || host.find('@') != std::string_view::npos) return false;
  return url.rfind(kHttps, 0) == 0 || is_loopback_host(host);
}

std::string checked_server_url(std::string url) {
  if (!is_allowed_url(url)) {
    throw Error(ErrorKind::invalid_input, "the server URL must be https:// (http:// only for loopback hosts)",
                "server_url");
  }
  while (url.back() == '/') url.pop_back();
  return url;
}

}  // namespace synckit::net
