// Routes: a method and a path pattern to a handler. A pattern is a literal path in which a segment
// "*" matches one non-empty segment without '/', captured into Request::matches.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace synckit::server {

using Handler = std::function<void(const Request&, Response&)>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  void get(std::string pattern, Handler handler) { add("GET", std::move(pattern), std::move(handler)); }
  void post(std::string pattern, Handler handler) { add("POST", std::move(pattern), std::move(handler)); }
  void put(std::string pattern, Handler handler) { add("PUT", std::move(pattern), std::move(handler)); }
  void del(std::string pattern, Handler handler) { add("DELETE", std::move(pattern), std::move(handler)); }

  // Runs the handler of the first route matching req's method and path (setting req.matches);
  // false when none matches (the response is left untouched).
  bool dispatch(Request& req, Response& res) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // the pattern split at '/'
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace synckit::server
