// make_os_keychain() of builds configured with SYNCKIT_KEYCHAIN=OFF: nothing is persisted.
#include "synckit/native/keychain.hpp"

namespace synckit::native {

std::unique_ptr<Keychain> make_os_keychain() { return std::make_unique<NullKeychain>(); }

}  // namespace synckit::native
