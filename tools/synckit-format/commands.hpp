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
void recovery_code(RandomSource& random);
void recovery_wrap(const Args& args, RandomSource& random);
void recovery_open(const Args& args);
void recovery_auth_key(const Args& args);

}  // namespace synckit::format_tool
