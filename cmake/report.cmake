# report/: the hy_report library (results files -> HTML page, Markdown
# summary, gnuplot charts).  It reads results files only; hy_model gives
# it the JSON parser.  Linked into hy_harness, whose `hybench report`
# command (harness/cmd_report.c) calls it.  The gnuplot program found at
# configure time (cmake/dependencies.cmake) is compiled in as
# HYBENCH_GNUPLOT; without it the report searches PATH at run time.
file(GLOB HY_REPORT_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/report/*.c)
add_library(hy_report STATIC ${HY_REPORT_SRC})
target_include_directories(hy_report PUBLIC ${CMAKE_SOURCE_DIR}/report)
target_link_libraries(hy_report PUBLIC hy_model hy_kernels m)
if(HYBENCH_HAVE_GNUPLOT)
  target_compile_definitions(hy_report PRIVATE HYBENCH_GNUPLOT="${GNUPLOT_EXECUTABLE}")
endif()
target_link_libraries(hy_harness PUBLIC hy_report)
