// WakeHub (live pull's wake-ups) and Router (the engine's routes), in-process.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "http/router.hpp"
#include "live/wake_hub.hpp"

using namespace synckit::server;

TEST_CASE("wake hub: a notify wakes the topic's waiters once, and only that topic's", "[live]") {
  WakeHub hub;
  int alice = 0;
  int bob = 0;
  const auto seen = hub.version("alice");
  hub.subscribe("alice", seen, [&] { ++alice; });
  hub.subscribe("alice", seen, [&] { ++alice; });
  hub.subscribe("bob", hub.version("bob"), [&] { ++bob; });
  CHECK(hub.waiting() == 3);
  hub.notify("alice");
  CHECK(alice == 2);
  CHECK(bob == 0);
  CHECK(hub.waiting() == 1);
  hub.notify("alice");  // fired wakers are gone
  CHECK(alice == 2);
  hub.notify_all();
  CHECK(bob == 1);
  CHECK(hub.waiting() == 0);
}

TEST_CASE("wake hub: a notify between reading the version and subscribing is not lost", "[live]") {
  WakeHub hub;
  const auto seen = hub.version("alice");  // the handler reads this, then looks in the database
  hub.notify("alice");                     // a push commits meanwhile
  int woken = 0;
  hub.subscribe("alice", seen, [&] { ++woken; });
  CHECK(woken == 1);  // at once
  CHECK(hub.waiting() == 0);
}

TEST_CASE("wake hub: cancel forgets a waiter that has not fired", "[live]") {
  WakeHub hub;
  int woken = 0;
  const auto id = hub.subscribe("alice", hub.version("alice"), [&] { ++woken; });
  CHECK(hub.cancel("alice", id));
  CHECK_FALSE(hub.cancel("alice", id));
  hub.notify("alice");
  CHECK(woken == 0);
}

TEST_CASE("wake hub: notify from many threads wakes every waiter exactly once", "[live]") {
  WakeHub hub;
  std::atomic<int> woken{0};
  for (int i = 0; i < 1000; ++i) hub.subscribe("u" + std::to_string(i % 10), 0, [&] { ++woken; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) hub.notify("u" + std::to_string(i));
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(woken == 1000);
  CHECK(hub.waiting() == 0);
}

TEST_CASE("router: literal paths and one-segment captures, by method", "[router]") {
  Router router;
  std::string hit;
  router.get("/v1/health", [&](const Request&, Response& res) { hit = "health", res.status = 200; });
  router.put("/v1/blobs/*", [&](const Request& req, Response&) { hit = "put " + req.matches[1]; });
  router.get("/v1/blobs/*", [&](const Request& req, Response&) { hit = "get " + req.matches[1]; });
  const auto route = [&](std::string method, std::string path) {
    Request req;
    req.method = std::move(method);
    req.path = std::move(path);
    Response res;
    hit.clear();
    return router.dispatch(req, res) ? hit : std::string("none");
  };
  CHECK(route("GET", "/v1/health") == "health");
  CHECK(route("POST", "/v1/health") == "none");
  CHECK(route("GET", "/v1/health/") == "none");
  CHECK(route("PUT", "/v1/blobs/photo-1") == "put photo-1");
  CHECK(route("GET", "/v1/blobs/photo-1") == "get photo-1");
  CHECK(route("GET", "/v1/blobs/") == "none");
  CHECK(route("GET", "/v1/blobs/a/b") == "none");
  CHECK(route("DELETE", "/v1/blobs/a") == "none");
}

TEST_CASE("message: header names compare without case; set_header replaces", "[router]") {
  Request req;
  req.headers = {{"X-SyncKit-Api-Key", "k1"}, {"x-synckit-api-key", "k2"}};
  req.params = {{"cursor", "5"}, {"cursor", "6"}};
  CHECK(req.get_header_value("x-SYNCKIT-api-KEY") == "k1");
  CHECK(req.has_header("X-Synckit-Api-Key"));
  CHECK_FALSE(req.has_header("Authorization"));
  CHECK(req.get_header_value("Authorization").empty());
  CHECK(req.get_param_value("cursor") == "5");
  CHECK_FALSE(req.has_param("Cursor"));
  Response res;
  res.set_header("Retry-After", "1");
  res.set_header("retry-after", "2");
  CHECK(res.headers.size() == 1);
  CHECK(res.get_header_value("RETRY-AFTER") == "2");
}
