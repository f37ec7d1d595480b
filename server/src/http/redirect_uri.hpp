// Registered OAuth redirect URIs: which may be registered, and which requested URI a registered one
// admits (RFC 6749 §10.6, RFC 9700 §4.1: exact comparison; RFC 8252 §7.3: any port on loopback).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace synckit::server {

// Why `uri` cannot be registered (nullopt: it can). Registrable: https://HOST/…, http://127.0.0.1
// or http://[::1] (any port) and private-use schemes with a dot (com.example.app:/cb); absolute,
// no fragment, no whitespace or control bytes, no "." or ".." path segments, at most 2048 bytes.
std::optional<std::string> redirect_uri_problem(std::string_view uri);

// True when `requested` equals `registered` byte for byte or, for a loopback `registered`
// (http://127.0.0.1 or http://[::1]), differs from it only in the port.
bool redirect_uri_matches(std::string_view registered, std::string_view requested);

// True when one of `registered` matches `requested`.
bool is_registered_redirect(const std::vector<std::string>& registered, std::string_view requested);

// The host a redirect URI sends the browser to, for the sign-in page ("127.0.0.1:5555",
// "app.example.com"); for a private-use scheme, the scheme ("com.example.app").
std::string redirect_uri_destination(std::string_view uri);

}  // namespace synckit::server
