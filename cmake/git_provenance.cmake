# Writes OUTPUT (a header) with the source tree's git commit and dirty flag, at every build: run
# by the hedgemap_git_provenance target (CMakeLists.txt), so that a binary built after a commit
# says that commit, not the one of the last configure. The header is rewritten only when its
# content changes, so an unchanged tree recompiles nothing.
#   cmake -DSOURCE_DIR=<repo> -DOUTPUT=<header> -P cmake/git_provenance.cmake
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE status OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT commit)
  set(commit "unknown")
endif()
if(status)
  set(dirty true)
else()
  set(dirty false)
endif()
set(content "// Generated at build time by cmake/git_provenance.cmake.
#pragma once
namespace hedgemap::build_info {
inline constexpr const char* git_commit = \"${commit}\";
inline constexpr bool git_dirty = ${dirty};
}  // namespace hedgemap::build_info
")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} previous)
else()
  set(previous "")
endif()
if(NOT previous STREQUAL content)
  file(WRITE ${OUTPUT} "${content}")
endif()
