// Native crypto benchmark: SyncKit's change and blob seal/open against raw libsodium calls doing
// the same work (fresh random nonce, XChaCha20-Poly1305 with the same AAD, the same plaintext
// bytes), and envelope unwrap (Argon2id 64 MiB, 3 passes). Rounds alternate SDK and baseline;
// the table shows medians and their ratio. Usage: crypto_native [--json FILE] [--quick] [--only TEXT]
// (--only runs just the rows whose name contains TEXT, e.g. "change open" under callgrind).
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "synckit/crypto/blob.hpp"
#include "synckit/crypto/change.hpp"
#include "synckit/crypto/envelope.hpp"
#include "synckit/native/sodium_random.hpp"
#include "synckit/timestamp.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using synckit::Bytes;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Seconds per call of `work`, timed over `calls` calls.
double time_per_call(const std::function<void()>& work, int calls) {
  const auto start = Clock::now();
  for (int i = 0; i < calls; ++i) work();
  return std::chrono::duration<double>(Clock::now() - start).count() / calls;
}

struct Row {
  std::string name;
  double sdk;       // seconds per call, median
  double baseline;  // seconds per call, median
};

// Alternates rounds of the SDK and the baseline; medians of each.
std::string only;  // --only: rows whose name contains this

// Whether a group of rows (named by `group`, e.g. "blob") can hold rows that --only asks for.
bool wanted(const std::string& group) {
  return group.find(only) != std::string::npos || only.find(group) != std::string::npos;
}

std::optional<Row> compare(const std::string& name, const std::function<void()>& sdk,
                           const std::function<void()>& baseline, int calls, int rounds) {
  if (name.find(only) == std::string::npos) return std::nullopt;
  std::vector<double> a, b;
  for (int r = 0; r < rounds; ++r) {
    a.push_back(time_per_call(sdk, calls));
    b.push_back(time_per_call(baseline, calls));
  }
  return Row{name, median(a), median(b)};
}

Bytes aad_for(const char* label, const std::string& id) {
  Bytes aad(label, label + std::strlen(label));
  aad.push_back(0);
  aad.insert(aad.end(), id.begin(), id.end());
  return aad;
}

// Raw libsodium: nonce from randombytes_buf, then encrypt into nonce || ciphertext || tag.
Bytes raw_seal(const std::uint8_t* key, const Bytes& plain, const Bytes& aad) {
  Bytes out(24 + plain.size() + 16);
  randombytes_buf(out.data(), 24);
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + 24, nullptr, plain.data(), plain.size(), aad.data(),
                                             aad.size(), nullptr, out.data(), key);
  return out;
}

Bytes raw_open(const std::uint8_t* key, const Bytes& sealed, const Bytes& aad) {
  Bytes out(sealed.size() - 40);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(out.data(), nullptr, nullptr, sealed.data() + 24, sealed.size() - 24,
                                                 aad.data(), aad.size(), sealed.data(), key) != 0) {
    std::abort();
  }
  return out;
}

synckit::ChangeEntry row_of_size(std::size_t plaintext_bytes) {
  synckit::ChangeEntry entry{"todos", synckit::ChangeOp::update, "todo-000123",
                             *synckit::parse_timestamp("2026-11-25T16:30:59.123Z"), nullptr};
  entry.data = {{"title", ""}, {"done", false}, {"priority", 3}};
  const std::size_t base = synckit::change_entry_to_json(entry).size();
  entry.data["title"] = std::string(plaintext_bytes > base ? plaintext_bytes - base : 1, 'x');
  return entry;
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--json" && i + 1 < argc) json_path = argv[++i];
    if (std::string(argv[i]) == "--quick") quick = true;
    if (std::string(argv[i]) == "--only" && i + 1 < argc) only = argv[++i];
  }
  synckit::native::SodiumRandom random;
  const synckit::MasterKey master = synckit::generate_master_key(random);
  const synckit::ChangeKey change_key = synckit::derive_change_key(master);
  const synckit::BlobKey blob_key = synckit::derive_blob_key(master);
  const int rounds = quick ? 5 : 11;
  std::vector<std::optional<Row>> rows;

  for (const std::size_t size : {std::size_t{200}, std::size_t{4096}}) {
    if (!wanted("change")) break;
    const synckit::ChangeEntry entry = row_of_size(size);
    const std::string text = synckit::change_entry_to_json(entry);
    const Bytes plain(text.begin(), text.end());
    const Bytes aad = aad_for("synckit:v1:change", "c_0001");
    const Bytes sealed = synckit::seal_change(change_key, "c_0001", entry, random);
    const int calls = size < 1000 ? 20000 : 5000;
    const std::string label = std::to_string(size) + " B row";
    rows.push_back(compare("change seal, " + label,
                           [&] { synckit::seal_change(change_key, "c_0001", entry, random); },
                           [&] { raw_seal(change_key.data(), plain, aad); }, quick ? calls / 10 : calls, rounds));
    rows.push_back(compare("change open, " + label, [&] { synckit::open_change(change_key, "c_0001", sealed); },
                           [&] { raw_open(change_key.data(), sealed, aad); }, quick ? calls / 10 : calls, rounds));
  }
  for (const std::size_t size : {std::size_t{1} << 20, std::size_t{64} << 20}) {
    if (!wanted("blob")) break;
    Bytes plain(size);
    randombytes_buf(plain.data(), plain.size());
    const Bytes aad = aad_for("synckit:v1:blob", "photo-1");
    const Bytes sealed = synckit::seal_blob(blob_key, "photo-1", plain, random);
    const int calls = size <= (1u << 20) ? 50 : 1;
    const std::string label = std::to_string(size >> 20) + " MiB blob";
    const int blob_rounds = size <= (1u << 20) ? rounds : (quick ? 3 : 5);
    rows.push_back(compare("blob seal, " + label, [&] { synckit::seal_blob(blob_key, "photo-1", plain, random); },
                           [&] { raw_seal(blob_key.data(), plain, aad); }, calls, blob_rounds));
    rows.push_back(compare("blob open, " + label, [&] { synckit::open_blob(blob_key, "photo-1", sealed); },
                           [&] { raw_open(blob_key.data(), sealed, aad); }, calls, blob_rounds));
  }
  if (wanted("envelope")) {
    const synckit::KeyEnvelope envelope = synckit::wrap_master_key(master, "correct horse", random);
    std::uint8_t kek[32];
    const auto raw_unwrap = [&] {
      if (crypto_pwhash(kek, sizeof kek, "correct horse", 13, envelope.salt.data(), 3, 67108864,
                        crypto_pwhash_ALG_ARGON2ID13) != 0) {
        std::abort();
      }
    };
    rows.push_back(compare("envelope unwrap (Argon2id 64 MiB, 3 passes)",
                           [&] { synckit::unwrap_master_key(envelope, "correct horse"); }, raw_unwrap, 1,
                           quick ? 3 : 5));
  }

  std::printf("native crypto: SyncKit vs raw libsodium, medians of %d alternating rounds\n", rounds);
  std::printf("%-46s %14s %14s %8s\n", "operation", "SyncKit", "libsodium", "ratio");
  nlohmann::json results = nlohmann::json::array();
  for (const auto& maybe_row : rows) {
    if (!maybe_row) continue;
    const Row& row = *maybe_row;
    std::printf("%-46s %11.2f us %11.2f us %7.2fx\n", row.name.c_str(), row.sdk * 1e6, row.baseline * 1e6,
                row.sdk / row.baseline);
    results.push_back({{"operation", row.name}, {"synckit_s", row.sdk}, {"libsodium_s", row.baseline},
                       {"ratio", row.sdk / row.baseline}});
  }
  std::printf("target: every ratio <= 1.20\n");
  if (!json_path.empty()) std::ofstream(json_path) << results.dump(2) << "\n";
  return 0;
}
