// PostgresStore: blobs in both forms and streamed uploads (schema v4), with the semantics of
// SqliteStore's (sqlite_store_blobs.cpp). Writes of one blob id take lock_blob first, so several
// nodes completing, putting and deleting the same id leave it in exactly one form.
#include "storage/postgres_store.hpp"
#include "storage/row_ids.hpp"

namespace synckit::server {

namespace {

using P = PgParam;

// Removes the streamed form of the blob, if any, with its parts; true when there was one.
bool delete_stream_blob(PgConnection& conn, const std::string& user_id, const std::string& blob_id) {
  const PgResult gone = conn.exec("DELETE FROM stream_blobs WHERE user_id = $1 AND blob_id = $2 RETURNING content_id",
                                  {P::bytes(user_id), P::bytes(blob_id)});
  if (gone.rows() == 0) return false;
  const std::string content_id = gone.bytes(0, 0);
  conn.exec("DELETE FROM blob_parts WHERE content_id = $1", {P::bytes(content_id)});
  return true;
}

bool delete_inline_blob(PgConnection& conn, const std::string& user_id, const std::string& blob_id) {
  return conn.exec("DELETE FROM blobs WHERE user_id = $1 AND blob_id = $2", {P::bytes(user_id), P::bytes(blob_id)})
             .affected() > 0;
}

}  // namespace

void PostgresStore::lock_blob(PgConnection& conn, const std::string& user_id, const std::string& blob_id) {
  conn.exec("SELECT pg_advisory_xact_lock(('x' || substr(md5($1 || '/' || $2), 1, 16))::bit(64)::bigint)",
            {P::text(user_id), P::text(blob_id)});
}

PutResult PostgresStore::put_blob(const std::string& user_id, const std::string& blob_id,
                                  const std::string& bytes, Millis now) {
  const auto size = static_cast<std::int64_t>(bytes.size());
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    lock_user(conn, user_id);
    lock_blob(conn, user_id, blob_id);
    const bool streamed = delete_stream_blob(conn, user_id, blob_id);
    // xmax is 0 on a row this statement inserted, set on one it updated.
    const PgResult row = conn.exec(
        "INSERT INTO blobs (user_id, blob_id, size, updated_at, bytes) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (user_id, blob_id) DO UPDATE SET size = excluded.size, updated_at = excluded.updated_at, "
        "bytes = excluded.bytes RETURNING (xmax = 0)",
        {P::bytes(user_id), P::bytes(blob_id), P::int64(size), P::int64(now), P::bytes(bytes)});
    tx.commit();
    return row.boolean(0, 0) && !streamed ? PutResult::created : PutResult::replaced;
  });
}

std::optional<StoredBlob> PostgresStore::open_blob(const std::string& user_id, const std::string& blob_id) {
  return with([&](PgConnection& conn) -> std::optional<StoredBlob> {
    // One statement, one snapshot: the streamed row, else the single-shot one.
    const PgResult rows = conn.exec(
        "SELECT 1, content_id, size, part_size, NULL::bytea FROM stream_blobs WHERE user_id = $1 AND blob_id = $2 "
        "UNION ALL SELECT 0, NULL::bytea, size, 0, bytes FROM blobs WHERE user_id = $1 AND blob_id = $2",
        {P::bytes(user_id), P::bytes(blob_id)});
    if (rows.rows() == 0) return std::nullopt;
    StoredBlob blob;
    blob.size = rows.int64(0, 2);
    if (rows.int64(0, 0) == 1) {
      blob.format = kStreamFormat;
      blob.content_id = rows.bytes(0, 1);
      blob.part_size = rows.int64(0, 3);
    } else {
      blob.format = kSealedFormat;
      blob.bytes = rows.bytes(0, 4);
    }
    return blob;
  });
}

bool PostgresStore::delete_blob(const std::string& user_id, const std::string& blob_id) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    lock_blob(conn, user_id, blob_id);
    const bool streamed = delete_stream_blob(conn, user_id, blob_id);
    const bool single = delete_inline_blob(conn, user_id, blob_id);
    tx.commit();
    return streamed || single;
  });
}

std::optional<std::string> PostgresStore::read_blob_part(const std::string& content_id, std::int64_t part,
                                                         std::int64_t offset, std::int64_t length) {
  return with([&](PgConnection& conn) -> std::optional<std::string> {
    // Parts are stored uncompressed out of line (STORAGE EXTERNAL), so substring fetches only the
    // TOAST chunks it needs and octet_length reads the TOAST pointer.
    const PgResult rows = conn.exec(
        "SELECT substring(bytes FROM ($3 + 1)::integer FOR ($4)::integer), octet_length(bytes)::bigint "
        "FROM blob_parts WHERE content_id = $1 AND part = $2",
        {P::bytes(content_id), P::int64(part), P::int64(offset), P::int64(length)});
    if (rows.rows() == 0 || rows.int64(0, 1) < offset + length) return std::nullopt;
    return rows.bytes(0, 0);
  });
}

std::string PostgresStore::create_upload(const std::string& user_id, const std::string& blob_id, std::int64_t size,
                                         std::int64_t part_size, Millis now) {
  return with([&](PgConnection& conn) {
    std::string id = new_uuid();
    // Locks the user's row first (see lock_user): no row, no upload.
    const PgResult done = conn.exec(
        "WITH u AS (SELECT id FROM users WHERE id = $2 FOR KEY SHARE) "
        "INSERT INTO blob_uploads (upload_id, user_id, blob_id, size, part_size, created_at) "
        "SELECT $1, u.id, $3, $4, $5, $6 FROM u",
        {P::bytes(id), P::bytes(user_id), P::bytes(blob_id), P::int64(size), P::int64(part_size), P::int64(now)});
    if (done.affected() == 0) throw UserGone();
    return id;
  });
}

std::optional<BlobUpload> PostgresStore::find_upload(const std::string& user_id, const std::string& blob_id,
                                                     const std::string& upload_id) {
  return with([&](PgConnection& conn) -> std::optional<BlobUpload> {
    PgTransaction tx(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const PgResult row = conn.exec(
        "SELECT size, part_size, created_at FROM blob_uploads WHERE upload_id = $1 AND user_id = $2 AND blob_id = $3",
        {P::bytes(upload_id), P::bytes(user_id), P::bytes(blob_id)});
    if (row.rows() == 0) return std::nullopt;
    BlobUpload upload{upload_id, blob_id, row.int64(0, 0), row.int64(0, 1), row.int64(0, 2), {}};
    const PgResult parts =
        conn.exec("SELECT part FROM blob_parts WHERE content_id = $1 ORDER BY part", {P::bytes(upload_id)});
    for (int i = 0; i < parts.rows(); ++i) upload.parts.push_back(parts.int64(i, 0));
    tx.commit();
    return upload;
  });
}

bool PostgresStore::put_upload_part(const std::string& user_id, const std::string& blob_id,
                                    const std::string& upload_id, std::int64_t part, const std::string& bytes) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    // FOR KEY SHARE: complete_upload and delete_upload (which delete the row) wait for this part.
    const PgResult upload = conn.exec(
        "SELECT 1 FROM blob_uploads WHERE upload_id = $1 AND user_id = $2 AND blob_id = $3 FOR KEY SHARE",
        {P::bytes(upload_id), P::bytes(user_id), P::bytes(blob_id)});
    if (upload.rows() == 0) return false;
    conn.exec(
        "INSERT INTO blob_parts (content_id, part, bytes) VALUES ($1, $2, $3) "
        "ON CONFLICT (content_id, part) DO UPDATE SET bytes = excluded.bytes",
        {P::bytes(upload_id), P::int64(part), P::bytes(bytes)});
    tx.commit();
    return true;
  });
}

CompleteResult PostgresStore::complete_upload(const std::string& user_id, const std::string& blob_id,
                                              const std::string& upload_id, Millis now) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    lock_blob(conn, user_id, blob_id);
    const PgResult upload = conn.exec(
        "SELECT size, part_size FROM blob_uploads WHERE upload_id = $1 AND user_id = $2 AND blob_id = $3 FOR UPDATE",
        {P::bytes(upload_id), P::bytes(user_id), P::bytes(blob_id)});
    if (upload.rows() == 0) return CompleteResult::no_upload;
    const std::int64_t size = upload.int64(0, 0), part_size = upload.int64(0, 1);
    // Parts are checked for their size as they arrive, so a full count is a whole stream.
    const std::int64_t expected = size == 0 ? 0 : (size + part_size - 1) / part_size;
    const PgResult count =
        conn.exec("SELECT count(*)::bigint FROM blob_parts WHERE content_id = $1", {P::bytes(upload_id)});
    if (count.int64(0, 0) != expected) return CompleteResult::missing_parts;
    const bool streamed = delete_stream_blob(conn, user_id, blob_id);
    const bool single = delete_inline_blob(conn, user_id, blob_id);
    conn.exec(
        "INSERT INTO stream_blobs (user_id, blob_id, content_id, size, part_size, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)",
        {P::bytes(user_id), P::bytes(blob_id), P::bytes(upload_id), P::int64(size), P::int64(part_size),
         P::int64(now)});
    conn.exec("DELETE FROM blob_uploads WHERE upload_id = $1", {P::bytes(upload_id)});
    tx.commit();
    return streamed || single ? CompleteResult::replaced : CompleteResult::created;
  });
}

bool PostgresStore::delete_upload(const std::string& user_id, const std::string& blob_id,
                                  const std::string& upload_id) {
  return with([&](PgConnection& conn) {
    PgTransaction tx(conn);
    const PgResult gone = conn.exec("DELETE FROM blob_uploads WHERE upload_id = $1 AND user_id = $2 AND blob_id = $3",
                                    {P::bytes(upload_id), P::bytes(user_id), P::bytes(blob_id)});
    if (gone.affected() == 0) return false;
    conn.exec("DELETE FROM blob_parts WHERE content_id = $1", {P::bytes(upload_id)});
    tx.commit();
    return true;
  });
}

std::int64_t PostgresStore::purge_uploads(Millis created_before) {
  return with([&](PgConnection& conn) {
    const PgResult purged = conn.exec(
        // A data-modifying WITH runs to completion whether or not the query reads it.
        "WITH u AS (DELETE FROM blob_uploads WHERE created_at <= $1 RETURNING upload_id), "
        "p AS (DELETE FROM blob_parts WHERE content_id IN (SELECT upload_id FROM u)) "
        "SELECT count(*) FROM u",
        {P::int64(created_before)});
    return purged.int64(0, 0);
  });
}

}  // namespace synckit::server
