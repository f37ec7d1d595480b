// PostgreSQL LISTEN on one connection per node: every push's NOTIFY (PostgresStore::push) reaches
// every node at once. Waits on the socket (poll), never polls the database; reconnects with
// backoff when the connection is lost and then reports a gap (wakes may have been missed).
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "storage/store.hpp"

namespace synckit::server {

class PgChangeListener final : public ChangeWatch {
 public:
  // Starts listening on a thread of its own; never throws for database trouble (it retries).
  PgChangeListener(std::string conninfo, std::function<void(const std::string&)> on_change,
                   std::function<void()> on_gap);
  ~PgChangeListener() override;  // stops and joins

 private:
  void run();
  bool pause(int milliseconds);  // false when stopped meanwhile

  std::string conninfo_;
  std::function<void(const std::string&)> on_change_;
  std::function<void()> on_gap_;
  int stop_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace synckit::server
