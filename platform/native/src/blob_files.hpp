// Files for streamed blobs (private to platform/native): a file read in order, a download that
// appears at its path only once whole, and the upload's resume record kept beside it. POSIX.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <span>
#include <string>

#include "synckit/bytes.hpp"
#include "synckit/client/blob_transfer.hpp"

namespace synckit::native {

// A file opened for reading; its size when opened. Throws Error{invalid_input} naming the path.
class FileSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::uint64_t size() const noexcept { return size_; }
  // Fills `into` unless the file ends sooner; returns the count. Throws Error{invalid_input}.
  std::size_t read(std::span<std::uint8_t> into);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::uint64_t size_ = 0;
};

// A file written beside `path` under a temporary name (created exclusively, owner-only) and moved
// onto `path` by commit() after an fsync; destroyed before commit(), it is removed, so `path` is
// whole or untouched. Throws Error{invalid_input} naming the path.
class TempFileCommit {
 public:
  explicit TempFileCommit(std::string path);
  ~TempFileCommit();
  TempFileCommit(const TempFileCommit&) = delete;
  TempFileCommit& operator=(const TempFileCommit&) = delete;
  void write(ByteView bytes);
  void commit();

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
};

// The resume record at `path`: nullopt when there is none or it cannot be read as one.
std::optional<UploadResume> load_resume_record(const std::string& path);
// Replaces it atomically (temporary file, fsync, rename). Throws Error{invalid_input}.
void save_resume_record(const std::string& path, const UploadResume& record);
void remove_resume_record(const std::string& path) noexcept;

}  // namespace synckit::native
