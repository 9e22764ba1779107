#include "extractors/toml.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

enum { TOML_DEFINED = 1, TOML_IMPLICIT = 2, TOML_INLINE = 4, TOML_AOT = 8 };

typedef struct toml__p {
	const char *s, *end, *what;
	uint32_t line;
	th_arena *a;
	th_error *err;
	unsigned depth, max_depth;
	th_buf tmp;
} toml__p;

static int toml__fail(toml__p *p, const char *msg)
{
	return th_error_set(p->err, TH_ERR_INVALID, "%s:%u: %s", p->what, p->line, msg);
}

static th_toml *toml__new(toml__p *p, th_toml_type t)
{
	th_toml *v = th_arena_zalloc(p->a, sizeof(*v));

	if (v) {
		v->type = t;
		v->line = p->line;
	}
	return v;
}

static int toml__push(toml__p *p, th_toml *c, const char *key, th_toml *v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		th_toml **nv = th_arena_alloc(p->a, cap * sizeof(*nv));
		const char **nk = c->type == TH_TOML_TABLE ? th_arena_alloc(p->a, cap * sizeof(*nk)) : NULL;

		if (!nv || (c->type == TH_TOML_TABLE && !nk))
			return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
		if (c->n) {
			memcpy(nv, c->vals, c->n * sizeof(*nv));
			if (nk)
				memcpy(nk, c->keys, c->n * sizeof(*nk));
		}
		c->vals = nv;
		c->keys = nk;
		c->cap = cap;
	}
	if (c->type == TH_TOML_TABLE)
		c->keys[c->n] = key;
	c->vals[c->n++] = v;
	return 0;
}

const th_toml *th_toml_get(const th_toml *t, const char *key)
{
	if (!t || t->type != TH_TOML_TABLE)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->keys[i], key))
			return t->vals[i];
	return NULL;
}

const th_toml *th_toml_path(const th_toml *t, const char *dotted)
{
	char key[256];

	while (t && *dotted) {
		size_t n = strcspn(dotted, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, dotted, n);
		key[n] = '\0';
		t = th_toml_get(t, key);
		dotted += n + (dotted[n] == '.');
	}
	return t;
}

const char *th_toml_str(const th_toml *v)
{
	return v && v->type == TH_TOML_STRING ? v->str : NULL;
}

/* ---- lexing ---- */

static void toml__ws(toml__p *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t'))
		p->s++;
}

static void toml__comment(toml__p *p)
{
	if (p->s < p->end && *p->s == '#')
		while (p->s < p->end && *p->s != '\n')
			p->s++;
}

/* Whitespace, comments and newlines (inside arrays). */
static void toml__wsnl(toml__p *p)
{
	for (;;) {
		toml__ws(p);
		toml__comment(p);
		if (p->s < p->end && (*p->s == '\n' || (*p->s == '\r' && p->s + 1 < p->end && p->s[1] == '\n'))) {
			p->s += *p->s == '\r' ? 2 : 1;
			p->line++;
			continue;
		}
		return;
	}
}

/* After a key/value or a header: only a comment, then a newline or the end. */
static int toml__eol(toml__p *p)
{
	toml__ws(p);
	toml__comment(p);
	if (p->s >= p->end)
		return 0;
	if (*p->s == '\r' && p->s + 1 < p->end && p->s[1] == '\n')
		p->s++;
	if (*p->s != '\n')
		return toml__fail(p, "expected the end of the line");
	p->s++;
	p->line++;
	return 0;
}

static int toml__utf8(toml__p *p, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml__fail(p, "escape is not a Unicode scalar value");
	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xc0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	else if (cp < 0x10000)
		b[0] = (char)(0xe0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	else
		b[0] = (char)(0xf0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	return th_buf_put(&p->tmp, b, n, p->err);
}

/* Any of the four string forms; the result in p->tmp. */
static int toml__string(toml__p *p)
{
	char q = *p->s;
	bool multi = p->end - p->s >= 3 && p->s[1] == q && p->s[2] == q;
	int rc;

	th_buf_clear(&p->tmp);
	p->s += multi ? 3 : 1;
	if (multi) { /* a newline right after the opening quotes is dropped */
		if (p->s < p->end && *p->s == '\n')
			p->s++, p->line++;
		else if (p->end - p->s >= 2 && p->s[0] == '\r' && p->s[1] == '\n')
			p->s += 2, p->line++;
	}
	for (;;) {
		char c;

		if (p->s >= p->end)
			return toml__fail(p, "unterminated string");
		c = *p->s;
		if (c == q) {
			if (!multi) {
				p->s++;
				return 0;
			}
			if (p->end - p->s >= 3 && p->s[1] == q && p->s[2] == q) {
				/* Up to two quotes may end the content right before the closing three. */
				size_t extra = 0;
				while (p->end - p->s >= 4 + (long)extra && p->s[3 + extra] == q && extra < 2)
					extra++;
				if ((rc = th_buf_put(&p->tmp, p->s, extra, p->err)))
					return rc;
				p->s += 3 + extra;
				return 0;
			}
		}
		if (c == '\n') {
			if (!multi)
				return toml__fail(p, "newline in a single-line string");
			p->line++;
		}
		if ((unsigned char)c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return toml__fail(p, "control character in a string");
		if (c == '\\' && q == '"') {
			const char *e = p->s + 1;
			uint32_t cp = 0;
			int hex = 0;

			if (e >= p->end)
				return toml__fail(p, "unterminated escape");
			switch (*e) {
			case 'b': rc = th_buf_putc(&p->tmp, '\b', p->err); break;
			case 't': rc = th_buf_putc(&p->tmp, '\t', p->err); break;
			case 'n': rc = th_buf_putc(&p->tmp, '\n', p->err); break;
			case 'f': rc = th_buf_putc(&p->tmp, '\f', p->err); break;
			case 'r': rc = th_buf_putc(&p->tmp, '\r', p->err); break;
			case 'e': rc = th_buf_putc(&p->tmp, '\x1b', p->err); break;
			case '"': rc = th_buf_putc(&p->tmp, '"', p->err); break;
			case '\\': rc = th_buf_putc(&p->tmp, '\\', p->err); break;
			case 'u': hex = 4; rc = 0; break;
			case 'U': hex = 8; rc = 0; break;
			default:
				if (multi && (*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r')) {
					/* Line-ending backslash: trim the newline and following whitespace. */
					const char *t = e;
					while (t < p->end && (*t == ' ' || *t == '\t'))
						t++;
					if (t < p->end && (*t == '\n' || *t == '\r')) {
						while (t < p->end && (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r'))
							p->line += *t++ == '\n';
						p->s = t;
						continue;
					}
				}
				return toml__fail(p, "invalid escape in a string");
			}
			if (rc)
				return rc;
			if (hex) {
				if (p->end - e - 1 < hex)
					return toml__fail(p, "short unicode escape");
				for (int k = 1; k <= hex; k++) {
					char h = e[k];
					cp <<= 4;
					if (h >= '0' && h <= '9') cp |= (uint32_t)(h - '0');
					else if (h >= 'a' && h <= 'f') cp |= (uint32_t)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F') cp |= (uint32_t)(h - 'A' + 10);
					else return toml__fail(p, "bad unicode escape");
				}
				if ((rc = toml__utf8(p, cp)))
					return rc;
				p->s = e + 1 + hex;
				continue;
			}
			p->s = e + 1;
			continue;
		}
		if ((rc = th_buf_putc(&p->tmp, c, p->err)))
			return rc;
		p->s++;
	}
}

static bool toml__bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One key part: bare or quoted; arena copy in *out. */
static int toml__keypart(toml__p *p, const char **out)
{
	int rc;

	toml__ws(p);
	if (p->s < p->end && (*p->s == '"' || *p->s == '\'')) {
		if (p->end - p->s >= 3 && p->s[1] == *p->s && p->s[2] == *p->s)
			return toml__fail(p, "a multi-line string cannot be a key");
		if ((rc = toml__string(p)))
			return rc;
		*out = th_arena_strndup(p->a, p->tmp.ptr, p->tmp.len);
	} else {
		const char *st = p->s;
		while (p->s < p->end && toml__bare(*p->s))
			p->s++;
		if (p->s == st)
			return toml__fail(p, "expected a key");
		*out = th_arena_strndup(p->a, st, (size_t)(p->s - st));
	}
	toml__ws(p);
	return *out ? 0 : th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
}

#define TOML_MAX_KEYPARTS 64

static int toml__key(toml__p *p, const char **parts, size_t *n)
{
	int rc;

	*n = 0;
	for (;;) {
		if (*n == TOML_MAX_KEYPARTS)
			return toml__fail(p, "key has too many parts");
		if ((rc = toml__keypart(p, &parts[(*n)++])))
			return rc;
		if (p->s < p->end && *p->s == '.') {
			p->s++;
			continue;
		}
		return 0;
	}
}

/* The sub-table `key` of t, created when absent. */
static int toml__descend(toml__p *p, th_toml *t, const char *key, bool header, th_toml **out)
{
	th_toml *v = (th_toml *)th_toml_get(t, key);

	if (!v) {
		if (!(v = toml__new(p, TH_TOML_TABLE)))
			return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
		v->flags = header ? TOML_IMPLICIT : 0;
		if (toml__push(p, t, key, v))
			return TH_ERR_NOMEM;
	} else if (v->type == TH_TOML_ARRAY && (v->flags & TOML_AOT) && v->n) {
		v = v->vals[v->n - 1];
	} else if (v->type != TH_TOML_TABLE || (v->flags & TOML_INLINE)) {
		return th_error_set(p->err, TH_ERR_INVALID, "%s:%u: key '%s' is already a value", p->what, p->line, key);
	}
	*out = v;
	return 0;
}

static int toml__value(toml__p *p, th_toml **out);

static int toml__keyval(toml__p *p, th_toml *t)
{
	const char *parts[TOML_MAX_KEYPARTS];
	size_t n;
	th_toml *v;
	int rc;

	if ((rc = toml__key(p, parts, &n)))
		return rc;
	if (p->s >= p->end || *p->s != '=')
		return toml__fail(p, "expected '=' after a key");
	p->s++;
	toml__ws(p);
	for (size_t i = 0; i + 1 < n; i++)
		if ((rc = toml__descend(p, t, parts[i], false, &t)))
			return rc;
	if (th_toml_get(t, parts[n - 1]))
		return th_error_set(p->err, TH_ERR_INVALID, "%s:%u: key '%s' defined twice", p->what, p->line, parts[n - 1]);
	if ((rc = toml__value(p, &v)))
		return rc;
	return toml__push(p, t, parts[n - 1], v);
}

static int toml__number(toml__p *p, th_toml **out)
{
	const char *st = p->s;
	char num[128];
	size_t k = 0;
	bool is_float = false, is_date = false;
	th_toml *v;

	while (p->s < p->end) {
		char c = *p->s;
		/* "1979-05-27 07:32:00": one space may join a date and a time. */
		if (c == ' ' && p->s - st == 10 && st[4] == '-' && p->s + 1 < p->end && p->s[1] >= '0' && p->s[1] <= '9') {
			p->s++;
			continue;
		}
		if (!toml__bare(c) && c != '.' && c != '+' && c != ':')
			break;
		p->s++;
	}
	is_date = (p->s - st >= 10 && st[4] == '-' && st[7] == '-' && st[0] >= '0' && st[0] <= '9') ||
		  (p->s - st >= 5 && st[2] == ':' && st[0] >= '0' && st[0] <= '9');
	if (p->s == st)
		return toml__fail(p, "expected a value");
	if (!(v = toml__new(p, TH_TOML_INT)))
		return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
	*out = v;
	if (is_date) {
		v->type = TH_TOML_DATETIME;
		v->len = (size_t)(p->s - st);
		v->str = th_arena_strndup(p->a, st, v->len);
		return v->str ? 0 : th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
	}
	for (const char *c = st; c < p->s; c++) {
		if (*c == '_')
			continue;
		if (k + 1 >= sizeof(num))
			return toml__fail(p, "number too long");
		num[k++] = *c;
	}
	num[k] = '\0';
	if (!strcmp(num, "true") || !strcmp(num, "false")) {
		v->type = TH_TOML_BOOL;
		v->b = num[0] == 't';
		return 0;
	}
	if (!strcmp(num + (num[0] == '+' || num[0] == '-'), "inf") || !strcmp(num + (num[0] == '+' || num[0] == '-'), "nan")) {
		v->type = TH_TOML_FLOAT;
		v->f = num[strlen(num) - 1] == 'f' ? (num[0] == '-' ? -INFINITY : INFINITY) : NAN;
		return 0;
	}
	is_float = !(num[0] == '0' && (num[1] == 'x' || num[1] == 'o' || num[1] == 'b')) &&
		   (strchr(num, '.') || strchr(num, 'e') || strchr(num, 'E'));
	errno = 0;
	{
		char *endp;
		if (is_float) {
			v->type = TH_TOML_FLOAT;
			v->f = strtod(num, &endp);
		} else if (num[0] == '0' && (num[1] == 'x' || num[1] == 'o' || num[1] == 'b')) {
			v->i = (int64_t)strtoll(num + 2, &endp, num[1] == 'x' ? 16 : num[1] == 'o' ? 8 : 2);
		} else {
			v->i = (int64_t)strtoll(num, &endp, 10);
		}
		if (*endp || errno)
			return toml__fail(p, "invalid value");
	}
	return 0;
}

static int toml__value(toml__p *p, th_toml **out)
{
	th_toml *v;
	int rc;

	if (p->s >= p->end)
		return toml__fail(p, "expected a value");
	if (*p->s == '"' || *p->s == '\'') {
		if ((rc = toml__string(p)))
			return rc;
		if (!(v = toml__new(p, TH_TOML_STRING)) || !(v->str = th_arena_strndup(p->a, p->tmp.ptr, p->tmp.len)))
			return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
		v->len = p->tmp.len;
		*out = v;
		return 0;
	}
	if (*p->s == '[' || *p->s == '{') {
		bool arr = *p->s == '[';

		if (++p->depth > p->max_depth)
			return th_error_set(p->err, TH_ERR_LIMIT, "%s:%u: values nested deeper than %u (json_depth)", p->what,
					    p->line, p->max_depth);
		if (!(v = toml__new(p, arr ? TH_TOML_ARRAY : TH_TOML_TABLE)))
			return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
		v->flags = arr ? 0 : TOML_INLINE;
		p->s++;
		for (bool first = true;; first = false) {
			arr ? toml__wsnl(p) : toml__ws(p);
			if (p->s < p->end && *p->s == (arr ? ']' : '}') && (arr || first)) {
				p->s++;
				break;
			}
			if (arr) {
				th_toml *item;
				if ((rc = toml__value(p, &item)) || (rc = toml__push(p, v, NULL, item)))
					return rc;
				toml__wsnl(p);
			} else if ((rc = toml__keyval(p, v))) {
				return rc;
			} else {
				toml__ws(p);
			}
			if (p->s < p->end && *p->s == ',') {
				p->s++;
				continue;
			}
			arr ? toml__wsnl(p) : toml__ws(p);
			if (p->s < p->end && *p->s == (arr ? ']' : '}')) {
				p->s++;
				break;
			}
			return toml__fail(p, arr ? "expected ',' or ']' in an array" : "expected ',' or '}' in an inline table");
		}
		p->depth--;
		*out = v;
		return 0;
	}
	return toml__number(p, out);
}

static int toml__header(toml__p *p, th_toml *root, th_toml **cur)
{
	bool aot = p->end - p->s >= 2 && p->s[1] == '[';
	const char *parts[TOML_MAX_KEYPARTS];
	size_t n;
	th_toml *t = root, *last;
	int rc;

	p->s += aot ? 2 : 1;
	if ((rc = toml__key(p, parts, &n)))
		return rc;
	if (p->s >= p->end || *p->s != ']' || (aot && (p->end - p->s < 2 || p->s[1] != ']')))
		return toml__fail(p, "unterminated table header");
	p->s += aot ? 2 : 1;
	for (size_t i = 0; i + 1 < n; i++)
		if ((rc = toml__descend(p, t, parts[i], true, &t)))
			return rc;
	last = (th_toml *)th_toml_get(t, parts[n - 1]);
	if (aot) {
		th_toml *item;
		if (!last) {
			if (!(last = toml__new(p, TH_TOML_ARRAY)) || toml__push(p, t, parts[n - 1], last))
				return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
			last->flags = TOML_AOT;
		} else if (last->type != TH_TOML_ARRAY || !(last->flags & TOML_AOT)) {
			return toml__fail(p, "array of tables redefines a key");
		}
		if (!(item = toml__new(p, TH_TOML_TABLE)) || toml__push(p, last, NULL, item))
			return th_error_set(p->err, TH_ERR_NOMEM, "out of memory");
		item->flags = TOML_DEFINED;
		*cur = item;
	} else {
		if (last && (last->type != TH_TOML_TABLE || (last->flags & (TOML_DEFINED | TOML_INLINE))))
			return toml__fail(p, "table defined twice");
		if (!last && (rc = toml__descend(p, t, parts[n - 1], true, &last)))
			return rc;
		last->flags = TOML_DEFINED;
		*cur = last;
	}
	return toml__eol(p);
}

int th_toml_parse(th_toml **out, const char *s, size_t len, const char *what, const th_limits *lim, th_arena *a,
		  th_error *err)
{
	toml__p p = { s, s + len, what, 1, a, err, 0, (unsigned)lim->json_depth, TH_BUF_INIT };
	th_toml *root, *cur;
	int rc = 0;

	*out = NULL;
	if (len > lim->file_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes exceeds the limit of %llu (file_bytes)", what, len,
				    (unsigned long long)lim->file_bytes);
	if (memchr(s, '\0', len))
		return th_error_set(err, TH_ERR_INVALID, "%s: NUL byte in a TOML document", what);
	if (!(root = cur = toml__new(&p, TH_TOML_TABLE)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		p.s += 3;
	while (!rc) {
		toml__wsnl(&p);
		if (p.s >= p.end)
			break;
		if (*p.s == '[')
			rc = toml__header(&p, root, &cur);
		else if (!(rc = toml__keyval(&p, cur)))
			rc = toml__eol(&p);
	}
	th_buf_release(&p.tmp);
	if (!rc)
		*out = root;
	return rc;
}
