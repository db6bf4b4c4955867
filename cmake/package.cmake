# How other projects find ccheck: a CMake package (find_package(ccheck)) and
# a pkg-config file, each in two flavours. The build tree's own (in
# ${CMAKE_BINARY_DIR}, pointing at the build directory) lets a program use
# ccheck straight from a build: `cmake -Dccheck_DIR=/path/to/build` or
# `PKG_CONFIG_PATH=/path/to/build`. The installed one (`cmake --install`)
# points at the install prefix.
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

# The build tree's.
set(CCHECK_CONFIG_LIBRARY ${CMAKE_BINARY_DIR}/libccheck.so)
set(CCHECK_CONFIG_TSAN_LIBRARY ${CMAKE_BINARY_DIR}/libccheck-tsan.a)
set(CCHECK_CONFIG_INCLUDE ${PROJECT_SOURCE_DIR}/include)
set(CCHECK_CONFIG_EXECUTABLE ${CMAKE_BINARY_DIR}/ccheck)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ccheckConfig.cmake.in
    ${CMAKE_BINARY_DIR}/ccheckConfig.cmake
    INSTALL_DESTINATION ${CMAKE_BINARY_DIR}
    PATH_VARS CCHECK_CONFIG_LIBRARY CCHECK_CONFIG_TSAN_LIBRARY CCHECK_CONFIG_INCLUDE
              CCHECK_CONFIG_EXECUTABLE
    INSTALL_PREFIX ${CMAKE_BINARY_DIR})
set(CCHECK_PC_PREFIX ${CMAKE_BINARY_DIR})
set(CCHECK_PC_LIBDIR ${CMAKE_BINARY_DIR})
set(CCHECK_PC_INCLUDEDIR ${PROJECT_SOURCE_DIR}/include)
configure_file(${CMAKE_CURRENT_LIST_DIR}/ccheck.pc.in ${CMAKE_BINARY_DIR}/ccheck.pc @ONLY)

# The installed one.
set(CCHECK_CONFIG_LIBRARY ${CMAKE_INSTALL_LIBDIR}/libccheck.so)
set(CCHECK_CONFIG_TSAN_LIBRARY ${CMAKE_INSTALL_LIBDIR}/libccheck-tsan.a)
set(CCHECK_CONFIG_INCLUDE ${CMAKE_INSTALL_INCLUDEDIR})
set(CCHECK_CONFIG_EXECUTABLE ${CMAKE_INSTALL_BINDIR}/ccheck)
set(cc_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ccheck)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ccheckConfig.cmake.in
    ${CMAKE_BINARY_DIR}/install/ccheckConfig.cmake
    INSTALL_DESTINATION ${cc_config_dir}
    PATH_VARS CCHECK_CONFIG_LIBRARY CCHECK_CONFIG_TSAN_LIBRARY CCHECK_CONFIG_INCLUDE
              CCHECK_CONFIG_EXECUTABLE)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/ccheckConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
set(CCHECK_PC_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CCHECK_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
set(CCHECK_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/ccheck.pc.in ${CMAKE_BINARY_DIR}/install/ccheck.pc @ONLY)

install(TARGETS ccheck LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ccheck_tsan ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS ccheck-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ccheck DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "annotations.h")
install(FILES ${CMAKE_BINARY_DIR}/install/ccheckConfig.cmake
              ${CMAKE_BINARY_DIR}/ccheckConfigVersion.cmake
        DESTINATION ${cc_config_dir})
install(FILES ${CMAKE_BINARY_DIR}/install/ccheck.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
