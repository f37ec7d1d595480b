// native::Client's streamed blobs: files and reader/writer callbacks over the core's
// put_blob_stream / get_blob_stream, waiting on the loop like every blocking call.
#include <filesystem>

#include "blob_files.hpp"
#include "client_parts.hpp"

namespace synckit::native {
namespace {

BlobUploadOptions upload_options(const BlobTransferOptions& options) {
  BlobUploadOptions out;
  out.on_progress = options.on_progress;
  out.cancel = options.cancel;
  return out;
}

BlobDownloadOptions download_options(const BlobTransferOptions& options) {
  BlobDownloadOptions out;
  out.on_progress = options.on_progress;
  out.cancel = options.cancel;
  return out;
}

// A core BlobReader over a synchronous read function (on the loop thread).
BlobReader sync_reader(std::function<std::size_t(std::span<std::uint8_t>)> read) {
  return [read = std::move(read)](std::span<std::uint8_t> into, std::function<void(Result<std::size_t>)> filled) {
    std::optional<Result<std::size_t>> result;
    try {
      std::size_t total = 0;
      while (total < into.size()) {  // fewer bytes only at the end
        const std::size_t got = read(into.subspan(total));
        if (got == 0) break;
        total += got;
      }
      result.emplace(total);
    } catch (const Error& e) {
      result.emplace(e);
    }
    filled(std::move(*result));
  };
}

BlobWriter sync_writer(std::function<void(ByteView)> write) {
  return [write = std::move(write)](ByteView bytes, std::function<void(std::optional<Error>)> written) {
    std::optional<Error> error;
    try {
      write(bytes);
    } catch (const Error& e) {
      error = e;
    }
    written(std::move(error));
  };
}

}  // namespace

void Client::put_blob_stream(const std::string& blob_id, std::uint64_t size,
                             std::function<std::size_t(std::span<std::uint8_t>)> read,
                             const BlobTransferOptions& options) {
  parts_->call<Done>([&](auto& c, auto done) {
    c.put_blob_stream(blob_id, size, sync_reader(std::move(read)), upload_options(options), done);
  });
}

BlobDownloadInfo Client::get_blob_stream(const std::string& blob_id, std::function<void(ByteView)> write,
                                         const BlobTransferOptions& options) {
  return parts_->call<BlobDownloadInfo>([&](auto& c, auto done) {
    c.get_blob_stream(blob_id, sync_writer(std::move(write)), download_options(options), done);
  });
}

Bytes Client::get_blob_range(const std::string& blob_id, std::uint64_t offset, std::uint64_t length) {
  Bytes out;
  BlobDownloadOptions options;
  options.offset = offset;
  options.length = length;
  auto write = sync_writer([&](ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); });
  parts_->call<BlobDownloadInfo>([&](auto& c, auto done) { c.get_blob_stream(blob_id, write, options, done); });
  return out;
}

void Client::put_blob_file(const std::string& blob_id, const std::string& path, const BlobTransferOptions& options) {
  const auto attempt = [&](std::optional<UploadResume> resume) {
    FileSource file(path);
    const std::uint64_t size = file.size();
    BlobUploadOptions upload = upload_options(options);
    upload.resume = std::move(resume);
    if (!options.resume_file.empty()) {
      upload.on_resume_record = [&](const UploadResume& record) { save_resume_record(options.resume_file, record); };
    }
    std::uint64_t read_so_far = 0;
    auto read = [&](std::span<std::uint8_t> into) {
      const std::size_t got = file.read(into);
      read_so_far += got;
      if (read_so_far > size || (got < into.size() && read_so_far != size)) {
        throw Error(ErrorKind::invalid_input, "'" + path + "' changed size while it was uploaded", "path");
      }
      return got;
    };
    parts_->call<Done>([&](auto& c, auto done) { c.put_blob_stream(blob_id, size, sync_reader(read), upload, done); });
  };
  std::optional<UploadResume> resume;
  if (!options.resume_file.empty()) resume = load_resume_record(options.resume_file);
  try {
    attempt(std::move(resume));
  } catch (const Error& e) {
    // The file differs from the one of the interrupted upload: nothing was sent; start afresh.
    if (e.kind() != ErrorKind::conflict || options.resume_file.empty()) throw;
    remove_resume_record(options.resume_file);
    attempt(std::nullopt);
  }
  if (!options.resume_file.empty()) remove_resume_record(options.resume_file);
}

BlobDownloadInfo Client::get_blob_file(const std::string& blob_id, const std::string& path,
                                       const BlobTransferOptions& options) {
  TempFileCommit file(path);
  const BlobDownloadInfo info = get_blob_stream(blob_id, [&](ByteView bytes) { file.write(bytes); }, options);
  file.commit();
  return info;
}

}  // namespace synckit::native
