/*
 * dpkg — the Debian package database: /var/lib/dpkg/status and, in
 * distroless images, the one-paragraph files of /var/lib/dpkg/status.d/.
 *
 * Pure functions over bytes. The format is deb822: paragraphs of
 * "Field: value" lines separated by blank lines, continuation lines start
 * with a space. Only installed packages are reported: Status
 * "install ok installed" (a paragraph without Status, as in status.d, counts
 * as installed). A paragraph without Package or Version is skipped.
 */
#ifndef TH_DPKG_H
#define TH_DPKG_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct th_dpkg_pkg {
	const char *name, *version, *arch;
	const char *source;         /* source package name; the binary name when absent */
	const char *source_version; /* from "Source: name (version)", else the version */
} th_dpkg_pkg;

/* Called once per installed package; non-zero stops the parse and is returned. */
typedef int (*th_dpkg_fn)(void *ud, const th_dpkg_pkg *p);

int th_dpkg_parse(const char *s, size_t len, th_arena *a, th_dpkg_fn fn, void *ud, th_error *err);

#endif
