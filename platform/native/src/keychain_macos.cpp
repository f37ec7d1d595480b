// macOS/iOS keychain: Keychain Services generic passwords (Security framework).
// NOT COMPILED ON THE LINUX BUILD MACHINE: CMake adds this file only on Apple systems, so it is
// kept small and plain. Item: kSecClassGenericPassword, service "io.synckit.MasterKey", account
// "<server>|<app>|<user>", label "SyncKit master key (<server>)", data = the 32 raw key bytes.
#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "synckit/error.hpp"
#include "synckit/native/keychain.hpp"

namespace synckit::native {
namespace {

struct CfRelease {
  void operator()(CFTypeRef ref) const noexcept { CFRelease(ref); }
};
template <class Ref>
using CfPtr = std::unique_ptr<std::remove_pointer_t<Ref>, CfRelease>;

// A CFMutableData holding key bytes: wiped before it is released.
struct CfWipeRelease {
  void operator()(CFMutableDataRef data) const noexcept {
    secure_wipe(CFDataGetMutableBytePtr(data), static_cast<std::size_t>(CFDataGetLength(data)));
    CFRelease(data);
  }
};
using CfSecretData = std::unique_ptr<std::remove_pointer_t<CFMutableDataRef>, CfWipeRelease>;

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorKind::keychain, what); }

void check(OSStatus status, const char* what) {
  if (status != errSecSuccess) fail(std::string(what) + " (OSStatus " + std::to_string(status) + ")");
}

CfPtr<CFStringRef> cf_string(const std::string& text) {
  CfPtr<CFStringRef> result(CFStringCreateWithBytes(kCFAllocatorDefault,
                                                    reinterpret_cast<const UInt8*>(text.data()),
                                                    static_cast<CFIndex>(text.size()),
                                                    kCFStringEncodingUTF8, false));
  if (!result) fail("the entry is not valid UTF-8");
  return result;
}

CfPtr<CFMutableDictionaryRef> new_dictionary() {
  CfPtr<CFMutableDictionaryRef> dict(CFDictionaryCreateMutable(
      kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks, &kCFTypeDictionaryValueCallBacks));
  if (!dict) fail("out of memory");
  return dict;
}

// class + service + account: identifies the entry's item. The dictionary retains its values.
CfPtr<CFMutableDictionaryRef> item_query(const KeyStoreEntry& entry) {
  const CfPtr<CFStringRef> service = cf_string("io.synckit.MasterKey");
  const CfPtr<CFStringRef> account =
      cf_string(entry.server_url + "|" + entry.app_id + "|" + entry.user_id);
  CfPtr<CFMutableDictionaryRef> query = new_dictionary();
  CFDictionarySetValue(query.get(), kSecClass, kSecClassGenericPassword);
  CFDictionarySetValue(query.get(), kSecAttrService, service.get());
  CFDictionarySetValue(query.get(), kSecAttrAccount, account.get());
  return query;
}

CfSecretData secret_data(const MasterKey& key) {
  CfSecretData data(CFDataCreateMutable(kCFAllocatorDefault, static_cast<CFIndex>(key.size())));
  if (!data) fail("out of memory");
  CFDataAppendBytes(data.get(), key.data(), static_cast<CFIndex>(key.size()));
  return data;
}

class MacKeychain final : public Keychain {
 public:
  // Updates the item's data, or adds the item when there is none yet.
  void save(const KeyStoreEntry& entry, const MasterKey& key) override {
    const CfPtr<CFMutableDictionaryRef> query = item_query(entry);
    const CfSecretData data = secret_data(key);
    const CfPtr<CFMutableDictionaryRef> update = new_dictionary();
    CFDictionarySetValue(update.get(), kSecValueData, data.get());
    OSStatus status = SecItemUpdate(query.get(), update.get());
    if (status == errSecItemNotFound) {
      const CfPtr<CFStringRef> label = cf_string("SyncKit master key (" + entry.server_url + ")");
      CFDictionarySetValue(query.get(), kSecAttrLabel, label.get());
      CFDictionarySetValue(query.get(), kSecValueData, data.get());
      status = SecItemAdd(query.get(), nullptr);
    }
    check(status, "cannot store the key in the keychain");
  }

  // The returned CFData is immutable, so that one copy cannot be wiped here.
  std::optional<MasterKey> load(const KeyStoreEntry& entry) override {
    const CfPtr<CFMutableDictionaryRef> query = item_query(entry);
    CFDictionarySetValue(query.get(), kSecReturnData, kCFBooleanTrue);
    CFDictionarySetValue(query.get(), kSecMatchLimit, kSecMatchLimitOne);
    CFTypeRef raw = nullptr;
    const OSStatus status = SecItemCopyMatching(query.get(), &raw);
    if (status == errSecItemNotFound) return std::nullopt;
    check(status, "cannot read the key from the keychain");
    const CfPtr<CFTypeRef> result(raw);
    if (!result || CFGetTypeID(result.get()) != CFDataGetTypeID()) fail("the stored key is corrupt");
    const auto data = static_cast<CFDataRef>(result.get());
    if (CFDataGetLength(data) != static_cast<CFIndex>(kKeyBytes)) fail("the stored key is corrupt");
    MasterKey key;
    std::memcpy(key.data(), CFDataGetBytePtr(data), kKeyBytes);
    return key;
  }

  void remove(const KeyStoreEntry& entry) override {
    const OSStatus status = SecItemDelete(item_query(entry).get());
    if (status == errSecItemNotFound) return;
    check(status, "cannot remove the key from the keychain");
  }
};

}  // namespace

std::unique_ptr<Keychain> make_os_keychain() { return std::make_unique<MacKeychain>(); }

}  // namespace synckit::native
