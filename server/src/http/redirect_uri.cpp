#include "http/redirect_uri.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <vector>

namespace synckit::server {
namespace {

constexpr std::array<std::string_view, 2> kLoopbackPrefixes{"http://127.0.0.1", "http://[::1]"};

struct Loopback {
  std::string_view prefix;  // scheme and host
  std::string_view rest;    // what follows the port: empty or starting with '/' or '?'
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A port number as URIs write it: 1..65535 in decimal, no leading zero.
bool is_port(std::string_view digits) {
  return !digits.empty() && digits.size() <= 5 && digits.front() != '0' &&
         std::all_of(digits.begin(), digits.end(), is_digit) && std::stoul(std::string(digits)) <= 65535;
}

// A loopback redirect URI split around its optional port; nullopt for anything else.
std::optional<Loopback> split_loopback(std::string_view uri) {
  for (const std::string_view prefix : kLoopbackPrefixes) {
    if (uri.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = uri.substr(prefix.size());
    if (!rest.empty() && rest.front() == ':') {
      std::size_t digits = 1;
      while (digits < rest.size() && is_digit(rest[digits])) ++digits;
      if (!is_port(rest.substr(1, digits - 1))) return std::nullopt;
      rest = rest.substr(digits);
    }
    if (!rest.empty() && rest.front() != '/' && rest.front() != '?') return std::nullopt;
    return Loopback{prefix, rest};
  }
  return std::nullopt;
}

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// True when a segment of `path` (up to its query) is "." or "..", also percent-encoded.
bool has_dot_segment(std::string_view path) {
  path = path.substr(0, path.find('?'));
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string segment = lowered(path.substr(0, slash));
    if (segment == "." || segment == ".." || segment == "%2e" || segment == "%2e%2e" || segment == ".%2e" ||
        segment == "%2e.") {
      return true;
    }
    if (slash == std::string_view::npos) break;
    path = path.substr(slash + 1);
  }
  return false;
}

// An IPv6 address in its one canonical text form (RFC 5952, as inet_ntop writes it).
bool is_canonical_ipv6(std::string_view literal) {
  const std::string text(literal);
  in6_addr address{};
  if (::inet_pton(AF_INET6, text.c_str(), &address) != 1) return false;
  char canonical[INET6_ADDRSTRLEN] = {};
  return ::inet_ntop(AF_INET6, &address, canonical, sizeof canonical) != nullptr && text == canonical;
}

bool all_of_digits(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), is_digit); }

// A name of letters, digits and '-' in non-empty labels, or an IPv4 address in the dotted-quad
// form only: URL parsers read a host whose last label is a number ("27", "0x7f.1", "127.1") as an
// IPv4 address in one of its other forms, a second reading this rule must not allow.
bool is_plain_host(std::string_view host) {
  std::vector<std::string_view> labels;
  for (std::size_t start = 0;;) {
    const auto dot = host.find('.', start);
    labels.push_back(host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  for (const auto label : labels) {
    if (label.empty() || !std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        })) {
      return false;
    }
  }
  const std::string last = lowered(labels.back());
  const bool numeric = all_of_digits(last) || (last.size() > 2 && last.compare(0, 2, "0x") == 0 &&
                                               std::all_of(last.begin() + 2, last.end(), [](char c) {
                                                 return std::isxdigit(static_cast<unsigned char>(c));
                                               }));
  if (!numeric) return true;
  return labels.size() == 4 && std::all_of(labels.begin(), labels.end(), [](std::string_view label) {
           return all_of_digits(label) && label.size() <= 3 && (label.size() == 1 || label.front() != '0') &&
                  std::stoi(std::string(label)) <= 255;
         });
}

// host[:port] with a plain host (is_plain_host) or a bracketed canonical IPv6 literal, and a port
// 1..65535: one reading only, whoever parses it.
bool is_plain_authority(std::string_view authority) {
  std::string_view host = authority;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    if (!is_canonical_ipv6(host.substr(1, close - 1))) return false;
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!port.empty() && port.front() != ':') return false;
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) {
      port = host.substr(colon);
      host = host.substr(0, colon);
    }
    if (!is_plain_host(host)) return false;
  }
  if (port.empty()) return true;
  port.remove_prefix(1);
  return is_port(port);
}

// The authority of "scheme://authority/…" (without the "//"), and the path and query after it.
std::pair<std::string_view, std::string_view> split_authority(std::string_view after_scheme) {
  const std::string_view hier = after_scheme.substr(2);
  const auto end = std::min(hier.find('/'), hier.find('?'));
  if (end == std::string_view::npos) return {hier, {}};
  return {hier.substr(0, end), hier.substr(end)};
}

}  // namespace

std::optional<std::string> redirect_uri_problem(std::string_view uri) {
  if (uri.empty() || uri.size() > 2048) return "a redirect URI has 1..2048 bytes";
  if (std::any_of(uri.begin(), uri.end(), [](unsigned char c) { return c < 0x21 || c >= 0x7f; })) {
    return "a redirect URI is printable ASCII without spaces (percent-encode the rest)";
  }
  if (uri.find('#') != std::string_view::npos) return "a redirect URI has no fragment ('#')";
  const auto colon = uri.find(':');
  const std::string_view scheme = uri.substr(0, colon == std::string_view::npos ? 0 : colon);
  const bool scheme_ok = !scheme.empty() && scheme.front() >= 'a' && scheme.front() <= 'z' &&
                         std::all_of(scheme.begin(), scheme.end(), [](char c) {
                           return (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '-' || c == '.';
                         });
  if (!scheme_ok) return "a redirect URI starts with a lowercase scheme and ':' (https://…)";
  const std::string_view after_scheme = uri.substr(colon + 1);
  std::string_view path = after_scheme;
  if (scheme == "https" || scheme == "http") {
    if (after_scheme.substr(0, 2) != "//") return "an http(s) redirect URI is scheme://host/path";
    const auto [authority, rest] = split_authority(after_scheme);
    if (authority.empty() || authority.front() == ':') return "the redirect URI has no host";
    if (authority.find('@') != std::string_view::npos) return "a redirect URI carries no user name or password ('@')";
    if (!is_plain_authority(authority)) {
      return "a redirect URI's host is a name of letters, digits, '-' and '.', or an IP address, with an optional :port";
    }
    if (scheme == "http" && !split_loopback(uri)) {
      if (lowered(authority).rfind("localhost", 0) == 0) {
        return "use http://127.0.0.1 or http://[::1] rather than localhost (RFC 8252 section 8.3)";
      }
      return "http:// is only for loopback redirects (http://127.0.0.1:PORT/… or http://[::1]:PORT/…); use https://";
    }
    path = rest;
  } else if (scheme.find('.') == std::string_view::npos) {
    return "an app's own scheme is a reverse domain name with a dot (com.example.app:/callback, RFC 8252 section 7.1)";
  }
  if (has_dot_segment(path)) return "a redirect URI has no '.' or '..' path segments";
  return std::nullopt;
}

bool redirect_uri_matches(std::string_view registered, std::string_view requested) {
  if (registered == requested) return true;
  const auto want = split_loopback(registered);
  const auto got = split_loopback(requested);
  return want && got && want->prefix == got->prefix && want->rest == got->rest;
}

bool is_registered_redirect(const std::vector<std::string>& registered, std::string_view requested) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& uri) { return redirect_uri_matches(uri, requested); });
}

std::string redirect_uri_destination(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == std::string_view::npos) return std::string(uri);
  const std::string_view after_scheme = uri.substr(colon + 1);
  if (after_scheme.substr(0, 2) != "//") return std::string(uri.substr(0, colon));
  return std::string(split_authority(after_scheme).first);
}

}  // namespace synckit::server
