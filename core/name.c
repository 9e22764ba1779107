#include "core/name.h"

#include <string.h>

static bool name__sep(unsigned char c)
{
	return c == '-' || c == '_' || c == '.';
}

static bool name__alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Lower-cases the character at s (n bytes left) into out, which receives as
 * many bytes as were consumed; returns that count. Only mappings that keep
 * the UTF-8 length are applied (see name.h). */
static size_t name__lower(char *out, const unsigned char *s, size_t n)
{
	unsigned cp;

	if (s[0] < 0x80) {
		out[0] = (char)(s[0] >= 'A' && s[0] <= 'Z' ? s[0] + 32 : s[0]);
		return 1;
	}
	if (n < 2 || (s[0] & 0xe0) != 0xc0 || (s[1] & 0xc0) != 0x80) {
		out[0] = (char)s[0];
		return 1;
	}
	cp = ((unsigned)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	if ((cp >= 0xc0 && cp <= 0xde && cp != 0xd7) || (cp >= 0x391 && cp <= 0x3ab && cp != 0x3a2) ||
	    (cp >= 0x410 && cp <= 0x42f))
		cp += 0x20;
	else if (cp >= 0x400 && cp <= 0x40f)
		cp += 0x50;
	else if ((cp >= 0x100 && cp <= 0x12f) || (cp >= 0x132 && cp <= 0x137) || (cp >= 0x14a && cp <= 0x177))
		cp |= 1;
	else if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
		cp += (cp & 1);
	else if (cp == 0x178)
		cp = 0xff;
	if (cp < 0x80) /* never: every mapping above stays in the two-byte range */
		cp = 0x80;
	out[0] = (char)(0xc0 | (cp >> 6));
	out[1] = (char)(0x80 | (cp & 0x3f));
	return 2;
}

size_t th_name_canon(char *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;

	while (i < len) {
		if (name__sep(u[i])) {
			while (i < len && name__sep(u[i]))
				i++;
			out[o++] = '-';
			continue;
		}
		{
			size_t k = name__lower(out + o, u + i, len - i);
			i += k;
			o += k;
		}
	}
	return o;
}

int th_name_normalize(th_buf *out, const char *s, size_t len, th_error *err)
{
	int rc = th_buf_grow(out, len + 1, err);

	if (rc)
		return rc;
	out->len += th_name_canon(out->ptr + out->len, s, len);
	out->ptr[out->len] = '\0';
	return 0;
}

bool th_name_is_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len == 0 || !name__alnum(u[0]) || !name__alnum(u[len - 1]))
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (!name__alnum(u[i]) && !name__sep(u[i]))
			return false;
	return true;
}

/* One normalised character at a time from each side, so equality needs no
 * buffer: a run of separators yields one '-'. */
typedef struct name__cursor {
	const unsigned char *s;
	size_t len, i;
} name__cursor;

static size_t name__next(name__cursor *c, char out[2])
{
	if (c->i >= c->len)
		return 0;
	if (name__sep(c->s[c->i])) {
		while (c->i < c->len && name__sep(c->s[c->i]))
			c->i++;
		out[0] = '-';
		return 1;
	}
	{
		size_t k = name__lower(out, c->s + c->i, c->len - c->i);
		c->i += k;
		return k;
	}
}

bool th_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	name__cursor ca = { (const unsigned char *)a, alen, 0 }, cb = { (const unsigned char *)b, blen, 0 };
	char x[2], y[2];

	for (;;) {
		size_t nx = name__next(&ca, x), ny = name__next(&cb, y);
		if (nx != ny || memcmp(x, y, nx))
			return false;
		if (nx == 0)
			return true;
	}
}
