/*
 * repowalk — the files of a source tree that source analysis reads: Python
 * sources (.py, .pyi), notebooks (.ipynb) and dependency manifests
 * (requirements*.txt, pyproject.toml, setup.cfg, setup.py, Pipfile and the
 * lock files), in a stable order (sorted per directory).
 *
 * Skipped by default: virtual environments (any directory holding a
 * pyvenv.cfg), VCS, cache and tool directories (.git, __pycache__, .tox,
 * node_modules, *.egg-info, ...), and build/ and dist/ at the top level.
 * .gitignore files are honoured (per directory, with negation, anchoring,
 * "dir/" and "**"), and so are the caller's exclude globs, matched against
 * the path relative to the root and against the name. Symbolic links are
 * never followed, so a tree cannot lead the walk outside itself or round a
 * loop. Paths are bounded by limits.path_bytes, the file count by
 * limits.entries.
 */
#ifndef TH_REPOWALK_H
#define TH_REPOWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/limits.h"

typedef enum th_repofile_kind {
	TH_REPOFILE_PYTHON = 0,
	TH_REPOFILE_NOTEBOOK,
	TH_REPOFILE_MANIFEST
} th_repofile_kind;

typedef struct th_repowalk_opts {
	const char *const *exclude; /* globs, borrowed */
	size_t nexclude;
	bool no_gitignore;          /* do not read .gitignore files */
} th_repowalk_opts;

/* Called for each file, path relative to the root ("pkg/mod.py"), with its
 * lstat. Return non-zero to stop the walk with that value. */
typedef int (*th_repowalk_fn)(void *ud, const char *relpath, th_repofile_kind kind, const struct stat *st);

int th_repowalk(const char *root, const th_repowalk_opts *opts, const th_limits *lim, th_repowalk_fn fn, void *ud,
		th_error *err);

/* The kind of a file name, or -1 when the walk does not report it. */
int th_repowalk_kind(const char *name);

/* The walk's rules without a disk, for trees that are not on one (an
 * image's): whether a directory so named is skipped (top: directly under
 * the root), not counting the pyvenv.cfg test, which needs the directory;
 * and whether the caller's exclude globs exclude a path relative to the
 * root whose last component is name. */
bool th_repowalk_skip_name(const char *name, bool top);
bool th_repowalk_excluded(const th_repowalk_opts *o, const char *relpath, const char *name);

/* One .gitignore-style pattern against a path relative to the pattern's
 * directory; is_dir for directories. Exposed for tests. */
bool th_repowalk_ignore_match(const char *pattern, const char *relpath, bool is_dir);

#endif
