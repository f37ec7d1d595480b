# Installs the native SDK with a CMake package: an app does find_package(synckit) and links
# synckit::synckit (headers, static libraries, and the dependencies they need found again).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS synckit_core synckit_native synckit EXPORT synckitTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/include/ ${PROJECT_SOURCE_DIR}/platform/native/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(SYNCKIT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/synckit)
install(EXPORT synckitTargets NAMESPACE synckit:: DESTINATION ${SYNCKIT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/synckitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/synckitConfig.cmake INSTALL_DESTINATION ${SYNCKIT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/synckitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/synckitConfig.cmake ${PROJECT_BINARY_DIR}/synckitConfigVersion.cmake
  DESTINATION ${SYNCKIT_CMAKE_DIR})
