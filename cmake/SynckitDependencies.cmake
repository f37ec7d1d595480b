# Third-party dependencies: libsodium (pkg-config), nlohmann/json, Catch2 for tests; SQLite for the
# native replica store and the reference server; libpq and cpp-httplib for the reference server.
# Under Emscripten: libsodium built for wasm (scripts/build-wasm-sodium), and the header-only
# libraries through include dirs that hold only them.
if(EMSCRIPTEN)
  # libsodium for wasm, from the prefix scripts/build-wasm-sodium prints (or the environment
  # variable of the same name). Named PkgConfig::SODIUM like the native one, so targets link it the same way.
  if(NOT SYNCKIT_SODIUM_WASM_PREFIX AND DEFINED ENV{SYNCKIT_SODIUM_WASM_PREFIX})
    set(SYNCKIT_SODIUM_WASM_PREFIX "$ENV{SYNCKIT_SODIUM_WASM_PREFIX}")
  endif()
  set(SYNCKIT_SODIUM_WASM_PREFIX "${SYNCKIT_SODIUM_WASM_PREFIX}" CACHE PATH
      "Install prefix of libsodium built for wasm (the last line scripts/build-wasm-sodium prints)" FORCE)
  set(_synckit_sodium_lib "${SYNCKIT_SODIUM_WASM_PREFIX}/lib/libsodium.a")
  set(_synckit_sodium_version_h "${SYNCKIT_SODIUM_WASM_PREFIX}/include/sodium/version.h")
  if(NOT SYNCKIT_SODIUM_WASM_PREFIX OR NOT EXISTS "${_synckit_sodium_lib}" OR NOT EXISTS "${_synckit_sodium_version_h}")
    message(FATAL_ERROR
      "libsodium for wasm not found (SYNCKIT_SODIUM_WASM_PREFIX='${SYNCKIT_SODIUM_WASM_PREFIX}'). Build it with "
      "scripts/build-wasm-sodium and pass the path it prints on its last line: "
      "cmake --preset wasm-release -DSYNCKIT_SODIUM_WASM_PREFIX=\"$(scripts/build-wasm-sodium)\" "
      "(or export SYNCKIT_SODIUM_WASM_PREFIX). scripts/test does this.")
  endif()
  file(STRINGS "${_synckit_sodium_version_h}" _synckit_sodium_version REGEX "#define SODIUM_VERSION_STRING ")
  string(REGEX REPLACE ".*\"([0-9.]+)\".*" "\\1" _synckit_sodium_version "${_synckit_sodium_version}")
  if(_synckit_sodium_version VERSION_LESS 1.0.18)
    message(FATAL_ERROR "libsodium for wasm in ${SYNCKIT_SODIUM_WASM_PREFIX} is ${_synckit_sodium_version}; need >= 1.0.18")
  endif()
  message(STATUS "synckit: libsodium ${_synckit_sodium_version} for wasm from ${SYNCKIT_SODIUM_WASM_PREFIX}")
  add_library(PkgConfig::SODIUM STATIC IMPORTED)
  set_target_properties(PkgConfig::SODIUM PROPERTIES
    IMPORTED_LOCATION "${_synckit_sodium_lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${SYNCKIT_SODIUM_WASM_PREFIX}/include")

  # The Emscripten sysroot hides /usr/include (and must: host headers would shadow the wasm libc and
  # libsodium). Header-only libraries are reached through a build-tree dir holding only a symlink to
  # them. synckit_isolated_headers(<target> <dir-name> <header inside it>) makes an imported target.
  function(synckit_isolated_headers target name header)
    string(MAKE_C_IDENTIFIER "SYNCKIT_HOST_${name}_INCLUDE_DIR" var)
    find_path(${var} "${name}/${header}" PATHS /usr/include /usr/local/include
      NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH DOC "Host include dir holding ${name}/${header}")
    if(NOT ${var})
      message(FATAL_ERROR "${name}/${header} not found on the host (/usr/include); run scripts/bootstrap")
    endif()
    set(dir "${PROJECT_BINARY_DIR}/isolated-include/${name}")
    file(MAKE_DIRECTORY "${dir}")
    file(CREATE_LINK "${${var}}/${name}" "${dir}/${name}" SYMBOLIC)
    add_library(${target} INTERFACE IMPORTED)
    set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${dir}")
  endfunction()
  synckit_isolated_headers(nlohmann_json::nlohmann_json nlohmann json.hpp)
  if(SYNCKIT_BUILD_TESTS)
    synckit_isolated_headers(Catch2::Catch2 catch2 catch.hpp)
  endif()
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium>=1.0.18)
  find_package(nlohmann_json 3.10 REQUIRED)
  if(SYNCKIT_BUILD_TESTS)
    find_package(Catch2 2 REQUIRED)
  endif()
  find_package(SQLite3 REQUIRED)  # the native replica store (and the server)
  if(SYNCKIT_BUILD_SERVER)
    find_package(PostgreSQL REQUIRED)  # libpq only (Debian libpq-dev)
    find_package(Boost 1.81 REQUIRED)  # header-only Beast and Asio (Debian libboost1.81-dev)
    pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
    find_package(Threads REQUIRED)
  endif()
  find_package(CURL REQUIRED)
endif()
