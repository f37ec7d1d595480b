// Streamed blobs against the real server: files and reader/writer forms both ways between two
// devices, both forms read back through every call, progress, an interrupted upload resumed with
// only the missing parts sent (and a changed file uploaded afresh), and tampered or reordered
// streams refused with crypto, leaving no file behind.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sodium.h>

#include "support.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/wire/blob_upload_messages.hpp"

using namespace synckit::integration;
namespace fs = std::filesystem;

namespace {

constexpr const char* kEmail = "streams@example.com";
constexpr const char* kPassword = "a long enough sign-in password";
constexpr const char* kEnvelope = "the envelope password, also long";
constexpr std::size_t kPart = 300'000;  // the server's part size here: 5 MiB is 18 parts

void write_file(const fs::path& path, ByteView bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

Bytes read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The files in `dir` (to see that nothing temporary is left).
std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

struct Devices {
  explicit Devices(ServerProcess& server) : a(client_config(server)), b(client_config(server)) {
    a.create_account(kEmail, kPassword);
    a.setup_encryption_new(kEnvelope);
    b.authenticate(kEmail, kPassword);
    b.setup_encryption_existing(kEnvelope);
  }
  Client a;
  Client b;
};

// Uploads `sealed` as a streamed blob over raw HTTP with `tokens` (what a hostile writer could).
void raw_upload(ServerProcess& server, const SessionTokens& tokens, const std::string& blob_id, ByteView sealed) {
  auto http = raw_http(server);
  const httplib::Headers headers{{"X-SyncKit-Api-Key", server.api_key()},
                                 {"Authorization", "Bearer " + tokens.access_token}};
  const std::string start = R"({"format":"stream-v1","size":)" + std::to_string(sealed.size()) + "}";
  const auto started = http->Post("/v1/blobs/" + blob_id + "/uploads", headers, start, "application/json");
  REQUIRE(started);
  REQUIRE(started->status == 201);
  const auto reply = synckit::wire::parse_upload_start_reply_text(started->body);
  const std::string path = "/v1/blobs/" + blob_id + "/uploads/" + reply.upload_id;
  const auto parts = synckit::wire::part_count(static_cast<std::int64_t>(sealed.size()), reply.part_size);
  for (std::int64_t part = 0; part < parts; ++part) {
    const auto from = static_cast<std::size_t>(part * reply.part_size);
    const auto length = static_cast<std::size_t>(
        synckit::wire::part_length(static_cast<std::int64_t>(sealed.size()), reply.part_size, part));
    const auto put = http->Put(path + "/" + std::to_string(part), headers,
                               std::string(reinterpret_cast<const char*>(sealed.data()) + from, length),
                               "application/octet-stream");
    REQUIRE(put);
    REQUIRE(put->status == 204);
  }
  const auto done = http->Post(path + "/complete", headers, "", "application/json");
  REQUIRE(done);
  REQUIRE(done->status == 201);
}

Bytes raw_get(ServerProcess& server, const SessionTokens& tokens, const std::string& blob_id) {
  auto http = raw_http(server);
  const auto got = http->Get("/v1/blobs/" + blob_id, {{"X-SyncKit-Api-Key", server.api_key()},
                                                       {"Authorization", "Bearer " + tokens.access_token}});
  REQUIRE(got);
  REQUIRE(got->status == 200);
  return Bytes(got->body.begin(), got->body.end());
}

}  // namespace

TEST_CASE("streamed blobs: files both ways, both forms through every read, progress", "[blobs][streams]") {
  ServerProcess server({"--blob-part-size", std::to_string(kPart)});
  Devices d(server);
  const fs::path dir = server.dir() / "files";
  fs::create_directories(dir);
  const Bytes data = pattern_bytes((5u << 20) + 3, 7);
  write_file(dir / "video.bin", data);

  std::vector<std::uint64_t> progress;
  synckit::native::BlobTransferOptions options;
  options.on_progress = [&](std::uint64_t done, std::uint64_t total) {
    CHECK(total == data.size());
    progress.push_back(done);
  };
  d.a.put_blob_file("video", (dir / "video.bin").string(), options);
  REQUIRE(progress.size() == synckit::wire::part_count(
                                 static_cast<std::int64_t>(synckit::blob_stream_sealed_size(data.size())), kPart));
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  CHECK(progress.back() == data.size());

  progress.clear();
  const auto info = d.b.get_blob_file("video", (dir / "copy.bin").string(), options);
  CHECK(info == synckit::BlobDownloadInfo{"stream-v1", data.size()});
  CHECK(read_file(dir / "copy.bin") == data);
  CHECK(std::is_sorted(progress.begin(), progress.end()));
  CHECK(progress.back() == data.size());
  CHECK(d.b.get_blob("video") == data);  // the whole-blob call reads the streamed form too

  // A single-shot blob through the streamed download, and a stream through a reader and writer.
  const Bytes small = pattern_bytes(1000, 8);
  d.a.put_blob("small", small);
  CHECK(d.b.get_blob_file("small", (dir / "small.bin").string()) == synckit::BlobDownloadInfo{"sealed-v1", 1000});
  CHECK(read_file(dir / "small.bin") == small);
  std::size_t at = 0;
  const Bytes other = pattern_bytes(3 * 65536, 9);  // a whole number of chunks: an empty FINAL one
  d.b.put_blob_stream("other", other.size(), [&](std::span<std::uint8_t> into) {
    const std::size_t n = std::min<std::size_t>(into.size() / 3 + 1, other.size() - at);  // short reads
    std::copy_n(other.begin() + static_cast<std::ptrdiff_t>(at), n, into.begin());
    at += n;
    return n;
  });
  Bytes got;
  CHECK(d.a.get_blob_stream("other", [&](ByteView piece) { got.insert(got.end(), piece.begin(), piece.end()); })
            .plain_size == other.size());
  CHECK(got == other);
  // Ranges of both forms: across chunk boundaries, to the end, clipped, empty.
  const auto slice = [&](const Bytes& from, std::size_t at, std::size_t n) {
    return Bytes(from.begin() + static_cast<std::ptrdiff_t>(at), from.begin() + static_cast<std::ptrdiff_t>(at + n));
  };
  CHECK(d.b.get_blob_range("video", 65530, 20) == slice(data, 65530, 20));
  CHECK(d.b.get_blob_range("video", 0, 1) == slice(data, 0, 1));
  CHECK(d.b.get_blob_range("video", kPart * 3 - 5, 3 * 65536) == slice(data, kPart * 3 - 5, 3 * 65536));
  CHECK(d.b.get_blob_range("video", data.size() - 10, 100) == slice(data, data.size() - 10, 10));
  CHECK(d.b.get_blob_range("video", data.size(), 5).empty());
  CHECK(d.b.get_blob_range("small", 990, 100) == slice(small, 990, 10));
  CHECK(d.b.get_blob_range("other", 65536, 65536) == slice(other, 65536, 65536));  // exactly chunk 1
  // an empty blob streams too
  write_file(dir / "empty.bin", {});
  d.a.put_blob_file("empty", (dir / "empty.bin").string());
  CHECK(d.b.get_blob("empty").empty());
  CHECK(files_in(dir) == std::vector<std::string>{"copy.bin", "empty.bin", "small.bin", "video.bin"});
  CHECK(error_of([&] { d.a.get_blob_file("never", (dir / "never.bin").string()); }) == "not_found");
  CHECK(error_of([&] { d.a.put_blob_file("x", (dir / "absent.bin").string()); }) == "invalid_input");
  CHECK(error_of([&] { d.a.put_blob_file("bad/id", (dir / "video.bin").string()); }) == "invalid_input");
  CHECK(files_in(dir) == std::vector<std::string>{"copy.bin", "empty.bin", "small.bin", "video.bin"});
}

TEST_CASE("streamed blobs: an interrupted upload resumes with only the missing parts", "[blobs][streams]") {
  ServerProcess server({"--blob-part-size", std::to_string(kPart)});
  Devices d(server);
  const fs::path dir = server.dir() / "files";
  fs::create_directories(dir);
  Bytes data = pattern_bytes(3u << 20, 11);  // 11 parts
  write_file(dir / "doc.bin", data);
  const std::string resume = (dir / "doc.resume").string();
  const auto parts = synckit::wire::part_count(static_cast<std::int64_t>(synckit::blob_stream_sealed_size(data.size())), kPart);
  REQUIRE(parts == 11);
  // The server logs a request after answering it: wait for the line of the last one first.
  const auto logged = [&](std::string_view text, std::size_t count) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (server.log_count(text) < count && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(server.log_count(text) >= count);
  };
  const auto puts = [&] { return static_cast<std::int64_t>(server.log_count("PUT /v1/blobs/doc/uploads/")); };

  synckit::native::BlobTransferOptions options;
  options.resume_file = resume;
  options.cancel = std::make_shared<synckit::CancelSignal>();
  int seen = 0;
  options.on_progress = [&](std::uint64_t, std::uint64_t) {
    if (++seen == 4) options.cancel->cancel();  // stop after 4 parts
  };
  CHECK(error_of([&] { d.a.put_blob_file("doc", (dir / "doc.bin").string(), options); }) == "cancelled");
  REQUIRE(fs::exists(resume));
  CHECK(error_of([&] { d.b.get_blob("doc"); }) == "not_found");
  logged("PUT /v1/blobs/doc/uploads/", 4);
  CHECK(puts() == 4);  // cancelled once the fourth part was in: nothing more was sent

  options.cancel = nullptr;
  options.on_progress = nullptr;
  d.a.put_blob_file("doc", (dir / "doc.bin").string(), options);
  logged("/complete ", 1);
  CHECK(puts() == parts);  // every part exactly once over both attempts
  CHECK_FALSE(fs::exists(resume));
  CHECK(d.b.get_blob("doc") == data);

  // A file that changed since the interrupted attempt is uploaded afresh under a new stream.
  options.cancel = std::make_shared<synckit::CancelSignal>();
  seen = 0;
  options.on_progress = [&](std::uint64_t, std::uint64_t) {
    if (++seen == 2) options.cancel->cancel();
  };
  CHECK(error_of([&] { d.a.put_blob_file("doc", (dir / "doc.bin").string(), options); }) == "cancelled");
  REQUIRE(fs::exists(resume));
  data[10] ^= 0x01;  // the first part differs now
  write_file(dir / "doc.bin", data);
  options.cancel = nullptr;
  options.on_progress = nullptr;
  logged("PUT /v1/blobs/doc/uploads/", static_cast<std::size_t>(parts) + 2);
  const auto before = puts();
  d.a.put_blob_file("doc", (dir / "doc.bin").string(), options);
  logged("/complete ", 2);
  CHECK(puts() - before == parts);
  CHECK(d.b.get_blob("doc") == data);
}

TEST_CASE("streamed blobs: tampered and reordered streams are crypto, and leave no file", "[blobs][streams]") {
  ServerProcess server({"--blob-part-size", std::to_string(kPart)});
  Devices d(server);
  const fs::path dir = server.dir() / "files";
  fs::create_directories(dir);
  const Bytes data = pattern_bytes(1u << 20, 13);  // 16 chunks
  write_file(dir / "in.bin", data);
  const SessionTokens tokens = *d.a.session();
  // Each blob sealed under its own id by the SDK, then changed on the server's side.
  const auto sealed_as = [&](const std::string& id) {
    d.a.put_blob_file(id, (dir / "in.bin").string());
    const Bytes sealed = raw_get(server, tokens, id);
    REQUIRE(sealed.size() == synckit::blob_stream_sealed_size(data.size()));
    REQUIRE(d.b.get_blob(id) == data);  // whole as uploaded
    return sealed;
  };
  sealed_as("good");
  Bytes flipped = sealed_as("flipped");
  flipped[24 + 5 * 65553 + 100] ^= 0x40;  // inside chunk 5
  raw_upload(server, tokens, "flipped", flipped);
  Bytes swapped = sealed_as("swapped");  // chunks 2 and 3 change places
  std::swap_ranges(swapped.begin() + 24 + 2 * 65553, swapped.begin() + 24 + 3 * 65553, swapped.begin() + 24 + 3 * 65553);
  raw_upload(server, tokens, "swapped", swapped);
  raw_upload(server, tokens, "moved", sealed_as("good"));  // sealed for "good": the AAD binds the id

  for (const char* id : {"flipped", "swapped", "moved"}) {
    INFO(id);
    CHECK(error_of([&] { d.b.get_blob_file(id, (dir / "out.bin").string()); }) == "crypto");
    CHECK(error_of([&] { d.b.get_blob(id); }) == "crypto");
    std::size_t handed = 0;
    CHECK(error_of([&] { d.b.get_blob_stream(id, [&](ByteView piece) { handed += piece.size(); }); }) == "crypto");
    CHECK(handed < data.size());  // only chunks before the bad one, never the whole
  }
  CHECK(files_in(dir) == std::vector<std::string>{"in.bin"});
  CHECK(read_file(dir / "in.bin") == data);
  // A range read stops at the chunk holding its last byte: before the flipped chunk 5 it reads
  // fine (so nothing after it was read), from it on it is crypto.
  const auto slice = [&](std::size_t from, std::size_t n) { return Bytes(data.begin() + static_cast<std::ptrdiff_t>(from), data.begin() + static_cast<std::ptrdiff_t>(from + n)); };
  CHECK(d.b.get_blob_range("flipped", 0, 5 * 65536) == slice(0, 5 * 65536));
  CHECK(d.b.get_blob_range("flipped", 3 * 65536 - 7, 100) == slice(3 * 65536 - 7, 100));
  CHECK(error_of([&] { d.b.get_blob_range("flipped", 5 * 65536 - 10, 20); }) == "crypto");
  d.b.get_blob_file("good", (dir / "out.bin").string());
  CHECK(read_file(dir / "out.bin") == data);
}

namespace {

// Writes `size` bytes of a cheap deterministic pattern (xorshift, 1 MiB at a time); returns their
// BLAKE2b-256.
Bytes write_pattern_file(const fs::path& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, crypto_generichash_BYTES);
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  std::vector<std::uint64_t> block((1u << 20) / 8);
  for (std::uint64_t done = 0; done < size;) {
    for (auto& word : block) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      word = x;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(size - done, block.size() * 8));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(block.data()), n);
    done += n;
  }
  REQUIRE(out.good());
  Bytes digest(crypto_generichash_BYTES);
  crypto_generichash_final(&hash, digest.data(), digest.size());
  return digest;
}

Bytes hash_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  crypto_generichash_state hash;
  crypto_generichash_init(&hash, nullptr, 0, crypto_generichash_BYTES);
  std::vector<char> block(1u << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    crypto_generichash_update(&hash, reinterpret_cast<const unsigned char*>(block.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  Bytes digest(crypto_generichash_BYTES);
  crypto_generichash_final(&hash, digest.data(), digest.size());
  return digest;
}

std::uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

}  // namespace

// Its own CTest entry (large.blob_1gib), in the release build only: 1 GiB each way takes seconds
// there and minutes under the sanitizers.
TEST_CASE("streamed blobs: 1 GiB up and down byte for byte, in bounded memory", "[large]") {
  ServerProcess server;  // the default 8 MiB parts
  Devices d(server);
  const fs::path dir = server.dir() / "files";
  fs::create_directories(dir);
  const std::uint64_t size = std::uint64_t{1} << 30;
  const Bytes digest = write_pattern_file(dir / "big.bin", size);
  const std::uint64_t before = peak_rss_bytes();
  d.a.put_blob_file("big", (dir / "big.bin").string());
  d.b.get_blob_file("big", (dir / "copy.bin").string());
  const std::uint64_t peak = peak_rss_bytes();
  CHECK(fs::file_size(dir / "copy.bin") == size);
  CHECK(hash_file(dir / "copy.bin") == digest);
  INFO("peak RSS " << (peak >> 20) << " MiB, " << (before >> 20) << " MiB before the transfers");
  CHECK(peak < (std::uint64_t{96} << 20));  // a few 8 MiB parts, nowhere near the 1 GiB
}
