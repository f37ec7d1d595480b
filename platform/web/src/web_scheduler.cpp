#include "synckit/web/web_scheduler.hpp"

#include <emscripten/console.h>
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>

// post() with no delay: one macrotask per batch, not clamped. (Browsers clamp setTimeout(0) to
// 4 ms once timers nest five deep, which any awaited chain of SDK calls does.) A MessageChannel in
// pages and workers, setImmediate in Node; a queue per module instance, cancellable by timer.
EM_JS(void, synckit_web_post_immediate, (void* timer), {
  var q = Module.synckitImmediates;
  if (!q) {
    q = Module.synckitImmediates = { tasks: [], scheduled: false };
    var drain = function() {
      q.scheduled = false;
      for (var n = q.tasks.length; n > 0; n--) {
        var next = q.tasks.shift();
        if (next) _synckit_web_run_immediate(next);
      }
    };
    if (typeof setImmediate == 'function') {
      q.schedule = function() { setImmediate(drain); };
    } else {
      var channel = new MessageChannel();
      channel.port1.onmessage = drain;
      q.schedule = function() { channel.port2.postMessage(0); };
    }
  }
  q.tasks.push(timer);
  if (!q.scheduled) {
    q.scheduled = true;
    q.schedule();
  }
});

EM_JS(void, synckit_web_cancel_immediate, (void* timer), {
  var q = Module.synckitImmediates;
  var at = q ? q.tasks.indexOf(timer) : -1;
  if (at >= 0) q.tasks[at] = 0;
});

extern "C" EMSCRIPTEN_KEEPALIVE void synckit_web_run_immediate(void* timer) {
  synckit::web::WebScheduler::fire(timer);
}

namespace synckit::web {

struct WebScheduler::Timer {
  WebScheduler* owner = nullptr;
  bool immediate = false;  // queued by synckit_web_post_immediate, not a setTimeout
  long id = 0;             // the setTimeout id
  std::function<void()> task;
};

WebScheduler::WebScheduler() = default;

WebScheduler::~WebScheduler() {
  for (auto& [timer, owned] : timers_) {
    if (timer->immediate) {
      synckit_web_cancel_immediate(timer);
    } else {
      emscripten_clear_timeout(timer->id);
    }
  }
}

void WebScheduler::post(std::chrono::milliseconds delay, std::function<void()> task) {
  auto timer = std::make_unique<Timer>();
  timer->owner = this;
  timer->task = std::move(task);
  Timer* raw = timer.get();
  timers_.emplace(raw, std::move(timer));
  if (delay.count() > 0) {
    raw->id = emscripten_set_timeout(&WebScheduler::fire, static_cast<double>(delay.count()), raw);
  } else {
    raw->immediate = true;
    synckit_web_post_immediate(raw);
  }
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
