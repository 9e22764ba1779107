/*
 * manifest — the dependencies a project declares, from the files that declare
 * them: requirements*.txt (through reqtxt), pyproject.toml (PEP 621
 * dependencies and optional-dependencies, PEP 735 dependency-groups with
 * include-group, Poetry's dependencies and groups, PDM's and uv's dev
 * dependencies), setup.cfg (install_requires, extras_require) and Pipfile.
 *
 * One record per declared dependency, with where it is declared. A record
 * carries either a PEP 508 requirement text (`req`, for core/requirement to
 * parse) or, in formats whose keys are names (Poetry, Pipfile), the name
 * itself. Whether a group counts as development-only is the format's own
 * convention: Poetry groups other than main, PDM/uv dev dependencies,
 * Pipfile dev-packages, PEP 735 groups, and requirements files named
 * *dev*, *test*, *lint*, *doc*.
 */
#ifndef TH_MANIFEST_H
#define TH_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "extractors/reqtxt.h"

typedef enum th_decl_kind {
	TH_DECL_RUNTIME = 0, /* needed to run */
	TH_DECL_EXTRA,       /* an optional extra (group names it) */
	TH_DECL_GROUP,       /* a dependency group / dev dependencies (group names it) */
	TH_DECL_CONSTRAINT,  /* a constraint only (-c): never "unused" */
	TH_DECL_LOCKED       /* pinned by a lock file, directly or transitively: never "unused" */
} th_decl_kind;

typedef struct th_decl {
	const char *file;   /* arena */
	uint32_t line;
	const char *req;    /* arena: PEP 508 text, or NULL */
	const char *name;   /* arena: the name when the format gives it directly (or #egg=), else NULL */
	const char *group;  /* arena: extra / group name, NULL for runtime */
	th_decl_kind kind;
	bool dev;           /* development-only by the format's convention */
	bool path_or_url;   /* a path or bare URL line */
} th_decl;

typedef int (*th_decl_fn)(void *ud, const th_decl *d);

/* Is `name` (a base name) a manifest this module reads? */
bool th_manifest_is(const char *name);

/* Reads one manifest. `name` is its base name (it decides the format),
 * `what` its path for messages and records; `load` follows -r/-c includes. */
int th_manifest_read(const char *name, const char *text, size_t len, const char *what, const th_reqtxt_opts *ro,
		     th_decl_fn fn, void *ud, const th_limits *lim, th_arena *a, th_error *err);

/* pipenv's hash of a Pipfile (Pipfile.lock's _meta.hash.sha256), as plette's
 * Pipfile.get_hash computes it: sha256 over json.dumps(sort_keys=True,
 * separators=(",", ":")) — ASCII-only, keys in code-point order, floats as
 * Python's repr — of {"_meta": {"sources": [[source]], "requires":
 * [requires]}, "default": [packages], "develop": [dev-packages]}, absent
 * tables as {}. pipenv puts its built-in default source in a Pipfile that has
 * no [[source]]; thoth names no index host, so such a Pipfile hashes with
 * "sources": [] (and pipenv will re-lock it). A date-time value is an error,
 * as it is for pipenv (JSON has none). `text` is the Pipfile's bytes. */
int th_manifest_pipfile_hash(char out[65], const char *text, size_t len, const char *what, const th_limits *lim,
			     th_arena *a, th_error *err);

#endif
