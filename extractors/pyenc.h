/*
 * pyenc — the text of a Python source file, as CPython reads it.
 *
 * Bytes in, UTF-8 out: a UTF-8 byte order mark is dropped, a PEP 263 coding
 * cookie (line 1, or line 2 when line 1 is blank or a comment) picks the
 * encoding, anything else is UTF-8. Line endings are made "\n" (CPython reads
 * sources with universal newlines), so lines and byte columns of the output
 * are those CPython reports. The only module that uses iconv.
 *
 * A file CPython would refuse (an unknown encoding, bytes invalid in its
 * encoding, a BOM contradicting the cookie) is not an error here: the text is
 * still produced — as well as it can be, undecodable bytes kept as they are —
 * and info->problem says what is wrong, so imports are still found and the
 * file is recorded as having errors. Errors are only out of memory or limits.
 */
#ifndef TH_PYENC_H
#define TH_PYENC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

typedef struct th_pyenc_info {
	char encoding[40];   /* normalized name ("utf-8", "iso-8859-1", "cp1252"...) */
	bool bom;            /* a UTF-8 byte order mark was present */
	int cookie_line;     /* 1 or 2 when a coding cookie was found, else 0 */
	const char *problem; /* NULL, or a static text: why CPython would refuse the bytes */
} th_pyenc_info;

/* Decodes (s, len) into out (cleared first; its max is respected). */
int th_pyenc_decode(th_buf *out, th_pyenc_info *info, const char *s, size_t len, th_error *err);

/* The encoding named by a cookie in (line, len), normalized as CPython does,
 * into name (size cap); false when the line carries no cookie. */
bool th_pyenc_cookie(char *name, size_t cap, const char *line, size_t len);

#endif
