#include "synckit/web/client_adapter.hpp"

#include <algorithm>
#include <utility>

#include "js_convert.hpp"
#include "synckit/secret.hpp"

namespace synckit::web {
namespace {

using emscripten::val;

// Wipes a string that held a password or plaintext before its memory is freed.
struct WipeOnExit {
  std::string& text;
  ~WipeOnExit() { secure_wipe(text.data(), text.size()); }
};

void fail(const val& callback, const Error& error) { callback(error_to_js(error)); }

// A core Callback<T> that hands `convert(value)` (or the error) to the JavaScript callback.
template <class T, class Convert>
Callback<T> reply(val callback, Convert convert) {
  return [callback = std::move(callback), convert = std::move(convert)](Result<T> result) {
    if (!result.ok()) return fail(callback, result.error());
    callback(val::null(), convert(result.value()));
  };
}

template <class T>
Callback<T> reply_undefined(val callback) {
  return reply<T>(std::move(callback), [](const T&) { return val::undefined(); });
}

Error not_open() { return Error(ErrorKind::not_set_up, "the client is not open"); }

// The entry of `id` in one of the adapter's small id lists, or end().
template <class List>
auto find_id(List& list, unsigned id) {
  return std::find_if(list.begin(), list.end(), [id](const auto& entry) { return entry.first == id; });
}

template <class List>
void erase_id(List& list, unsigned id) {
  const auto found = find_id(list, id);
  if (found != list.end()) list.erase(found);
}

// A whole number from 0 to 2^53 (exact in a JavaScript number); invalid_input naming `field` otherwise.
std::int64_t count_of(double value, const char* field) {
  if (!(value >= 0) || value > 9007199254740992.0 || static_cast<double>(static_cast<std::int64_t>(value)) != value) {
    throw Error(ErrorKind::invalid_input, std::string(field) + " must be a whole number from 0 to 2^53", field);
  }
  return static_cast<std::int64_t>(value);
}

std::int64_t cursor_of(double cursor) { return count_of(cursor, "cursor"); }

int whole_number(double value, int min, int max, const char* field) {
  if (!(value >= min) || value > max || static_cast<double>(static_cast<int>(value)) != value) {
    throw Error(ErrorKind::invalid_input,
                std::string(field) + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max),
                field);
  }
  return static_cast<int>(value);
}

// The page as JSON text for JavaScript; the heap copy of the plaintexts is wiped on return.
val page_text(const PlaintextPullResult& page) {
  std::string text = pull_result_to_json(page);
  WipeOnExit wipe{text};
  return val(text);
}

}  // namespace

ClientAdapter::ClientAdapter(val host) : host_(host), key_store_(host) {}

ClientAdapter::~ClientAdapter() {
  *alive_ = false;  // completions still to come (cancelled requests) must not touch the maps
  for (auto& [id, watch] : watches_) watch->stop();
}

namespace {

// The body of ClientAdapter::run, once for every method (module size): each method's lambda is
// reached through `start(context, core)`, so it does not get its own copy of the checks and catches.
void run_start(Client* core, const val& callback, void (*start)(void*, Client&), void* context) {
  if (!core) return fail(callback, not_open());
  try {
    start(context, *core);
  } catch (const Error& error) {
    fail(callback, error);
  } catch (const std::exception& error) {
    fail(callback, Error(ErrorKind::invalid_input, error.what()));
  }
}

}  // namespace

template <class Start>
void ClientAdapter::run(const val& callback, Start start) {
  run_start(core_.get(), callback, [](void* context, Client& core) { (*static_cast<Start*>(context))(core); }, &start);
}

val ClientAdapter::open(val options) {
  try {
    FetchOptions fetch;
    const val timeout = options["timeoutMs"];
    if (!timeout.isUndefined()) {
      if (!timeout.isNumber() || !(timeout.as<double>() >= 1) || timeout.as<double>() > 3'600'000) {
        throw Error(ErrorKind::invalid_input, "timeoutMs must be a number of milliseconds (1..3600000)", "timeoutMs");
      }
      fetch.timeout = std::chrono::milliseconds(static_cast<long long>(timeout.as<double>()));
    }
    ClientConfig config = client_config_from_js(options, host_);
    core_.reset();
    transport_ = std::make_unique<FetchTransport>(fetch);
    core_ = std::make_unique<Client>(std::move(config),
                                     ClientServices{*transport_, scheduler_, key_store_, clock_, random_});
    return val::null();
  } catch (const Error& error) {
    return error_to_js(error);
  }
}

void ClientAdapter::createAccount(std::string email, std::string password, val callback) {
  WipeOnExit wipe{password};
  run(callback, [&](Client& core) { core.create_account(email, password, reply<Account>(callback, account_to_js)); });
}

void ClientAdapter::authenticate(std::string email, std::string password, val callback) {
  WipeOnExit wipe{password};
  run(callback, [&](Client& core) { core.authenticate(email, password, reply<Account>(callback, account_to_js)); });
}

val ClientAdapter::beginOAuth(std::string redirect_uri) {
  val out = val::object();
  try {
    if (!core_) throw not_open();
    out.set("url", core_->begin_oauth(redirect_uri));
  } catch (const Error& error) {
    out.set("error", error_to_js(error));
  }
  return out;
}

void ClientAdapter::completeOAuth(std::string redirect_url, val callback) {
  run(callback, [&](Client& core) { core.complete_oauth(redirect_url, reply<Account>(callback, account_to_js)); });
}

val ClientAdapter::restoreSession(val tokens) {
  try {
    if (!core_) throw not_open();
    core_->restore_session(session_from_js(tokens));
    return val::null();
  } catch (const Error& error) {
    return error_to_js(error);
  }
}

val ClientAdapter::session() const { return core_ ? session_to_js(core_->session()) : val::null(); }

void ClientAdapter::setupEncryptionNew(std::string password, val callback) {
  WipeOnExit wipe{password};
  run(callback, [&](Client& core) { core.setup_encryption_new(password, reply_undefined<Done>(callback)); });
}

void ClientAdapter::setupEncryptionExisting(std::string password, val callback) {
  WipeOnExit wipe{password};
  run(callback, [&](Client& core) { core.setup_encryption_existing(password, reply_undefined<Done>(callback)); });
}

void ClientAdapter::unlock(val callback) {
  run(callback, [&](Client& core) {
    core.unlock_from_key_store(reply<bool>(callback, [](bool found) { return val(found); }));
  });
}

void ClientAdapter::changePassword(std::string old_password, std::string new_password, val callback) {
  WipeOnExit wipe_old{old_password};
  WipeOnExit wipe_new{new_password};
  run(callback, [&](Client& core) {
    core.change_password(old_password, new_password, reply_undefined<Done>(callback));
  });
}

bool ClientAdapter::encryptionReady() const { return core_ && core_->encryption_ready(); }

void ClientAdapter::createRecoveryCode(val callback) {
  run(callback, [&](Client& core) {
    core.create_recovery_code(reply<RecoveryCode>(callback, [](const RecoveryCode& code) {
      std::string text(code.view());
      WipeOnExit wipe{text};
      return val(text);
    }));
  });
}

void ClientAdapter::recover(std::string email, std::string code, std::string new_password, val callback) {
  WipeOnExit wipe_code{code};
  WipeOnExit wipe_password{new_password};
  run(callback, [&](Client& core) {
    core.recover(email, code, new_password, reply<Account>(callback, account_to_js));
  });
}

void ClientAdapter::changeSignInPassword(std::string old_password, std::string new_password, val callback) {
  WipeOnExit wipe_old{old_password};
  WipeOnExit wipe_new{new_password};
  run(callback, [&](Client& core) {
    core.change_sign_in_password(old_password, new_password, reply_undefined<Done>(callback));
  });
}

void ClientAdapter::changePasswords(std::string old_password, std::string new_password, val callback) {
  WipeOnExit wipe_old{old_password};
  WipeOnExit wipe_new{new_password};
  run(callback, [&](Client& core) {
    core.change_passwords(old_password, new_password, reply_undefined<Done>(callback));
  });
}

void ClientAdapter::listSessions(val callback) {
  run(callback, [&](Client& core) { core.list_sessions(reply<std::vector<SessionInfo>>(callback, sessions_to_js)); });
}

void ClientAdapter::endSession(std::string session_id, val callback) {
  run(callback, [&](Client& core) { core.end_session(session_id, reply_undefined<Done>(callback)); });
}

void ClientAdapter::deleteAccount(std::string password, val callback) {
  WipeOnExit wipe{password};
  run(callback, [&](Client& core) { core.delete_account(password, reply_undefined<Done>(callback)); });
}

void ClientAdapter::registerDevice(std::string name, std::string platform, val callback) {
  run(callback, [&](Client& core) { core.register_device(name, platform, reply<Device>(callback, device_to_js)); });
}

void ClientAdapter::listDevices(val callback) {
  run(callback, [&](Client& core) { core.list_devices(reply<std::vector<Device>>(callback, devices_to_js)); });
}

void ClientAdapter::revokeDevice(std::string device_id, val callback) {
  run(callback, [&](Client& core) { core.revoke_device(device_id, reply_undefined<Done>(callback)); });
}

void ClientAdapter::push(std::string device_id, val changes_utf8, val callback) {
  std::string changes_json;
  WipeOnExit wipe{changes_json};
  run(callback, [&](Client& core) {
    changes_json = text_from_js_bytes(changes_utf8, "changes");
    core.push_plaintexts(device_id, changes_from_json(changes_json),
                         reply<std::int64_t>(callback, [](std::int64_t cursor) { return val(static_cast<double>(cursor)); }));
  });
}

void ClientAdapter::pull(std::string device_id, double cursor, double wait, unsigned cancel_id, val callback) {
  run(callback, [&](Client& core) {
    PullOptions options{whole_number(wait, 0, kMaxPullWaitSeconds, "wait"), nullptr};
    options.cancel = cancel_of(cancel_id);
    core.pull_plaintexts(device_id, cursor_of(cursor), options,
                         [this, alive = alive_, callback, cancel_id](Result<PlaintextPullResult> result) {
      if (*alive) erase_id(cancels_, cancel_id);
      if (!result.ok()) return fail(callback, result.error());
      callback(val::null(), page_text(result.value()));
    });
  });
}

unsigned ClientAdapter::newCancel() {
  const unsigned id = next_id_++;
  cancels_.emplace_back(id, std::make_shared<CancelSignal>());
  return id;
}

void ClientAdapter::cancel(unsigned id) {
  const auto found = find_id(cancels_, id);
  if (found == cancels_.end()) return;
  const auto signal = found->second;
  cancels_.erase(found);
  signal->cancel();
}

unsigned ClientAdapter::watch(std::string device_id, double cursor, double wait, val on_page) {
  const unsigned id = next_id_++;
  run(on_page, [&](Client& core) {
    WatchOptions options;
    options.wait_seconds = whole_number(wait, 1, kMaxPullWaitSeconds, "wait");
    watches_.emplace_back(id, core.watch_plaintexts(device_id, cursor_of(cursor), options,
                                               [this, alive = alive_, id, on_page](Result<PlaintextPullResult> result) {
                                                 if (!result.ok()) {
                                                   if (*alive) erase_id(watches_, id);
                                                   return fail(on_page, result.error());
                                                 }
                                                 on_page(val::null(), page_text(result.value()));
                                               }));
  });
  return id;
}

void ClientAdapter::stopWatch(unsigned id) {
  const auto found = find_id(watches_, id);
  if (found == watches_.end()) return;
  const auto watch = found->second;
  watches_.erase(found);
  watch->stop();
}

void ClientAdapter::putBlob(std::string blob_id, val bytes, val callback) {
  run(callback, [&](Client& core) {
    if (!bytes.instanceof(val::global("Uint8Array"))) {
      throw Error(ErrorKind::invalid_input, "blob bytes must be a Uint8Array", "bytes");
    }
    // The bytes go straight to where they are sealed in place (offset 24 of the request body): the
    // heap holds the blob once, and the core seals over it (or wipes it on an error).
    const auto size = bytes["length"].as<std::size_t>();
    std::string buffer(size + kBlobOverhead, '\0');
    val(emscripten::typed_memory_view(size, reinterpret_cast<std::uint8_t*>(buffer.data()) + kBlobOffset))
        .call<void>("set", bytes);
    core.put_blob_in_place(blob_id, std::move(buffer), reply_undefined<Done>(callback));
  });
}

void ClientAdapter::getBlob(std::string blob_id, val callback) {
  run(callback, [&](Client& core) {
    // Opened where the response arrived; JavaScript copies the view during the callback, and the
    // OpenedBlob wipes the heap copy when it goes.
    core.get_blob_in_place(blob_id, [callback](Result<OpenedBlob> result) {
      if (!result.ok()) return fail(callback, result.error());
      const std::span<std::uint8_t> bytes = result.value().bytes();
      callback(val::null(), val(emscripten::typed_memory_view(bytes.size(), bytes.data())));
    });
  });
}

std::shared_ptr<CancelSignal> ClientAdapter::cancel_of(unsigned cancel_id) {
  if (cancel_id == 0) return nullptr;
  const auto found = find_id(cancels_, cancel_id);
  if (found == cancels_.end()) throw Error(ErrorKind::invalid_input, "no such cancel signal", "signal");
  return found->second;
}

namespace {

BlobProgress progress_of(val progress) {
  if (progress.isNull() || progress.isUndefined()) return nullptr;
  return [progress](std::uint64_t done, std::uint64_t total) {
    progress(static_cast<double>(done), static_cast<double>(total));
  };
}

// An Error from what JavaScript passed to a done callback: {kind, message} objects (SyncKitError
// and the core's own) keep their kind; anything else is invalid_input with its message.
Error error_from_js(const val& error, const char* field) {
  std::string text = "the data source failed";
  if (error.typeOf().as<std::string>() == "object" && !error.isNull() && error["message"].typeOf().as<std::string>() == "string") {
    text = error["message"].as<std::string>();
  }
  if (error.typeOf().as<std::string>() == "object" && !error.isNull() && error["kind"].typeOf().as<std::string>() == "string") {
    const std::string kind = error["kind"].as<std::string>();
    if (kind == "cancelled") return Error(ErrorKind::cancelled, text);
  }
  return Error(ErrorKind::invalid_input, text, field);
}

}  // namespace

void ClientAdapter::putBlobStream(std::string blob_id, double size, val read, val progress, unsigned cancel_id,
                                  val callback) {
  run(callback, [&](Client& core) {
    const auto bytes = static_cast<std::uint64_t>(count_of(size, "size"));
    BlobUploadOptions options;
    options.on_progress = progress_of(progress);
    options.cancel = cancel_of(cancel_id);
    BlobReader reader = [this, read](std::span<std::uint8_t> into, std::function<void(Result<std::size_t>)> filled) {
      const unsigned id = next_id_++;
      reads_.emplace_back(id, PendingRead{into, std::move(filled)});
      read(static_cast<double>(into.size()), id);
    };
    core.put_blob_stream(blob_id, bytes, std::move(reader), std::move(options),
                         [this, alive = alive_, callback, cancel_id](Result<Done> result) {
                           if (*alive) erase_id(cancels_, cancel_id);
                           if (!result.ok()) return fail(callback, result.error());
                           callback(val::null(), val::undefined());
                         });
  });
}

void ClientAdapter::settleRead(unsigned id, val error, val bytes) {
  const auto found = find_id(reads_, id);
  if (found == reads_.end()) return;
  PendingRead pending = std::move(found->second);
  reads_.erase(found);
  if (!error.isNull() && !error.isUndefined()) return pending.filled(error_from_js(error, "data"));
  if (!bytes.instanceof(val::global("Uint8Array"))) {
    return pending.filled(Error(ErrorKind::invalid_input, "the data source gave something other than bytes", "data"));
  }
  const auto length = bytes["length"].as<std::size_t>();
  if (length > pending.into.size()) {
    return pending.filled(Error(ErrorKind::invalid_input, "the data source gave more bytes than asked", "data"));
  }
  // The view is made now: the heap may have grown since the read was asked for.
  val(emscripten::typed_memory_view(length, pending.into.data())).call<void>("set", bytes);
  pending.filled(length);
}

void ClientAdapter::getBlobStream(std::string blob_id, double offset, double length, val write, val progress,
                                  unsigned cancel_id, val callback) {
  run(callback, [&](Client& core) {
    BlobDownloadOptions options;
    options.offset = static_cast<std::uint64_t>(count_of(offset, "offset"));
    if (length >= 0) options.length = static_cast<std::uint64_t>(count_of(length, "length"));
    options.on_progress = progress_of(progress);
    options.cancel = cancel_of(cancel_id);
    BlobWriter writer = [this, write](ByteView bytes, std::function<void(std::optional<Error>)> written) {
      const unsigned id = next_id_++;
      writes_.emplace_back(id, std::move(written));
      write(val(emscripten::typed_memory_view(bytes.size(), bytes.data())), id);
    };
    core.get_blob_stream(blob_id, std::move(writer), std::move(options),
                         [this, alive = alive_, callback, cancel_id](Result<BlobDownloadInfo> result) {
                           if (*alive) erase_id(cancels_, cancel_id);
                           if (!result.ok()) return fail(callback, result.error());
                           val info = val::object();
                           info.set("format", result.value().format);
                           info.set("size", static_cast<double>(result.value().plain_size));
                           callback(val::null(), info);
                         });
  });
}

void ClientAdapter::settleWrite(unsigned id, val error) {
  const auto found = find_id(writes_, id);
  if (found == writes_.end()) return;
  auto written = std::move(found->second);
  writes_.erase(found);
  if (!error.isNull() && !error.isUndefined()) return written(error_from_js(error, "writer"));
  written(std::nullopt);
}

void ClientAdapter::deleteBlob(std::string blob_id, val callback) {
  run(callback, [&](Client& core) { core.delete_blob(blob_id, reply_undefined<Done>(callback)); });
}

void ClientAdapter::status(val callback) {
  run(callback, [&](Client& core) { core.status(reply<SyncStatus>(callback, status_to_js)); });
}

void ClientAdapter::logout(val callback) {
  run(callback, [&](Client& core) { core.logout(reply_undefined<Done>(callback)); });
}

void ClientAdapter::settleKeyStore(unsigned id, std::string error, val key) {
  key_store_.settle(id, error, std::move(key));
}

val error_kinds() {
  val kinds = val::array();
#define SYNCKIT_ERROR_TO_JS(id, name, message)        \
  {                                                   \
    val kind = val::object();                         \
    kind.set("kind", std::string(name));              \
    kind.set("message", std::string(message));        \
    kinds.call<void>("push", kind);                   \
  }
  SYNCKIT_ERROR_KINDS(SYNCKIT_ERROR_TO_JS)
#undef SYNCKIT_ERROR_TO_JS
  return kinds;
}

}  // namespace synckit::web
