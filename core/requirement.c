#include "core/requirement.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct req__p {
	const char *s;
	size_t len, pos;
	th_arena *a;
	th_error *err;
} req__p;

static int req__syntax(req__p *p, const char *what)
{
	return th_error_set(p->err, TH_ERR_INVALID, "requirement: %s at offset %zu", what, p->pos);
}

static bool req__boundary(const req__p *p, size_t i)
{
	return th_marker_boundary(p->s, p->len, i);
}

static bool req__alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void req__ws(req__p *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* Python's `$`: the end, or just before a final line feed. */
static bool req__end(const req__p *p)
{
	return p->pos == p->len || (p->pos + 1 == p->len && p->s[p->pos] == '\n');
}

/* IDENTIFIER: \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b, with the regex's backtracking
 * to the last end that is a word boundary. Returns the end, or 0. */
static size_t req__ident(const req__p *p)
{
	size_t i = p->pos, end;

	if (i >= p->len || !req__alnum((unsigned char)p->s[i]) || !req__boundary(p, i))
		return 0;
	end = i + 1;
	while (end < p->len && (req__alnum((unsigned char)p->s[end]) || p->s[end] == '.' || p->s[end] == '_' ||
				p->s[end] == '-'))
		end++;
	for (; end > i; end--)
		if (req__boundary(p, end))
			return end;
	return 0;
}

/* ---- the SPECIFIER token (23.0's Specifier regex, unanchored) ---- */

/* The ASCII letter or digit that the character at s[i] matches under
 * Python's re.IGNORECASE (which also equates U+0130 and U+0131 with 'i',
 * U+017F with 's' and U+212A with 'k'), lower-cased, with its length in
 * *len; 0 when it matches none. */
static char req__fold(const char *s, size_t n, size_t i, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s + i;

	*len = 1;
	if (i >= n)
		return 0;
	if ((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= '0' && u[0] <= '9'))
		return (char)u[0];
	if (u[0] >= 'A' && u[0] <= 'Z')
		return (char)(u[0] + 32);
	if (n - i >= 2 && u[0] == 0xc4 && (u[1] == 0xb0 || u[1] == 0xb1)) {
		*len = 2;
		return 'i';
	}
	if (n - i >= 2 && u[0] == 0xc5 && u[1] == 0xbf) {
		*len = 2;
		return 's';
	}
	if (n - i >= 3 && u[0] == 0xe2 && u[1] == 0x84 && u[2] == 0xaa) {
		*len = 3;
		return 'k';
	}
	return 0;
}

/* The first of the words alts that starts at s[i], case-insensitively;
 * returns its length in bytes, 0 when none does. */
static size_t req__word_ci(const char *s, size_t n, size_t i, const char *const *alts)
{
	for (; *alts; alts++) {
		size_t j = i, k;
		const char *w = *alts;
		while (*w && req__fold(s, n, j, &k) == *w) {
			j += k;
			w++;
		}
		if (!*w)
			return j - i;
	}
	return 0;
}

static bool req__sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static size_t req__digits(const char *s, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && s[j] >= '0' && s[j] <= '9')
		j++;
	return j - i;
}

/* [-_.]? (alts) [-_.]? [0-9]* — returns the new position or i when absent. */
static size_t req__suffix(const char *s, size_t n, size_t i, const char *const *alts)
{
	size_t j = i, k;

	if (j < n && req__sep(s[j]))
		j++;
	if (!(k = req__word_ci(s, n, j, alts)))
		return i;
	j += k;
	if (j < n && req__sep(s[j]))
		j++;
	return j + req__digits(s, n, j);
}

static const char *const req__pre[] = { "alpha", "beta", "preview", "pre", "a", "b", "c", "rc", NULL };
static const char *const req__post[] = { "post", "rev", "r", NULL };
static const char *const req__dev[] = { "dev", NULL };

/* [a-z0-9] under IGNORECASE: its length, or 0. */
static size_t req__lalnum(const char *s, size_t n, size_t i)
{
	size_t k;

	return req__fold(s, n, i, &k) ? k : 0;
}

/* The version part after operator `op`; returns its end or 0 (no match). */
static size_t req__spec_version(const char *s, size_t n, size_t i, const char *op)
{
	size_t k, j;

	while (i < n && (k = th_marker_pyspace(s + i, n - i)))
		i += k;
	if (!strcmp(op, "===")) {
		while (i < n && s[i] != ';' && s[i] != ')' && !th_marker_pyspace(s + i, n - i))
			i++;
		return i;
	}
	if (i < n && (s[i] == 'v' || s[i] == 'V'))
		i++;
	if ((k = req__digits(s, n, i)) && i + k < n && s[i + k] == '!')
		i += k + 1;
	if (!(k = req__digits(s, n, i)))
		return 0;
	i += k;
	j = 0;
	while (i + 1 < n && s[i] == '.' && (k = req__digits(s, n, i + 1))) {
		i += k + 1;
		j++;
	}
	if (!strcmp(op, "~=") && !j)
		return 0;
	if ((!strcmp(op, "==") || !strcmp(op, "!=")) && i + 1 < n && s[i] == '.' && s[i + 1] == '*')
		return i + 2;
	i = req__suffix(s, n, i, req__pre);
	if (i + 1 < n && s[i] == '-' && (k = req__digits(s, n, i + 1)))
		i += k + 1;
	else
		i = req__suffix(s, n, i, req__post);
	i = req__suffix(s, n, i, req__dev);
	if ((!strcmp(op, "==") || !strcmp(op, "!=")) && i < n && s[i] == '+' && req__lalnum(s, n, i + 1)) {
		i++;
		while ((k = req__lalnum(s, n, i)))
			i += k;
		while (i < n && req__sep(s[i]) && req__lalnum(s, n, i + 1)) {
			i++;
			while ((k = req__lalnum(s, n, i)))
				i += k;
		}
	}
	return i;
}

static size_t req__spec_token(const req__p *p)
{
	static const char *const ops[] = { "~=", "==", "!=", "<=", ">=", "<", ">", "===" };
	const char *s = p->s;
	size_t n = p->len, i = p->pos;

	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		size_t k = strlen(ops[o]), end;
		if (n - i < k || memcmp(s + i, ops[o], k))
			continue;
		if ((end = req__spec_version(s, n, i + k, ops[o])))
			return end;
	}
	return 0;
}

/* ---- URL check: urllib.parse as Python 3.11 does it ---- */

static bool req__ipv4(const char *s, size_t n)
{
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		size_t j = i;
		unsigned v = 0;
		if (octet && (i >= n || s[i++] != '.'))
			return false;
		j = i;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - j < 4)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == j || i - j > 3 || v > 255 || (i - j > 1 && s[j] == '0'))
			return false;
	}
	return i == n;
}

static bool req__hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ipaddress.IPv6Address: hextets, one "::" at most, an IPv4 tail, %scope. */
static bool req__ipv6(const char *s, size_t n)
{
	const char *part[10], *pct = memchr(s, '%', n);
	size_t plen[10], np = 0, start = 0, nh, skip = 0;
	bool v4, has_skip = false;

	if (pct) {
		size_t scope = n - (size_t)(pct - s) - 1;
		if (!scope || memchr(pct + 1, '%', scope))
			return false;
		n = (size_t)(pct - s);
	}
	for (size_t i = 0; i <= n; i++)
		if (i == n || s[i] == ':') {
			if (np == 10)
				return false;
			part[np] = s + start;
			plen[np++] = i - start;
			start = i + 1;
		}
	if (np < 3)
		return false;
	v4 = memchr(part[np - 1], '.', plen[np - 1]) != NULL;
	if (v4 && !req__ipv4(part[np - 1], plen[np - 1]))
		return false;
	nh = np + (v4 ? 1 : 0);
	if (nh > 9)
		return false;
	for (size_t i = 1; i + 1 < np; i++)
		if (!plen[i]) {
			if (has_skip)
				return false;
			has_skip = true;
			skip = i;
		}
	for (size_t i = 0; i < np - (v4 ? 1 : 0); i++) {
		if (plen[i] > 4)
			return false;
		for (size_t k = 0; k < plen[i]; k++)
			if (!req__hex(part[i][k]))
				return false;
	}
	if (has_skip) {
		long hi = (long)skip, lo = (long)nh - (long)skip - 1;
		if (!plen[0] && --hi)
			return false;
		if (!v4 && !plen[np - 1] && --lo)
			return false;
		return 8 - (hi + lo) >= 1;
	}
	return nh == 8 && plen[0] && (v4 || plen[np - 1]);
}

static bool req__bracketed_ok(const char *net, size_t n)
{
	const char *hp = net, *br, *host;
	size_t hn;

	for (size_t i = n; i > 0; i--)
		if (net[i - 1] == '@') {
			hp = net + i;
			break;
		}
	hn = n - (size_t)(hp - net);
	br = memchr(hp, '[', hn);
	if (br) {
		const char *close;
		if (br != hp)
			return false;
		host = br + 1;
		close = memchr(host, ']', hn - 1);
		if (close) {
			size_t rest = hn - 1 - (size_t)(close - host) - 1;
			if (rest && close[1] != ':')
				return false;
			hn = (size_t)(close - host);
		} else {
			hn = hn - 1;
		}
	} else {
		const char *colon = memchr(hp, ':', hn);
		host = hp;
		if (colon)
			hn = (size_t)(colon - hp);
	}
	if (hn && host[0] == 'v') {
		size_t i = 1, h = 0;
		while (i < hn && req__hex(host[i])) {
			i++;
			h++;
		}
		return h && i < hn && host[i] == '.' && i + 1 < hn;
	}
	return !req__ipv4(host, hn) && req__ipv6(host, hn);
}

/* urllib refuses a host with a character whose NFKC form holds '/', '?',
 * '#', '@' or ':' (U+2100 "a/c", fullwidth '@', ...): the 19 such code
 * points of Unicode 14.0. */
static bool req__nfkc_trap(const char *net, size_t n)
{
	static const uint32_t traps[] = { 0x2047, 0x2048, 0x2049, 0x2100, 0x2101, 0x2105, 0x2106,
					  0x2a74, 0xfe13, 0xfe16, 0xfe55, 0xfe56, 0xfe5f, 0xfe6b,
					  0xff03, 0xff0f, 0xff1a, 0xff1f, 0xff20 };
	const char *p = net, *end = net + n;

	while (p < end) {
		uint32_t cp;
		size_t k = th_version_utf8(p, end, &cp);
		if (!k) {
			p++;
			continue;
		}
		for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++)
			if (cp == traps[i])
				return true;
		p += k;
	}
	return false;
}

static bool req__url_ok(const char *url, size_t n, th_arena *a)
{
	char *u = th_arena_alloc(a, n + 1), *rest, *net = NULL, *path, *query = NULL, *frag = NULL;
	const char *scheme = "";
	size_t un = 0, i = 0, netlen = 0;
	bool ok;

	if (!u)
		return false;
	while (i < n && (unsigned char)url[i] <= 0x20)
		i++;
	for (; i < n; i++)
		if (url[i] != '\t' && url[i] != '\r' && url[i] != '\n')
			u[un++] = url[i];
	u[un] = '\0';
	rest = u;
	{
		char *colon = memchr(u, ':', un);
		if (colon && colon > u && ((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z'))) {
			char *c;
			for (c = u; c < colon; c++)
				if (!req__alnum((unsigned char)*c) && *c != '+' && *c != '-' && *c != '.')
					break;
			if (c == colon) {
				for (c = u; c < colon; c++)
					if (*c >= 'A' && *c <= 'Z')
						*c = (char)(*c + 32);
				*colon = '\0';
				scheme = u;
				rest = colon + 1;
			}
		}
	}
	if (rest[0] == '/' && rest[1] == '/') {
		size_t d = strcspn(rest + 2, "/?#");
		bool lb, rb;
		net = rest + 2;
		netlen = d;
		lb = memchr(net, '[', netlen) != NULL;
		rb = memchr(net, ']', netlen) != NULL;
		if (lb != rb || (lb && !req__bracketed_ok(net, netlen)) || req__nfkc_trap(net, netlen))
			return false;
		rest = net + d;
	}
	path = rest;
	{
		char *h = strchr(path, '#');
		if (h) {
			*h = '\0';
			frag = h + 1;
		}
	}
	{
		char *q = strchr(path, '?');
		if (q) {
			*q = '\0';
			query = q + 1;
		}
	}
	if (strcmp(scheme, "file")) {
		return scheme[0] && netlen;
	}
	/* file: urlunparse(urlparse(url)) must give the url back */
	{
		th_buf b = TH_BUF_INIT;
		size_t plen = strlen(path);
		int rc = th_buf_puts(&b, "file:", NULL);
		if (!rc && (netlen || !(path[0] == '/' && path[1] == '/'))) {
			rc = th_buf_puts(&b, "//", NULL);
			if (!rc && netlen)
				rc = th_buf_put(&b, net, netlen, NULL);
			if (!rc && plen && path[0] != '/')
				rc = th_buf_putc(&b, '/', NULL);
		}
		if (!rc)
			rc = th_buf_put(&b, path, plen, NULL);
		if (!rc && query && query[0])
			rc = th_buf_printf(&b, NULL, "?%s", query);
		if (!rc && frag && frag[0])
			rc = th_buf_printf(&b, NULL, "#%s", frag);
		ok = !rc && b.len == n && !memcmp(b.ptr, url, n);
		th_buf_release(&b);
	}
	return ok;
}

/* ---- the grammar ---- */

static int req__cmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int req__extras(req__p *p, th_req *out)
{
	const char **list = NULL;
	size_t n = 0, cap = 0, end;

	p->pos++; /* '[' */
	req__ws(p);
	if ((end = req__ident(p))) {
		for (;;) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 4;
				const char **nl = th_arena_alloc(p->a, ncap * sizeof(*nl));
				if (!nl)
					return th_error_set(p->err, TH_ERR_NOMEM, "requirement: out of memory");
				if (n)
					memcpy(nl, list, n * sizeof(*nl));
				list = nl;
				cap = ncap;
			}
			if (!(list[n++] = th_arena_strndup(p->a, p->s + p->pos, end - p->pos)))
				return th_error_set(p->err, TH_ERR_NOMEM, "requirement: out of memory");
			p->pos = end;
			req__ws(p);
			if (req__ident(p))
				return req__syntax(p, "expected comma between extra names");
			if (p->pos >= p->len || p->s[p->pos] != ',')
				break;
			p->pos++;
			req__ws(p);
			if (!(end = req__ident(p)))
				return req__syntax(p, "expected extra name after comma");
		}
	}
	req__ws(p);
	if (p->pos >= p->len || p->s[p->pos] != ']')
		return req__syntax(p, "expected closing ']'");
	p->pos++;
	if (n) {
		size_t k = 1;
		qsort(list, n, sizeof(*list), req__cmp);
		for (size_t i = 1; i < n; i++)
			if (strcmp(list[i], list[k - 1]))
				list[k++] = list[i];
		n = k;
	}
	out->extras = list;
	out->nextras = n;
	return 0;
}

static int req__specifiers(req__p *p, th_buf *b)
{
	size_t end;
	int rc;

	while ((end = req__spec_token(p))) {
		if ((rc = th_buf_put(b, p->s + p->pos, end - p->pos, p->err)))
			return rc;
		p->pos = end;
		req__ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ',')
			break;
		if ((rc = th_buf_putc(b, ',', p->err)))
			return rc;
		p->pos++;
		req__ws(p);
	}
	return 0;
}

static int req__marker(req__p *p, th_req *out, const char *after)
{
	int rc;

	if (p->pos >= p->len || p->s[p->pos] != ';') {
		th_error_set(p->err, TH_ERR_INVALID, "requirement: expected end or ';' after %s at offset %zu", after,
			     p->pos);
		return TH_ERR_INVALID;
	}
	p->pos++;
	if ((rc = th_marker_parse_at(&out->marker, p->s, p->len, &p->pos, p->a, p->err)))
		return rc;
	req__ws(p);
	return 0;
}

int th_req_parse(th_req *out, const char *s, size_t len, th_arena *a, th_error *err)
{
	req__p p = { s, len, 0, a, err };
	th_buf specs = TH_BUF_INIT;
	size_t end;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	req__ws(&p);
	if (!(end = req__ident(&p))) {
		rc = req__syntax(&p, "expected a package name");
		goto done;
	}
	if (!(out->name = th_arena_strndup(a, s + p.pos, end - p.pos))) {
		rc = th_error_set(err, TH_ERR_NOMEM, "requirement: out of memory");
		goto done;
	}
	p.pos = end;
	req__ws(&p);
	if (p.pos < len && s[p.pos] == '[' && (rc = req__extras(&p, out)))
		goto done;
	req__ws(&p);
	if (p.pos < len && s[p.pos] == '@') {
		size_t start;
		p.pos++;
		req__ws(&p);
		start = p.pos;
		while (p.pos < len && s[p.pos] != ' ' && s[p.pos] != '\t')
			p.pos++;
		if (p.pos == start) {
			rc = req__syntax(&p, "expected a URL after '@'");
			goto done;
		}
		out->url_len = p.pos - start;
		if (!(out->url = th_arena_strndup(a, s + start, out->url_len))) {
			rc = th_error_set(err, TH_ERR_NOMEM, "requirement: out of memory");
			goto done;
		}
		if (!req__end(&p)) {
			req__ws(&p); /* at least one: the URL stopped at a space or tab */
			if (!req__end(&p) && (rc = req__marker(&p, out, "URL and whitespace")))
				goto done;
		}
		if (!req__url_ok(out->url, out->url_len, a)) {
			rc = th_error_set(err, TH_ERR_INVALID, "requirement: invalid URL '%.200s'", out->url);
			goto done;
		}
	} else {
		bool paren = p.pos < len && s[p.pos] == '(';
		if (paren)
			p.pos++;
		req__ws(&p);
		if ((rc = req__specifiers(&p, &specs)))
			goto done;
		req__ws(&p);
		if (paren) {
			if (p.pos >= len || s[p.pos] != ')') {
				rc = req__syntax(&p, "expected closing ')'");
				goto done;
			}
			p.pos++;
		}
		req__ws(&p);
		if (!req__end(&p) && (rc = req__marker(&p, out, specs.len ? "version specifier" : "name")))
			goto done;
	}
	if (!req__end(&p)) {
		rc = req__syntax(&p, "expected end of dependency specifier");
		goto done;
	}
	if ((rc = th_specset_parse(&out->spec, specs.ptr, specs.len, a, err)))
		goto done;
done:
	th_buf_release(&specs);
	return rc;
}

int th_req_format(const th_req *r, th_buf *out, th_error *err)
{
	int rc;

	if ((rc = th_buf_puts(out, r->name, err)))
		return rc;
	if (r->nextras) {
		if ((rc = th_buf_putc(out, '[', err)))
			return rc;
		for (size_t i = 0; i < r->nextras; i++)
			if ((i && (rc = th_buf_putc(out, ',', err))) || (rc = th_buf_puts(out, r->extras[i], err)))
				return rc;
		if ((rc = th_buf_putc(out, ']', err)))
			return rc;
	}
	if (r->spec && (rc = th_specset_format(r->spec, out, err)))
		return rc;
	if (r->url) {
		if ((rc = th_buf_puts(out, "@ ", err)) || (rc = th_buf_put(out, r->url, r->url_len, err)))
			return rc;
		if (r->marker && (rc = th_buf_putc(out, ' ', err)))
			return rc;
	}
	if (r->marker && ((rc = th_buf_puts(out, "; ", err)) || (rc = th_marker_format(r->marker, out, err))))
		return rc;
	return 0;
}
