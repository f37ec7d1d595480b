# Compiler settings shared by every target: warnings, ccache, sanitizers.
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
