// The native ReplicaStore: the replica's bytes in one SQLite file (replica.md, "Where it lives").
//
// - Durability: WAL journal, synchronous=FULL: a transaction whose commit reported success survives
//   a process kill and a power loss. secure_delete=ON: deleted and overwritten records are zeroed.
// - Layout: one table kv(space, key, value), primary key (space, key), and PRAGMA user_version 1.
//   A file with another schema (a newer SyncKit's, or not SyncKit's) is refused, never changed.
// - One writer: while a store is open it holds SQLite's own exclusive lock on the file
//   (PRAGMA locking_mode=EXCLUSIVE, taken at open by a write transaction and kept until the store
//   is destroyed; the WAL index lives in heap memory, so there is no -shm file). A second open of
//   the same file, from another process or from this one, waits the busy timeout (200 ms), then
//   fails with Error{storage} "the replica file is in use by another process". The lock is the
//   operating system's (POSIX advisory record locks), so it is released when the process dies.
// - Not thread-safe: use a store from one thread at a time (the replica's client thread).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "synckit/replica/replica_store.hpp"

namespace synckit::native {

class SqliteReplicaStore final : public ReplicaStore {
 public:
  // Opens the replica file at `path`, creating it (owner-only, mode 0600) and its schema if it is
  // missing; the parent directory must exist. Throws Error{storage} when the file cannot be
  // created or opened, is not a SQLite database, holds an unknown or newer schema, or is in use.
  static std::unique_ptr<SqliteReplicaStore> open(const std::string& path);

  // Closes the file and releases its lock.
  ~SqliteReplicaStore() override;
  SqliteReplicaStore(const SqliteReplicaStore&) = delete;
  SqliteReplicaStore& operator=(const SqliteReplicaStore&) = delete;

  // ReplicaStore. Reads throw Error{storage} when SQLite fails. commit runs synchronously: it calls
  // `done` before returning, after the transaction has been committed or rolled back (so a throw
  // from `done` leaves no transaction open). Error details never contain a key or a value.
  std::optional<Bytes> get(StoreSpace space, ByteView key) override;
  std::vector<StoreEntry> scan(StoreSpace space, ByteView prefix, std::size_t limit) override;
  std::size_t count(StoreSpace space) override;
  void commit(std::vector<StoreWrite> writes, std::function<void(std::optional<Error>)> done) override;

  // The schema version this SyncKit writes (PRAGMA user_version).
  static constexpr int schema_version = 1;

 private:
  struct Impl;
  explicit SqliteReplicaStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace synckit::native
