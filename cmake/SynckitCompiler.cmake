# Compiler settings shared by every target: warnings, ccache, sanitizers, wasm exceptions.
find_program(SYNCKIT_CCACHE ccache)
if(SYNCKIT_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER "${SYNCKIT_CCACHE}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${SYNCKIT_CCACHE}")
endif()

add_library(synckit_warnings INTERFACE)
target_compile_options(synckit_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)

if(SYNCKIT_SANITIZE)
  set(_synckit_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_compile_options(${_synckit_san})
  add_link_options(${_synckit_san})
endif()

# Emscripten disables C++ exceptions by default: a throw then reaches JavaScript as a bare number and
# no catch runs. The core reports every failure as a thrown synckit::Error, so every wasm object and
# every link gets -fwasm-exceptions: WebAssembly's own exception handling (Chrome/Edge 95+, Firefox
# 100+, Safari 15.2+, Node 17+). Against Emscripten's JavaScript-based -fexceptions it made the
# module 24 KB (gzip) smaller and per-change work about 30% cheaper, because calls that may unwind
# no longer go through JavaScript invoke_* trampolines (docs/performance.md).
if(EMSCRIPTEN)
  add_compile_options(-fwasm-exceptions)
  add_link_options(-fwasm-exceptions)
  # No RTTI in the wasm module (issue 7, its size): nothing uses typeid or dynamic_cast, and each of
  # the ~100 std::function lambdas carried a typeinfo with its mangled name (16 KB of strings) and
  # target()/target_type() code. Exceptions still work (a throw emits the typeinfo its catch needs).
  # embind then keys its types without typeid: the macro below in every object, and -fno-rtti at
  # link selects Emscripten's matching libembind.
  add_compile_options(-fno-rtti -DEMSCRIPTEN_HAS_UNBOUND_TYPE_NAMES=0)
  add_link_options(-fno-rtti)
  # libc++'s lighter std::function (no vtable and clone functions per lambda type): 3.6 KB gzip of
  # the module once the account calls came (~25 more callback lambdas), client CPU per change within
  # noise. It changes std::function's layout, so it is set for every object of the module here;
  # Emscripten's prebuilt libc++, libc++abi and embind use no std::function.
  add_compile_options(-D_LIBCPP_ABI_OPTIMIZED_FUNCTION)
  # Link-time optimisation of optimised wasm builds (issue 7): the objects are LLVM bitcode and the
  # link optimises the module as a whole, 9 KB gzip smaller (dead code and duplicate template
  # copies across objects) with the per-change and blob speeds unchanged. The -O3/-Oz split of
  # cmake/SynckitWasmSize.cmake survives it: -Oz marks each function of a cold object minsize.
  # libsodium stays a prebuilt, non-LTO library.
  add_compile_options($<$<NOT:$<CONFIG:Debug>>:-flto>)
  add_link_options($<$<NOT:$<CONFIG:Debug>>:-flto>)
  # Debian's emscripten links optimized builds through a Node script that needs acorn from
  # /usr/share/nodejs. The wasm-release preset sets NODE_PATH; the launcher also covers a bare
  # `ninja` or `cmake --build <dir>` in the build tree.
  if(EXISTS /usr/share/nodejs/acorn)
    set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
    set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
  endif()
endif()

# ThreadSanitizer for everything (the native-tsan preset). Not combinable with SYNCKIT_SANITIZE.
option(SYNCKIT_TSAN "Build with ThreadSanitizer" OFF)
if(SYNCKIT_TSAN)
  if(SYNCKIT_SANITIZE)
    message(FATAL_ERROR "SYNCKIT_TSAN and SYNCKIT_SANITIZE cannot be combined")
  endif()
  set(_synckit_tsan -fsanitize=thread -fno-omit-frame-pointer)
  add_compile_options(${_synckit_tsan})
  add_link_options(${_synckit_tsan})
endif()

# The fuzz preset (SYNCKIT_FUZZ, option in the top-level CMakeLists.txt): every library is built
# with libFuzzer's coverage instrumentation plus ASan+UBSan; fuzz/CMakeLists.txt links the targets
# with -fsanitize=fuzzer (libFuzzer's main).
if(SYNCKIT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SYNCKIT_FUZZ needs clang (CC=clang CXX=clang++, or the fuzz preset)")
  endif()
  set(_synckit_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
  add_compile_options(${_synckit_fuzz})
  add_link_options(-fsanitize=address,undefined)
endif()
