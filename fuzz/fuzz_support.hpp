// Shared by the fuzz targets and tests/unit/test_fuzz_regressions.cpp: each target is a function
// synckit_fuzz::<name>(std::string_view) that lets only synckit::Error out of the code under test
// (caught here) and throws PropertyViolation when a checked property breaks. The libFuzzer entry
// point (run_one) aborts on anything but synckit::Error, so the fuzzer reports it as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/error.hpp"

namespace synckit_fuzz {

// A broken property (a round trip that does not round-trip, a documented no-throw that throws).
struct PropertyViolation : std::logic_error {
  using std::logic_error::logic_error;
};

inline void check(bool ok, const char* what) {
  if (!ok) throw PropertyViolation(what);
}

// f() where a synckit::Error would break a property (the second half of a round trip).
template <class F>
auto must_succeed(const char* what, F f) {
  try {
    return f();
  } catch (const synckit::Error& e) {
    throw PropertyViolation(std::string(what) + ": " + e.what());
  }
}

// Runs body(input); a synckit::Error escaping it is a normal rejection and is swallowed.
template <class Body>
void guarded(std::string_view input, Body body) {
  try {
    body(input);
  } catch (const synckit::Error&) {
  }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The libFuzzer entry: anything but synckit::Error (caught inside `target`) aborts.
template <class Target>
int run_one(const std::uint8_t* data, std::size_t size, Target target) {
  try {
    target(as_text(data, size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: unexpected exception: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: unexpected non-std exception\n");
    std::abort();
  }
  return 0;
}

// The fixed master keys the seeds are sealed under: the first change vector's
// (tests/vectors/change.json, change id c_0001) and the one-byte blob vector's (blob.json, b_0002).
inline constexpr std::string_view kChangeMasterKey = "1WpK4pmgRKSCySHHKn5vcYdHZSIx61M9ut5tQtg6wHU=";
inline constexpr std::string_view kChangeId = "c_0001";
inline constexpr std::string_view kBlobMasterKey = "KiS/MXMtA4a8bqLk1rl0B1HOm+hmrDRkQzqbNb+SaHk=";

inline const synckit::ChangeKey& fixed_change_key() {
  static const synckit::ChangeKey key = synckit::derive_change_key(
      synckit::master_key_from_bytes(synckit::base64_decode(kChangeMasterKey, "key")));
  return key;
}

inline const synckit::BlobKey& fixed_blob_key() {
  static const synckit::BlobKey key =
      synckit::derive_blob_key(synckit::master_key_from_bytes(synckit::base64_decode(kBlobMasterKey, "key")));
  return key;
}

}  // namespace synckit_fuzz

// Each fuzz_<name>.cpp ends with SYNCKIT_FUZZ_ENTRY(name); the regression test defines
// SYNCKIT_FUZZ_NO_ENTRY and includes the files to call the same functions.
#ifdef SYNCKIT_FUZZ_NO_ENTRY
#define SYNCKIT_FUZZ_ENTRY(name)
#else
#define SYNCKIT_FUZZ_ENTRY(name)                                                      \
  extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
    return synckit_fuzz::run_one(data, size, synckit_fuzz::name);                     \
  }
#endif
