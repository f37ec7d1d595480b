// One HTTP request and its reply as route handlers see them: plain values, no sockets, so every
// handler is a function from a Request to a Response (the engine in net/ reads and writes them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "synckit/auth/url_encoding.hpp"

namespace synckit::server {

using Header = std::pair<std::string, std::string>;

// A parsed request. Header names compare case-insensitively; the path is percent-decoded and has
// no query; params are the decoded query in order.
struct Request {
  std::string method;                 // "GET", "POST", …
  std::string path;                   // "/v1/blobs/abc"
  std::vector<QueryParam> params;
  std::vector<Header> headers;
  std::string body;
  std::string remote_addr;            // the peer's IP address, as text
  std::vector<std::string> matches;   // set by the router: [0] the path, [1..] its captured segments
  std::chrono::steady_clock::time_point received_at{};  // when the header was complete
  bool resumed = false;               // a held request run again (woken, deadline or shutdown)
  bool final_attempt = false;         // its last run (deadline, shutdown): it must answer now

  // The first header `name` ("" when absent) and whether there is one.
  std::string get_header_value(std::string_view name) const;
  bool has_header(std::string_view name) const;
  // The first query parameter `name` ("" when absent) and whether there is one.
  std::string get_param_value(std::string_view name) const;
  bool has_param(std::string_view name) const;
};

// A request the handler wants to hold: the engine parks it (no thread) until `topic` is notified
// after `seen` (see live/wake_hub.hpp) or `until` passes, then runs the handler again; at
// `until` or on shutdown with final_attempt set, when the handler must answer.
struct Hold {
  std::string topic;
  std::uint64_t seen = 0;
  std::chrono::steady_clock::time_point until{};
};

// A reply body too large to hold (a streamed blob): the engine sends size() bytes, asking for
// them piece by piece on the worker pool (a piece may come from the database), so a reply holds one
// piece at a time. next() returns the following piece, empty only when size() bytes were given;
// it may throw (the blob went away): the engine then cuts the connection, so the client sees a
// body shorter than Content-Length, never a wrong one.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual std::uint64_t size() const = 0;
  virtual std::string next() = 0;
};

// The reply. status 0 means no handler answered (the engine answers 404).
struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
  std::shared_ptr<BodySource> stream;  // set instead of body: sent in pieces
  bool close = false;          // close the connection after this reply
  std::optional<Hold> hold;    // set instead of an answer: hold the request (then status stays 0)

  // Replaces header `name` (case-insensitive) or adds it.
  void set_header(std::string_view name, std::string value);
  std::string get_header_value(std::string_view name) const;
  void set_content(std::string content, std::string_view content_type);
};

// ASCII case-insensitive equality, for header names.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace synckit::server
