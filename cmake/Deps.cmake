# Every dependency comes from a Debian package through pkg-config; each is
# used by exactly one module (see README "Dependencies").
find_package(PkgConfig REQUIRED)
pkg_check_modules(SQLITE  REQUIRED IMPORTED_TARGET sqlite3)    # analyzer/store.c
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)    # core/json.c
pkg_check_modules(CRYPTO  REQUIRED IMPORTED_TARGET libcrypto)  # core/hash.c
pkg_check_modules(YAML    REQUIRED IMPORTED_TARGET yaml-0.1)   # core/yaml.c
pkg_check_modules(ARCHIVE REQUIRED IMPORTED_TARGET libarchive) # extractors/layer.c (tar streams), extractors/archive.c (archive files)
pkg_check_modules(ZLIB    REQUIRED IMPORTED_TARGET zlib)       # extractors/layer.c (gzip layers)
pkg_check_modules(ZSTD    REQUIRED IMPORTED_TARGET libzstd)    # extractors/layer.c (zstd layers)
pkg_check_modules(MAGIC   REQUIRED IMPORTED_TARGET libmagic)   # extractors/elf.c
pkg_check_modules(CURL    REQUIRED IMPORTED_TARGET libcurl)    # extractors/http.c
# tree-sitter (runtime and Python grammar) is not a Debian package here: npm, see cmake/Grammar.cmake.
