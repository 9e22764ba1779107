/*
 * wheelname — wheel and sdist file names, read exactly as packaging 23.0's
 * parse_wheel_filename / parse_sdist_filename read them (that is the
 * contract; the debug protocol compares them).
 *
 * Wheel: NAME-VERSION(-BUILD)?-PYTAGS-ABITAGS-PLATTAGS.whl
 *   - the name part holds word characters, digits, '.' and '_', no "__";
 *     it may be empty, and one trailing newline is tolerated (23.0's `$`);
 *     the name handed out is its PEP 503 form (runs of . and _ -> '-',
 *     lower case);
 *   - VERSION must be a PEP 440 version (core/version);
 *   - BUILD starts with a decimal digit: its number and the rest (up to a
 *     newline) form the sort key (number, suffix); no build tag sorts first;
 *     more than 4300 digits is invalid, as Python's int() says;
 *   - each tag part may be a compressed set ("py2.py3"); the expanded set is
 *     lower-cased and de-duplicated; empty parts are kept, as 23.0 does.
 * Sdist: NAME-VERSION.tar.gz or .zip, split at the last '-'; any name.
 *
 * Where thoth differs from 23.0, by design: a name or tag with invalid
 * UTF-8 is invalid (Python never sees such bytes); non-ASCII characters are
 * classified approximately (Latin-1 exactly as Python's \w; above U+00FF
 * every character is a word character except general punctuation, CJK
 * punctuation, combining marks, private use, variation selectors, specials
 * and emoji); names are lower-cased as core/name does (ASCII, Latin-1, Latin
 * Extended-A, Greek, Cyrillic), tags in ASCII and Latin-1 only; a NUL byte
 * is invalid; a compressed tag set expanding to more than
 * TH_WHEELNAME_MAX_TAGS tags is TH_ERR_LIMIT.
 *
 * All strings live in the caller's arena.
 */
#ifndef TH_WHEELNAME_H
#define TH_WHEELNAME_H

#include <stddef.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/tags.h"
#include "core/version.h"

/* Real wheels carry a handful of tags (rarely over 10); "a.b.c...-x.y...-p.q..." could
 * otherwise ask for millions. */
#define TH_WHEELNAME_MAX_TAGS 256

typedef struct th_wheelname {
	const char *name;         /* canonical PEP 503 name */
	const char *name_raw;     /* the name part as written */
	th_version version;
	const char *version_raw;  /* the version part as written */
	const char *build;        /* the build part as written; NULL when none */
	const char *build_num;    /* its number in ASCII digits, no leading zeros ("0"); NULL when none */
	const char *build_suffix; /* what follows the number, up to a newline ("" when nothing) */
	th_tag *tags;             /* the expanded tag set, file-name order, lower case, no duplicates */
	size_t ntags;
} th_wheelname;

typedef struct th_sdistname {
	const char *name;        /* canonical PEP 503 name */
	const char *name_raw;
	th_version version;
	const char *version_raw;
	const char *ext;         /* ".tar.gz" or ".zip" */
} th_sdistname;

int th_wheelname_parse(th_wheelname *out, const char *filename, size_t len, th_arena *a, th_error *err);

/* Build-tag order, as packaging's (number, suffix) tuples: -1, 0, 1. */
int th_wheelname_build_cmp(const th_wheelname *x, const th_wheelname *y);

int th_sdistname_parse(th_sdistname *out, const char *filename, size_t len, th_arena *a, th_error *err);

#endif
