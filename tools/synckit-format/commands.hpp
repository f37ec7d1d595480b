// The synckit-format commands. Each reads its input, writes its output to stdout and throws
// synckit::Error on failure.
#pragma once

#include "args.hpp"
#include "synckit/random.hpp"

namespace synckit::format_tool {

void wrap(const Args& args, RandomSource& random);
void unwrap(const Args& args);
void seal_change(const Args& args, RandomSource& random);
void open_change(const Args& args);
void seal_blob(const Args& args, RandomSource& random);
void open_blob(const Args& args);
// Streamed blobs in pieces (memory bounded): sealed to stdout; opened into --out through
// FileCommit, so the file appears only once the FINAL chunk authenticated.
void seal_blob_stream(const Args& args, RandomSource& random);
void open_blob_stream(const Args& args);
void recovery_code(RandomSource& random);
void recovery_wrap(const Args& args, RandomSource& random);
void recovery_open(const Args& args);
void recovery_auth_key(const Args& args);

}  // namespace synckit::format_tool
