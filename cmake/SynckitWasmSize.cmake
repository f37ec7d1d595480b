# Hot/cold optimisation of the WebAssembly module (issue 7: the npm package ≤ 150 KB gzip without
# slowing the per-change and blob paths). Under EMSCRIPTEN, every source of a target is compiled
# with -Oz except the HOT ones, which keep the build type's -O3. Native builds are unchanged.
#
#   synckit_wasm_size_split(<target> HOT <source>...)
#
# The hot list is explicit and everything else defaults to -Oz: most of the module is code that
# runs once per sign-in, device or key operation (client session/keys/devices, OAuth/PKCE, JWT,
# envelope JSON, error tables), where size is what counts. A NEW SOURCE FILE IS COLD (-Oz) UNTIL
# IT IS ADDED TO ITS TARGET'S HOT LIST: add it when it runs per change, per pulled row or per
# blob byte, and check with bench/wasm/compare.mjs against the build before.
#
# Templates instantiated both in hot and in cold objects (std::string, nlohmann's DOM) are linked
# once, from either; the core parses and writes JSON only through json_value.cpp (hot) for that
# reason. Optimised wasm builds also use LTO (cmake/SynckitCompiler.cmake); -Oz marks each function
# of a cold object minsize, and the link-time optimiser keeps to that.
# Debug builds keep -O0 everywhere (the -Oz is only added for optimised configurations).
function(synckit_wasm_size_split target)
  if(NOT EMSCRIPTEN)
    return()
  endif()
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "HOT")
  get_target_property(sources ${target} SOURCES)
  foreach(hot IN LISTS arg_HOT)
    if(NOT hot IN_LIST sources)
      message(FATAL_ERROR "synckit_wasm_size_split(${target}): hot source ${hot} is not a source of ${target}")
    endif()
  endforeach()
  foreach(source IN LISTS sources)
    if(NOT source IN_LIST arg_HOT)
      # Source options come after the target's and the build type's flags; the last -O wins.
      set_property(SOURCE ${source} TARGET_DIRECTORY ${target} APPEND PROPERTY COMPILE_OPTIONS
        $<$<NOT:$<CONFIG:Debug>>:-Oz>)
    endif()
  endforeach()
endfunction()
