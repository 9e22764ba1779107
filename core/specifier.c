#include "core/specifier.h"

#include <stdlib.h>
#include <string.h>

/*
 * Prefix matching (==X.* and the implied X.* of ~=) is, in packaging 23.0, a
 * comparison of lists of strings: the spec's normalised text and the
 * candidate's public version with trailing ".0"s dropped, both split on "."
 * (and "3rc1" split into "3", "rc1"), the candidate's leading run of numbers
 * padded with "0"s to the spec's. Its quirks follow from that (an epoch
 * "1!2" is not a number, so it is never padded), and thoth keeps them: the
 * spec's items are computed once at parse time, the candidate's are produced
 * one by one from its parsed fields, without building its text.
 */

/* One item of a split spec prefix. */
typedef struct spec__item {
	const char *s;
	size_t len;
	bool digits; /* str.isdigit() */
} spec__item;

struct th_spec {
	th_spec_op op;
	bool wildcard;      /* ==X.* or !=X.* */
	bool has_version;   /* v is valid (false: === with other text, or a huge wildcard) */
	bool pre;           /* Specifier.prereleases */
	bool pre_raises;    /* Specifier.prereleases raises in 23.0 */
	bool eval_raises;   /* contains() raises in 23.0 (a wildcard with a too-long number) */
	const char *text;   /* operator + version as written, stripped (arena) */
	size_t text_len;
	size_t op_len;
	const char *canon;  /* canonical version text, for duplicate detection */
	size_t canon_len;
	const char *lower;  /* ===: the version text lowercased */
	size_t lower_len;
	th_version v;       /* the version (for ==X.*: X) */
	const spec__item *item; /* prefix items for ==X.*, !=X.*, ~= */
	size_t nitem;
	size_t nitem_digits;    /* leading items that are numbers */
	size_t order;           /* position in the text, for duplicates */
};

struct th_specset {
	th_spec **clause; /* sorted by text */
	size_t n;
};

static const char *const spec__ops[] = { "~=", "==", "!=", "<=", ">=", "<", ">", "===" };

const char *th_spec_op_text(th_spec_op op)
{
	return (unsigned)op < sizeof(spec__ops) / sizeof(spec__ops[0]) ? spec__ops[op] : "?";
}

static int spec__fail(th_error *err, const char *s, size_t len, const char *why)
{
	int shown = len > 80 ? 80 : (int)len;

	return th_error_set(err, TH_ERR_INVALID, "invalid specifier '%.*s%s': %s", shown, s,
	                    len > 80 ? "..." : "", why);
}

static int spec__nomem(th_error *err)
{
	return th_error_set(err, TH_ERR_NOMEM, "out of memory parsing a specifier");
}

static bool spec__utf8_ok(const char *s, size_t len)
{
	const char *end = s + len;
	uint32_t c;
	size_t n;

	while (s < end) {
		if (!(n = th_version_utf8(s, end, &c)))
			return false;
		s += n;
	}
	return true;
}

static bool spec__is_digits(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Python's str.lower() as far as it matters for comparing with a normalised
 * version: ASCII letters, U+0130 -> "i" U+0307, U+212A -> "k"; every other
 * character is kept (it cannot occur in a normalised version either way). */
static size_t spec__lower(char *dst, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t n = 0;

	while (p < end) {
		if (*p >= 'A' && *p <= 'Z') {
			dst[n++] = (char)(*p++ + 32);
		} else if (end - p >= 2 && p[0] == 0xc4 && p[1] == 0xb0) {
			memcpy(dst + n, "i\xcc\x87", 3);
			n += 3;
			p += 2;
		} else if (end - p >= 3 && p[0] == 0xe2 && p[1] == 0x84 && p[2] == 0xaa) {
			dst[n++] = 'k';
			p += 3;
		} else {
			dst[n++] = (char)*p++;
		}
	}
	return n;
}

/* packaging's _version_split: split on ".", and "<digits><a|b|c|rc><digits>"
 * into two items. */
static int spec__split(spec__item **out, size_t *n, const char *s, size_t len, th_arena *a)
{
	size_t cap = 2, k = 0, i, j;
	spec__item *it;
	const char *p = s, *end = s + len;

	for (i = 0; i < len; i++)
		cap += s[i] == '.' ? 2 : 0;
	it = th_arena_alloc(a, cap * sizeof(*it));
	if (!it)
		return TH_ERR_NOMEM;
	for (;;) {
		const char *q = memchr(p, '.', (size_t)(end - p));
		size_t ilen = q ? (size_t)(q - p) : (size_t)(end - p);
		bool split = false;

		/* ^([0-9]+)((?:a|b|c|rc)[0-9]+)$ */
		for (i = 0; i < ilen && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i > 0 && i < ilen) {
			j = i;
			if (p[j] == 'a' || p[j] == 'b' || p[j] == 'c')
				j++;
			else if (ilen - j >= 2 && p[j] == 'r' && p[j + 1] == 'c')
				j += 2;
			if (j > i && j < ilen && spec__is_digits(p + j, ilen - j)) {
				it[k++] = (spec__item){ p, i, true };
				it[k++] = (spec__item){ p + i, ilen - i, false };
				split = true;
			}
		}
		if (!split) {
			it[k] = (spec__item){ p, ilen, spec__is_digits(p, ilen) };
			k++;
		}
		if (!q)
			break;
		p = q + 1;
	}
	*out = it;
	*n = k;
	return 0;
}

/* Sets the prefix items of a clause from the prefix text P (without ".*"):
 * canonicalize_version(P, strip_trailing_zero=False), then split. */
static int spec__prefix(th_spec *c, const char *p, size_t plen, th_arena *a)
{
	th_version pv;
	th_buf b = TH_BUF_INIT;
	spec__item *it;
	size_t n, i;
	const char *text = p;
	int rc;

	rc = th_version_parse(&pv, p, plen, a, NULL);
	if (rc == TH_ERR_LIMIT) {
		c->eval_raises = true;
		return 0;
	}
	if (rc == 0) {
		if ((rc = th_version_format(&pv, &b, NULL)))
			goto done;
		if (!(text = th_arena_strndup(a, b.ptr, b.len))) {
			rc = TH_ERR_NOMEM;
			goto done;
		}
		plen = b.len;
	}
	if ((rc = spec__split(&it, &n, text, plen, a)))
		goto done;
	c->item = it;
	c->nitem = n;
	for (i = 0; i < n && it[i].digits; i++)
		;
	c->nitem_digits = i;
	rc = 0;
done:
	th_buf_release(&b);
	return rc;
}

/* The implied prefix of ~=X: the items of X (split as written) up to the
 * first suffix (dev, a, b, rc, post, case-sensitive), without the last. */
static int spec__compatible_prefix(th_spec *c, const char *s, size_t len, th_arena *a)
{
	spec__item *it;
	size_t n, i, k, plen = 0;
	char *p;
	static const char *const suffixes[] = { "dev", "a", "b", "rc", "post" };

	if (spec__split(&it, &n, s, len, a))
		return TH_ERR_NOMEM;
	for (k = 0; k < n; k++) {
		bool suffix = false;
		for (i = 0; i < 5; i++)
			suffix |= it[k].len >= strlen(suffixes[i]) &&
			          !memcmp(it[k].s, suffixes[i], strlen(suffixes[i]));
		if (suffix)
			break;
	}
	k = k ? k - 1 : 0;
	p = th_arena_alloc(a, len + 1);
	if (!p)
		return TH_ERR_NOMEM;
	for (i = 0; i < k; i++) {
		if (i)
			p[plen++] = '.';
		memcpy(p + plen, it[i].s, it[i].len);
		plen += it[i].len;
	}
	return spec__prefix(c, p, plen, a);
}

/* canonicalize_version(text, strip_trailing_zero): the version's normal form
 * with trailing ".0"s of the release dropped (at least one number stays);
 * text that is not a version is kept as is. */
static int spec__canon(th_spec *c, const char *vt, size_t vlen, const th_version *v, bool strip,
                       th_arena *a)
{
	th_buf b = TH_BUF_INIT;
	th_version base;
	int rc = 0;

	if (!v) {
		c->canon = vt;
		c->canon_len = vlen;
		return 0;
	}
	base = *v;
	if (strip)
		while (base.nrelease > 1 && !base.release[base.nrelease - 1].digits &&
		       base.release[base.nrelease - 1].value == 0)
			base.nrelease--;
	if ((rc = th_version_format(&base, &b, NULL)))
		goto done;
	if (!(c->canon = th_arena_strndup(a, b.ptr, b.len)))
		rc = TH_ERR_NOMEM;
	c->canon_len = b.len;
done:
	th_buf_release(&b);
	return rc;
}

/* ^v?([0-9]+!)?[0-9]+(\.[0-9]+)*$ — what may precede ".*". */
static bool spec__plain_release(const char *s, size_t len)
{
	size_t i = 0, d;

	if (i < len && (s[i] == 'v' || s[i] == 'V'))
		i++;
	for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == d)
		return false;
	if (i < len && s[i] == '!') {
		for (d = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	while (i < len) {
		if (s[i] != '.')
			return false;
		for (d = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return false;
	}
	return true;
}

/* The operator at the start of t: the longest that fits ("===" before "==",
 * which could not be followed by "=" anyway). Returns its length or 0. */
static size_t spec__operator(th_spec_op *op, const char *t, size_t tlen)
{
	static const th_spec_op order[] = { TH_SPEC_ARBITRARY, TH_SPEC_COMPATIBLE, TH_SPEC_EQ, TH_SPEC_NE,
	                                    TH_SPEC_LE, TH_SPEC_GE, TH_SPEC_LT, TH_SPEC_GT };
	size_t i, n;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		n = strlen(spec__ops[order[i]]);
		if (tlen >= n && !memcmp(t, spec__ops[order[i]], n)) {
			*op = order[i];
			return n;
		}
	}
	return 0;
}

/* === TEXT: any text without whitespace, ";" or ")". */
static const char *spec__parse_arbitrary(th_spec *c, const char *vt, size_t vlen, th_arena *a)
{
	const char *end = vt + vlen, *p = vt;
	uint32_t cp;
	int rc;

	while (p < end) {
		p += th_version_utf8(p, end, &cp); /* the caller checked it is UTF-8 */
		if (th_version_is_space(cp) || cp == ';' || cp == ')')
			return "=== takes text without whitespace, ';' or ')'";
	}
	rc = th_version_parse(&c->v, vt, vlen, a, NULL);
	if (rc == TH_ERR_LIMIT) /* canonicalize_version() raises on it */
		return "a number has more digits than Python's int() accepts";
	if (rc == TH_ERR_NOMEM)
		return "";
	c->has_version = rc == 0;
	c->pre_raises = !c->has_version; /* Version(text).is_prerelease */
	c->pre = c->has_version && th_version_is_prerelease(&c->v);
	if (!(c->lower = th_arena_alloc(a, vlen * 2 + 1)))
		return "";
	c->lower_len = spec__lower((char *)c->lower, vt, vlen);
	if (spec__canon(c, vt, vlen, c->has_version ? &c->v : NULL, true, a))
		return "";
	return NULL;
}

/* ==X.* and !=X.* */
static const char *spec__parse_wildcard(th_spec *c, const char *vt, size_t vlen, th_arena *a)
{
	int rc;

	if (!spec__plain_release(vt, vlen - 2))
		return "'.*' must follow a release number";
	c->wildcard = true;
	rc = th_version_parse(&c->v, vt, vlen - 2, a, NULL);
	if (rc == TH_ERR_NOMEM)
		return "";
	c->has_version = rc == 0;
	/* 23.0 keeps the text and only converts X when it evaluates. */
	c->pre_raises = rc == TH_ERR_LIMIT && c->op == TH_SPEC_EQ;
	if (spec__prefix(c, vt, vlen - 2, a))
		return "";
	c->canon = vt; /* the text with ".*" is no version: canonical as is */
	c->canon_len = vlen;
	return NULL;
}

/* Every other operator and version. */
static const char *spec__parse_version(th_spec *c, const char *vt, size_t vlen, th_arena *a)
{
	th_spec_op op = c->op;
	int rc = th_version_parse(&c->v, vt, vlen, a, NULL);

	if (rc == TH_ERR_NOMEM)
		return "";
	if (rc == TH_ERR_INVALID)
		return "not a PEP 440 version after the operator";
	if ((c->v.flags & TH_VERSION_LOCAL) && op != TH_SPEC_EQ && op != TH_SPEC_NE)
		return "a local version label is only allowed with == and !=";
	if (op == TH_SPEC_COMPATIBLE && c->v.nrelease < 2)
		return "~= needs at least two release numbers";
	if (rc == TH_ERR_LIMIT)
		return "a number has more digits than Python's int() accepts";
	c->has_version = true;
	c->pre = (op == TH_SPEC_EQ || op == TH_SPEC_GE || op == TH_SPEC_LE || op == TH_SPEC_COMPATIBLE) &&
	         th_version_is_prerelease(&c->v);
	if (op == TH_SPEC_COMPATIBLE && spec__compatible_prefix(c, vt, vlen, a))
		return "";
	if (spec__canon(c, vt, vlen, &c->v, op != TH_SPEC_COMPATIBLE, a))
		return "";
	return NULL;
}

static int spec__parse_one(th_spec **out, const char *s, size_t len, th_arena *a, th_error *err)
{
	const char *t = s, *vt, *why;
	size_t tlen = len, vlen, oplen;
	th_spec *c;
	th_spec_op op;

	*out = NULL;
	if (!s) /* (NULL, 0) is the empty text */
		t = s = "";
	if (!spec__utf8_ok(s, len))
		return spec__fail(err, s, len, "not UTF-8");
	th_version_strip_space(&t, &tlen);
	if (!(oplen = spec__operator(&op, t, tlen)))
		return spec__fail(err, s, len, "expected an operator (~=, ==, !=, <=, >=, <, >, ===)");
	if (!(c = th_arena_zalloc(a, sizeof(*c))))
		return spec__nomem(err);
	c->op = op;
	c->op_len = oplen;
	vt = t + oplen;
	vlen = tlen - oplen;
	th_version_strip_space(&vt, &vlen);
	if (op == TH_SPEC_ARBITRARY)
		why = spec__parse_arbitrary(c, vt, vlen, a);
	else if ((op == TH_SPEC_EQ || op == TH_SPEC_NE) && vlen >= 2 && !memcmp(vt + vlen - 2, ".*", 2))
		why = spec__parse_wildcard(c, vt, vlen, a);
	else
		why = spec__parse_version(c, vt, vlen, a);
	if (why) /* "" is running out of memory */
		return *why ? spec__fail(err, s, len, why) : spec__nomem(err);
	c->text_len = oplen + vlen;
	if (!(c->text = th_arena_alloc(a, c->text_len + 1)))
		return spec__nomem(err);
	memcpy((char *)c->text, spec__ops[op], oplen);
	memcpy((char *)c->text + oplen, vt, vlen);
	((char *)c->text)[c->text_len] = '\0';
	*out = c;
	return 0;
}

int th_spec_parse(th_spec **out, const char *s, size_t len, th_arena *a, th_error *err)
{
	return spec__parse_one(out, s, len, a, err);
}

/* ---- prefix matching ---- */

/* One item of the candidate's split public version: up to five pieces,
 * each text or a number. */
typedef struct spec__piece {
	const char *s;
	const th_vnum *num;
} spec__piece;

/* Whether the concatenated pieces spell exactly (s, len). */
static bool spec__pieces_eq(const spec__piece *pc, size_t n, const char *s, size_t len)
{
	char tmp[24];
	size_t i, l;
	const char *t;

	for (i = 0; i < n; i++) {
		if (pc[i].num) {
			if (pc[i].num->digits) {
				t = pc[i].num->digits;
				l = pc[i].num->ndigits;
			} else {
				uint64_t v = pc[i].num->value;
				char *q = tmp + sizeof(tmp);
				do {
					*--q = (char)('0' + v % 10);
					v /= 10;
				} while (v);
				t = q;
				l = (size_t)(tmp + sizeof(tmp) - q);
			}
		} else {
			t = pc[i].s;
			l = strlen(t);
		}
		if (l > len || memcmp(t, s, l))
			return false;
		s += l;
		len -= l;
	}
	return len == 0;
}

static bool spec__num_zero(const th_vnum *n)
{
	return !n->digits && n->value == 0;
}

/* ==P.* against a candidate: shortened, padded split of the candidate's
 * canonical public version equals the spec's items. */
static bool spec__prefix_match(const th_spec *c, const th_version *v)
{
	static const th_vnum zero = { 0, NULL, 0 };
	uint32_t kt = v->nrelease;
	bool epoch = !spec__num_zero(&v->epoch), pre = (v->flags & TH_VERSION_PRE) != 0;
	bool merged, post = (v->flags & TH_VERSION_POST) != 0, dev = (v->flags & TH_VERSION_DEV) != 0;
	size_t nleft, l0, pad, j;

	/* canonicalize_version(public) drops trailing zeros, unless the public
	 * text does not parse again ("previ" U+0307 "ew"): then it is kept whole. */
	if (!pre || v->pre_rank != TH_PRE_PREVIEW_DOT)
		while (kt > 1 && spec__num_zero(&v->release[kt - 1]))
			kt--;
	/* "3rc1" splits into "3", "rc1"; "1!3rc1" and "3prevıew1" stay whole. */
	merged = pre && (v->pre_rank == TH_PRE_PREVIEW_DOT || v->pre_rank == TH_PRE_PREVIEW_DOTLESS ||
	                 (epoch && kt == 1));
	nleft = kt + (pre && !merged) + post + dev;
	l0 = epoch ? 0 : (merged ? kt - 1 : kt);
	pad = c->nitem_digits > l0 ? c->nitem_digits - l0 : 0;
	if (nleft + pad < c->nitem)
		return false;
	for (j = 0; j < c->nitem; j++) {
		const spec__item *it = &c->item[j];
		spec__piece pc[5];
		size_t np = 0, k;

		if (j >= l0 && j < l0 + pad) {
			pc[np++] = (spec__piece){ NULL, &zero };
		} else {
			k = j < l0 ? j : j - pad;
			if (k < kt) {
				if (k == 0 && epoch) {
					pc[np++] = (spec__piece){ NULL, &v->epoch };
					pc[np++] = (spec__piece){ "!", NULL };
				}
				pc[np++] = (spec__piece){ NULL, &v->release[k] };
				if (k == kt - 1 && merged) {
					pc[np++] = (spec__piece){ v->pre_letter, NULL };
					pc[np++] = (spec__piece){ NULL, &v->pre };
				}
			} else {
				k -= kt;
				if (pre && !merged && k-- == 0) {
					pc[np++] = (spec__piece){ v->pre_letter, NULL };
					pc[np++] = (spec__piece){ NULL, &v->pre };
				} else if (post && k-- == 0) {
					pc[np++] = (spec__piece){ "post", NULL };
					pc[np++] = (spec__piece){ NULL, &v->post };
				} else {
					pc[np++] = (spec__piece){ "dev", NULL };
					pc[np++] = (spec__piece){ NULL, &v->dev };
				}
			}
		}
		if (!spec__pieces_eq(pc, np, it->s, it->len))
			return false;
	}
	return true;
}

static bool spec__arbitrary(const th_spec *c, const th_version *v)
{
	th_buf b = TH_BUF_INIT;
	bool eq;

	if (th_version_format(v, &b, NULL)) {
		th_buf_release(&b);
		return false;
	}
	eq = b.len == c->lower_len && !memcmp(b.ptr, c->lower, b.len);
	th_buf_release(&b);
	return eq;
}

/* Version(v.public) against s: 23.0 re-parses the candidate's public text,
 * which loses the local label and also the Unicode spelling of "post" (it
 * prints as ".post"), so a "poſt" candidate compares as a plain post-release. */
static int spec__cmp_public(const th_version *v, const th_version *s)
{
	th_version pub;

	if (!v->post_rank)
		return th_version_cmp_public(v, s);
	pub = *v;
	pub.post_rank = 0;
	pub.key = NULL; /* the key codes the rank: compare field by field */
	return th_version_cmp_public(&pub, s);
}

/* Whether 23.0 fails to re-parse the candidate's public text: lower() turns
 * U+0130 in "prevİew" into "i" U+0307, which is no longer a version. */
static bool spec__public_raises(const th_version *v)
{
	return (v->flags & TH_VERSION_PRE) && v->pre_rank == TH_PRE_PREVIEW_DOT;
}

/* The operator alone, as packaging's _compare_<op>: 1 true, 0 false, -1 where
 * 23.0 raises. */
static int spec__op(const th_spec *c, const th_version *v)
{
	const th_version *s = &c->v;
	bool r;

	switch (c->op) {
	case TH_SPEC_COMPATIBLE:
		if (spec__public_raises(v))
			return -1;
		return spec__cmp_public(v, s) >= 0 && spec__prefix_match(c, v);
	case TH_SPEC_EQ:
	case TH_SPEC_NE:
		if (c->wildcard) {
			r = spec__prefix_match(c, v);
		} else if (s->flags & TH_VERSION_LOCAL) {
			r = th_version_cmp(v, s) == 0;
		} else {
			if (spec__public_raises(v))
				return -1;
			r = spec__cmp_public(v, s) == 0;
		}
		return c->op == TH_SPEC_EQ ? r : !r;
	case TH_SPEC_LE:
		if (spec__public_raises(v))
			return -1;
		return spec__cmp_public(v, s) <= 0;
	case TH_SPEC_GE:
		if (spec__public_raises(v))
			return -1;
		return spec__cmp_public(v, s) >= 0;
	case TH_SPEC_LT:
		if (th_version_cmp(v, s) >= 0)
			return 0;
		/* <V excludes pre-releases of V itself unless V is one. */
		return !(!th_version_is_prerelease(s) && th_version_is_prerelease(v) &&
		         th_version_base_eq(v, s));
	case TH_SPEC_GT:
		if (th_version_cmp(v, s) <= 0)
			return 0;
		/* >V excludes post-releases of V unless V is one, and V's local versions. */
		if (!th_version_is_postrelease(s) && th_version_is_postrelease(v) && th_version_base_eq(v, s))
			return 0;
		return !(th_version_has_local(v) && th_version_base_eq(v, s));
	case TH_SPEC_ARBITRARY:
		return spec__arbitrary(c, v);
	}
	return 0;
}

bool th_spec_prereleases(const th_spec *c)
{
	return c->pre;
}

bool th_spec_contains(const th_spec *c, const th_version *v, int prereleases)
{
	bool p = prereleases < 0 ? c->pre : prereleases != 0;

	if (th_version_is_prerelease(v) && !p)
		return false;
	if (c->eval_raises)
		return false;
	return spec__op(c, v) == 1;
}

int th_spec_format(const th_spec *c, th_buf *out, th_error *err)
{
	return th_buf_put(out, c->text, c->text_len, err);
}

th_spec_op th_spec_operator(const th_spec *c)
{
	return c->op;
}

bool th_spec_is_wildcard(const th_spec *c)
{
	return c->wildcard;
}

const th_version *th_spec_version(const th_spec *c)
{
	return c->has_version ? &c->v : NULL;
}

const char *th_spec_version_text(const th_spec *c, size_t *len)
{
	if (len)
		*len = c->text_len - c->op_len;
	return c->text + c->op_len;
}

/* ---- sets ---- */

/* Python's order of str: UTF-8 bytes compare as code points do. */
static int spec__bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r)
		return r < 0 ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

static int spec__text_cmp(const void *x, const void *y)
{
	const th_spec *a = *(th_spec *const *)x, *b = *(th_spec *const *)y;

	return spec__bytes_cmp(a->text, a->text_len, b->text, b->text_len);
}

/* By operator, canonical version, then order written. Returns +-2 when the
 * clauses differ in more than their order. */
static int spec__canon_cmp(const void *x, const void *y)
{
	const th_spec *a = *(th_spec *const *)x, *b = *(th_spec *const *)y;
	int r;

	if (a->op != b->op)
		return a->op < b->op ? -2 : 2;
	if ((r = spec__bytes_cmp(a->canon, a->canon_len, b->canon, b->canon_len)))
		return 2 * r;
	return (a->order > b->order) - (a->order < b->order);
}

int th_specset_parse(th_specset **out, const char *s, size_t len, th_arena *a, th_error *err)
{
	th_specset *set;
	size_t cap = 1, i, k;
	const char *p, *end;
	int rc;

	*out = NULL;
	if (!s) /* (NULL, 0) is the empty set */
		s = "";
	p = s;
	end = s + len;
	if (!spec__utf8_ok(s, len))
		return spec__fail(err, s, len, "not UTF-8");
	for (i = 0; i < len; i++)
		cap += s[i] == ',';
	set = th_arena_zalloc(a, sizeof(*set));
	if (!set || !(set->clause = th_arena_alloc(a, cap * sizeof(*set->clause))))
		return spec__nomem(err);
	for (;;) {
		const char *q = memchr(p, ',', (size_t)(end - p)), *t = p;
		size_t tlen = q ? (size_t)(q - p) : (size_t)(end - p);
		th_spec *c;

		th_version_strip_space(&t, &tlen);
		if (tlen) {
			if ((rc = spec__parse_one(&c, t, tlen, a, err)))
				return rc;
			c->order = set->n;
			set->clause[set->n++] = c;
		}
		if (!q)
			break;
		p = q + 1;
	}
	/* A set: of equal clauses (same operator and canonical version, like
	 * ">=1.0" and ">=1.0.0") the first written stays. Sorting keeps this
	 * O(n log n) for hostile input with many clauses. */
	qsort(set->clause, set->n, sizeof(*set->clause), spec__canon_cmp);
	for (i = k = 0; i < set->n; i++)
		if (!k || spec__canon_cmp(&set->clause[k - 1], &set->clause[i]) / 2 != 0)
			set->clause[k++] = set->clause[i];
	set->n = k;
	qsort(set->clause, set->n, sizeof(*set->clause), spec__text_cmp);
	*out = set;
	return 0;
}

int th_specset_prereleases(const th_specset *s)
{
	size_t i;

	if (!s->n)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->clause[i]->pre)
			return 1;
	return 0;
}

/* 0 with *out, or TH_ERR_INVALID where 23.0 raises. 23.0 walks a frozenset
 * (hash order, which changes from run to run) with any() and all(), so when
 * one clause raises and another decides, its answer depends on the order;
 * thoth answers as if the deciding clause came first. */
static int spec__set_contains(bool *out, const th_specset *s, const th_version *v, int prereleases)
{
	bool p, raises = false;
	size_t i;

	*out = false;
	if (prereleases < 0) {
		p = false;
		for (i = 0; i < s->n; i++) {
			raises |= s->clause[i]->pre_raises;
			p |= s->clause[i]->pre;
		}
		if (raises && !p)
			return TH_ERR_INVALID;
	} else {
		p = prereleases != 0;
	}
	if (!p && th_version_is_prerelease(v))
		return 0;
	raises = false;
	for (i = 0; i < s->n; i++) {
		int r = s->clause[i]->eval_raises ? -1 : spec__op(s->clause[i], v);
		if (r == 0)
			return 0;
		raises |= r < 0;
	}
	if (raises)
		return TH_ERR_INVALID;
	*out = true;
	return 0;
}

bool th_specset_contains(const th_specset *s, const th_version *v, int prereleases)
{
	bool r;

	return spec__set_contains(&r, s, v, prereleases) == 0 && r;
}

int th_specset_contains_str(bool *out, const th_specset *s, const char *v, size_t len,
                            int prereleases, th_arena *a, th_error *err)
{
	th_version ver;
	int rc;
	size_t i;

	*out = false;
	if (!v)
		v = "";
	rc = th_version_parse(&ver, v, len, a, err);
	if (rc == TH_ERR_NOMEM)
		return rc;
	if (rc) {
		/* Newer packaging: only === can match text that is not a version. */
		char *low = th_arena_alloc(a, len * 2 + 1);
		size_t n;
		const char *t = v;
		size_t tlen = len;

		th_version_strip_space(&t, &tlen);
		if (!low)
			return TH_ERR_NOMEM;
		n = spec__lower(low, t, tlen);
		*out = s->n > 0;
		for (i = 0; i < s->n; i++) {
			const th_spec *c = s->clause[i];
			if (c->op != TH_SPEC_ARBITRARY || c->lower_len != n || memcmp(c->lower, low, n))
				*out = false;
		}
		return TH_ERR_INVALID;
	}
	rc = spec__set_contains(out, s, &ver, prereleases);
	if (rc)
		return th_error_set(err, TH_ERR_INVALID,
		                    "packaging 23.0 raises on this specifier set for version '%.*s'",
		                    len > 80 ? 80 : (int)len, v);
	return 0;
}

int th_specset_format(const th_specset *s, th_buf *out, th_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < s->n; i++) {
		if (i && (rc = th_buf_putc(out, ',', err)))
			return rc;
		if ((rc = th_buf_put(out, s->clause[i]->text, s->clause[i]->text_len, err)))
			return rc;
	}
	return 0;
}

bool th_specset_is_empty(const th_specset *s)
{
	return s->n == 0;
}

size_t th_specset_count(const th_specset *s)
{
	return s->n;
}

const th_spec *th_specset_clause(const th_specset *s, size_t i)
{
	return i < s->n ? s->clause[i] : NULL;
}
