# Code generated at build time from the three sources of truth
# (rtl/kiln_hw.toml, rtl/csr/kiln_regs.toml, firmware/kiln_commands.toml).
set(KILN_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
set(KILN_GEN_INPUTS
  ${CMAKE_SOURCE_DIR}/rtl/kiln_hw.toml
  ${CMAKE_SOURCE_DIR}/rtl/csr/kiln_regs.toml
  ${CMAKE_SOURCE_DIR}/firmware/kiln_commands.toml)
file(GLOB KILN_GEN_SCRIPTS ${CMAKE_SOURCE_DIR}/scripts/gen/*.py)
set(KILN_GEN_C ${KILN_GEN_DIR}/kiln_hw.h ${KILN_GEN_DIR}/kiln_regs.h ${KILN_GEN_DIR}/kiln_cmds.h)
set(KILN_GEN_SV ${KILN_GEN_DIR}/kiln_hw_pkg.sv ${KILN_GEN_DIR}/kiln_csr_regs.sv)
# CMake's verilate() runs Verilator while configuring, so the generated
# SystemVerilog must exist then: generate at configure time too, and re-run
# configure when a source of truth or the generator changes.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${KILN_GEN_INPUTS} ${KILN_GEN_SCRIPTS})
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/gen/kiln_gen.py
          --root ${CMAKE_SOURCE_DIR} --out ${KILN_GEN_DIR}
  RESULT_VARIABLE _kiln_gen_rc)
if(_kiln_gen_rc)
  message(FATAL_ERROR "scripts/gen/kiln_gen.py failed (exit ${_kiln_gen_rc}); see its message above")
endif()
add_custom_command(
  OUTPUT ${KILN_GEN_C} ${KILN_GEN_SV}
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/gen/kiln_gen.py
          --root ${CMAKE_SOURCE_DIR} --out ${KILN_GEN_DIR}
  DEPENDS ${KILN_GEN_INPUTS} ${KILN_GEN_SCRIPTS}
  COMMENT "Generating register map, command format and hardware configuration"
  VERBATIM)
add_custom_target(kiln_generated DEPENDS ${KILN_GEN_C} ${KILN_GEN_SV})
add_library(kiln_headers INTERFACE)
target_include_directories(kiln_headers INTERFACE ${KILN_GEN_DIR})
add_dependencies(kiln_headers kiln_generated)
