/*
 * requirement — PEP 508 dependency specifiers ("name[extras] specs ; marker"
 * or "name[extras] @ url ; marker"), as packaging 23.0's Requirement reads
 * and prints them.
 *
 * Accepted exactly as 23.0 accepts: whitespace is spaces and tabs; the name
 * and extras are identifiers ([A-Za-z0-9][A-Za-z0-9._-]*, ending where a word
 * ends); the specifier list may be in parentheses; after a URL a marker needs
 * whitespace before its ';'; one trailing line feed is tolerated at the very
 * end; a URL must have a scheme and a host, and a file: URL must read back
 * unchanged (urllib's urlparse/urlunparse round trip).
 *
 * Memory: every string and the marker and specifier set live in the caller's
 * arena; strings are NUL-terminated.
 */
#ifndef TH_REQUIREMENT_H
#define TH_REQUIREMENT_H

#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/marker.h"
#include "core/specifier.h"

typedef struct th_req {
	const char *name;              /* as written */
	const char *const *extras;     /* as written, sorted, without duplicates */
	size_t nextras;
	th_specset *spec;              /* never NULL; empty when none */
	const char *url;               /* NULL unless "name @ url" */
	size_t url_len;
	th_marker *marker;             /* NULL when none */
} th_req;

int th_req_parse(th_req *out, const char *s, size_t len, th_arena *a, th_error *err);
/* Appends str(Requirement). */
int th_req_format(const th_req *r, th_buf *out, th_error *err);

#endif
