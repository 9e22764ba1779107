/*
 * apk — Alpine's installed-package database, /lib/apk/db/installed: one
 * block per package of "X:value" lines (P name, V version, A arch, o origin,
 * F a directory, R a file in the last F), blocks separated by blank lines.
 * Pure function over bytes; a block without P or V is skipped.
 */
#ifndef TH_APK_H
#define TH_APK_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct th_apk_pkg {
	const char *name, *version, *arch, *origin; /* "" when absent */
	const char **files;                         /* absolute paths */
	size_t nfiles;
} th_apk_pkg;

typedef int (*th_apk_fn)(void *ud, const th_apk_pkg *p);

/* max_files bounds the files kept per package (the rest are dropped). */
int th_apk_parse(const char *s, size_t len, size_t max_files, th_arena *a, th_apk_fn fn, void *ud, th_error *err);

#endif
