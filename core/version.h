/*
 * version — PEP 440 versions, exactly as the reference implementation
 * (`packaging` 23.0, what pip vendors) reads, normalises and orders them.
 *
 * Parse once, compare many times: th_version_parse() precomputes a compact
 * comparison key (an array of 64-bit words), so th_version_cmp() is a short
 * loop over integers. The resolver compares millions of pairs.
 *
 * Invariants:
 * - A th_version is a small value: copy it freely. Everything it points to
 *   (release numbers, key, letters, local label) lives in the th_arena given
 *   to th_version_parse() and stays valid until that arena is released.
 * - Numbers are unbounded, as Python ints are: a number below 2^63 is kept as
 *   an integer; a larger one keeps its decimal digits (no leading zeros) and
 *   compares by them. A number written with more than TH_VERSION_MAX_DIGITS
 *   digits is invalid, as it is for packaging on Python >= 3.11 (int() refuses
 *   longer digit strings).
 * - Input is UTF-8 bytes (ptr, len); NUL bytes and invalid UTF-8 make the
 *   version invalid. packaging matches its regular expression with IGNORECASE
 *   on Unicode text and strips Unicode whitespace; thoth follows it there too
 *   (e.g. U+017F "ſ" matches "s", so "1.0.poſt1" is a valid post-release whose
 *   letter sorts after "post"), because a resolver must order what pip orders.
 */
#ifndef TH_VERSION_H
#define TH_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

/* Python's default int_max_str_digits: packaging raises on longer numbers. */
#define TH_VERSION_MAX_DIGITS 4300

/* An unbounded non-negative integer. */
typedef struct th_vnum {
	uint64_t value;     /* the number, when digits == NULL (it is below 2^63) */
	const char *digits; /* NULL, or (arena) its decimal digits without leading zeros */
	size_t ndigits;
} th_vnum;

/* One segment of a local label ("ubuntu.1" has two). */
typedef struct th_vlocal {
	const char *s;  /* arena: lowercased text; for a number, its digits without leading zeros */
	size_t len;
	bool numeric;   /* numbers sort after words and compare as numbers */
} th_vlocal;

enum {
	TH_VERSION_PRE = 1 << 0,   /* has a pre-release segment */
	TH_VERSION_POST = 1 << 1,  /* has a post-release segment */
	TH_VERSION_DEV = 1 << 2,   /* has a dev segment */
	TH_VERSION_LOCAL = 1 << 3, /* has a local label */
	TH_VERSION_BIG = 1 << 4,   /* some number >= 2^63: key is NULL, compare slowly */
	TH_VERSION_HEAD = 1 << 5   /* head holds key[1] and key[2] (epoch 0, both below 2^32) */
};

/* pre_rank: the order of the pre-release letters as packaging compares their
 * strings. The two "preview" spellings are what lower() makes of U+0130
 * ("previ" U+0307 "ew") and U+0131 ("prevıew"): packaging keeps them as
 * letters of their own instead of mapping them to "rc". */
enum th_version_pre_rank {
	TH_PRE_A, TH_PRE_B, TH_PRE_PREVIEW_DOT, TH_PRE_PREVIEW_DOTLESS, TH_PRE_RC
};

typedef struct th_version {
	const uint64_t *key;        /* arena: comparison key of all but the local label; NULL when BIG */
	uint64_t head;              /* key[1] << 32 | key[2], so most comparisons touch no array */
	const th_vnum *release;     /* arena: nrelease >= 1 numbers, as written (trailing zeros kept) */
	const char *pre_letter;     /* NULL, "a", "b", "rc", or a Unicode spelling packaging keeps as is */
	const char *local;          /* NULL, or (arena) the normalised local label, NUL-terminated */
	const th_vlocal *local_seg; /* arena: nlocal segments of the local label */
	th_vnum epoch, pre, post, dev; /* pre/post/dev are meaningful only when their flag is set */
	size_t local_len;
	uint32_t nkey, nrelease, nlocal;
	uint8_t pre_rank;           /* enum th_version_pre_rank of pre_letter */
	uint8_t post_rank;          /* 0 "post"; 1 the Unicode spelling "poſt", which sorts after */
	uint8_t flags;              /* TH_VERSION_* */
} th_version;

/* Parses (s, len) as packaging's Version(s). On failure returns
 * TH_ERR_INVALID with a message naming the input, or TH_ERR_LIMIT when the
 * text has the form of a version but a number is too long (then out->flags
 * and out->nrelease still describe the text's shape). */
int th_version_parse(th_version *out, const char *s, size_t len, th_arena *a, th_error *err);

/* -1, 0 or 1, as packaging orders versions ("1.0" == "1.0.0"). */
int th_version_cmp(const th_version *x, const th_version *y);

/* As th_version_cmp but ignoring both local labels: Version(x.public) vs Version(y.public). */
int th_version_cmp_public(const th_version *x, const th_version *y);

/* Whether the base versions (epoch and release, trailing zeros ignored) are equal. */
bool th_version_base_eq(const th_version *x, const th_version *y);

/* str(Version): the normalised form. Appends to out. */
int th_version_format(const th_version *v, th_buf *out, th_error *err);
/* Version.base_version: epoch and release. Appends to out. */
int th_version_format_base(const th_version *v, th_buf *out, th_error *err);
/* Version.public: everything but the local label. Appends to out. */
int th_version_format_public(const th_version *v, th_buf *out, th_error *err);
/* Appends one number in decimal. */
int th_vnum_format(const th_vnum *n, th_buf *out, th_error *err);
/* -1, 0 or 1. */
int th_vnum_cmp(const th_vnum *x, const th_vnum *y);

/* Helpers for the other packaging parsers, which share packaging's notion of
 * text: Python's str.strip() on UTF-8 (Unicode whitespace, as \s), the
 * whitespace test, and one strict UTF-8 decoding step (0 when not UTF-8). */
void th_version_strip_space(const char **s, size_t *len);
bool th_version_is_space(uint32_t c);
size_t th_version_utf8(const char *p, const char *end, uint32_t *cp);

bool th_version_is_prerelease(const th_version *v);  /* pre or dev, as packaging */
bool th_version_is_postrelease(const th_version *v);
bool th_version_is_devrelease(const th_version *v);
bool th_version_has_local(const th_version *v);

#endif
