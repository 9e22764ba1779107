/*
 * python — Python interpreters and installed distributions found in an
 * image, from bytes the image scan kept.
 *
 * Interpreters: a file named pythonX.Y (or libpythonX.Y[m].so[.N]) is one;
 * its full X.Y.Z is the NUL-delimited PY_VERSION string ("3.11.2") the
 * binary carries. Distributions: a NAME-VERSION.dist-info directory
 * (METADATA) or a .egg-info directory (PKG-INFO) or file; the metadata is
 * read through core/metadata, the name normalised through core/name. When
 * the metadata is missing or unusable, name and version come from the
 * directory name and `from_dirname` says so.
 */
#ifndef TH_PYTHON_H
#define TH_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

/* If basename names an interpreter binary or libpython, sets *major, *minor
 * and returns true. */
bool th_python_interp_name(const char *basename, int *major, int *minor);

/* Finds "X.Y.Z" for the given X.Y in a binary; returns an arena string or
 * NULL when absent. */
const char *th_python_binary_version(const void *data, size_t len, int major, int minor, th_arena *a);

typedef struct th_pydist {
	const char *name;            /* as written in the metadata */
	const char *normalized;      /* PEP 503 */
	const char *version;
	const char *requires_python; /* NULL when absent */
	const char **requires_dist;
	size_t nrequires_dist;
	const char **provides_extra;
	size_t nprovides_extra;
	const char *summary;         /* NULL when absent */
	bool from_dirname;           /* metadata missing or without Name/Version */
} th_pydist;

/* dirname: "requests-2.28.1.egg-info"; md: the METADATA / PKG-INFO bytes or
 * NULL. TH_ERR_INVALID only when neither gives a name. */
int th_pydist_parse(th_pydist *out, const char *dirname, const char *md, size_t md_len, const th_limits *lim,
		    th_arena *a, th_error *err);

/* The names of the [console_scripts] section of an entry_points.txt (an
 * INI file: "name = module:func [extras]" lines); *out is an arena array,
 * NULL when there are none. TH_ERR_NOMEM only. */
int th_pydist_console_scripts(const char ***out, size_t *n, const char *txt, size_t len, th_arena *a);

/* The number of non-empty lines of a RECORD / installed-files.txt. */
uint64_t th_pydist_count_lines(const char *txt, size_t len);

/* The top-level import names a RECORD (egg false) or an egg-info's
 * installed-files.txt (egg true: paths relative to the .egg-info directory)
 * lists: the first component of each path when it is a package directory
 * (an ASCII identifier, not __pycache__) or a module file (.py, .so, .pyd:
 * the name before the first dot). Sorted, unique; *out is an arena array,
 * NULL when there are none. Scripts (../../bin), *.dist-info, *.data and
 * .pth files are not import names. TH_ERR_NOMEM only. */
int th_pydist_record_names(const char ***out, size_t *n, const char *txt, size_t len, bool egg, th_arena *a);

/* A Python identifier in ASCII (what an importable top-level name is in
 * practice; a non-ASCII one is left out rather than guessed). */
bool th_pydist_is_ident(const char *s, size_t n);

/* True for "*.dist-info" / "*.egg-info". */
bool th_pydist_dirname(const char *name);

#endif
