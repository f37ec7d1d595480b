// Windows keychain: Credential Manager generic credentials (wincred, Advapi32).
// NOT COMPILED ON THE LINUX BUILD MACHINE: CMake adds this file only on Windows, so it is kept
// small and plain. Credential: CRED_TYPE_GENERIC, target
// "io.synckit.MasterKey:<server>|<app>|<user>", blob = the 32 raw key bytes.
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <wincred.h>

#include <cstring>
#include <memory>
#include <string>

#include "synckit/error.hpp"
#include "synckit/native/keychain.hpp"

namespace synckit::native {
namespace {

// Wipes the credential's blob, then frees it.
struct CredentialFree {
  void operator()(PCREDENTIALW credential) const noexcept {
    if (credential->CredentialBlob != nullptr) {
      SecureZeroMemory(credential->CredentialBlob, credential->CredentialBlobSize);
    }
    CredFree(credential);
  }
};

[[noreturn]] void fail(const std::string& what) { throw Error(ErrorKind::keychain, what); }

[[noreturn]] void fail_with(DWORD code, const char* what) {
  fail(std::string(what) + " (Windows error " + std::to_string(code) + ")");
}

std::wstring widen(const std::string& utf8) {
  if (utf8.empty()) return {};
  const int size = static_cast<int>(utf8.size());
  const int length = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), size, nullptr, 0);
  if (length <= 0) fail("the entry is not valid UTF-8");
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), size, wide.data(), length);
  return wide;
}

std::wstring target_of(const KeyStoreEntry& entry) {
  return widen("io.synckit.MasterKey:" + entry.server_url + "|" + entry.app_id + "|" + entry.user_id);
}

class WindowsKeychain final : public Keychain {
 public:
  // CredWriteW replaces an existing credential with the same target and type.
  void save(const KeyStoreEntry& entry, const MasterKey& key) override {
    std::wstring target = target_of(entry);
    std::wstring comment = widen("SyncKit master key (" + entry.server_url + ")");
    CREDENTIALW credential{};
    credential.Type = CRED_TYPE_GENERIC;
    credential.TargetName = target.data();
    credential.Comment = comment.data();
    credential.CredentialBlobSize = static_cast<DWORD>(key.size());
    credential.CredentialBlob = const_cast<LPBYTE>(key.data());  // CredWriteW only reads it
    credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
    if (!CredWriteW(&credential, 0)) fail_with(GetLastError(), "cannot store the key in Credential Manager");
  }

  std::optional<MasterKey> load(const KeyStoreEntry& entry) override {
    const std::wstring target = target_of(entry);
    PCREDENTIALW raw = nullptr;
    if (!CredReadW(target.c_str(), CRED_TYPE_GENERIC, 0, &raw)) {
      const DWORD code = GetLastError();
      if (code == ERROR_NOT_FOUND) return std::nullopt;
      fail_with(code, "cannot read the key from Credential Manager");
    }
    const std::unique_ptr<CREDENTIALW, CredentialFree> credential(raw);
    if (credential->CredentialBlobSize != kKeyBytes || credential->CredentialBlob == nullptr) {
      fail("the stored key is corrupt");
    }
    MasterKey key;
    std::memcpy(key.data(), credential->CredentialBlob, kKeyBytes);
    return key;
  }

  void remove(const KeyStoreEntry& entry) override {
    const std::wstring target = target_of(entry);
    if (CredDeleteW(target.c_str(), CRED_TYPE_GENERIC, 0)) return;
    const DWORD code = GetLastError();
    if (code != ERROR_NOT_FOUND) fail_with(code, "cannot remove the key from Credential Manager");
  }
};

}  // namespace

std::unique_ptr<Keychain> make_os_keychain() { return std::make_unique<WindowsKeychain>(); }

}  // namespace synckit::native
