// SqliteStore: blobs in both forms and streamed uploads (schema v4). A blob id is in `blobs`
// (single shot, one value) or in `stream_blobs` (parts in `blob_parts` under its content id), and
// every write that stores one form removes the other, in the same transaction.
#include "storage/row_ids.hpp"
#include "storage/sqlite_store.hpp"

namespace synckit::server {

namespace {

void delete_parts(Database& db, const std::string& content_id) {
  db.cached("DELETE FROM blob_parts WHERE content_id = ?1")->bind(1, content_id).run();
}

// Removes the streamed form of the blob, if any, with its parts; true when there was one.
bool delete_stream_blob(Database& db, const std::string& user_id, const std::string& blob_id) {
  std::string content_id;
  {
    auto query = db.cached("SELECT content_id FROM stream_blobs WHERE user_id = ?1 AND blob_id = ?2");
    query->bind(1, user_id).bind(2, blob_id);
    if (!query->step()) return false;
    content_id = query->column_text(0);
  }
  delete_parts(db, content_id);
  db.cached("DELETE FROM stream_blobs WHERE user_id = ?1 AND blob_id = ?2")->bind(1, user_id).bind(2, blob_id).run();
  return true;
}

bool delete_inline_blob(Database& db, const std::string& user_id, const std::string& blob_id) {
  db.cached("DELETE FROM blobs WHERE user_id = ?1 AND blob_id = ?2")->bind(1, user_id).bind(2, blob_id).run();
  return db.changes() > 0;
}

}  // namespace

PutResult SqliteStore::put_blob(const std::string& user_id, const std::string& blob_id,
                                const std::string& bytes, Millis now) {
  const auto size = static_cast<std::int64_t>(bytes.size());
  return write([&](Database& db) {
    Transaction tx(db);
    require_user(db, user_id);
    auto result = delete_stream_blob(db, user_id, blob_id) ? PutResult::replaced : PutResult::created;
    {
      auto update = db.cached(
          "UPDATE blobs SET size = ?3, updated_at = ?4, bytes = ?5 WHERE user_id = ?1 AND blob_id = ?2");
      update->bind(1, user_id).bind(2, blob_id).bind(3, size).bind(4, now).bind_blob_ref(5, bytes).run();
      if (db.changes() > 0) result = PutResult::replaced;
    }
    if (db.changes() == 0) {
      auto insert = db.cached(
          "INSERT INTO blobs (user_id, blob_id, size, updated_at, bytes) VALUES (?1, ?2, ?3, ?4, ?5)");
      insert->bind(1, user_id).bind(2, blob_id).bind(3, size).bind(4, now).bind_blob_ref(5, bytes).run();
    }
    tx.commit();
    return result;
  });
}

std::optional<StoredBlob> SqliteStore::open_blob(const std::string& user_id, const std::string& blob_id) {
  return read([&](Database& db) -> std::optional<StoredBlob> {
    Transaction tx(db, Transaction::Kind::deferred);
    StoredBlob blob;
    {
      auto stream = db.cached(
          "SELECT content_id, size, part_size FROM stream_blobs WHERE user_id = ?1 AND blob_id = ?2");
      stream->bind(1, user_id).bind(2, blob_id);
      if (stream->step()) {
        blob.format = kStreamFormat;
        blob.content_id = stream->column_text(0);
        blob.size = stream->column_int64(1);
        blob.part_size = stream->column_int64(2);
        return blob;
      }
    }
    auto query = db.cached("SELECT size, bytes FROM blobs WHERE user_id = ?1 AND blob_id = ?2");
    query->bind(1, user_id).bind(2, blob_id);
    if (!query->step()) return std::nullopt;
    blob.format = kSealedFormat;
    blob.size = query->column_int64(0);
    blob.bytes = query->column_blob(1);
    return blob;
  });
}

bool SqliteStore::delete_blob(const std::string& user_id, const std::string& blob_id) {
  return write([&](Database& db) {
    Transaction tx(db);
    const bool streamed = delete_stream_blob(db, user_id, blob_id);
    const bool single = delete_inline_blob(db, user_id, blob_id);
    tx.commit();
    return streamed || single;
  });
}

std::optional<std::string> SqliteStore::read_blob_part(const std::string& content_id, std::int64_t part,
                                                       std::int64_t offset, std::int64_t length) {
  return read([&](Database& db) -> std::optional<std::string> {
    Transaction tx(db, Transaction::Kind::deferred);
    std::int64_t rowid = 0;
    {
      auto query = db.cached("SELECT rowid FROM blob_parts WHERE content_id = ?1 AND part = ?2");
      query->bind(1, content_id).bind(2, part);
      if (!query->step()) return std::nullopt;
      rowid = query->column_int64(0);
    }
    return db.read_blob("blob_parts", "bytes", rowid, offset, length);
  });
}

std::string SqliteStore::create_upload(const std::string& user_id, const std::string& blob_id, std::int64_t size,
                                       std::int64_t part_size, Millis now) {
  return write([&](Database& db) {
    Transaction tx(db);
    require_user(db, user_id);
    std::string id = new_uuid();
    db.cached(
          "INSERT INTO blob_uploads (upload_id, user_id, blob_id, size, part_size, created_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        ->bind(1, id)
        .bind(2, user_id)
        .bind(3, blob_id)
        .bind(4, size)
        .bind(5, part_size)
        .bind(6, now)
        .run();
    tx.commit();
    return id;
  });
}

std::optional<BlobUpload> SqliteStore::find_upload(const std::string& user_id, const std::string& blob_id,
                                                   const std::string& upload_id) {
  return read([&](Database& db) -> std::optional<BlobUpload> {
    Transaction tx(db, Transaction::Kind::deferred);
    BlobUpload upload;
    {
      auto query = db.cached(
          "SELECT size, part_size, created_at FROM blob_uploads WHERE upload_id = ?1 AND user_id = ?2 AND "
          "blob_id = ?3");
      query->bind(1, upload_id).bind(2, user_id).bind(3, blob_id);
      if (!query->step()) return std::nullopt;
      upload.upload_id = upload_id;
      upload.blob_id = blob_id;
      upload.size = query->column_int64(0);
      upload.part_size = query->column_int64(1);
      upload.created_at = query->column_int64(2);
    }
    auto parts = db.cached("SELECT part FROM blob_parts WHERE content_id = ?1 ORDER BY part");
    parts->bind(1, upload_id);
    while (parts->step()) upload.parts.push_back(parts->column_int64(0));
    return upload;
  });
}

bool SqliteStore::put_upload_part(const std::string& user_id, const std::string& blob_id,
                                  const std::string& upload_id, std::int64_t part, const std::string& bytes) {
  return write([&](Database& db) {
    Transaction tx(db);
    {
      auto exists =
          db.cached("SELECT 1 FROM blob_uploads WHERE upload_id = ?1 AND user_id = ?2 AND blob_id = ?3");
      exists->bind(1, upload_id).bind(2, user_id).bind(3, blob_id);
      if (!exists->step()) return false;
    }
    db.cached("INSERT OR REPLACE INTO blob_parts (content_id, part, bytes) VALUES (?1, ?2, ?3)")
        ->bind(1, upload_id)
        .bind(2, part)
        .bind_blob_ref(3, bytes)
        .run();
    tx.commit();
    return true;
  });
}

CompleteResult SqliteStore::complete_upload(const std::string& user_id, const std::string& blob_id,
                                            const std::string& upload_id, Millis now) {
  return write([&](Database& db) {
    Transaction tx(db);
    std::int64_t size = 0;
    std::int64_t part_size = 0;
    {
      auto query = db.cached(
          "SELECT size, part_size FROM blob_uploads WHERE upload_id = ?1 AND user_id = ?2 AND blob_id = ?3");
      query->bind(1, upload_id).bind(2, user_id).bind(3, blob_id);
      if (!query->step()) return CompleteResult::no_upload;
      size = query->column_int64(0);
      part_size = query->column_int64(1);
    }
    {
      // Parts are checked for their size as they arrive, so a full count is a whole stream.
      auto count = db.cached("SELECT count(*) FROM blob_parts WHERE content_id = ?1");
      count->bind(1, upload_id);
      const std::int64_t expected = size == 0 ? 0 : (size + part_size - 1) / part_size;
      if (!count->step() || count->column_int64(0) != expected) return CompleteResult::missing_parts;
    }
    const bool streamed = delete_stream_blob(db, user_id, blob_id);
    const bool single = delete_inline_blob(db, user_id, blob_id);
    db.cached(
          "INSERT INTO stream_blobs (user_id, blob_id, content_id, size, part_size, updated_at) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        ->bind(1, user_id)
        .bind(2, blob_id)
        .bind(3, upload_id)
        .bind(4, size)
        .bind(5, part_size)
        .bind(6, now)
        .run();
    db.cached("DELETE FROM blob_uploads WHERE upload_id = ?1")->bind(1, upload_id).run();
    tx.commit();
    return streamed || single ? CompleteResult::replaced : CompleteResult::created;
  });
}

bool SqliteStore::delete_upload(const std::string& user_id, const std::string& blob_id,
                                const std::string& upload_id) {
  return write([&](Database& db) {
    Transaction tx(db);
    db.cached("DELETE FROM blob_uploads WHERE upload_id = ?1 AND user_id = ?2 AND blob_id = ?3")
        ->bind(1, upload_id)
        .bind(2, user_id)
        .bind(3, blob_id)
        .run();
    if (db.changes() == 0) return false;
    delete_parts(db, upload_id);
    tx.commit();
    return true;
  });
}

std::int64_t SqliteStore::purge_uploads(Millis created_before) {
  return write([&](Database& db) {
    Transaction tx(db);
    db.cached(
          "DELETE FROM blob_parts WHERE content_id IN (SELECT upload_id FROM blob_uploads WHERE created_at <= ?1)")
        ->bind(1, created_before)
        .run();
    db.cached("DELETE FROM blob_uploads WHERE created_at <= ?1")->bind(1, created_before).run();
    const std::int64_t purged = db.changes();
    tx.commit();
    return purged;
  });
}

}  // namespace synckit::server
