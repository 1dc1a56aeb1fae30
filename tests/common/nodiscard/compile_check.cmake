# cmake -DCXX=<compiler> -DINCLUDE=<src/common/include> -DSOURCE=<ignore_result.cpp> -P this
# Case 0 (every Result used) must compile; cases 1-4 (one Result dropped each) must fail with
# -Wunused-result, which only the [[nodiscard]] on common::Result raises.
foreach(case RANGE 0 4)
  execute_process(
    COMMAND "${CXX}" -std=c++20 -fsyntax-only -Werror=unused-result -I "${INCLUDE}"
            -DKUBEPRIV_CASE=${case} "${SOURCE}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(case EQUAL 0 AND NOT rc EQUAL 0)
    message(FATAL_ERROR "the file with every Result used does not compile:\n${out}")
  elseif(case GREATER 0 AND rc EQUAL 0)
    message(FATAL_ERROR "case ${case}: a dropped Result compiled: is common::Result [[nodiscard]]?")
  elseif(case GREATER 0 AND NOT out MATCHES "unused-result")
    message(FATAL_ERROR "case ${case}: failed for another reason than -Wunused-result:\n${out}")
  endif()
  message(STATUS "case ${case}: as expected")
endforeach()
