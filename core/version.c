#include "core/version.h"

#include <string.h>

/*
 * The grammar is packaging 23.0's VERSION_PATTERN, matched with IGNORECASE
 * between optional whitespace:
 *
 *   v? (N!)? N(.N)* ([-_.]? PRE [-_.]? N?)? (-N | [-_.]? POST [-_.]? N?)?
 *   ([-_.]? dev [-_.]? N?)? (+ L([-_.]L)*)?
 *
 * Where the regular expression could split the text two ways, the greedy
 * choice it makes first always succeeds when any does (a separator after a
 * letter is taken by that letter's segment; "1.0a-1" is a1, not a0.post1),
 * so one left-to-right pass reproduces its captures.
 */

/* Pre-release letters as packaging spells them after normalising, in the
 * order their strings sort (a < b < the two Unicode spellings of "preview"
 * that lower() leaves alone < rc). */
static const char *const version__pre_letters[] = {
	[TH_PRE_A] = "a", [TH_PRE_B] = "b", [TH_PRE_PREVIEW_DOT] = "previ\314\207ew",
	[TH_PRE_PREVIEW_DOTLESS] = "prev\304\261ew", [TH_PRE_RC] = "rc",
};

/* The fixed words of the key after the release: pre, post, dev (code, number). */
#define VERSION__TAIL 6

typedef struct version__cur {
	const unsigned char *p, *end;
} version__cur;

/* Decodes one UTF-8 code point at p (strict: no overlongs, no surrogates).
 * Returns its length, or 0 when the bytes are not UTF-8. */
static size_t version__utf8(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (p >= end)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) || (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return n;
}

/* Python's str.isspace(), which is also what \s matches in a str pattern. */
static bool version__is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000;
}

void th_version_strip_space(const char **s, size_t *len)
{
	const unsigned char *p, *end, *last;
	uint32_t c;
	size_t n;

	if (!*len)
		return;
	p = (const unsigned char *)*s;
	end = p + *len;
	while (p < end && (n = version__utf8(p, end, &c)) && version__is_space(c))
		p += n;
	*s = (const char *)p;
	last = p;
	while (p < end) {
		n = version__utf8(p, end, &c);
		if (!n) { /* not UTF-8: keep the rest, the caller rejects it */
			last = end;
			break;
		}
		p += n;
		if (!version__is_space(c))
			last = p;
	}
	*len = (size_t)(last - (const unsigned char *)*s);
}

bool th_version_is_space(uint32_t c)
{
	return version__is_space(c);
}

size_t th_version_utf8(const char *p, const char *end, uint32_t *cp)
{
	return version__utf8((const unsigned char *)p, (const unsigned char *)end, cp);
}

static bool version__sep(const version__cur *c)
{
	return c->p < c->end && (*c->p == '-' || *c->p == '_' || *c->p == '.');
}

static bool version__digit(const version__cur *c)
{
	return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

/* Matches a lower-case ASCII keyword case-insensitively the way Python's
 * IGNORECASE does: 'i' also matches U+0130 and U+0131, 's' also U+017F.
 * On success advances c and sets *odd to the first non-ASCII spelling met
 * (0 none, 0x130, 0x131 or 0x17f). */
static bool version__word(version__cur *c, const char *w, uint32_t *odd)
{
	const unsigned char *p = c->p;

	*odd = 0;
	for (; *w; w++) {
		if (p < c->end && (*p | 0x20) == (unsigned char)*w && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			p++;
		} else if (*w == 'i' && c->end - p >= 2 && p[0] == 0xc4 && (p[1] == 0xb0 || p[1] == 0xb1)) {
			*odd = p[1] == 0xb0 ? 0x130 : 0x131;
			p += 2;
		} else if (*w == 's' && c->end - p >= 2 && p[0] == 0xc5 && p[1] == 0xbf) {
			*odd = 0x17f;
			p += 2;
		} else {
			return false;
		}
	}
	c->p = p;
	return true;
}

/* A run of digits. */
typedef struct version__run {
	const unsigned char *s;
	size_t len;
} version__run;

static version__run version__digits(version__cur *c)
{
	version__run r = { c->p, 0 };

	while (version__digit(c))
		c->p++;
	r.len = (size_t)(c->p - r.s);
	return r;
}

/* Turns a digit run into a number; big ones keep their digits (arena). */
static int version__num(th_vnum *out, version__run r, bool *big, th_arena *a)
{
	uint64_t v = 0;
	size_t i;

	while (r.len > 1 && r.s[0] == '0') {
		r.s++;
		r.len--;
	}
	out->digits = NULL;
	out->ndigits = 0;
	if (r.len <= 19) {
		for (i = 0; i < r.len; i++)
			v = v * 10 + (uint64_t)(r.s[i] - '0');
		if (v < ((uint64_t)1 << 63)) {
			out->value = v;
			return 0;
		}
	}
	out->value = 0;
	out->digits = th_arena_strndup(a, (const char *)r.s, r.len);
	if (!out->digits)
		return TH_ERR_NOMEM;
	out->ndigits = r.len;
	*big = true;
	return 0;
}

int th_vnum_cmp(const th_vnum *x, const th_vnum *y)
{
	int r;

	if (!x->digits && !y->digits)
		return x->value < y->value ? -1 : x->value > y->value;
	if (!x->digits)
		return -1;
	if (!y->digits)
		return 1;
	if (x->ndigits != y->ndigits)
		return x->ndigits < y->ndigits ? -1 : 1;
	r = memcmp(x->digits, y->digits, x->ndigits);
	return (r > 0) - (r < 0);
}

static bool version__vnum_zero(const th_vnum *n)
{
	return !n->digits && n->value == 0;
}

/* A local-label character: [a-z0-9] under IGNORECASE, which also admits
 * U+0130, U+0131, U+017F and U+212A (Kelvin sign). Returns its byte length. */
static size_t version__local_char(const unsigned char *p, const unsigned char *end)
{
	if (p >= end)
		return 0;
	if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
		return 1;
	if (end - p >= 2 && p[0] == 0xc4 && (p[1] == 0xb0 || p[1] == 0xb1))
		return 2;
	if (end - p >= 2 && p[0] == 0xc5 && p[1] == 0xbf)
		return 2;
	if (end - p >= 3 && p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa)
		return 3;
	return 0;
}

/* Appends the lower-case form (Python's str.lower()) of one local-label
 * character to dst; returns the bytes written. */
static size_t version__local_lower(char *dst, const unsigned char *p, size_t n)
{
	if (n == 1) {
		dst[0] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		return 1;
	}
	if (n == 3) { /* KELVIN SIGN lowers to 'k' */
		dst[0] = 'k';
		return 1;
	}
	if (p[0] == 0xc4 && p[1] == 0xb0) { /* U+0130 lowers to "i" + U+0307 */
		memcpy(dst, "i\xcc\x87", 3);
		return 3;
	}
	memcpy(dst, p, 2); /* U+0131 and U+017F are already lower case */
	return 2;
}

static int version__fail(th_error *err, const char *s, size_t len, const char *why)
{
	int shown = len > 80 ? 80 : (int)len;

	return th_error_set(err, TH_ERR_INVALID, "invalid version '%.*s%s': %s", shown, s,
	                    len > 80 ? "..." : "", why);
}

static int version__local(th_version *out, const unsigned char *p, const unsigned char *end,
                          th_arena *a)
{
	/* Lowering grows a character by at most 1 byte in 2 (U+0130). */
	size_t cap = (size_t)(end - p) * 2 + 1, n = 0, nseg = 1, i, k;
	char *text = th_arena_alloc(a, cap);
	th_vlocal *seg;
	const unsigned char *q;

	if (!text)
		return TH_ERR_NOMEM;
	for (q = p; q < end; q++)
		if (*q == '.' || *q == '-' || *q == '_')
			nseg++;
	seg = th_arena_alloc(a, nseg * sizeof(*seg));
	if (!seg)
		return TH_ERR_NOMEM;
	for (k = 0; k < nseg; k++) {
		const unsigned char *start = p;
		bool numeric = true;

		while (p < end && *p != '.' && *p != '-' && *p != '_') {
			if (*p < '0' || *p > '9')
				numeric = false;
			p++;
		}
		if (k)
			text[n++] = '.';
		seg[k].s = text + n;
		seg[k].numeric = numeric;
		if (numeric) { /* int(part): leading zeros go */
			while (p - start > 1 && *start == '0')
				start++;
			memcpy(text + n, start, (size_t)(p - start));
			n += (size_t)(p - start);
		} else {
			for (q = start; q < p; q += i) {
				i = version__local_char(q, p);
				n += version__local_lower(text + n, q, i);
			}
		}
		seg[k].len = (size_t)(text + n - seg[k].s);
		p++; /* the separator */
	}
	text[n] = '\0';
	out->local = text;
	out->local_len = n;
	out->local_seg = seg;
	out->nlocal = (uint32_t)nseg;
	return 0;
}

/* The key: epoch, release numbers + 1 with trailing zeros dropped, a 0 that
 * ends the release (so a shorter release sorts first), then pre, post and
 * dev as (code, number) pairs coding packaging's -inf/+inf sentinels. */
static int version__key(th_version *v, th_arena *a)
{
	uint32_t nrel = v->nrelease, i, k = 0;
	uint64_t *key;

	while (nrel > 0 && version__vnum_zero(&v->release[nrel - 1]))
		nrel--;
	key = th_arena_alloc(a, (2 + (size_t)nrel + VERSION__TAIL) * sizeof(*key));
	if (!key)
		return TH_ERR_NOMEM;
	key[k++] = v->epoch.value;
	for (i = 0; i < nrel; i++)
		key[k++] = v->release[i].value + 1;
	key[k++] = 0;
	if (v->flags & TH_VERSION_PRE) {
		key[k++] = 1 + (uint64_t)v->pre_rank;
		key[k++] = v->pre.value;
	} else {
		/* 1.0.dev0 sorts before 1.0a0, but 1.0.post0.dev0 after 1.0. */
		key[k++] = (v->flags & (TH_VERSION_POST | TH_VERSION_DEV)) == TH_VERSION_DEV ? 0 : 6;
		key[k++] = 0;
	}
	key[k++] = (v->flags & TH_VERSION_POST) ? 1 + (uint64_t)v->post_rank : 0;
	key[k++] = (v->flags & TH_VERSION_POST) ? v->post.value : 0;
	key[k++] = (v->flags & TH_VERSION_DEV) ? 0 : 1;
	key[k++] = (v->flags & TH_VERSION_DEV) ? v->dev.value : 0;
	v->key = key;
	v->nkey = k;
	if (key[0] == 0 && key[1] >> 32 == 0 && key[2] >> 32 == 0) {
		v->head = key[1] << 32 | key[2];
		v->flags |= TH_VERSION_HEAD;
	}
	return 0;
}

static int version__limit(th_error *err, const char *s, size_t len)
{
	return th_error_set(err, TH_ERR_LIMIT,
	                    "invalid version '%.*s%s': a number has more than %d digits (Python's int() limit)",
	                    len > 80 ? 80 : (int)len, s, len > 80 ? "..." : "", TH_VERSION_MAX_DIGITS);
}

/* "[-_.]? WORD [-_.]? N?" for the first of words that matches (they are
 * listed so that the first match is the one the regular expression keeps).
 * Leaves c unchanged when none matches. */
static bool version__segment(version__cur *c, const char *const *words, size_t nwords,
                             size_t *which, uint32_t *odd, version__run *num)
{
	version__cur save = *c;
	size_t i;

	if (version__sep(c))
		c->p++;
	for (i = 0; i < nwords; i++) {
		if (version__word(c, words[i], odd)) {
			*which = i;
			if (version__sep(c))
				c->p++;
			*num = version__digits(c);
			return true;
		}
	}
	*c = save;
	return false;
}

/* The text's shape: where each part is, before any number is converted. */
typedef struct version__scan {
	version__run epoch, pre, post, dev;
	const unsigned char *rel, *local, *end;
	uint32_t nrel;
	uint8_t flags, pre_rank, post_rank;
	bool huge; /* a number longer than TH_VERSION_MAX_DIGITS */
} version__scan;

/* Longest first: "a" must not take the start of "alpha". */
static const char *const version__pre_words[] = { "alpha", "beta", "preview", "pre", "a", "b", "c", "rc" };
static const uint8_t version__pre_word_rank[] = { TH_PRE_A, TH_PRE_B, TH_PRE_RC, TH_PRE_RC,
                                                  TH_PRE_A, TH_PRE_B, TH_PRE_RC, TH_PRE_RC };
static const char *const version__post_words[] = { "post", "rev", "r" };
static const char *const version__dev_words[] = { "dev" };

/* Matches the grammar; returns NULL or what is wrong. */
static const char *version__scan_text(version__scan *sc, version__cur c)
{
	version__run run;
	size_t which, n;
	uint32_t odd;
	const unsigned char *q, *r;

	memset(sc, 0, sizeof(*sc));
	if (c.p < c.end && (*c.p == 'v' || *c.p == 'V'))
		c.p++;
	run = version__digits(&c); /* the epoch, or the first release number */
	if (!run.len)
		return "expected a release number";
	if (c.p < c.end && *c.p == '!') {
		sc->epoch = run;
		c.p++;
		run = version__digits(&c);
		if (!run.len)
			return "expected a release number after the epoch";
	}
	sc->rel = run.s;
	sc->nrel = 1;
	sc->huge = run.len > TH_VERSION_MAX_DIGITS || sc->epoch.len > TH_VERSION_MAX_DIGITS;
	while (c.p + 1 < c.end && c.p[0] == '.' && c.p[1] >= '0' && c.p[1] <= '9') {
		c.p++;
		run = version__digits(&c);
		sc->huge |= run.len > TH_VERSION_MAX_DIGITS;
		sc->nrel++;
	}
	if (version__segment(&c, version__pre_words, 8, &which, &odd, &sc->pre)) {
		sc->flags |= TH_VERSION_PRE;
		sc->pre_rank = odd == 0x130 ? TH_PRE_PREVIEW_DOT
		             : odd == 0x131 ? TH_PRE_PREVIEW_DOTLESS : version__pre_word_rank[which];
	}
	if (c.p + 1 < c.end && c.p[0] == '-' && c.p[1] >= '0' && c.p[1] <= '9') {
		c.p++;
		sc->flags |= TH_VERSION_POST;
		sc->post = version__digits(&c);
	} else if (version__segment(&c, version__post_words, 3, &which, &odd, &sc->post)) {
		sc->flags |= TH_VERSION_POST;
		sc->post_rank = odd == 0x17f;
	}
	if (version__segment(&c, version__dev_words, 1, &which, &odd, &sc->dev))
		sc->flags |= TH_VERSION_DEV;
	sc->huge |= sc->pre.len > TH_VERSION_MAX_DIGITS || sc->post.len > TH_VERSION_MAX_DIGITS ||
	            sc->dev.len > TH_VERSION_MAX_DIGITS;
	if (c.p < c.end && *c.p == '+') {
		sc->local = ++c.p;
		for (;;) {
			if (!version__local_char(c.p, c.end))
				return "invalid local version label";
			while ((n = version__local_char(c.p, c.end)))
				c.p += n;
			if (!version__sep(&c))
				break;
			c.p++;
		}
		sc->flags |= TH_VERSION_LOCAL;
		/* int() is applied to the all-digit segments only. */
		for (q = sc->local; q < c.p; q = r + 1) {
			bool digits = true;
			for (r = q; r < c.p && *r != '.' && *r != '-' && *r != '_'; r++)
				digits &= *r >= '0' && *r <= '9';
			sc->huge |= digits && (size_t)(r - q) > TH_VERSION_MAX_DIGITS;
		}
	}
	if (c.p != c.end)
		return "unexpected text";
	sc->end = c.end;
	return NULL;
}

int th_version_parse(th_version *out, const char *s, size_t len, th_arena *a, th_error *err)
{
	const char *t = s, *why;
	size_t tlen = len;
	version__cur c;
	version__scan sc;
	th_vnum *rel;
	uint32_t i;
	bool big = false;

	memset(out, 0, sizeof(*out));
	if (!s) /* (NULL, 0) is the empty text */
		t = s = "";
	th_version_strip_space(&t, &tlen);
	c.p = (const unsigned char *)t;
	c.end = c.p + tlen;
	if ((why = version__scan_text(&sc, c)))
		return version__fail(err, s, len, why);
	out->flags = sc.flags;
	out->nrelease = sc.nrel;
	out->pre_rank = sc.pre_rank;
	out->post_rank = sc.post_rank;
	if (sc.huge)
		return version__limit(err, s, len);

	rel = th_arena_alloc(a, sc.nrel * sizeof(*rel));
	if (!rel)
		goto nomem;
	c.p = sc.rel;
	for (i = 0; i < sc.nrel; i++) {
		if (i)
			c.p++;
		if (version__num(&rel[i], version__digits(&c), &big, a))
			goto nomem;
	}
	out->release = rel;
	if ((sc.epoch.len && version__num(&out->epoch, sc.epoch, &big, a)) ||
	    ((sc.flags & TH_VERSION_PRE) && version__num(&out->pre, sc.pre, &big, a)) ||
	    ((sc.flags & TH_VERSION_POST) && version__num(&out->post, sc.post, &big, a)) ||
	    ((sc.flags & TH_VERSION_DEV) && version__num(&out->dev, sc.dev, &big, a)))
		goto nomem;
	if (sc.flags & TH_VERSION_PRE)
		out->pre_letter = version__pre_letters[out->pre_rank];
	if (sc.local && version__local(out, sc.local, sc.end, a))
		goto nomem;
	if (big)
		out->flags |= TH_VERSION_BIG;
	else if (version__key(out, a))
		goto nomem;
	return 0;
nomem:
	return th_error_set(err, TH_ERR_NOMEM, "out of memory parsing version '%.*s'",
	                    len > 80 ? 80 : (int)len, s);
}

/* Compares two versions without the key (some number is 2^63 or more). */
static int version__cmp_slow(const th_version *x, const th_version *y)
{
	uint32_t nx = x->nrelease, ny = y->nrelease, i;
	int r;
	uint64_t cx, cy;

	if ((r = th_vnum_cmp(&x->epoch, &y->epoch)))
		return r;
	while (nx > 0 && version__vnum_zero(&x->release[nx - 1]))
		nx--;
	while (ny > 0 && version__vnum_zero(&y->release[ny - 1]))
		ny--;
	for (i = 0; i < nx && i < ny; i++)
		if ((r = th_vnum_cmp(&x->release[i], &y->release[i])))
			return r;
	if (nx != ny)
		return nx < ny ? -1 : 1;
#define VERSION__PRE_CODE(v) (((v)->flags & TH_VERSION_PRE) ? 1u + (v)->pre_rank : \
	(((v)->flags & (TH_VERSION_POST | TH_VERSION_DEV)) == TH_VERSION_DEV ? 0u : 6u))
	cx = VERSION__PRE_CODE(x);
	cy = VERSION__PRE_CODE(y);
#undef VERSION__PRE_CODE
	if (cx != cy)
		return cx < cy ? -1 : 1;
	if ((x->flags & TH_VERSION_PRE) && (r = th_vnum_cmp(&x->pre, &y->pre)))
		return r;
	cx = (x->flags & TH_VERSION_POST) ? 1u + x->post_rank : 0;
	cy = (y->flags & TH_VERSION_POST) ? 1u + y->post_rank : 0;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	if ((x->flags & TH_VERSION_POST) && (r = th_vnum_cmp(&x->post, &y->post)))
		return r;
	cx = (x->flags & TH_VERSION_DEV) ? 0 : 1;
	cy = (y->flags & TH_VERSION_DEV) ? 0 : 1;
	if (cx != cy)
		return cx < cy ? -1 : 1;
	if ((x->flags & TH_VERSION_DEV) && (r = th_vnum_cmp(&x->dev, &y->dev)))
		return r;
	return 0;
}

static int version__cmp_local(const th_version *x, const th_version *y)
{
	uint32_t i;
	int r;

	if (!(x->flags & TH_VERSION_LOCAL) || !(y->flags & TH_VERSION_LOCAL))
		return ((x->flags & TH_VERSION_LOCAL) != 0) - ((y->flags & TH_VERSION_LOCAL) != 0);
	for (i = 0; i < x->nlocal && i < y->nlocal; i++) {
		const th_vlocal *a = &x->local_seg[i], *b = &y->local_seg[i];
		if (a->numeric != b->numeric)
			return a->numeric ? 1 : -1; /* numbers sort after words */
		if (a->numeric && a->len != b->len)
			return a->len < b->len ? -1 : 1;
		r = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (r)
			return r < 0 ? -1 : 1;
		if (a->len != b->len)
			return a->len < b->len ? -1 : 1;
	}
	if (x->nlocal != y->nlocal)
		return x->nlocal < y->nlocal ? -1 : 1;
	return 0;
}

int th_version_cmp_public(const th_version *x, const th_version *y)
{
	const uint64_t *a = x->key, *b = y->key;
	uint32_t n, i = 0;

	if (!a || !b)
		return version__cmp_slow(x, y);
	if (x->flags & y->flags & TH_VERSION_HEAD) {
		/* Epoch 0 and the first two words packed: one comparison decides
		 * most pairs (the major or minor number differs). */
		if (x->head != y->head)
			return x->head < y->head ? -1 : 1;
		i = 3;
	}
	/* The keys are prefix-free (the release ends with a 0 word), so the
	 * shorter length bounds the loop and a difference is always found. */
	n = x->nkey < y->nkey ? x->nkey : y->nkey;
	for (; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

int th_version_cmp(const th_version *x, const th_version *y)
{
	int r = th_version_cmp_public(x, y);

	if (r || !((x->flags | y->flags) & TH_VERSION_LOCAL))
		return r;
	return version__cmp_local(x, y);
}

bool th_version_base_eq(const th_version *x, const th_version *y)
{
	uint32_t nx = x->nrelease, ny = y->nrelease, i;

	if (th_vnum_cmp(&x->epoch, &y->epoch))
		return false;
	while (nx > 0 && version__vnum_zero(&x->release[nx - 1]))
		nx--;
	while (ny > 0 && version__vnum_zero(&y->release[ny - 1]))
		ny--;
	if (nx != ny)
		return false;
	for (i = 0; i < nx; i++)
		if (th_vnum_cmp(&x->release[i], &y->release[i]))
			return false;
	return true;
}

int th_vnum_format(const th_vnum *n, th_buf *out, th_error *err)
{
	if (n->digits)
		return th_buf_put(out, n->digits, n->ndigits, err);
	return th_buf_printf(out, err, "%llu", (unsigned long long)n->value);
}

int th_version_format_base(const th_version *v, th_buf *out, th_error *err)
{
	uint32_t i;
	int rc;

	if (!version__vnum_zero(&v->epoch)) {
		if ((rc = th_vnum_format(&v->epoch, out, err)) || (rc = th_buf_putc(out, '!', err)))
			return rc;
	}
	for (i = 0; i < v->nrelease; i++) {
		if (i && (rc = th_buf_putc(out, '.', err)))
			return rc;
		if ((rc = th_vnum_format(&v->release[i], out, err)))
			return rc;
	}
	return 0;
}

int th_version_format_public(const th_version *v, th_buf *out, th_error *err)
{
	int rc;

	if ((rc = th_version_format_base(v, out, err)))
		return rc;
	if (v->flags & TH_VERSION_PRE) {
		if ((rc = th_buf_puts(out, v->pre_letter, err)) || (rc = th_vnum_format(&v->pre, out, err)))
			return rc;
	}
	if (v->flags & TH_VERSION_POST) {
		if ((rc = th_buf_puts(out, ".post", err)) || (rc = th_vnum_format(&v->post, out, err)))
			return rc;
	}
	if (v->flags & TH_VERSION_DEV) {
		if ((rc = th_buf_puts(out, ".dev", err)) || (rc = th_vnum_format(&v->dev, out, err)))
			return rc;
	}
	return 0;
}

int th_version_format(const th_version *v, th_buf *out, th_error *err)
{
	int rc;

	if ((rc = th_version_format_public(v, out, err)))
		return rc;
	if (v->flags & TH_VERSION_LOCAL) {
		if ((rc = th_buf_putc(out, '+', err)) || (rc = th_buf_put(out, v->local, v->local_len, err)))
			return rc;
	}
	return 0;
}

bool th_version_is_prerelease(const th_version *v)
{
	return (v->flags & (TH_VERSION_PRE | TH_VERSION_DEV)) != 0;
}

bool th_version_is_postrelease(const th_version *v)
{
	return (v->flags & TH_VERSION_POST) != 0;
}

bool th_version_is_devrelease(const th_version *v)
{
	return (v->flags & TH_VERSION_DEV) != 0;
}

bool th_version_has_local(const th_version *v)
{
	return (v->flags & TH_VERSION_LOCAL) != 0;
}
