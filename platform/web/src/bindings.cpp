// The embind declarations of the web module: what JavaScript sees, nothing else. The adapter
// (client_adapter.cpp) does the work; js/src wraps it in the package's Promise API.
#include <emscripten/bind.h>

#include "synckit/web/client_adapter.hpp"
#include "synckit/web/replica_adapter.hpp"

EMSCRIPTEN_BINDINGS(synckit) {
  using synckit::web::ClientAdapter;
  emscripten::class_<ClientAdapter>("WasmClient")
      .constructor<emscripten::val>()
      .function("open", &ClientAdapter::open)
      .function("createAccount", &ClientAdapter::createAccount)
      .function("authenticate", &ClientAdapter::authenticate)
      .function("beginOAuth", &ClientAdapter::beginOAuth)
      .function("completeOAuth", &ClientAdapter::completeOAuth)
      .function("restoreSession", &ClientAdapter::restoreSession)
      .function("session", &ClientAdapter::session)
      .function("setupEncryptionNew", &ClientAdapter::setupEncryptionNew)
      .function("setupEncryptionExisting", &ClientAdapter::setupEncryptionExisting)
      .function("unlock", &ClientAdapter::unlock)
      .function("changePassword", &ClientAdapter::changePassword)
      .function("encryptionReady", &ClientAdapter::encryptionReady)
      .function("registerDevice", &ClientAdapter::registerDevice)
      .function("listDevices", &ClientAdapter::listDevices)
      .function("createRecoveryCode", &ClientAdapter::createRecoveryCode)
      .function("recover", &ClientAdapter::recover)
      .function("changeSignInPassword", &ClientAdapter::changeSignInPassword)
      .function("changePasswords", &ClientAdapter::changePasswords)
      .function("listSessions", &ClientAdapter::listSessions)
      .function("endSession", &ClientAdapter::endSession)
      .function("deleteAccount", &ClientAdapter::deleteAccount)
      .function("revokeDevice", &ClientAdapter::revokeDevice)
      .function("push", &ClientAdapter::push)
      .function("pull", &ClientAdapter::pull)
      .function("newCancel", &ClientAdapter::newCancel)
      .function("cancel", &ClientAdapter::cancel)
      .function("watch", &ClientAdapter::watch)
      .function("stopWatch", &ClientAdapter::stopWatch)
      .function("putBlob", &ClientAdapter::putBlob)
      .function("getBlob", &ClientAdapter::getBlob)
      .function("deleteBlob", &ClientAdapter::deleteBlob)
      .function("putBlobStream", &ClientAdapter::putBlobStream)
      .function("getBlobStream", &ClientAdapter::getBlobStream)
      .function("settleRead", &ClientAdapter::settleRead)
      .function("settleWrite", &ClientAdapter::settleWrite)
      .function("status", &ClientAdapter::status)
      .function("logout", &ClientAdapter::logout)
      .function("settleKeyStore", &ClientAdapter::settleKeyStore);
  using synckit::web::ReplicaAdapter;
  emscripten::class_<ReplicaAdapter>("WasmReplica")
      .constructor<>()
      .function("open", &ReplicaAdapter::open)
      .function("put", &ReplicaAdapter::put)
      .function("remove", &ReplicaAdapter::remove)
      .function("get", &ReplicaAdapter::get)
      .function("list", &ReplicaAdapter::list)
      .function("subscribe", &ReplicaAdapter::subscribe)
      .function("unsubscribe", &ReplicaAdapter::unsubscribe)
      .function("sync", &ReplicaAdapter::sync)
      .function("start", &ReplicaAdapter::start)
      .function("stop", &ReplicaAdapter::stop)
      .function("status", &ReplicaAdapter::status)
      .function("close", &ReplicaAdapter::close)
      .function("settleCommit", &ReplicaAdapter::settleCommit);
  emscripten::function("errorKinds", &synckit::web::error_kinds);
}
