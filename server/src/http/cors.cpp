#include "http/cors.hpp"

#include <algorithm>

namespace synckit::server {

bool Cors::allowed(const std::string& origin) const {
  return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

void Cors::apply(const Request& req, Response& res) const {
  const std::string origin = req.get_header_value("Origin");
  if (!allowed(origin)) return;
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
  res.set_header("Access-Control-Expose-Headers", "Retry-After, Content-Range, X-SyncKit-Blob-Format");
}

bool Cors::answer_preflight(const Request& req, Response& res) const {
  if (req.method != "OPTIONS") return false;
  res.status = 204;
  if (allowed(req.get_header_value("Origin"))) {
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Range, X-SyncKit-Api-Key");
    res.set_header("Access-Control-Max-Age", "600");
  }
  return true;
}

}  // namespace synckit::server
