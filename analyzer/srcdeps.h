/*
 * srcdeps — what a scanned source tree needs versus what it declares, as
 * findings: an import of a distribution nobody declared (missing), a
 * declared distribution nothing imports (unused), a development-only
 * dependency imported by runtime code, a standard-library module the target
 * Python no longer has, a relative import reaching above the tree.
 *
 * Imports are mapped to distributions by analyzer/importmap, from facts
 * before guesses: the target's installed distributions, the curated table,
 * the knowledge base, then the import name itself, marked as a guess. An
 * import nobody declared but the target has installed is transitive when a
 * declared distribution pulls it in (a lock file, or the installed
 * Requires-Dist chain) and "installed-not-declared" otherwise, not missing.
 * First-party modules (top-level packages and modules of the tree, src/
 * layouts, namespace packages) and the standard library are never missing.
 * Imports under `if TYPE_CHECKING` are not runtime needs; imports guarded by
 * try/except ImportError are optional (a warning, not an error).
 */
#ifndef TH_SRCDEPS_H
#define TH_SRCDEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/importmap.h"
#include "analyzer/srcscan.h"
#include "core/arena.h"
#include "core/error.h"
#include "extractors/manifest.h"

typedef enum th_severity { TH_SEV_NOTE = 0, TH_SEV_WARNING, TH_SEV_ERROR } th_severity;

typedef struct th_finding {
	const char *rule;     /* stable id: "missing-dependency", "unused-dependency", ... */
	th_severity severity;
	const char *file;     /* relative path */
	uint32_t line, col;
	const char *subject;  /* the module or distribution concerned */
	const char *message;  /* arena, one line */
} th_finding;

typedef struct th_srcdeps_decl {
	th_decl d;            /* as the manifest reader gave it (strings in the caller's arena) */
	const char *name;     /* the distribution name (from the format, or from the PEP 508 requirement) */
	const char *invalid;  /* arena: why the PEP 508 text does not parse, or NULL */
	bool used;
} th_srcdeps_decl;

typedef struct th_srcdeps {
	th_srcdeps_decl *decls; /* arena */
	size_t ndecls;
	th_finding *findings;   /* arena, sorted by file, line, rule */
	size_t nfindings;
	const char **first_party; /* arena, sorted */
	size_t nfirst_party;
} th_srcdeps;

/* The target of an analysis; every field may be zero. */
typedef struct th_srcdeps_opts {
	int python_minor;          /* the target's 3.minor, 0 when unknown (no stdlib findings) */
	th_importmap *map;         /* borrowed; NULL: the built-in table only */
	const th_marker_env *env;  /* the target's marker environment for Requires-Dist chains, or NULL */
	const char *target;        /* names the target in messages ("image REF"), or NULL */
} th_srcdeps_opts;

/* The dependencies declared by the manifests at the top of the scanned tree
 * (requirements*.txt with their includes, which must stay inside the tree;
 * pyproject.toml; setup.cfg; Pipfile), in the arena. A manifest thoth cannot
 * read is an error naming it. */
int th_srcdeps_declared(th_srcdeps_decl **out, size_t *n, const th_srcscan *scan, const th_limits *lim, th_arena *a,
			th_error *err);

/* The absolute module a relative import names, from the importing file's
 * path relative to the scanned root (src/ and lib/ are not packages; the
 * root is the top package): `from ..x import y` in a/b/c.py is a.x.
 * TH_ERR_NOTFOUND when the dots reach above the tree. */
int th_srcdeps_resolve(th_buf *out, const char *path, unsigned level, const char *module, th_error *err);

/* o may be NULL (no target: the built-in table only, no stdlib findings). */
int th_srcdeps_analyze(th_srcdeps *out, const th_srcscan *scan, const th_srcdeps_decl *decls, size_t ndecls,
		       const th_srcdeps_opts *o, th_arena *a, th_error *err);

const char *th_severity_name(th_severity s);

#endif
