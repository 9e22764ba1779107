#include "extractors/pyenc.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

/* Line i (0-based, i < 2) of (s, len): start and length without the newline. */
static bool pyenc__line(const char *s, size_t len, int i, const char **ls, size_t *ll)
{
	size_t p = 0;

	for (int k = 0; k < i; k++) {
		while (p < len && s[p] != '\n' && s[p] != '\r')
			p++;
		if (p >= len)
			return false;
		p += (s[p] == '\r' && p + 1 < len && s[p + 1] == '\n') ? 2 : 1;
	}
	if (p >= len)
		return false;
	*ls = s + p;
	*ll = 0;
	while (p + *ll < len && s[p + *ll] != '\n' && s[p + *ll] != '\r')
		(*ll)++;
	return true;
}

/* CPython's get_normal_name(): "utf-8" and "latin-1" families fold to their
 * canonical names; anything else is kept (lower-cased, '_' as '-'). */
static void pyenc__normalize(char *name)
{
	static const char *const latin[] = { "latin-1", "iso-8859-1", "iso-latin-1" };
	size_t n;

	for (char *p = name; *p; p++)
		*p = *p == '_' ? '-' : (char)tolower((unsigned char)*p);
	if (!strcmp(name, "utf-8") || !strncmp(name, "utf-8-", 6)) {
		strcpy(name, "utf-8");
		return;
	}
	for (size_t i = 0; i < sizeof(latin) / sizeof(latin[0]); i++) {
		n = strlen(latin[i]);
		if (!strncmp(name, latin[i], n) && (name[n] == '\0' || name[n] == '-')) {
			strcpy(name, "iso-8859-1");
			return;
		}
	}
	if (!strcmp(name, "utf8") || !strcmp(name, "u8"))
		strcpy(name, "utf-8");
}

bool th_pyenc_cookie(char *name, size_t cap, const char *line, size_t len)
{
	size_t p = 0, n = 0;

	while (p < len && (line[p] == ' ' || line[p] == '\t' || line[p] == '\f'))
		p++;
	if (p >= len || line[p] != '#')
		return false;
	/* The first "coding" followed by ':' or '=' (PEP 263's regular expression). */
	for (; p + 7 <= len; p++) {
		if (memcmp(line + p, "coding", 6) || (line[p + 6] != ':' && line[p + 6] != '='))
			continue;
		p += 7;
		while (p < len && (line[p] == ' ' || line[p] == '\t'))
			p++;
		while (p + n < len && (isalnum((unsigned char)line[p + n]) || line[p + n] == '-' ||
				       line[p + n] == '_' || line[p + n] == '.'))
			n++;
		if (n == 0 || n >= cap)
			return false;
		memcpy(name, line + p, n);
		name[n] = '\0';
		pyenc__normalize(name);
		return true;
	}
	return false;
}

/* Blank, or nothing but a comment: CPython then looks at line 2 as well. */
static bool pyenc__blank_or_comment(const char *s, size_t len)
{
	size_t p = 0;

	while (p < len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\f'))
		p++;
	return p == len || s[p] == '#';
}

static bool pyenc__valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return false;
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

/* Appends (s, len) with "\r\n" and "\r" made "\n". */
static int pyenc__put_lines(th_buf *out, const char *s, size_t len, th_error *err)
{
	size_t start = 0;
	int rc;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '\r')
			continue;
		if ((rc = th_buf_put(out, s + start, i - start, err)) || (rc = th_buf_putc(out, '\n', err)))
			return rc;
		if (i + 1 < len && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	return th_buf_put(out, s + start, len - start, err);
}

/* Transcodes with iconv into tmp; false when the encoding is unknown or the
 * bytes are invalid in it. */
static int pyenc__iconv(th_buf *tmp, const char *enc, const char *s, size_t len, bool *ok, th_error *err)
{
	char alt[40];
	iconv_t cd = iconv_open("UTF-8", enc);
	int rc = 0;

	*ok = false;
	if (cd == (iconv_t)-1) {
		/* Python spells some codecs with '-' where iconv wants '_' ("shift-jis"). */
		snprintf(alt, sizeof(alt), "%s", enc);
		for (char *p = alt; *p; p++)
			if (*p == '-')
				*p = '_';
		cd = iconv_open("UTF-8", alt);
		if (cd == (iconv_t)-1)
			return 0;
	}
	{
		char *in = (char *)s;
		size_t inleft = len;

		while (inleft > 0) {
			char *o;
			size_t oleft, before;

			if ((rc = th_buf_grow(tmp, inleft * 2 + 16, err)))
				goto done;
			o = tmp->ptr + tmp->len;
			oleft = tmp->cap - tmp->len - 1;
			before = oleft;
			if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1 && errno != E2BIG) {
				tmp->len += before - oleft;
				tmp->ptr[tmp->len] = '\0';
				goto done; /* invalid or incomplete input */
			}
			tmp->len += before - oleft;
			tmp->ptr[tmp->len] = '\0';
		}
		*ok = true;
	}
done:
	iconv_close(cd);
	return rc;
}

int th_pyenc_decode(th_buf *out, th_pyenc_info *info, const char *s, size_t len, th_error *err)
{
	const char *line;
	size_t ll;
	char cookie[40];
	bool have = false, ok;
	th_buf tmp = TH_BUF_INIT;
	int rc = 0;

	memset(info, 0, sizeof(*info));
	strcpy(info->encoding, "utf-8");
	th_buf_clear(out);
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
		info->bom = true;
		s += 3;
		len -= 3;
	}
	if (pyenc__line(s, len, 0, &line, &ll)) {
		if (th_pyenc_cookie(cookie, sizeof(cookie), line, ll)) {
			have = true;
			info->cookie_line = 1;
		} else if (pyenc__blank_or_comment(line, ll) && pyenc__line(s, len, 1, &line, &ll) &&
			   th_pyenc_cookie(cookie, sizeof(cookie), line, ll)) {
			have = true;
			info->cookie_line = 2;
		}
	}
	if (have) {
		snprintf(info->encoding, sizeof(info->encoding), "%s", cookie);
		if (info->bom && strcmp(cookie, "utf-8"))
			info->problem = "a UTF-8 byte order mark contradicts the coding cookie";
	}
	if (!strcmp(info->encoding, "utf-8") || info->problem) {
		if (!pyenc__valid_utf8((const unsigned char *)s, len) && !info->problem)
			info->problem = "the bytes are not valid UTF-8";
		return pyenc__put_lines(out, s, len, err);
	}
	th_buf_init(&tmp, out->max);
	if ((rc = pyenc__iconv(&tmp, info->encoding, s, len, &ok, err)))
		goto done;
	if (!ok) {
		info->problem = "unknown encoding, or bytes invalid in the declared encoding";
		rc = pyenc__put_lines(out, s, len, err);
		goto done;
	}
	rc = pyenc__put_lines(out, tmp.ptr, tmp.len, err);
done:
	th_buf_release(&tmp);
	return rc;
}
