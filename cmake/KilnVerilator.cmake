# kiln_verilate(<target> TOP <module> SOURCES <sv files...> [PREFIX <V...>] [TRACE_FST] [ARGS <extra>])
# Verilates an RTL top into <target> (a static library carrying the model),
# with the generated packages first on the source list so every block sees
# kiln_hw_pkg.
function(kiln_verilate target)
  cmake_parse_arguments(KV "TRACE_FST" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  if(NOT KV_PREFIX)
    set(KV_PREFIX V${KV_TOP})
  endif()
  add_library(${target} STATIC)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  add_dependencies(${target} kiln_generated)
  set(trace_opt)
  if(KV_TRACE_FST)
    set(trace_opt TRACE_FST)
  endif()
  verilate(${target} ${trace_opt}
    PREFIX ${KV_PREFIX}
    TOP_MODULE ${KV_TOP}
    SOURCES ${KILN_GEN_DIR}/kiln_hw_pkg.sv ${KV_SOURCES}
    VERILATOR_ARGS -Wno-fatal --x-assign fast --x-initial fast ${KV_ARGS}
    OPT_FAST -O2)
  target_compile_options(${target} PRIVATE -w)
endfunction()
