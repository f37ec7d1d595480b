// The client's state and its building blocks, shared by the client_*.cpp files. Private to the core.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/pending_change_ids.hpp"
#include "client/request_runner.hpp"
#include "synckit/auth/jwt.hpp"
#include "synckit/auth/pkce.hpp"
#include "synckit/client/client.hpp"
#include "synckit/crypto/keys.hpp"
#include "synckit/json_value.hpp"
#include "synckit/wire/auth_messages.hpp"

namespace synckit {

// The unlocked keys.
struct UnlockedKeys {
  MasterKey master;
  ChangeKey change;
  BlobKey blob;
};

struct PendingOAuth {
  PkceChallenge pkce;
  std::string redirect_uri;
};

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(ClientConfig config, ClientServices services);

  // --- plumbing (client.cpp) ---
  HttpRequest request(std::string method, const std::string& path) const;
  HttpRequest json_request(std::string method, const std::string& path, const JsonValue& body) const;
  // The same with the body already written as JSON text.
  HttpRequest json_text_request(std::string method, const std::string& path, std::string body) const;
  // Sends without a bearer token (sign-in endpoints).
  void send(HttpRequest request, std::function<void(Result<HttpResponse>)> done);
  // Sends with a fresh bearer token: refreshes first when it is about to expire, and once more
  // (then retries once) when the server answers 401.
  void send_authed(HttpRequest request, std::function<void(Result<HttpResponse>)> done, bool after_401 = false);
  // The same without the retry after a 401: for calls where a 401 means a wrong password.
  void send_authed_once(HttpRequest request, std::function<void(Result<HttpResponse>)> done);
  // Runs `body` and hands its result (or the synckit::Error it throws) to `done`.
  template <class T, class F>
  static void deliver(const Callback<T>& done, F&& body) {
    std::optional<Result<T>> result;
    try {
      result.emplace(body());
    } catch (const Error& e) {
      result.emplace(e);
    }
    done(std::move(*result));
  }

  // Whether the server holds pulls (protocol 1.1 live pull: health's "live_pull"); false for a
  // health reply that cannot be read (then poll, which every server serves). Errors: the
  // transport's (network, cancelled).
  void probe_live_pull(std::shared_ptr<CancelSignal> cancel, std::function<void(Result<bool>)> done);

  // --- session (client_session.cpp) ---
  void sign_in(const std::string& path, const std::string& email, const std::string& password, Callback<Account> done);
  // Takes the reply's tokens; `email` is the sign-in email (empty: none known).
  void accept_tokens(const wire::TokenReply& reply, std::string email);
  void set_tokens(std::optional<SessionTokens> tokens);
  void ensure_fresh_token(std::function<void(std::optional<Error>)> ready, bool force = false);
  void finish_refresh(std::optional<Error> error);
  KeyStoreEntry key_store_entry() const;
  std::optional<Error> require_session() const;
  // The session's email, or Error{not_set_up} when there is none (OAuth) or no session.
  Result<std::string> require_email() const;
  // Forgets tokens and keys, then removes the key from the key store (logout, delete_account).
  void forget_locally(Callback<Done> done);

  // --- sync (client_sync.cpp) ---
  // The pull of Client::pull (PullResult) or of pull_plaintexts (PlaintextPullResult).
  template <class Page>
  static void pull_pages(const std::shared_ptr<Impl>& self, const std::string& device_id, std::int64_t cursor,
                         const PullOptions& options, Callback<Page> done);

  // --- keys (client_keys.cpp) ---
  void unlock(MasterKey master);
  // Caches the unlocked key in the key store, then reports success (a cache failure is logged).
  void cache_key_then(Callback<Done> done);
  // change_password; with `resume`, an envelope that already opens with new_password is done.
  void change_envelope_password(const std::string& old_password, const std::string& new_password, bool resume,
                                Callback<Done> done);
  std::optional<Error> require_keys() const;

  ClientConfig config;
  ClientServices services;
  detail::RequestRunner runner;
  std::optional<SessionTokens> tokens;
  std::optional<JwtClaims> access_claims;
  bool refreshing = false;
  std::vector<std::function<void(std::optional<Error>)>> refresh_waiters;
  std::optional<PendingOAuth> pending_oauth;
  std::unique_ptr<UnlockedKeys> keys;
  std::optional<std::int64_t> envelope_version;
  // Ids of pushed changes not confirmed yet (client_sync.cpp); made on the first push.
  std::unique_ptr<detail::PendingChangeIds> pending_change_ids;
};

template <>
void Client::Impl::pull_pages<PullResult>(const std::shared_ptr<Impl>& self, const std::string& device_id,
                                          std::int64_t cursor, const PullOptions& options, Callback<PullResult> done);
template <>
void Client::Impl::pull_pages<PlaintextPullResult>(const std::shared_ptr<Impl>& self, const std::string& device_id,
                                                   std::int64_t cursor, const PullOptions& options,
                                                   Callback<PlaintextPullResult> done);

// Errors a loop waits out (watch, the replica's sync loop): the server or the network is away
// for now (network, 429, 5xx).
bool is_transient_error(const Error& error) noexcept;

// "/v1/blobs/{blob_id}"; throws Error{invalid_input} (field blob_id) for an invalid id.
std::string blob_path(const std::string& blob_id);

// The body of a 2xx reply, or the typed error the reply means (wire::error_from_reply).
Result<std::string> reply_body(Result<HttpResponse> result);

}  // namespace synckit
