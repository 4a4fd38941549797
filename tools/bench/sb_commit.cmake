# Writes OUT (a header defining SB_COMMIT) with the commit the source tree is
# at, "-dirty" when it has changes, "unknown" outside git. Run at every build
# (tools/CMakeLists.txt), and rewrites OUT only when the commit changed, so
# that switch-bench's reports name the commit they were built from.
execute_process(COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit unknown)
endif()
set(text "#define SB_COMMIT \"${commit}\"\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
