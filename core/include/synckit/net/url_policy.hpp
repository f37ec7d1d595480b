// Which server URLs SyncKit talks to: https://, or http:// only when the host is loopback
// (localhost, [::1], 127.0.0.0/8). Shared by the client and the platform transports.
#pragma once

#include <string>
#include <string_view>

namespace synckit::net {

// localhost, [::1], or a dotted-quad IPv4 address in 127.0.0.0/8.
bool is_loopback_host(std::string_view host) noexcept;
// The host of "http(s)://host[:port][/…]" ("[::1]" keeps its brackets); empty for anything else.
std::string_view url_host(std::string_view url) noexcept;
// https:// with a host, or http:// with a loopback host.
bool is_allowed_url(std::string_view url) noexcept;
// The URL less trailing slashes; throws Error{invalid_input} (field "server_url") when not allowed.
std::string checked_server_url(std::string url);

}  // namespace synckit::net
