// synckit demo in a build without cpp-httplib (SYNCKIT_BUILD_SERVER=OFF): it needs the server too.
#include "commands.hpp"
#include "synckit/error.hpp"

namespace synckit::cli {

void demo(const Invocation&) {
  throw Error(ErrorKind::invalid_input,
              "this synckit was built without the server (SYNCKIT_BUILD_SERVER=OFF): no demo");
}

}  // namespace synckit::cli
