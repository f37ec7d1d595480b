// Streamed blobs, native client, against a running synckit-server (bench/blob_stream_native_run
// starts one):
//  throughput: MIB from a file up (put_blob_file) and back into a file (get_blob_file), against a
//              baseline over the same bytes: libsodium's secretstream called directly, and the
//              sealed parts PUT (ranges GET) over one kept-alive loopback connection by a bare
//              HTTP client (cpp-httplib): what the SDK adds over doing it by hand. ROUNDS
//              interleaved rounds; writes each round's seconds.
//  put/get:    peak resident memory of this process for put_blob_file / get_blob_file of MIB
//              (VmHWM, reset just before), in a process of its own.
// Usage: blob_stream_native URL API_KEY throughput MIB ROUNDS DIR JSON_FILE
//        blob_stream_native URL API_KEY (put | get) MIB EMAIL DIR JSON_FILE
#include <httplib.h>
#include <sodium.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client_bench_support.hpp"
#include "synckit/crypto/blob_stream.hpp"
#include "synckit/native/client.hpp"
#include "synckit/wire/blob_upload_messages.hpp"
#include "synckit/wire/byte_range.hpp"

namespace {

namespace fs = std::filesystem;
using synckit::bench::Clock;
using synckit::bench::config_for;
using synckit::bench::reset_peak;
using synckit::bench::seconds_since;
using synckit::bench::status_bytes;
constexpr const char* kPassword = "bench encryption password";
constexpr std::size_t kChunk = 65536;

void write_random_file(const fs::path& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::vector<unsigned char> block(1u << 20);
  for (std::uint64_t done = 0; done < size; done += block.size()) {
    randombytes_buf(block.data(), block.size());
    out.write(reinterpret_cast<const char*>(block.data()),
              static_cast<std::streamsize>(std::min<std::uint64_t>(block.size(), size - done)));
  }
  if (!out) throw std::runtime_error("cannot write the bench file");
}

// The baseline: the file sealed with crypto_secretstream directly, each part PUT as it fills.
struct Raw {
  httplib::Client http;
  httplib::Headers headers;
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];

  Raw(const std::string& url, const std::string& api_key, const std::string& token) : http(url) {
    http.set_keep_alive(true);
    http.set_read_timeout(300);
    http.set_write_timeout(300);
    headers = {{"X-SyncKit-Api-Key", api_key}, {"Authorization", "Bearer " + token}};
    crypto_secretstream_xchacha20poly1305_keygen(key);
  }

  void put(const std::string& blob_id, const fs::path& path) {
    const std::uint64_t plain = fs::file_size(path);
    const std::uint64_t sealed = synckit::blob_stream_sealed_size(plain);
    const auto start = http.Post("/v1/blobs/" + blob_id + "/uploads", headers,
                                 R"({"format":"stream-v1","size":)" + std::to_string(sealed) + "}", "application/json");
    if (!start || start->status != 201) throw std::runtime_error("raw upload start failed");
    const auto reply = synckit::wire::parse_upload_start_reply_text(start->body);
    const std::string base = "/v1/blobs/" + blob_id + "/uploads/" + reply.upload_id + "/";
    std::string part;
    std::int64_t number = 0;
    const auto flush = [&](bool last) {
      while (part.size() >= static_cast<std::size_t>(reply.part_size) || (last && !part.empty())) {
        const std::size_t n = std::min(part.size(), static_cast<std::size_t>(reply.part_size));
        const auto put = http.Put(base + std::to_string(number++), headers, part.data(), n, "application/octet-stream");
        if (!put || put->status != 204) throw std::runtime_error("raw part put failed");
        part.erase(0, n);
      }
    };
    crypto_secretstream_xchacha20poly1305_state state;
    unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
    crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
    part.append(reinterpret_cast<const char*>(header), sizeof header);
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> chunk(kChunk), out(kChunk + 17);
    for (std::uint64_t done = 0;;) {
      in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(kChunk));
      const auto n = static_cast<std::size_t>(in.gcount());
      done += n;
      const bool last = n < kChunk;
      unsigned long long length = 0;
      crypto_secretstream_xchacha20poly1305_push(&state, out.data(), &length, chunk.data(), n, nullptr, 0,
                                                 last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
      part.append(reinterpret_cast<const char*>(out.data()), length);
      flush(false);
      if (last) break;
    }
    flush(true);
    const auto done = http.Post(base + "complete", headers, "", "application/json");
    if (!done || done->status != 201) throw std::runtime_error("raw complete failed");
  }

  void get(const std::string& blob_id, const fs::path& path) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    crypto_secretstream_xchacha20poly1305_state state;
    std::string pending;
    bool started = false;
    std::uint64_t offset = 0, total = 1;
    std::vector<unsigned char> plain(kChunk);
    while (offset < total) {
      httplib::Headers range = headers;
      range.emplace("Range", synckit::wire::format_range({offset, offset + (8u << 20) - 1}));
      const auto got = http.Get("/v1/blobs/" + blob_id, range);
      if (!got || got->status != 206) throw std::runtime_error("raw range get failed");
      total = synckit::wire::parse_content_range(got->get_header_value("Content-Range"))->size;
      offset += got->body.size();
      pending += got->body;
      if (!started) {
        crypto_secretstream_xchacha20poly1305_init_pull(&state, reinterpret_cast<const unsigned char*>(pending.data()), key);
        pending.erase(0, 24);
        started = true;
      }
      // Opens every whole chunk that arrived (and the last one once everything is in).
      std::size_t at = 0;
      while (pending.size() - at >= kChunk + 17 || (offset == total && at < pending.size())) {
        const std::size_t n = std::min(pending.size() - at, kChunk + 17);
        unsigned long long length = 0;
        unsigned char tag = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &length, &tag,
                                                       reinterpret_cast<const unsigned char*>(pending.data()) + at, n,
                                                       nullptr, 0) != 0) {
          throw std::runtime_error("raw stream did not open");
        }
        out.write(reinterpret_cast<const char*>(plain.data()), static_cast<std::streamsize>(length));
        at += n;
      }
      pending.erase(0, at);
    }
  }
};

nlohmann::json run_throughput(const std::string& url, const std::string& api_key, std::uint64_t mib, int rounds,
                              const fs::path& dir) {
  synckit::native::Client client(config_for(url, api_key));
  client.create_account(synckit::bench::random_email(), "bench sign-in password");
  client.setup_encryption_new(kPassword);
  Raw raw(url, api_key, client.session()->access_token);
  const fs::path source = dir / "source.bin";
  write_random_file(source, mib << 20);
  nlohmann::json out = nlohmann::json::array();
  for (int round = 0; round < rounds; ++round) {
    nlohmann::json row;
    auto start = Clock::now();
    client.put_blob_file("sdk", source.string());
    row["sdk_put_s"] = seconds_since(start);
    start = Clock::now();
    raw.put("raw", source);
    row["raw_put_s"] = seconds_since(start);
    start = Clock::now();
    client.get_blob_file("sdk", (dir / "sdk.out").string());
    row["sdk_get_s"] = seconds_since(start);
    start = Clock::now();
    raw.get("raw", dir / "raw.out");
    row["raw_get_s"] = seconds_since(start);
    fs::remove(dir / "sdk.out");
    fs::remove(dir / "raw.out");
    out.push_back(row);
    std::fprintf(stderr, "round %d: sdk put %.2fs raw put %.2fs sdk get %.2fs raw get %.2fs\n", round + 1,
                 row["sdk_put_s"].get<double>(), row["raw_put_s"].get<double>(), row["sdk_get_s"].get<double>(),
                 row["raw_get_s"].get<double>());
  }
  return {{"blob_bytes", mib << 20}, {"rounds", out}};
}

nlohmann::json run_memory(const std::string& url, const std::string& api_key, const std::string& mode,
                          std::uint64_t mib, const std::string& email, const fs::path& dir) {
  synckit::native::Client client(config_for(url, api_key));
  const fs::path file = dir / (mode == "put" ? "memory.bin" : "memory.out");
  if (mode == "put") {
    client.create_account(email, "bench sign-in password");
    client.setup_encryption_new(kPassword);
    write_random_file(file, mib << 20);
  } else {
    client.authenticate(email, "bench sign-in password");
    client.setup_encryption_existing(kPassword);
  }
  reset_peak();
  const std::size_t before = status_bytes("VmRSS:");
  if (mode == "put") {
    client.put_blob_file("memory", file.string());
  } else {
    client.get_blob_file("memory", file.string());
  }
  const std::size_t peak = status_bytes("VmHWM:");
  return {{"blob_bytes", mib << 20}, {"rss_before_bytes", before}, {"peak_bytes", peak},
          {"peak_above_bytes", peak - before}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 3 ? argv[3] : "";
  if (sodium_init() < 0 || !((mode == "throughput" && argc == 8) || ((mode == "put" || mode == "get") && argc == 8))) {
    std::fprintf(stderr, "usage: blob_stream_native URL API_KEY throughput MIB ROUNDS DIR JSON_FILE\n"
                         "       blob_stream_native URL API_KEY (put | get) MIB EMAIL DIR JSON_FILE\n");
    return 2;
  }
  try {
    const std::string url = argv[1], api_key = argv[2];
    const auto mib = std::stoull(argv[4]);
    const nlohmann::json result = mode == "throughput" ? run_throughput(url, api_key, mib, std::stoi(argv[5]), argv[6])
                                                       : run_memory(url, api_key, mode, mib, argv[5], argv[6]);
    std::ofstream(argv[7]) << result.dump(2) << "\n";
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blob_stream_native: %s\n", e.what());
    return 1;
  }
  return 0;
}
