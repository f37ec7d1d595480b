// blob put, blob get, blob rm: files sealed on this device, stored as ciphertext. Files over
// 4 MiB go up as streamed blobs (any size, a few parts of memory, resumable: the record lives in
// the profile's uploads/ until the blob is complete); downloads of either form stream to a
// temporary file that replaces FILE only once whole. A progress line goes to a terminal's stderr.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "commands.hpp"
#include "file_io.hpp"
#include "session.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {
namespace {

constexpr std::uint64_t kStreamAbove = 4u << 20;

// "\r<verb> ID: 42% (12.3 of 29.3 MB)" on stderr when it is a terminal; nothing otherwise.
class ProgressLine {
 public:
  ProgressLine(std::string verb, std::string blob_id)
      : verb_(std::move(verb)), blob_id_(std::move(blob_id)), shown_(::isatty(STDERR_FILENO) == 1) {}
  ~ProgressLine() {
    if (drawn_) std::fputs("\n", stderr);
  }
  void update(std::uint64_t done, std::uint64_t total) {
    if (!shown_) return;
    const double percent = total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
    std::fprintf(stderr, "\r%s %s: %3.0f%% (%.1f of %.1f MB)", verb_.c_str(), blob_id_.c_str(), percent,
                 static_cast<double>(done) / 1e6, static_cast<double>(total) / 1e6);
    std::fflush(stderr);
    drawn_ = true;
  }
  native::BlobTransferOptions options() {
    native::BlobTransferOptions out;
    out.on_progress = [this](std::uint64_t done, std::uint64_t total) { update(done, total); };
    return out;
  }

 private:
  std::string verb_;
  std::string blob_id_;
  bool shown_;
  bool drawn_ = false;
};

// Where an interrupted upload of `blob_id` is remembered (public values only: no key, no plaintext).
std::string resume_path(const Session& session, const std::string& blob_id) {
  const std::filesystem::path dir = session.dir() / "uploads";
  ensure_private_dir(dir);
  return (dir / (blob_id + ".resume")).string();
}

void stored(const std::string& blob_id, std::uint64_t size, bool streamed) {
  print_line("stored blob " + blob_id + ": " + std::to_string(size) + " bytes, sealed on this device" +
             (streamed ? " (streamed)" : ""));
}

}  // namespace

void blob_put(const Invocation& in) {
  Session session(in.args);
  const std::string& blob_id = in.operands[0];
  const std::string& path = in.operands[1];
  std::error_code ec;
  const bool is_file = path != "-" && std::filesystem::is_regular_file(path, ec);
  const std::uint64_t size = is_file ? std::filesystem::file_size(path, ec) : 0;
  if (is_file && !ec && size > kStreamAbove) {
    native::Client& client = session.unlocked();
    ProgressLine progress("uploading", blob_id);
    native::BlobTransferOptions options = progress.options();
    options.resume_file = resume_path(session, blob_id);
    client.put_blob_file(blob_id, path, options);
    session.check_saved();
    return stored(blob_id, size, true);
  }
  const Bytes plain = read_input(path);
  native::Client& client = session.unlocked();
  if (plain.size() > kStreamAbove) {  // standard input, read whole: streamed from memory
    ProgressLine progress("uploading", blob_id);
    std::size_t at = 0;
    client.put_blob_stream(
        blob_id, plain.size(),
        [&](std::span<std::uint8_t> into) {
          const std::size_t n = std::min(into.size(), plain.size() - at);
          std::copy_n(plain.begin() + static_cast<std::ptrdiff_t>(at), n, into.begin());
          at += n;
          return n;
        },
        progress.options());
  } else {
    client.put_blob(blob_id, plain);
  }
  session.check_saved();
  stored(blob_id, plain.size(), plain.size() > kStreamAbove);
}

void blob_get(const Invocation& in) {
  Session session(in.args);
  const std::string& blob_id = in.operands[0];
  const std::string& path = in.operands[1];
  native::Client& client = session.unlocked();
  ProgressLine progress("downloading", blob_id);
  if (path == "-") {
    // As it authenticates; a tampered stream stops with an error (exit status) after what came before.
    client.get_blob_stream(blob_id, [](ByteView bytes) { write_output("-", bytes); }, progress.options());
  } else {
    client.get_blob_file(blob_id, path, progress.options());
  }
  session.check_saved();
}

void blob_rm(const Invocation& in) {
  Session session(in.args);
  session.signed_in().delete_blob(in.operands[0]);
  session.check_saved();
  print_line("deleted blob " + in.operands[0]);
}

}  // namespace synckit::cli
