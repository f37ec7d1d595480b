// The native client against the real synckit-server binary over loopback HTTP (no mocks). Each
// TEST_CASE starts its own server (ServerProcess) on a fresh database. "[keychain]" cases need a
// Secret Service: CTest runs them inside tests/keychain/run_in_private_session.sh.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
