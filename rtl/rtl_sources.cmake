# KILN_RTL_SOURCES: the ordered list of synthesizable RTL files for kiln_npu_top
# (kiln_hw_pkg.sv is not on it: kiln_verilate() always puts it first).
# Order: the generated CSR slave, then every *_pkg.sv of the block folders
# (packages must precede their users), then the remaining block sources.
# Block folders are globbed so new files are picked up on reconfigure;
# testbench files (*_tb.sv, tb_*.sv, anything under a tb/ or test/ folder)
# are excluded.
include_guard(GLOBAL)

set(_kiln_rtl_blocks scratchpad dma tensor_core top)
set(_kiln_rtl_pkgs)
set(_kiln_rtl_mods)
foreach(_blk ${_kiln_rtl_blocks})
  file(GLOB_RECURSE _files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/rtl/${_blk}/*.sv)
  list(FILTER _files EXCLUDE REGEX "(_tb\\.sv|/tb_[^/]*\\.sv|/tb/|/test/|/tests/)")
  list(SORT _files)
  foreach(_f ${_files})
    if(_f MATCHES "_pkg\\.sv$")
      list(APPEND _kiln_rtl_pkgs ${_f})
    else()
      list(APPEND _kiln_rtl_mods ${_f})
    endif()
  endforeach()
endforeach()
set(KILN_RTL_SOURCES ${KILN_GEN_DIR}/kiln_csr_regs.sv ${_kiln_rtl_pkgs} ${_kiln_rtl_mods})
unset(_kiln_rtl_blocks)
unset(_kiln_rtl_pkgs)
unset(_kiln_rtl_mods)
