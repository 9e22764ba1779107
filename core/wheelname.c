#include "core/wheelname.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/name.h"

/* Python's int() refuses decimal strings longer than this (3.11's
 * sys.int_info.default_max_str_digits), so 23.0 rejects such build tags. */
#define WN__MAX_BUILD_DIGITS TH_VERSION_MAX_DIGITS

/* Decodes one UTF-8 code point at s[*i] (len bytes), advancing *i; -1 when
 * the bytes are not well-formed UTF-8. */
static int32_t wn__next(const char *s, size_t len, size_t *i)
{
	uint32_t cp;
	size_t k = th_version_utf8(s + *i, s + len, &cp);

	if (!k)
		return -1;
	*i += k;
	return (int32_t)cp;
}

static bool wn__utf8_ok(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len)
		if (wn__next(s, len, &i) < 0)
			return false;
	return true;
}

/* Python's \w (str.isalnum() or '_'): exact through U+00FF, approximate
 * above (see the header). */
static bool wn__is_word(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == '_';
	if (cp < 0x100)
		return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
		       (cp >= 0xBC && cp <= 0xBE) || (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7);
	return !((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x3003) ||
		 (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp >= 0xFFF0 ||
		 (cp >= 0x1F300 && cp <= 0x1FAFF));
}

/* str.lower() for ASCII and Latin-1; other characters are left as they are. */
static int32_t wn__lower(int32_t cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7))
		return cp + 0x20;
	return cp;
}

/* The value of a Unicode decimal digit (category Nd, what Python's \d and
 * int() accept), or -1. Each Nd run is ten code points from its zero. */
static int wn__digit(int32_t cp)
{
	static const int32_t zeros[] = {
		0x30,    0x660,   0x6f0,   0x7c0,   0x966,   0x9e6,   0xa66,   0xae6,   0xb66,   0xbe6,   0xc66,
		0xce6,   0xd66,   0xde6,   0xe50,   0xed0,   0xf20,   0x1040,  0x1090,  0x17e0,  0x1810,  0x1946,
		0x19d0,  0x1a80,  0x1a90,  0x1b50,  0x1bb0,  0x1c40,  0x1c50,  0xa620,  0xa8d0,  0xa900,  0xa9d0,
		0xa9f0,  0xaa50,  0xabf0,  0xff10,  0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0,
		0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60,
		0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
	}; /* Unicode 14.0, as Python 3.11 */

	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]) && zeros[i] <= cp; i++)
		if (cp - zeros[i] < 10)
			return (int)(cp - zeros[i]);
	return -1;
}

/* Lower-cases (s, len) into the arena (Latin-1 lower case keeps the UTF-8
 * length). NULL on invalid UTF-8 or when memory runs out (*bad tells which). */
static char *wn__lower_copy(th_arena *a, const char *s, size_t len, bool *bad)
{
	char *out = th_arena_alloc(a, len + len / 2 + 1); /* th_name_canon's room */
	size_t i = 0, o = 0;

	*bad = false;
	if (!out)
		return NULL;
	while (i < len) {
		int32_t cp = wn__next(s, len, &i);
		if (cp < 0) {
			*bad = true;
			return NULL;
		}
		o += th_name_utf8_put(out + o, (uint32_t)wn__lower(cp));
	}
	out[o] = '\0';
	return out;
}

/* canonicalize_name (core/name) into the arena. */
static char *wn__canonical(th_arena *a, const char *s, size_t len)
{
	char *out = th_arena_alloc(a, len + len / 2 + 1); /* th_name_canon's room */

	if (out)
		out[th_name_canon(out, s, len)] = '\0';
	return out;
}

static int wn__invalid(th_error *err, const char *what, const char *s, size_t len, const char *why)
{
	return th_error_set(err, TH_ERR_INVALID, "%s '%.*s': %s", what, (int)(len > 200 ? 200 : len), s, why);
}

/* The name part: word characters, '.', '_', no "__"; one trailing newline
 * passes (23.0 matches with `$`, which also matches before a final "\n"). */
static bool wn__name_ok(const char *s, size_t len)
{
	size_t i = 0;

	if (len && s[len - 1] == '\n')
		len--;
	for (size_t k = 0; k + 1 < len; k++)
		if (s[k] == '_' && s[k + 1] == '_')
			return false;
	while (i < len) {
		int32_t cp = wn__next(s, len, &i);
		if (cp < 0 || !(wn__is_word(cp) || cp == '.'))
			return false;
	}
	return true;
}

static int wn__build(th_wheelname *out, const char *s, size_t len, th_arena *a)
{
	size_t i = 0, ndig = 0, nl = 0, start;
	char *num = th_arena_alloc(a, len + 2);
	int d;

	if (!num)
		return TH_ERR_NOMEM;
	while (i < len) {
		size_t at = i;
		int32_t cp = wn__next(s, len, &i);
		if (cp < 0)
			return TH_ERR_INVALID;
		if ((d = wn__digit(cp)) < 0) {
			i = at;
			break;
		}
		if (++ndig > WN__MAX_BUILD_DIGITS)
			return TH_ERR_INVALID;
		if (nl || d) /* leading zeros are dropped, as int() does */
			num[nl++] = (char)('0' + d);
	}
	if (!ndig)
		return TH_ERR_INVALID;
	if (!nl)
		num[nl++] = '0';
	num[nl] = '\0';
	start = i;
	while (i < len && s[i] != '\n')
		i++;
	out->build = th_arena_strndup(a, s, len);
	out->build_num = num;
	out->build_suffix = th_arena_strndup(a, s + start, i - start);
	return out->build && out->build_suffix ? 0 : TH_ERR_NOMEM;
}

/* Splits (s, len) at '.', lower-cased, into the arena. */
static int wn__split(const char ***out, size_t *n, const char *s, size_t len, th_arena *a)
{
	size_t count = 1, k = 0, from = 0;
	bool bad;

	for (size_t i = 0; i < len; i++)
		count += s[i] == '.';
	if (count > TH_WHEELNAME_MAX_TAGS)
		return TH_ERR_LIMIT;
	if (!(*out = th_arena_alloc(a, count * sizeof(**out))))
		return TH_ERR_NOMEM;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!((*out)[k++] = wn__lower_copy(a, s + from, i - from, &bad)))
			return bad ? TH_ERR_INVALID : TH_ERR_NOMEM;
		from = i + 1;
	}
	*n = count;
	return 0;
}

static int wn__tags(th_wheelname *out, const char *s, size_t len, th_arena *a)
{
	const char *d1 = memchr(s, '-', len), *d2 = memchr(d1 + 1, '-', len - (size_t)(d1 + 1 - s));
	const char **py, **abi, **plat;
	size_t npy, nabi, nplat;
	int rc;

	if ((rc = wn__split(&py, &npy, s, (size_t)(d1 - s), a)) ||
	    (rc = wn__split(&abi, &nabi, d1 + 1, (size_t)(d2 - d1 - 1), a)) ||
	    (rc = wn__split(&plat, &nplat, d2 + 1, len - (size_t)(d2 + 1 - s), a)))
		return rc;
	if (npy * nabi > TH_WHEELNAME_MAX_TAGS || npy * nabi * nplat > TH_WHEELNAME_MAX_TAGS)
		return TH_ERR_LIMIT;
	if (!(out->tags = th_arena_alloc(a, npy * nabi * nplat * sizeof(th_tag))))
		return TH_ERR_NOMEM;
	out->ntags = 0;
	for (size_t i = 0; i < npy; i++)
		for (size_t j = 0; j < nabi; j++)
			for (size_t k = 0; k < nplat; k++) {
				size_t m = 0;
				/* A set: a repeated tag is kept once (at most 256^2 / 2 compares). */
				while (m < out->ntags && !(!strcmp(out->tags[m].interpreter, py[i]) &&
							    !strcmp(out->tags[m].abi, abi[j]) &&
							    !strcmp(out->tags[m].platform, plat[k])))
					m++;
				if (m == out->ntags)
					out->tags[out->ntags++] = (th_tag){ py[i], abi[j], plat[k] };
			}
	return 0;
}

int th_wheelname_parse(th_wheelname *out, const char *filename, size_t len, th_arena *a, th_error *err)
{
	static const char what[] = "wheel file name";
	const char *dash[5];
	size_t ndash = 0, stem = len - 4;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < 4 || memcmp(filename + stem, ".whl", 4))
		return wn__invalid(err, what, filename, len, "the extension must be .whl");
	if (memchr(filename, '\0', len))
		return wn__invalid(err, what, filename, len, "contains a NUL byte");
	for (size_t i = 0; i < stem; i++)
		if (filename[i] == '-' && ndash++ < 5)
			dash[ndash - 1] = filename + i;
	if (ndash != 4 && ndash != 5)
		return wn__invalid(err, what, filename, len, "expected 5 or 6 parts separated by '-'");

	size_t nlen = (size_t)(dash[0] - filename);
	if (!wn__name_ok(filename, nlen))
		return wn__invalid(err, what, filename, len, "invalid project name");
	out->name_raw = th_arena_strndup(a, filename, nlen);
	out->name = wn__canonical(a, filename, nlen);
	if (!out->name_raw || !out->name)
		goto nomem;

	const char *v = dash[0] + 1;
	size_t vlen = (size_t)(dash[1] - v);
	if (!(out->version_raw = th_arena_strndup(a, v, vlen)))
		goto nomem;
	if ((rc = th_version_parse(&out->version, v, vlen, a, err))) {
		th_error_prefix(err, "%s '%.200s'", what, filename);
		return rc;
	}
	if (ndash == 5) {
		const char *b = dash[1] + 1;
		rc = wn__build(out, b, (size_t)(dash[2] - b), a);
		if (rc == TH_ERR_NOMEM)
			goto nomem;
		if (rc)
			return wn__invalid(err, what, filename, len,
					   "the build tag must start with a digit (and have at most 4300)");
	}
	const char *t = dash[ndash - 3] + 1;
	rc = wn__tags(out, t, (size_t)(filename + stem - t), a);
	if (rc == TH_ERR_NOMEM)
		goto nomem;
	if (rc == TH_ERR_LIMIT)
		return th_error_set(err, TH_ERR_LIMIT, "%s '%.200s': the tags expand to more than %d", what, filename,
				    TH_WHEELNAME_MAX_TAGS);
	if (rc)
		return wn__invalid(err, what, filename, len, "a tag is not valid UTF-8");
	return 0;
nomem:
	return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
}

static int wn__cmp_num(const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);
	int c;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	c = strcmp(x, y);
	return (c > 0) - (c < 0);
}

int th_wheelname_build_cmp(const th_wheelname *x, const th_wheelname *y)
{
	int c;

	if (!x->build_num || !y->build_num)
		return (x->build_num != NULL) - (y->build_num != NULL);
	if ((c = wn__cmp_num(x->build_num, y->build_num)))
		return c;
	/* Python compares str by code point: the same order as UTF-8 bytes. */
	c = strcmp(x->build_suffix, y->build_suffix);
	return (c > 0) - (c < 0);
}

int th_sdistname_parse(th_sdistname *out, const char *filename, size_t len, th_arena *a, th_error *err)
{
	static const char what[] = "sdist file name";
	size_t stem, nlen;
	const char *dash = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len >= 7 && !memcmp(filename + len - 7, ".tar.gz", 7))
		out->ext = ".tar.gz";
	else if (len >= 4 && !memcmp(filename + len - 4, ".zip", 4))
		out->ext = ".zip";
	else
		return wn__invalid(err, what, filename, len, "the extension must be .tar.gz or .zip");
	if (memchr(filename, '\0', len))
		return wn__invalid(err, what, filename, len, "contains a NUL byte");
	stem = len - strlen(out->ext);
	for (size_t i = 0; i < stem; i++)
		if (filename[i] == '-')
			dash = filename + i;
	if (!dash)
		return wn__invalid(err, what, filename, len, "expected NAME-VERSION");
	nlen = (size_t)(dash - filename);
	if (!wn__utf8_ok(filename, nlen))
		return wn__invalid(err, what, filename, len, "the name is not valid UTF-8");
	out->name_raw = th_arena_strndup(a, filename, nlen);
	out->name = wn__canonical(a, filename, nlen);
	out->version_raw = th_arena_strndup(a, dash + 1, stem - nlen - 1);
	if (!out->name_raw || !out->name || !out->version_raw)
		return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
	if ((rc = th_version_parse(&out->version, dash + 1, stem - nlen - 1, a, err))) {
		th_error_prefix(err, "%s '%.200s'", what, filename);
		return rc;
	}
	return 0;
}
