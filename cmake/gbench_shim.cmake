# The Google Benchmark timing engine: harness/hy_gbench_shim.cc (C++17),
# compiled into hy_harness only when cmake/dependencies.cmake found Google
# Benchmark (it also enabled CXX then).  Include after hy_harness is defined.
if(HYBENCH_HAVE_GBENCH)
  target_sources(hy_harness PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../harness/hy_gbench_shim.cc)
  set_target_properties(hy_harness PROPERTIES CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
                                              CXX_EXTENSIONS OFF)
  target_link_libraries(hy_harness PUBLIC benchmark::benchmark)
  target_compile_definitions(hy_harness PRIVATE HYBENCH_HAVE_GBENCH_SHIM=1
                                             HYBENCH_GBENCH_VERSION="${benchmark_VERSION}")
endif()
