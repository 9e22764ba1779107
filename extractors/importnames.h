/*
 * importnames — the import names a built distribution provides, from the
 * two files a wheel (or an installed .dist-info) carries that say so:
 * top_level.txt (one top-level name per line, written by setuptools, absent
 * from most other build back ends) and RECORD (the CSV list of every file
 * the wheel installs, always present).
 *
 * From RECORD, a path gives a name when it is a module file (.py, .so, .pyd:
 * the name before the first dot) or lies under a regular package (a
 * directory whose __init__.py RECORD lists): "yaml/__init__.py" gives
 * "yaml", "_yaml.cpython-311-x86_64-linux-gnu.so" gives "_yaml". A directory
 * without __init__.py is a namespace package (PEP 420) that the distribution
 * shares with others, so the name goes one level deeper:
 * "google/protobuf/__init__.py" gives "google.protobuf", not "google".
 * Paths outside the installation root ("../../bin/x"), the .dist-info and
 * .data directories, .pth files and __pycache__ give no name; a component
 * that is not an ASCII identifier gives none either (nothing imports it).
 *
 * top_level.txt wins when present (it is the build tool's own statement),
 * except that a name RECORD shows to be a namespace package is replaced by
 * RECORD's deeper names under it. The result is sorted and unique, dotted.
 *
 * Input is hostile: lines may be of any length, quoted or not, and the
 * number of names is bounded (limits.import_names: TH_ERR_LIMIT beyond).
 */
#ifndef TH_IMPORTNAMES_H
#define TH_IMPORTNAMES_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

/* top_level / record may be NULL (absent). *out is an arena array of arena
 * strings (NULL when *n == 0). `what` names the distribution in errors. */
int th_importnames_parse(const char ***out, size_t *n, const char *top_level, size_t top_level_len,
			 const char *record, size_t record_len, const th_limits *lim, const char *what, th_arena *a,
			 th_error *err);

#endif
