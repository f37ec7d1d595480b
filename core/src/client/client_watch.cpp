// Client::watch: pull, deliver, pull again; live pulls when the server serves them.
#include <atomic>
#include <mutex>

#include "client/client_impl.hpp"

namespace synckit {
namespace {

// One watch; Page is PullResult or PlaintextPullResult.
template <class Page>
class WatchLoop final : public Watch, public std::enable_shared_from_this<WatchLoop<Page>> {
 public:
  WatchLoop(std::shared_ptr<Client::Impl> impl, std::string device_id, std::int64_t cursor, WatchOptions options,
            std::function<void(Result<Page>)> on_page)
      : impl_(std::move(impl)),
        device_id_(std::move(device_id)),
        cursor_(cursor),
        options_(std::move(options)),
        on_page_(std::move(on_page)),
        backoff_(options_.first_backoff) {}

  void start() { probe(); }

  void stop() override {
    stopped_ = true;
    std::shared_ptr<CancelSignal> cancel;
    {
      const std::lock_guard lock(mutex_);
      cancel = cancel_;
    }
    if (cancel) cancel->cancel();
  }

  bool stopped() const override { return stopped_; }

 private:
  // Does the server hold pulls (protocol 1.1 live pull)? Asked once, before the first pull.
  void probe() {
    if (stopped_) return;
    auto self = this->shared_from_this();
    impl_->probe_live_pull(fresh_cancel(), [self](Result<bool> live) {
      if (self->stopped_) return;
      if (!live) return self->retry_later(live.error(), &WatchLoop::probe);
      self->live_ = live.value();
      self->next();
    });
  }

  void next() {
    if (stopped_) return;
    auto self = this->shared_from_this();
    const PullOptions options{live_ ? options_.wait_seconds : 0, fresh_cancel()};
    const auto asked_at = impl_->services.clock.now();
    Client::Impl::pull_pages<Page>(impl_, device_id_, cursor_, options, [self, asked_at](Result<Page> result) {
      self->on_pull(std::move(result), asked_at);
    });
  }

  void on_pull(Result<Page> result, SystemTime asked_at) {
    if (stopped_) return;
    if (!result) {
      if (is_transient_error(result.error())) return retry_later(result.error(), &WatchLoop::next);
      stopped_ = true;
      return on_page_(result.error());
    }
    backoff_ = options_.first_backoff;
    Page page = std::move(result.value());
    const bool news = !page.changes.empty() || page.cursor != cursor_;
    const bool more = page.has_more;
    cursor_ = page.cursor;
    if (news) on_page_(std::move(page));
    if (stopped_) return;
    if (more) return next();
    // A live pull that came back empty at once (the server ended its wait early): pause a
    // little so a server that never holds cannot make this loop spin.
    const bool early = impl_->services.clock.now() - asked_at < std::chrono::seconds(1);
    std::chrono::milliseconds delay{0};
    if (!live_) {
      delay = options_.poll_interval;
    } else if (!news && early) {
      delay = options_.first_backoff;
    }
    schedule(delay, &WatchLoop::next);
  }

  void retry_later(const Error& error, void (WatchLoop::*step)()) {
    if (options_.on_retry) options_.on_retry(error);
    const auto delay = backoff_;
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
    schedule(delay, step);
  }

  void schedule(std::chrono::milliseconds delay, void (WatchLoop::*step)()) {
    auto self = this->shared_from_this();
    impl_->services.scheduler.post(delay, [self, step] { ((*self).*step)(); });
  }

  std::shared_ptr<CancelSignal> fresh_cancel() {
    const std::lock_guard lock(mutex_);
    cancel_ = std::make_shared<CancelSignal>();
    if (stopped_) cancel_->cancel();
    return cancel_;
  }

  std::shared_ptr<Client::Impl> impl_;
  const std::string device_id_;
  std::int64_t cursor_;
  const WatchOptions options_;
  std::function<void(Result<Page>)> on_page_;
  std::chrono::milliseconds backoff_;
  bool live_ = false;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;  // guards cancel_ (stop() may come from another thread)
  std::shared_ptr<CancelSignal> cancel_;
};

template <class Page>
std::shared_ptr<Watch> start_watch(const std::shared_ptr<Client::Impl>& impl, const std::string& device_id,
                                   std::int64_t cursor, WatchOptions options, std::function<void(Result<Page>)> on_page) {
  if (options.wait_seconds < 1 || options.wait_seconds > kMaxPullWaitSeconds) {
    throw Error(ErrorKind::invalid_input, "a watch's wait is 1..60 seconds", "wait_seconds");
  }
  if (!on_page) throw Error(ErrorKind::invalid_input, "a watch needs a page callback", "on_page");
  auto loop = std::make_shared<WatchLoop<Page>>(impl, device_id, cursor, std::move(options), std::move(on_page));
  loop->start();
  return loop;
}

}  // namespace

std::shared_ptr<Watch> Client::watch(const std::string& device_id, std::int64_t cursor, WatchOptions options,
                                     std::function<void(Result<PullResult>)> on_page) {
  return start_watch<PullResult>(impl_, device_id, cursor, std::move(options), std::move(on_page));
}

std::shared_ptr<Watch> Client::watch_plaintexts(const std::string& device_id, std::int64_t cursor,
                                                WatchOptions options,
                                                std::function<void(Result<PlaintextPullResult>)> on_page) {
  return start_watch<PlaintextPullResult>(impl_, device_id, cursor, std::move(options), std::move(on_page));
}

}  // namespace synckit
