// The synckit commands. Each gets the parsed arguments and its operands, writes its result to
// stdout and throws synckit::Error (exit 2) or UsageError (exit 1) on failure.
#pragma once

#include <string>
#include <vector>

#include "args.hpp"

namespace synckit::cli {

struct Invocation {
  const Args& args;
  std::vector<std::string> operands;  // what follows the command words (EMAIL, ID, FILE …)
};

// commands_account.cpp
void register_account(const Invocation& in);  // register EMAIL
void login(const Invocation& in);             // login EMAIL
void oauth_login(const Invocation& in);       // oauth-login --redirect-uri URI
void logout(const Invocation& in);            // logout
void status(const Invocation& in);            // status

// commands_keys.cpp
void setup_encryption_new(const Invocation& in);       // setup-encryption new
void setup_encryption_existing(const Invocation& in);  // setup-encryption existing
void change_password(const Invocation& in);            // change-password

// commands_recovery.cpp
void recovery_create(const Invocation& in);  // recovery create
void recover(const Invocation& in);          // recover EMAIL

// commands_sessions.cpp
void change_sign_in_password(const Invocation& in);  // change-sign-in-password
void sessions_list(const Invocation& in);            // sessions list
void sessions_end(const Invocation& in);             // sessions end ID
void delete_account(const Invocation& in);           // delete-account

// commands_devices.cpp
void device_add(const Invocation& in);     // device add NAME [--platform P]
void device_list(const Invocation& in);    // device list
void device_revoke(const Invocation& in);  // device revoke ID

// commands_sync.cpp
void push(const Invocation& in);  // push < changes.jsonl
void pull(const Invocation& in);  // pull [--cursor N] [--follow]

// commands_replica.cpp
void replica_put(const Invocation& in);     // replica put TABLE ROW_ID JSON
void replica_delete(const Invocation& in);  // replica delete TABLE ROW_ID
void replica_get(const Invocation& in);     // replica get TABLE ROW_ID
void replica_list(const Invocation& in);    // replica list TABLE
void replica_sync(const Invocation& in);    // replica sync [--follow]

// commands_blobs.cpp
void blob_put(const Invocation& in);  // blob put ID FILE
void blob_get(const Invocation& in);  // blob get ID FILE
void blob_rm(const Invocation& in);   // blob rm ID

// demo.cpp (or demo_unavailable.cpp in a build without cpp-httplib)
void demo(const Invocation& in);  // demo [--server-binary PATH] [--keep]

}  // namespace synckit::cli
