// Linux keychain: the freedesktop Secret Service (gnome-keyring, KWallet) through libsecret.
// One item per entry in the default collection: schema "io.synckit.MasterKey", attributes
// server/app/user, secret = base64 of the 32 key bytes, label "SyncKit master key (<server>)".
#include <libsecret/secret.h>
#include <sodium.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "synckit/bytes.hpp"
#include "synckit/error.hpp"
#include "synckit/native/keychain.hpp"

namespace synckit::native {
namespace {

const SecretSchema* master_key_schema() {
  static const SecretSchema schema = [] {
    SecretSchema s{};
    s.name = "io.synckit.MasterKey";
    s.flags = SECRET_SCHEMA_NONE;
    s.attributes[0] = {"server", SECRET_SCHEMA_ATTRIBUTE_STRING};
    s.attributes[1] = {"app", SECRET_SCHEMA_ATTRIBUTE_STRING};
    s.attributes[2] = {"user", SECRET_SCHEMA_ATTRIBUTE_STRING};
    return s;
  }();
  return &schema;
}

struct HashTableUnref {
  void operator()(GHashTable* table) const noexcept { g_hash_table_unref(table); }
};
struct GErrorFree {
  void operator()(GError* error) const noexcept { g_error_free(error); }
};
struct PasswordFree {  // wipes, then frees (also libsecret's non-pageable memory)
  void operator()(gchar* password) const noexcept { secret_password_free(password); }
};
using Attributes = std::unique_ptr<GHashTable, HashTableUnref>;

// A std::string holding key material, wiped (whole buffer) when it goes.
struct WipedString {
  std::string value;
  ~WipedString() { sodium_memzero(value.data(), value.capacity()); }
};

// D-Bus carries only UTF-8 strings; anything else would abort inside GLib.
void require_utf8(const std::string& value, const char* name) {
  if (g_utf8_validate(value.data(), static_cast<gssize>(value.size()), nullptr) == FALSE) {
    throw Error(ErrorKind::keychain, std::string("the entry's ") + name + " is not valid UTF-8");
  }
}

void insert(GHashTable* table, const char* name, const std::string& value) {
  require_utf8(value, name);
  g_hash_table_insert(table, const_cast<char*>(name), const_cast<char*>(value.c_str()));
}

// The item's attributes; the table borrows the entry's strings.
Attributes attributes_of(const KeyStoreEntry& entry) {
  Attributes table(g_hash_table_new(g_str_hash, g_str_equal));
  insert(table.get(), "server", entry.server_url);
  insert(table.get(), "app", entry.app_id);
  insert(table.get(), "user", entry.user_id);
  return table;
}

// Throws the GError (whose message names the D-Bus failure, never the secret) as Error{keychain}.
[[noreturn]] void throw_gerror(GError* raw, std::string_view what) {
  const std::unique_ptr<GError, GErrorFree> error(raw);
  const char* message = error->message != nullptr ? error->message : "unknown error";
  throw Error(ErrorKind::keychain, std::string(what) + ": " + message);
}

MasterKey decode_stored_key(const char* stored) {
  const Error corrupt(ErrorKind::keychain, "the stored key is corrupt");
  SecretBuffer bytes;
  try {
    bytes = base64_decode_secret(stored, "stored key");
  } catch (const Error&) {
    throw corrupt;
  }
  if (bytes.size() != kKeyBytes) throw corrupt;
  MasterKey key;
  std::memcpy(key.data(), bytes.data(), kKeyBytes);
  return key;
}

class SecretServiceKeychain final : public Keychain {
 public:
  void save(const KeyStoreEntry& entry, const MasterKey& key) override {
    const Attributes attributes = attributes_of(entry);
    const std::string label = "SyncKit master key (" + entry.server_url + ")";
    const WipedString encoded{base64_encode(key.view())};
    GError* error = nullptr;
    secret_password_storev_sync(master_key_schema(), attributes.get(), SECRET_COLLECTION_DEFAULT,
                                label.c_str(), encoded.value.c_str(), nullptr, &error);
    if (error != nullptr) throw_gerror(error, "cannot store the key in the Secret Service");
  }

  std::optional<MasterKey> load(const KeyStoreEntry& entry) override {
    const Attributes attributes = attributes_of(entry);
    GError* error = nullptr;
    const std::unique_ptr<gchar, PasswordFree> stored(
        secret_password_lookupv_nonpageable_sync(master_key_schema(), attributes.get(), nullptr, &error));
    if (error != nullptr) throw_gerror(error, "cannot read the key from the Secret Service");
    if (!stored) return std::nullopt;
    return decode_stored_key(stored.get());
  }

  void remove(const KeyStoreEntry& entry) override {
    const Attributes attributes = attributes_of(entry);
    GError* error = nullptr;
    secret_password_clearv_sync(master_key_schema(), attributes.get(), nullptr, &error);
    if (error != nullptr) throw_gerror(error, "cannot remove the key from the Secret Service");
  }
};

}  // namespace

std::unique_ptr<Keychain> make_os_keychain() { return std::make_unique<SecretServiceKeychain>(); }

}  // namespace synckit::native
