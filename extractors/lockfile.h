/*
 * lockfile — the distributions a lock file pins: poetry.lock and uv.lock
 * ([[package]] name/version), pylock.toml (PEP 751 [[packages]]) and
 * Pipfile.lock (JSON "default" and "develop"). One record per locked
 * distribution, direct or transitive. Source analysis uses them to tell an
 * import of a transitive dependency from an undeclared one; `check --lock`
 * will use the same readers.
 */
#ifndef TH_LOCKFILE_H
#define TH_LOCKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_locked {
	const char *file;    /* as given */
	uint32_t line;       /* of the entry (0 for JSON) */
	const char *name;    /* arena / borrowed for the call */
	const char *version; /* NULL when the entry has none */
	bool dev;            /* Pipfile.lock "develop" */
} th_locked;

typedef int (*th_locked_fn)(void *ud, const th_locked *l);

/* Is `name` (a base name) a lock file this module reads? */
bool th_lockfile_is(const char *name);

int th_lockfile_read(const char *name, const char *text, size_t len, const char *what, th_locked_fn fn, void *ud,
		     const th_limits *lim, th_arena *a, th_error *err);

#endif
