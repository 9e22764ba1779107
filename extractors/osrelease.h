/*
 * osrelease — the operating system of an image, from /etc/os-release (or
 * /usr/lib/os-release) and, when neither exists, the older release files
 * (/etc/lsb-release, /etc/debian_version, /etc/alpine-release,
 * /etc/redhat-release and its kin).
 *
 * Pure functions over bytes. os-release is KEY=VALUE lines with shell-like
 * quoting; only the fields thoth needs are kept, with quotes and backslash
 * escapes undone. Strings live in the caller's arena. A file without a
 * usable ID is TH_ERR_INVALID.
 */
#ifndef TH_OSRELEASE_H
#define TH_OSRELEASE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"

typedef struct th_osrelease {
	const char *id;          /* "debian"; never NULL after success */
	const char *version_id;  /* "12"; "" when unknown */
	const char *name;        /* "Debian GNU/Linux"; "" when unknown */
	const char *pretty_name; /* may be "" */
	const char *id_like;     /* may be "" */
	const char *codename;    /* may be "" */
	const char *family;      /* debian | rhel | suse | alpine | arch | the id itself */
} th_osrelease;

/* Parses os-release text. */
int th_osrelease_parse(th_osrelease *out, const char *s, size_t len, th_arena *a, th_error *err);

/* Parses one of the fallback files, named by its path inside the image
 * ("/etc/debian_version", ...). TH_ERR_UNSUPPORTED for a path it does not know. */
int th_osrelease_parse_fallback(th_osrelease *out, const char *path, const char *s, size_t len, th_arena *a,
				th_error *err);

/* The family an os-release id (and ID_LIKE) belongs to. */
const char *th_osrelease_family(const char *id, const char *id_like);

#endif
