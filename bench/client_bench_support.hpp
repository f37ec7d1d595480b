// What the native client benchmarks (e2e_native.cpp, replica_native.cpp) share: timing, the
// process's CPU time and memory, a client config for a loopback server and a fresh account's email.
#pragma once

#include <sodium.h>
#include <sys/resource.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>

#include "synckit/native/client.hpp"

namespace synckit::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds (user + system) of this process so far, all threads (the client's loop thread
// included): the client's own work, without the server's and without the time spent waiting on it.
inline double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Memory key cache, pulls of 1000, a 5-minute limit per request (bulk pushes and pulls).
inline native::Config config_for(const std::string& url, const std::string& api_key) {
  native::Config config;
  config.server_url = url;
  config.api_key = api_key;
  config.key_cache = native::KeyCache::memory;
  config.pull_limit = 1000;
  config.transport.total_timeout = std::chrono::minutes(5);
  return config;
}

// VmHWM or VmRSS of this process, in bytes.
inline std::size_t status_bytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stoull(line.substr(std::string(field).size() + 1)) * 1024;
  }
  throw std::runtime_error(std::string("no ") + field + " in /proc/self/status");
}

// Resets VmHWM to the current resident size (Linux >= 4.0).
inline void reset_peak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  if (!clear.flush()) throw std::runtime_error("cannot reset the peak RSS via /proc/self/clear_refs");
}

inline std::string random_email() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("bench-") + hex + "@example.com";
}

}  // namespace synckit::bench
