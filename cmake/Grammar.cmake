# tree-sitter: the runtime and the Python grammar, both fetched at configure
# time with npm (from whatever registry npm is configured for), each pinned by
# version and checked against a pinned SHA-256, and compiled as part of the
# build (C sources only: the packages' install scripts would build Node
# bindings). Nothing fetched is committed. THOTH_DEPS_DIR may point at a
# shared cache.
#
# - The grammar is the npm package tree-sitter-python; its parser is ABI 14.
#   Only src/parser.c and src/scanner.c are compiled.
# - The runtime is the C library the npm package tree-sitter (the Node
#   binding) carries under vendor/tree-sitter/lib: one translation unit,
#   lib.c. 0.25 loads grammars of ABI 13 to 15 and parses this machine's
#   Python library ~15% faster than Debian's libtree-sitter 0.20.7 (see
#   bench/README.md, source_scan). analyzer/pysource.c is its only user.
#
# Both are compiled without the project's warning flags: third-party and
# generated code does not pass -Werror. The sanitizer and fuzzer flags still
# apply (they are global compile options), so ASan and libFuzzer see inside.
set(THOTH_TSPY_VERSION 0.23.6)
set(THOTH_TSPY_SHA256 aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a)
set(THOTH_TS_VERSION 0.25.1)
set(THOTH_TS_SHA256 07aeba8dd71630e7e72b2d4ca3bd2680c3471824100cc5ebff44e78a6ed0b6d3)
set(THOTH_DEPS_DIR "${PROJECT_BINARY_DIR}/_deps" CACHE PATH "where fetched third-party sources are unpacked")

# thoth_npm_fetch(PACKAGE VERSION SHA256 OUTDIR PATTERN...): unpacks the
# PATTERNs (paths under the tarball's package/) of PACKAGE@VERSION into
# THOTH_DEPS_DIR/PACKAGE-VERSION, once; sets OUTDIR to that directory.
function(thoth_npm_fetch pkg version sha256 outdir)
  set(dir "${THOTH_DEPS_DIR}/${pkg}-${version}")
  set(tgz "${THOTH_DEPS_DIR}/${pkg}-${version}.tgz")
  set(${outdir} "${dir}" PARENT_SCOPE)
  if(EXISTS "${dir}/.complete")
    return()
  endif()
  file(MAKE_DIRECTORY "${THOTH_DEPS_DIR}")
  if(NOT EXISTS "${tgz}")
    find_program(THOTH_NPM npm)
    if(NOT THOTH_NPM)
      message(FATAL_ERROR "npm is needed to fetch ${pkg} ${version} (./dev installs it)")
    endif()
    message(STATUS "fetching ${pkg} ${version} with npm")
    execute_process(COMMAND "${THOTH_NPM}" pack "${pkg}@${version}"
                            --pack-destination "${THOTH_DEPS_DIR}" --silent --ignore-scripts
                    RESULT_VARIABLE npm_rc OUTPUT_QUIET ERROR_VARIABLE npm_err)
    if(NOT npm_rc EQUAL 0 OR NOT EXISTS "${tgz}")
      message(FATAL_ERROR "npm pack ${pkg}@${version} failed: ${npm_err}")
    endif()
  endif()
  file(SHA256 "${tgz}" sum)
  if(NOT sum STREQUAL sha256)
    file(REMOVE "${tgz}")
    message(FATAL_ERROR "${pkg}-${version}.tgz: SHA-256 ${sum}, expected ${sha256}")
  endif()
  set(patterns "")
  foreach(p IN LISTS ARGN)
    list(APPEND patterns "package/${p}")
  endforeach()
  file(REMOVE_RECURSE "${dir}" "${dir}.tmp")
  file(ARCHIVE_EXTRACT INPUT "${tgz}" DESTINATION "${dir}.tmp" PATTERNS ${patterns})
  file(RENAME "${dir}.tmp/package" "${dir}")
  file(REMOVE_RECURSE "${dir}.tmp")
  file(TOUCH "${dir}/.complete")
endfunction()

# A build directory made before the runtime was fetched has the grammar
# unpacked without the .complete mark: accept it as it is.
if(EXISTS "${THOTH_DEPS_DIR}/tree-sitter-python-${THOTH_TSPY_VERSION}/src/parser.c")
  file(TOUCH "${THOTH_DEPS_DIR}/tree-sitter-python-${THOTH_TSPY_VERSION}/.complete")
endif()
thoth_npm_fetch(tree-sitter-python ${THOTH_TSPY_VERSION} ${THOTH_TSPY_SHA256} tspy_dir src LICENSE)
thoth_npm_fetch(tree-sitter ${THOTH_TS_VERSION} ${THOTH_TS_SHA256} ts_dir vendor/tree-sitter/lib LICENSE)

set(ts_lib "${ts_dir}/vendor/tree-sitter/lib")
add_library(thoth_treesitter STATIC "${ts_lib}/src/lib.c")
target_include_directories(thoth_treesitter PRIVATE "${ts_lib}/src" PUBLIC "${ts_lib}/include")
target_compile_options(thoth_treesitter PRIVATE -w)
set_target_properties(thoth_treesitter PROPERTIES C_EXTENSIONS ON)

add_library(thoth_tspython STATIC "${tspy_dir}/src/parser.c" "${tspy_dir}/src/scanner.c")
target_include_directories(thoth_tspython PRIVATE "${tspy_dir}/src")
target_compile_options(thoth_tspython PRIVATE -w)
set_target_properties(thoth_tspython PROPERTIES C_EXTENSIONS ON)
