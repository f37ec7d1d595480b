#include "synckit/web/web_scheduler.hpp"

#include <emscripten/console.h>
#include <emscripten/eventloop.h>

namespace synckit::web {

struct WebScheduler::Timer {
  WebScheduler* owner = nullptr;
  long id = 0;
  std::function<void()> task;
};

WebScheduler::WebScheduler() = default;

WebScheduler::~WebScheduler() {
  for (auto& [timer, owned] : timers_) emscripten_clear_timeout(timer->id);
}

void WebScheduler::post(std::chrono::milliseconds delay, std::function<void()> task) {
  auto timer = std::make_unique<Timer>();
  timer->owner = this;
  timer->task = std::move(task);
  Timer* raw = timer.get();
  const double ms = delay.count() > 0 ? static_cast<double>(delay.count()) : 0.0;
  raw->id = emscripten_set_timeout(&WebScheduler::fire, ms, raw);
  timers_.emplace(raw, std::move(timer));
}

void WebScheduler::fire(void* raw) {
  auto* timer = static_cast<Timer*>(raw);
  WebScheduler* owner = timer->owner;
  auto node = owner->timers_.extract(timer);
  if (node.empty()) return;
  std::function<void()> task = std::move(node.mapped()->task);
  node = {};  // the timer is gone before the task runs (it may post again or destroy the owner)
  try {
    task();
  } catch (...) {
    // The core reports failures through callbacks; nothing may unwind into the JS event loop.
    emscripten_console_error("synckit: a scheduled task threw");
  }
}

}  // namespace synckit::web
