# `arm-check`: builds this tree again for aarch64 (cmake/toolchain-aarch64.cmake)
# in <build>/arm and runs its ctest suite under qemu-aarch64.  Not part of
# the default build; scripts/test.sh runs it when the tools are installed.
if(HYBENCH_HAVE_ARM_CROSS)
  include(ExternalProject)
  ExternalProject_Add(arm_cross
    SOURCE_DIR ${CMAKE_SOURCE_DIR}
    BINARY_DIR ${CMAKE_BINARY_DIR}/arm
    CMAKE_ARGS
      -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/toolchain-aarch64.cmake
      -DCMAKE_BUILD_TYPE=Release
      -DHYBENCH_WITH_HWLOC=OFF -DHYBENCH_WITH_PAPI=OFF -DHYBENCH_WITH_GBENCH=OFF
      -DHYBENCH_WITH_CUDA=OFF -DHYBENCH_WITH_HIP=OFF -DHYBENCH_WITH_ARM_CROSS=OFF
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    EXCLUDE_FROM_ALL TRUE)
  add_custom_target(arm-check
    COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure -j 2
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}/arm
    DEPENDS arm_cross
    COMMENT "hybench tests for aarch64 under qemu-aarch64 -cpu max")
endif()
