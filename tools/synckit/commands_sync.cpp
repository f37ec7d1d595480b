// push (JSON lines in, cursor out) and pull (JSON lines out; resumes from the profile's cursor).
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "json_lines.hpp"
#include "session.hpp"
#include "stop_signal.hpp"
#include "synckit/error.hpp"
#include "synckit/native/system_clock.hpp"

namespace synckit::cli {
namespace {

constexpr std::chrono::milliseconds kFollowInterval{2000};  // polling, for a server without live pull
constexpr std::chrono::milliseconds kStopCheck{200};

std::int64_t parse_cursor(const std::string& text) {
  std::size_t used = 0;
  long long value = -1;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 0 || text.empty() || text[0] == '+' || text[0] == ' ') {
    throw UsageError("--cursor needs a non-negative integer");
  }
  return value;
}

// Pulls every page after `cursor`, printing each entry; saves the cursor after each page when
// `save`. Returns the new cursor, or nullopt when a stop request cut it short.
std::optional<std::int64_t> pull_pages(Session& session, native::Client& client, const std::string& device,
                                       std::int64_t cursor, bool save) {
  while (true) {
    const PullResult page = client.pull(device, cursor);
    for (const PulledEntry& entry : page.changes) print_line(pulled_entry_line(entry));
    const bool moved = page.cursor != cursor;
    cursor = page.cursor;
    if (save && moved) session.update([&](Profile& p) { p.cursor = cursor; });
    if (!page.has_more) return cursor;
    if (stop_requested()) return std::nullopt;
  }
}

}  // namespace

void push(const Invocation& in) {
  Session session(in.args);
  const Bytes input = read_input("-");
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  const auto changes = parse_change_lines(text, native::SystemClock().now());
  if (changes.empty()) {
    throw Error(ErrorKind::invalid_input, "no changes on standard input (one JSON object a line)");
  }
  const std::string device = session.device_id();
  native::Client& client = session.unlocked();
  const std::int64_t cursor = client.push(device, changes);
  session.check_saved();
  print_line(std::to_string(cursor));
}

void pull(const Invocation& in) {
  Session session(in.args);
  const auto flag = in.args.value("--cursor");
  const bool save = !flag;
  std::int64_t cursor = flag ? parse_cursor(*flag) : session.profile().cursor;
  const std::string device = session.device_id();
  native::Client& client = session.unlocked();
  if (!in.args.has("--follow")) {
    pull_pages(session, client, device, cursor, save);
    session.check_saved();
    return;
  }
  // --follow: a watch (live pulls, or polling every 2 s on a server without them) until SIGINT
  // or SIGTERM; pages are printed on the client's thread while this one waits for the signal.
  catch_stop_signals();
  std::mutex mutex;
  std::optional<Error> failure;
  WatchOptions options;
  options.poll_interval = kFollowInterval;
  auto watch = client.watch(
      device, cursor,
      [&](Result<PullResult> page) {
        try {
          const PullResult& result = page.value();
          for (const PulledEntry& entry : result.changes) print_line(pulled_entry_line(entry));
          if (save) session.update([&](Profile& p) { p.cursor = result.cursor; });
        } catch (const Error& e) {
          const std::lock_guard lock(mutex);
          failure = e;
        }
      },
      options);
  while (sleep_unless_stopped(kStopCheck)) {
    const std::lock_guard lock(mutex);
    if (failure) break;
  }
  watch->stop();
  session.check_saved();
  if (failure) throw *failure;
}

}  // namespace synckit::cli
