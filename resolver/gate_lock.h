/*
 * gate_lock — a lock file as the gate needs it: every pinned distribution
 * with where it is pinned (for evidence and inline ignores), its marker and
 * Requires-Python, and the files the lock lets an installer choose from.
 *
 * Formats: requirements files (`name==version` pins; lines that pin nothing
 * are not locked and are skipped), pylock.toml (PEP 751: packages with
 * wheels and sdist), uv.lock (package wheels and sdist; the project itself,
 * an editable or virtual source, is skipped), poetry.lock (package files)
 * and Pipfile.lock (extractors/lockfile: names and versions only). Names are
 * PEP 503 normalized. Everything lives in the caller's arena.
 */
#ifndef TH_GATE_LOCK_H
#define TH_GATE_LOCK_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"
#include "resolver/gate.h"

/* The format of a lock file from its base name, or NULL when thoth does not
 * read it as a lock ("requirements" for *.txt). */
const char *th_gate_lock_format(const char *basename);

/* Reads `text` (the file named `what` in findings; `basename` decides the
 * format). */
int th_gate_lock_read(th_gate_lock *out, const char *basename, const char *text, size_t len, const char *what,
                      const th_limits *lim, th_arena *a, th_error *err);

/* The project's own lock in directory `dir`: the first of pylock.toml,
 * uv.lock, poetry.lock, Pipfile.lock, requirements.lock, requirements.txt
 * that exists (its base name in the arena), or NULL. */
const char *th_gate_lock_find(const char *dir, th_arena *a);

#endif
