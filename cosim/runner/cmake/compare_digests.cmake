# ctest helper: the `output_digest` of two kiln-cosim report.json files must be
# equal (the same test on two backends produced the same bits).
#   cmake -DA=<report.json> -DB=<report.json> -P compare_digests.cmake
foreach(f A B)
  if(NOT EXISTS "${${f}}")
    message(FATAL_ERROR "missing report ${${f}} (did its cosim test run?)")
  endif()
  file(READ "${${f}}" _json)
  string(JSON _d_${f} ERROR_VARIABLE _err GET "${_json}" output_digest)
  string(JSON _b_${f} ERROR_VARIABLE _err2 GET "${_json}" backend)
  if(_err)
    message(FATAL_ERROR "${${f}} has no output_digest: ${_err}")
  endif()
endforeach()
if(NOT _d_A STREQUAL _d_B)
  message(FATAL_ERROR "different bits: ${_b_A} ${_d_A} (${A}) vs ${_b_B} ${_d_B} (${B})")
endif()
message(STATUS "identical bits: ${_b_A} and ${_b_B} both give output digest ${_d_A}")
