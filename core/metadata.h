/*
 * metadata — Python core metadata (METADATA in a wheel's .dist-info,
 * PKG-INFO in an sdist or .egg-info), Metadata-Version 1.0 to 2.4.
 *
 * The format is RFC 822 headers as Python's email parser reads them:
 * "Field-Name: value" lines, continuation lines starting with a space or a
 * tab, repeated fields (Requires-Dist, Classifier, ...) kept in order, and
 * after the first empty line the message body, which is the description.
 *
 * Deterministic handling of hostile bytes (the parser never fails on them):
 *   - input longer than limits.metadata_bytes is TH_ERR_LIMIT, nothing else
 *     is an error (a caller decides what missing Name/Version means);
 *   - a NUL byte, and each byte that does not begin a well-formed UTF-8
 *     sequence (overlong, surrogate, above U+10FFFF, truncated), becomes
 *     U+FFFD; `replaced` counts them; a leading UTF-8 BOM is dropped;
 *   - CRLF and lone CR end lines like LF; all text handed out uses LF.
 *   - the header block ends at the first empty line (dropped) or at the
 *     first line that is neither a header ("name:" with name printable
 *     ASCII without ':' or space), a continuation nor a "From " line (that
 *     line starts the body). Inside it, as Python's parser does: a header
 *     with an empty name, and a continuation with no open field, are
 *     dropped; "From " lines are skipped, except as the block's last line
 *     (not its first): then that line starts the body. Checked against
 *     Python's email parser (compat32) on 203 real METADATA/PKG-INFO files
 *     and 2,000 random ones: same fields, values and body.
 * Values: leading and trailing spaces/tabs are removed and folded lines are
 * unfolded (the line breaks are deleted, RFC 5322). Only Description keeps
 * its line breaks, with the continuation indentation setuptools writes
 * (7 spaces and '|', or up to 8 spaces) removed. A single-valued field
 * given twice reads as its first occurrence. Field names compare ASCII
 * case-insensitively.
 *
 * All strings are NUL-terminated and live in the caller's arena.
 */
#ifndef TH_METADATA_H
#define TH_METADATA_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/limits.h"

typedef struct th_metadata_field {
	const char *name;  /* as written ("Requires-Dist") */
	const char *value; /* unfolded, trimmed */
} th_metadata_field;

typedef struct th_metadata {
	const char *metadata_version; /* NULL when absent */
	int mv_major, mv_minor;       /* -1 unless "X.Y" */
	bool mv_known;                /* one of 1.0 1.1 1.2 2.0 2.1 2.2 2.3 2.4 */

	/* Single-valued fields; NULL when absent. */
	const char *name;
	const char *version;
	const char *summary;
	const char *requires_python;
	const char *license;
	const char *license_expression;
	const char *description;      /* the body when there is one, else the Description field */
	const char *description_content_type;

	/* Repeated fields, in order. */
	const char **requires_dist;
	size_t nrequires_dist;
	const char **provides_extra;
	size_t nprovides_extra;
	const char **dynamic;
	size_t ndynamic;
	const char **classifiers;
	size_t nclassifiers;
	const char **project_urls;
	size_t nproject_urls;
	const char **license_files;
	size_t nlicense_files;

	th_metadata_field *fields; /* every header, in order */
	size_t nfields;
	const char *body; /* NULL when the message has no body */
	size_t body_len;
	size_t replaced;  /* bytes replaced by U+FFFD (invalid UTF-8, NUL) */
} th_metadata;

/* lim may be NULL (defaults). */
int th_metadata_parse(th_metadata *out, const char *s, size_t len, const th_limits *lim, th_arena *a,
		      th_error *err);

/* The i-th occurrence (0-based) of a field, or NULL. */
const char *th_metadata_get(const th_metadata *md, const char *field, size_t i);

/* How many times a field occurs. */
size_t th_metadata_count(const th_metadata *md, const char *field);

#endif
