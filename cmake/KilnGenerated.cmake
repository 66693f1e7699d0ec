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
