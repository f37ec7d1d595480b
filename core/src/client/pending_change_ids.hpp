// The change ids a client gave to changes whose push failed, so that pushing an identical change
// again (the app retrying a push() that failed) reuses its id, and the server, which never stores
// an id twice, stores it once. Private to the core.
//
// - Changes are recognised by a keyed BLAKE2b hash (crypto_generichash, 32 bytes) of the user id,
//   the device id and the change's plaintext (ChangePlaintext), under a random key made per
//   client: no plaintext is kept, and the digests cannot be checked against guesses without that
//   key, which never leaves memory and is wiped with the client.
// - Hashing happens only when needed: a push call's changes are hashed when ids are remembered
//   (after the call failed) and when they are assigned while any are remembered. A call that
//   succeeds while nothing is remembered costs no hashing at all.
// - Within one push call, identical changes are distinct changes: the k-th copy of a change in a
//   call reuses the k-th id remembered for it, or gets a new one.
// - confirm() forgets the ids of a call the server stored. At most kMaxRemembered ids are kept;
//   beyond that the oldest are forgotten (pushing those changes again then stores them again).
// - Ids are remembered per user: a call for another user forgets everything first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "synckit/change_plaintext.hpp"
#include "synckit/random.hpp"
#include "synckit/secret.hpp"

namespace synckit::detail {

class PendingChangeIds {
 public:
  static constexpr std::size_t kMaxRemembered = 65'536;

  // Draws the hash key from `random`.
  explicit PendingChangeIds(RandomSource& random);

  // One id per change of a push call by `user_id`/`device_id`, in order: remembered or new.
  std::vector<std::string> assign(const std::string& user_id, const std::string& device_id,
                                  const std::vector<ChangePlaintext>& changes, RandomSource& random);
  // A push call failed (possibly after some of its batches were stored): remember the ids
  // `assign` gave its changes, so that pushing them again reuses them.
  void remember_failed(const std::string& user_id, const std::string& device_id,
                       const std::vector<ChangePlaintext>& changes, const std::vector<std::string>& ids);
  // The server stored these ids: forget them.
  void confirm(const std::vector<std::string>& change_ids);
  // How many ids are remembered (for tests).
  std::size_t size() const noexcept { return digest_of_.size(); }

 private:
  using Digest = std::array<std::uint8_t, 32>;
  Digest digest(const std::string& device_id, const ChangePlaintext& change) const;
  void switch_user(const std::string& user_id);
  void remember(const Digest& digest, const std::string& change_id);
  void forget(const std::string& change_id);
  void clear();

  Secret<32> key_;
  std::string user_id_;
  std::map<Digest, std::vector<std::string>> ids_;      // digest -> unconfirmed ids, oldest first
  std::unordered_map<std::string, Digest> digest_of_;    // unconfirmed id -> its digest
  std::deque<std::string> order_;                        // ids in the order made (may hold forgotten ones)
};

}  // namespace synckit::detail
