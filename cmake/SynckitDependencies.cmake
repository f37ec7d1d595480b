# Third-party dependencies: libsodium (pkg-config), nlohmann/json, Catch2 for tests; SQLite and
# cpp-httplib for the reference server.
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
find_package(nlohmann_json 3.10 REQUIRED)
if(SYNCKIT_BUILD_TESTS AND NOT EMSCRIPTEN)
  find_package(Catch2 2 REQUIRED)
endif()
if(SYNCKIT_BUILD_SERVER AND NOT EMSCRIPTEN)
  find_package(SQLite3 REQUIRED)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  find_package(Threads REQUIRED)
endif()
