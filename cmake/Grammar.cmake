# The tree-sitter Python grammar: the npm package tree-sitter-python, pinned
# (its parser is ABI 14, which Debian's libtree-sitter 0.20.7 loads), fetched
# at configure time with npm (from whatever registry npm is configured for)
# and checked against a pinned SHA-256. Only src/parser.c and src/scanner.c
# are compiled (the package's install script would build Node bindings), and
# without the project's warning flags: generated code does not pass -Werror.
# Nothing fetched is committed. THOTH_DEPS_DIR may point at a shared cache.
set(THOTH_TSPY_VERSION 0.23.6)
set(THOTH_TSPY_SHA256 aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a)
set(THOTH_DEPS_DIR "${PROJECT_BINARY_DIR}/_deps" CACHE PATH "where fetched third-party sources are unpacked")

set(tspy_dir "${THOTH_DEPS_DIR}/tree-sitter-python-${THOTH_TSPY_VERSION}")
set(tspy_tgz "${THOTH_DEPS_DIR}/tree-sitter-python-${THOTH_TSPY_VERSION}.tgz")
if(NOT EXISTS "${tspy_dir}/src/parser.c")
  file(MAKE_DIRECTORY "${THOTH_DEPS_DIR}")
  if(NOT EXISTS "${tspy_tgz}")
    find_program(THOTH_NPM npm)
    if(NOT THOTH_NPM)
      message(FATAL_ERROR "npm is needed to fetch tree-sitter-python ${THOTH_TSPY_VERSION} (./dev installs it)")
    endif()
    message(STATUS "fetching tree-sitter-python ${THOTH_TSPY_VERSION} with npm")
    execute_process(COMMAND "${THOTH_NPM}" pack "tree-sitter-python@${THOTH_TSPY_VERSION}"
                            --pack-destination "${THOTH_DEPS_DIR}" --silent --ignore-scripts
                    RESULT_VARIABLE npm_rc OUTPUT_QUIET ERROR_VARIABLE npm_err)
    if(NOT npm_rc EQUAL 0 OR NOT EXISTS "${tspy_tgz}")
      message(FATAL_ERROR "npm pack tree-sitter-python@${THOTH_TSPY_VERSION} failed: ${npm_err}")
    endif()
  endif()
  file(SHA256 "${tspy_tgz}" tspy_sum)
  if(NOT tspy_sum STREQUAL THOTH_TSPY_SHA256)
    file(REMOVE "${tspy_tgz}")
    message(FATAL_ERROR "tree-sitter-python-${THOTH_TSPY_VERSION}.tgz: SHA-256 ${tspy_sum}, expected ${THOTH_TSPY_SHA256}")
  endif()
  file(REMOVE_RECURSE "${tspy_dir}.tmp")
  file(ARCHIVE_EXTRACT INPUT "${tspy_tgz}" DESTINATION "${tspy_dir}.tmp" PATTERNS package/src package/LICENSE)
  file(RENAME "${tspy_dir}.tmp/package" "${tspy_dir}")
  file(REMOVE_RECURSE "${tspy_dir}.tmp")
endif()

add_library(thoth_tspython STATIC "${tspy_dir}/src/parser.c" "${tspy_dir}/src/scanner.c")
target_include_directories(thoth_tspython PRIVATE "${tspy_dir}/src")
target_compile_options(thoth_tspython PRIVATE -w)
set_target_properties(thoth_tspython PROPERTIES C_EXTENSIONS ON)
