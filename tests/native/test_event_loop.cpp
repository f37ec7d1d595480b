// EventLoop: FIFO for immediate tasks, due order for delayed ones, posting from tasks and threads,
// dropping on destruction, and surviving tasks that throw.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "synckit/native/event_loop.hpp"

using namespace std::chrono_literals;
using synckit::native::EventLoop;

namespace {

using SteadyClock = std::chrono::steady_clock;

// Posts a task that fulfils a promise and waits (bounded) for it: every task posted before it with
// no later due time has run by then.
bool drain(EventLoop& loop, std::chrono::milliseconds delay = 0ms) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> ready = done->get_future();
  loop.post(delay, [done] { done->set_value(); });
  return ready.wait_for(5s) == std::future_status::ready;
}

}  // namespace

TEST_CASE("event loop: immediate tasks run in the order they were posted", "[event_loop]") {
  EventLoop loop;
  std::vector<int> order;  // touched only on the loop thread until drain() returns
  for (int i = 0; i < 200; ++i) loop.post(0ms, [&order, i] { order.push_back(i); });
  REQUIRE(drain(loop));
  REQUIRE(order.size() == 200);
  for (int i = 0; i < 200; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("event loop: delayed tasks run after their delay, in due order", "[event_loop]") {
  EventLoop loop;
  struct Run {
    std::string name;
    std::chrono::milliseconds waited;
  };
  std::vector<Run> runs;
  const auto start = SteadyClock::now();
  const auto record = [&runs, start](std::string name) {
    return [&runs, start, name] {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
      runs.push_back({name, waited});
    };
  };
  loop.post(150ms, record("c"));
  loop.post(50ms, record("a"));
  loop.post(100ms, record("b"));
  loop.post(0ms, record("now"));
  loop.post(-5ms, record("negative"));  // counts as 0
  REQUIRE(drain(loop, 200ms));
  REQUIRE(runs.size() == 5);
  CHECK(runs[0].name == "now");
  CHECK(runs[1].name == "negative");
  CHECK(runs[2].name == "a");
  CHECK(runs[2].waited >= 50ms);
  CHECK(runs[3].name == "b");
  CHECK(runs[3].waited >= 100ms);
  CHECK(runs[4].name == "c");
  CHECK(runs[4].waited >= 150ms);
}

TEST_CASE("event loop: a task can post, and the new task runs after it returns", "[event_loop]") {
  EventLoop loop;
  std::vector<std::string> order;
  loop.post(0ms, [&] {
    loop.post(0ms, [&] { order.push_back("inner"); });
    loop.post(20ms, [&] { order.push_back("inner delayed"); });
    order.push_back("outer done");
  });
  REQUIRE(drain(loop, 60ms));
  CHECK(order == std::vector<std::string>{"outer done", "inner", "inner delayed"});
}

TEST_CASE("event loop: on_loop_thread is true only inside tasks", "[event_loop]") {
  EventLoop loop;
  CHECK_FALSE(loop.on_loop_thread());
  std::atomic<bool> inside{false};
  loop.post(0ms, [&] { inside = loop.on_loop_thread(); });
  REQUIRE(drain(loop));
  CHECK(inside);
}

TEST_CASE("event loop: posts from many threads each run once", "[event_loop]") {
  EventLoop loop;
  std::atomic<int> count{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 500; ++i) loop.post(std::chrono::milliseconds(i % 3), [&] { ++count; });
    });
  }
  for (auto& poster : posters) poster.join();
  REQUIRE(drain(loop, 10ms));
  CHECK(count == 2000);
}

TEST_CASE("event loop: destruction drops tasks not yet run, without running them", "[event_loop]") {
  std::atomic<int> ran{0};
  auto witness = std::make_shared<int>(0);  // captured by the dropped tasks
  {
    EventLoop loop;
    std::promise<void> started;
    loop.post(0ms, [&] {
      started.set_value();
      std::this_thread::sleep_for(100ms);  // the destructor starts while this runs
      ++ran;
    });
    started.get_future().wait();
    for (int i = 0; i < 10; ++i) loop.post(0ms, [&ran, witness] { ran += 100; });
    loop.post(1h, [&ran, witness] { ran += 1000; });
    CHECK(witness.use_count() == 12);
  }
  CHECK(ran == 1);                   // the running task finished; none of the others ran
  CHECK(witness.use_count() == 1);   // and the dropped ones were destroyed
}

TEST_CASE("event loop: a throwing task does not stop later ones", "[event_loop]") {
  std::vector<std::string> errors;  // the hook runs on the loop thread
  EventLoop loop([&errors](std::exception_ptr error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      errors.emplace_back(e.what());
    } catch (...) {
      errors.emplace_back("unknown");
    }
  });
  std::vector<int> ran;
  loop.post(0ms, [&] { ran.push_back(1); });
  loop.post(0ms, [] { throw std::runtime_error("boom"); });
  loop.post(0ms, [] { throw 42; });
  loop.post(0ms, [&] { ran.push_back(2); });
  REQUIRE(drain(loop));
  CHECK(ran == std::vector<int>{1, 2});
  CHECK(errors == std::vector<std::string>{"boom", "unknown"});
}

TEST_CASE("event loop: without a hook, exceptions are ignored", "[event_loop]") {
  EventLoop loop;
  std::atomic<bool> after{false};
  loop.post(0ms, [] { throw std::runtime_error("ignored"); });
  loop.post(0ms, [&] { after = true; });
  REQUIRE(drain(loop));
  CHECK(after);
}
