// Cross-origin browser use for configured origins (exact match, e.g. "https://app.example").
#pragma once

#include <string>
#include <vector>

#include "http/router.hpp"

namespace synckit::server {

class Cors {
 public:
  explicit Cors(std::vector<std::string> origins) : origins_(std::move(origins)) {}
  // Adds Access-Control-Allow-Origin (and Vary, Expose-Headers) when the Origin is configured.
  void apply(const Request& req, Response& res) const;
  // Answers an OPTIONS preflight (204, with the allowed methods and headers when the origin is
  // configured). Returns true when the request was a preflight.
  bool answer_preflight(const Request& req, Response& res) const;

 private:
  bool allowed(const std::string& origin) const;
  std::vector<std::string> origins_;
};

}  // namespace synckit::server
