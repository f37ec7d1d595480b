#include "http/router.hpp"

namespace synckit::server {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const auto slash = path.find('/', start);
    segments.emplace_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return segments;
    start = slash + 1;
  }
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
  routes_.push_back(Route{std::move(method), split_path(pattern), std::move(handler)});
}

bool Router::dispatch(Request& req, Response& res) const {
  const auto segments = split_path(req.path);
  for (const Route& route : routes_) {
    if (route.method != req.method || route.segments.size() != segments.size()) continue;
    std::vector<std::string> matches{req.path};
    bool matched = true;
    for (std::size_t i = 0; i < segments.size() && matched; ++i) {
      if (route.segments[i] == "*") {
        matched = !segments[i].empty();
        matches.push_back(segments[i]);
      } else {
        matched = route.segments[i] == segments[i];
      }
    }
    if (!matched) continue;
    req.matches = std::move(matches);
    route.handler(req, res);
    return true;
  }
  return false;
}

}  // namespace synckit::server
