// CancelSignal: hooks run once on cancel(), at once when registered after it, never after forget().
#include <catch2/catch.hpp>

#include "synckit/client/cancel_signal.hpp"

using namespace synckit;

TEST_CASE("cancel signal: hooks run once, late hooks at once, forgotten ones never", "[client][cancel]") {
  CancelSignal signal;
  int first = 0;
  int forgotten = 0;
  signal.on_cancel([&] { ++first; });
  const auto id = signal.on_cancel([&] { ++forgotten; });
  signal.forget(id);
  CHECK_FALSE(signal.cancelled());
  signal.cancel();
  signal.cancel();
  CHECK(signal.cancelled());
  CHECK(first == 1);
  CHECK(forgotten == 0);
  int late = 0;
  signal.on_cancel([&] { ++late; });
  CHECK(late == 1);
}
