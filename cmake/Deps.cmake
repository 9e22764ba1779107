# Every dependency comes from a Debian package through pkg-config; each is
# used by exactly one module (see README "Dependencies").
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE  REQUIRED IMPORTED_TARGET sqlite3)    # analyzer/store.c
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)    # core/json.c
pkg_check_modules(CRYPTO  REQUIRED IMPORTED_TARGET libcrypto)  # core/hash.c
# core/hash.c uses OpenSSL's SHA-256 functions only: linked from the static
# library that is ~30 KB of code, where the shared libcrypto costs every
# process ~1 ms of CPU to map and relocate (~4,000 symbol relocations) before
# main(). Its symbols are not exported from the binary, so the libcrypto that
# a dlopened libcurl brings along is not disturbed. OFF links the shared one.
option(THOTH_STATIC_CRYPTO "Link libcrypto statically (core/hash.c uses SHA-256 only)" ON)
set(THOTH_CRYPTO PkgConfig::CRYPTO)
if(THOTH_STATIC_CRYPTO)
  find_library(THOTH_CRYPTO_STATIC NAMES libcrypto.a HINTS ${CRYPTO_LIBRARY_DIRS} ${CRYPTO_LIBDIR})
  if(THOTH_CRYPTO_STATIC)
    add_library(thoth_crypto INTERFACE)
    target_include_directories(thoth_crypto INTERFACE ${CRYPTO_INCLUDE_DIRS})
    target_link_libraries(thoth_crypto INTERFACE ${THOTH_CRYPTO_STATIC} Threads::Threads ${CMAKE_DL_LIBS})
    set(THOTH_CRYPTO thoth_crypto)
  endif()
endif()
pkg_check_modules(YAML    REQUIRED IMPORTED_TARGET yaml-0.1)   # core/yaml.c
pkg_check_modules(ARCHIVE REQUIRED IMPORTED_TARGET libarchive) # extractors/archive.c (archive files; layer.c's tar streams use its table)
pkg_check_modules(ZLIB    REQUIRED IMPORTED_TARGET zlib)       # extractors/inflate.c (gzip layers, deflated wheel members)
pkg_check_modules(ZSTD    REQUIRED IMPORTED_TARGET libzstd)    # extractors/layer.c (zstd layers)
pkg_check_modules(MAGIC   REQUIRED IMPORTED_TARGET libmagic)   # extractors/elf.c
pkg_check_modules(CURL    REQUIRED IMPORTED_TARGET libcurl)    # extractors/http.c
# tree-sitter (runtime and Python grammar) is not a Debian package here: npm, see cmake/Grammar.cmake.

# libcurl, libarchive and libmagic are loaded at run time (dlopen, core/dynlib)
# by the one module that wraps each, not linked: linked, they made every
# process map and relocate ~35 more shared libraries before main() (~9 ms of
# CPU for `thoth --version`), although most commands never fetch, unpack or
# describe a file. Their headers still type the function pointers; the soname
# to load is the one of the library the build would have linked, read here.
function(thoth_soname prefix out)
  set(lib "")
  foreach(l ${${prefix}_LINK_LIBRARIES})
    if(l MATCHES "\\.so$")
      set(lib ${l})
      break()
    endif()
  endforeach()
  if(lib)
    execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${lib} OUTPUT_VARIABLE dump ERROR_QUIET)
  endif()
  if(NOT dump MATCHES "SONAME +([^ \n]+)")
    message(FATAL_ERROR "cannot read the soname of ${prefix} ('${lib}'): objdump -p found none")
  endif()
  set(${out} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()
thoth_soname(CURL    THOTH_SONAME_CURL)
thoth_soname(ARCHIVE THOTH_SONAME_ARCHIVE)
thoth_soname(MAGIC   THOTH_SONAME_MAGIC)
