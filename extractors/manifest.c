#include "extractors/manifest.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/hash.h"
#include "extractors/namedreq.h"
#include "extractors/toml.h"

bool th_manifest_is(const char *name)
{
	size_t n = strlen(name);

	return (!strncmp(name, "requirements", 12) && n > 4 &&
		(!strcmp(name + n - 4, ".txt") || !strcmp(name + n - 3, ".in"))) ||
	       !strcmp(name, "pyproject.toml") || !strcmp(name, "setup.cfg") || !strcmp(name, "Pipfile");
}

typedef struct manifest__ctx {
	th_decl_fn fn;
	void *ud;
	const char *what;
	bool dev_file;
	const char *group;     /* requirements read for a pyproject extra (setuptools dynamic) */
	const th_reqtxt_opts *ro;
	th_arena *a;
	th_error *err;
} manifest__ctx;

static int manifest__emit(manifest__ctx *c, uint32_t line, const char *req, const char *name, const char *group,
			  th_decl_kind kind, bool dev)
{
	th_decl d = { c->what, line, req, name, group, kind, dev, false };

	return c->fn(c->ud, &d);
}

/* ---- requirements files ---- */

static int manifest__reqline(void *ud, const th_reqtxt_line *l)
{
	manifest__ctx *c = ud;
	th_decl d = { l->file, l->line, l->path_or_url ? NULL : l->req, l->egg, c->group,
		      l->constraint ? TH_DECL_CONSTRAINT : c->group ? TH_DECL_EXTRA : TH_DECL_RUNTIME, c->dev_file,
		      l->path_or_url };

	return c->fn(c->ud, &d);
}

static bool manifest__dev_name(const char *name)
{
	static const char *const words[] = { "dev", "test", "lint", "doc" };
	char low[256];
	size_t n = strlen(name);

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

/* ---- pyproject.toml / Pipfile ---- */

/* An array of PEP 508 strings (PEP 735 tables like {include-group} are skipped:
 * the included group is read on its own). */
static int manifest__strings(manifest__ctx *c, const th_toml *arr, const char *group, th_decl_kind kind, bool dev)
{
	int rc;

	if (!arr || arr->type != TH_TOML_ARRAY)
		return 0;
	for (size_t i = 0; i < arr->n; i++) {
		const char *s = th_toml_str(arr->vals[i]);
		if (s && (rc = manifest__emit(c, arr->vals[i]->line, s, NULL, group, kind, dev)))
			return rc;
	}
	return 0;
}

/* A table of arrays: optional-dependencies, dependency-groups, PDM dev groups. */
static int manifest__groups(manifest__ctx *c, const th_toml *t, th_decl_kind kind, bool dev)
{
	int rc;

	if (!t || t->type != TH_TOML_TABLE)
		return 0;
	for (size_t i = 0; i < t->n; i++)
		if ((rc = manifest__strings(c, t->vals[i], t->keys[i], kind, dev)))
			return rc;
	return 0;
}

typedef struct manifest__named_ctx {
	manifest__ctx *c;
	const char *group;
	th_decl_kind kind;
	bool dev;
} manifest__named_ctx;

/* One converted entry: its PEP 508 text (named by the packaging core
 * later), or its name when it is not from an index (path, git, url). An
 * optional Poetry dependency is an extra's. */
static int manifest__named_one(void *ud, const th_namedreq *r)
{
	manifest__named_ctx *n = ud;
	th_decl d = { n->c->what, r->line, r->req, r->req ? NULL : r->name, n->group,
		      r->optional ? TH_DECL_EXTRA : n->kind, n->dev, r->req == NULL };

	return n->c->fn(n->c->ud, &d);
}

/* A table of name = spec (Poetry, Pipfile): the keys are the names, the
 * values constraints that namedreq turns into PEP 508 requirements. */
static int manifest__named(manifest__ctx *c, const th_toml *t, const char *group, th_decl_kind kind, bool dev,
			   th_namedreq_format f)
{
	manifest__named_ctx n = { c, group, kind, dev };
	int rc;

	if (!t || t->type != TH_TOML_TABLE)
		return 0;
	for (size_t i = 0; i < t->n; i++) {
		if (f == TH_NAMEDREQ_POETRY && !strcmp(t->keys[i], "python"))
			continue; /* the interpreter, not a distribution */
		if ((rc = th_namedreq_convert(f, t->keys[i], t->vals[i], c->what, manifest__named_one, &n, c->a,
					      c->err)))
			return rc;
	}
	return 0;
}

/* setuptools' dynamic metadata: {file = "x.txt"} or {file = ["a.txt", ...]}
 * read as requirements files, through the caller's loader. */
static int manifest__dynamic(manifest__ctx *c, const th_toml *spec, const char *group)
{
	const th_toml *f = th_toml_get(spec, "file");
	th_buf text = TH_BUF_INIT;
	int rc = 0;

	if (!f)
		return 0;
	for (size_t i = 0; i < (f->type == TH_TOML_ARRAY ? f->n : 1) && !rc; i++) {
		const char *name = th_toml_str(f->type == TH_TOML_ARRAY ? f->vals[i] : f);
		if (name)
			rc = th_buf_printf(&text, c->err, "-r %s\n", name);
	}
	c->group = group;
	if (!rc && text.len)
		rc = th_reqtxt_parse(text.ptr, text.len, c->what, c->ro, manifest__reqline, c, c->a, c->err);
	c->group = NULL;
	th_buf_release(&text);
	return rc;
}

static int manifest__pyproject(manifest__ctx *c, const th_toml *t)
{
	const th_toml *groups, *dyn = th_toml_path(t, "tool.setuptools.dynamic");
	int rc;

	if ((rc = manifest__dynamic(c, th_toml_get(dyn, "dependencies"), NULL)))
		return rc;
	groups = th_toml_get(dyn, "optional-dependencies");
	if (groups && groups->type == TH_TOML_TABLE)
		for (size_t i = 0; i < groups->n; i++)
			if ((rc = manifest__dynamic(c, groups->vals[i], groups->keys[i])))
				return rc;

	if ((rc = manifest__strings(c, th_toml_path(t, "project.dependencies"), NULL, TH_DECL_RUNTIME, false)) ||
	    (rc = manifest__groups(c, th_toml_path(t, "project.optional-dependencies"), TH_DECL_EXTRA, false)) ||
	    (rc = manifest__groups(c, th_toml_get(t, "dependency-groups"), TH_DECL_GROUP, true)) ||
	    (rc = manifest__named(c, th_toml_path(t, "tool.poetry.dependencies"), NULL, TH_DECL_RUNTIME, false,
						TH_NAMEDREQ_POETRY)) ||
	    (rc = manifest__named(c, th_toml_path(t, "tool.poetry.dev-dependencies"), "dev", TH_DECL_GROUP, true,
						TH_NAMEDREQ_POETRY)) ||
	    (rc = manifest__groups(c, th_toml_path(t, "tool.pdm.dev-dependencies"), TH_DECL_GROUP, true)) ||
	    (rc = manifest__strings(c, th_toml_path(t, "tool.uv.dev-dependencies"), "dev", TH_DECL_GROUP, true)))
		return rc;
	groups = th_toml_path(t, "tool.poetry.group");
	if (groups && groups->type == TH_TOML_TABLE)
		for (size_t i = 0; i < groups->n; i++)
			if ((rc = manifest__named(c, th_toml_get(groups->vals[i], "dependencies"), groups->keys[i],
						  TH_DECL_GROUP, strcmp(groups->keys[i], "main") != 0, TH_NAMEDREQ_POETRY)))
				return rc;
	return 0;
}

static int manifest__pipfile(manifest__ctx *c, const th_toml *t)
{
	int rc = manifest__named(c, th_toml_get(t, "packages"), NULL, TH_DECL_RUNTIME, false, TH_NAMEDREQ_PIPFILE);

	return rc ? rc
		  : manifest__named(c, th_toml_get(t, "dev-packages"), "dev", TH_DECL_GROUP, true, TH_NAMEDREQ_PIPFILE);
}

/* ---- setup.cfg (INI) ---- */

/* [options] install_requires and [options.extras_require]: values continue on
 * indented lines, one requirement per line (or ';'-free comma lists). */
static int manifest__setupcfg(manifest__ctx *c, const char *text, size_t len)
{
	char section[128] = "";
	const char *key = NULL;
	size_t p = 0;
	uint32_t line = 0;
	int rc;

	while (p < len) {
		size_t e = p, n;
		const char *ln = text + p, *eq;
		bool indented;

		while (e < len && text[e] != '\n')
			e++;
		n = e - p;
		p = e + 1;
		line++;
		indented = n && (ln[0] == ' ' || ln[0] == '\t');
		{
			const char *t = th_reqtxt_trimdup(c->a, ln, n);
			if (!t)
				return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			if (!*t || *t == '#' || *t == ';')
				continue;
			if (!indented && *t == '[') {
				size_t sl = strcspn(t + 1, "]");
				snprintf(section, sizeof(section), "%.*s", (int)sl, t + 1);
				key = NULL;
				continue;
			}
			if (!indented && (eq = strpbrk(t, "=:"))) {
				key = th_reqtxt_trimdup(c->a, t, (size_t)(eq - t));
				t = th_reqtxt_trimdup(c->a, eq + 1, strlen(eq + 1));
				if (!key || !t)
					return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
				if (!*t)
					continue;
			} else if (!indented) {
				key = NULL;
				continue;
			}
			if (!key)
				continue;
			if (!strcmp(section, "options") && !strcmp(key, "install_requires")) {
				if ((rc = manifest__emit(c, line, t, NULL, NULL, TH_DECL_RUNTIME, false)))
					return rc;
			} else if (!strcmp(section, "options.extras_require")) {
				if ((rc = manifest__emit(c, line, t, NULL, key, TH_DECL_EXTRA, false)))
					return rc;
			}
		}
	}
	return 0;
}

int th_manifest_read(const char *name, const char *text, size_t len, const char *what, const th_reqtxt_opts *ro,
		     th_decl_fn fn, void *ud, const th_limits *lim, th_arena *a, th_error *err)
{
	manifest__ctx c = { fn, ud, what, false, NULL, ro, a, err };
	th_toml *t;
	int rc;

	if (!strcmp(name, "pyproject.toml") || !strcmp(name, "Pipfile")) {
		if ((rc = th_toml_parse(&t, text, len, what, lim, a, err)))
			return rc;
		return name[0] == 'p' ? manifest__pyproject(&c, t) : manifest__pipfile(&c, t);
	}
	if (!strcmp(name, "setup.cfg"))
		return manifest__setupcfg(&c, text, len);
	if (!strncmp(name, "requirements", 12)) {
		c.dev_file = manifest__dev_name(name);
		return th_reqtxt_parse(text, len, what, ro, manifest__reqline, &c, a, err);
	}
	return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: not a manifest thoth reads", what);
}

/* ---- pipenv's Pipfile hash ---- */

/* Python's json.dumps(ensure_ascii=True) of a string: short escapes for
 * " \ \n \r \t \b \f, \u00XX for other controls and DEL, \uXXXX (surrogate
 * pairs above the BMP) for everything outside ' '..'~'. */
static int manifest__json_str(th_buf *b, const char *s, size_t n, th_error *err)
{
	int rc = th_buf_putc(b, '"', err);

	for (size_t i = 0; i < n && !rc;) {
		unsigned char c = (unsigned char)s[i];
		unsigned long cp = c;
		size_t k = 1;
		if (c >= 0xf0 && i + 3 < n) {
			cp = ((c & 0x07ul) << 18) | (((unsigned char)s[i + 1] & 0x3ful) << 12) |
			     (((unsigned char)s[i + 2] & 0x3ful) << 6) | ((unsigned char)s[i + 3] & 0x3ful);
			k = 4;
		} else if (c >= 0xe0 && i + 2 < n) {
			cp = ((c & 0x0ful) << 12) | (((unsigned char)s[i + 1] & 0x3ful) << 6) |
			     ((unsigned char)s[i + 2] & 0x3ful);
			k = 3;
		} else if (c >= 0xc0 && i + 1 < n) {
			cp = ((c & 0x1ful) << 6) | ((unsigned char)s[i + 1] & 0x3ful);
			k = 2;
		}
		i += k;
		switch (cp) {
		case '"': rc = th_buf_puts(b, "\\\"", err); break;
		case '\\': rc = th_buf_puts(b, "\\\\", err); break;
		case '\n': rc = th_buf_puts(b, "\\n", err); break;
		case '\r': rc = th_buf_puts(b, "\\r", err); break;
		case '\t': rc = th_buf_puts(b, "\\t", err); break;
		case '\b': rc = th_buf_puts(b, "\\b", err); break;
		case '\f': rc = th_buf_puts(b, "\\f", err); break;
		default:
			if (cp >= 0x20 && cp <= 0x7e)
				rc = th_buf_putc(b, (char)cp, err);
			else if (cp < 0x10000)
				rc = th_buf_printf(b, err, "\\u%04lx", cp);
			else
				rc = th_buf_printf(b, err, "\\u%04lx\\u%04lx", 0xd800 + ((cp - 0x10000) >> 10),
						   0xdc00 + ((cp - 0x10000) & 0x3ff));
		}
	}
	return rc ? rc : th_buf_putc(b, '"', err);
}

/* Python's repr of a float: the shortest digits that read back, fixed
 * notation when the decimal point falls in (-4, 16], else d.ddde+XX. */
static int manifest__json_float(th_buf *b, double f, th_error *err)
{
	if (isnan(f))
		return th_buf_puts(b, "NaN", err);
	if (isinf(f))
		return th_buf_puts(b, f < 0 ? "-Infinity" : "Infinity", err);
	if (f == 0)
		return th_buf_puts(b, signbit(f) ? "-0.0" : "0.0", err);
	char e[40], digits[24];
	for (int prec = 0; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, f);
		if (strtod(e, NULL) == f)
			break;
	}
	const char *p = e;
	bool neg = *p == '-';
	p += neg;
	size_t nd = 0;
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p) && nd < sizeof digits - 1)
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int decpt = atoi(p + 1) + 1;
	int rc = neg ? th_buf_putc(b, '-', err) : 0;
	if (rc)
		return rc;
	if (decpt > -4 && decpt <= 16) {
		/* 0.000ddd, ddd000.0 or dd.ddd */
		if (decpt <= 0 && (rc = th_buf_puts(b, "0.", err)))
			return rc;
		for (int z = decpt; z < 0 && !rc; z++)
			rc = th_buf_putc(b, '0', err);
		if (decpt <= 0)
			return rc ? rc : th_buf_puts(b, digits, err);
		if ((size_t)decpt >= nd) {
			rc = th_buf_puts(b, digits, err);
			for (size_t z = nd; z < (size_t)decpt && !rc; z++)
				rc = th_buf_putc(b, '0', err);
			return rc ? rc : th_buf_puts(b, ".0", err);
		}
		return th_buf_printf(b, err, "%.*s.%s", decpt, digits, digits + decpt);
	}
	if (nd == 1)
		return th_buf_printf(b, err, "%se%c%02d", digits, decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
	return th_buf_printf(b, err, "%c.%se%c%02d", digits[0], digits + 1, decpt - 1 < 0 ? '-' : '+',
			     abs(decpt - 1));
}

typedef struct manifest__key {
	const char *key;
	size_t at;
} manifest__key;

/* Sorted key order of a table (code points: UTF-8 bytes compare the same). */
static int manifest__keycmp(const void *x, const void *y)
{
	return strcmp(((const manifest__key *)x)->key, ((const manifest__key *)y)->key);
}

static int manifest__json(th_buf *b, const th_toml *v, const char *what, th_arena *a, th_error *err)
{
	int rc = 0;

	switch (v->type) {
	case TH_TOML_STRING:
		return manifest__json_str(b, v->str, v->len, err);
	case TH_TOML_INT:
		return th_buf_printf(b, err, "%lld", (long long)v->i);
	case TH_TOML_FLOAT:
		return manifest__json_float(b, v->f, err);
	case TH_TOML_BOOL:
		return th_buf_puts(b, v->b ? "true" : "false", err);
	case TH_TOML_DATETIME:
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: a date-time has no JSON form to hash as pipenv does",
				    what, (unsigned)v->line);
	case TH_TOML_ARRAY:
		rc = th_buf_putc(b, '[', err);
		for (size_t i = 0; i < v->n && !rc; i++)
			if (!(rc = i ? th_buf_putc(b, ',', err) : 0))
				rc = manifest__json(b, v->vals[i], what, a, err);
		return rc ? rc : th_buf_putc(b, ']', err);
	case TH_TOML_TABLE:
		break;
	}
	manifest__key *order = v->n ? th_arena_alloc(a, v->n * sizeof *order) : NULL;
	if (v->n && !order)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < v->n; i++)
		order[i] = (manifest__key){ v->keys[i], i };
	if (v->n > 1)
		qsort(order, v->n, sizeof *order, manifest__keycmp);
	rc = th_buf_putc(b, '{', err);
	for (size_t i = 0; i < v->n && !rc; i++) {
		size_t k = order[i].at;
		if (i)
			rc = th_buf_putc(b, ',', err);
		if (!rc)
			rc = manifest__json_str(b, v->keys[k], strlen(v->keys[k]), err);
		if (!rc)
			rc = th_buf_putc(b, ':', err);
		if (!rc)
			rc = manifest__json(b, v->vals[k], what, a, err);
	}
	return rc ? rc : th_buf_putc(b, '}', err);
}

/* The value of a top-level key, or "{}" ("[]" for sources) when absent. */
static int manifest__json_part(th_buf *b, const th_toml *t, const char *key, const char *absent, const char *what,
			       th_arena *a, th_error *err)
{
	const th_toml *v = th_toml_get(t, key);

	return v ? manifest__json(b, v, what, a, err) : th_buf_puts(b, absent, err);
}

int th_manifest_pipfile_hash(char out[65], const char *text, size_t len, const char *what, const th_limits *lim,
			     th_arena *a, th_error *err)
{
	th_buf b;
	th_toml *t;
	int rc;

	th_buf_init(&b, lim->file_bytes * 8 + 1024);
	if ((rc = th_toml_parse(&t, text, len, what, lim, a, err)))
		goto done;
	/* keys in sorted order: _meta{requires, sources}, default, develop */
	if ((rc = th_buf_puts(&b, "{\"_meta\":{\"requires\":", err)) ||
	    (rc = manifest__json_part(&b, t, "requires", "{}", what, a, err)) ||
	    (rc = th_buf_puts(&b, ",\"sources\":", err)) ||
	    (rc = manifest__json_part(&b, t, "source", "[]", what, a, err)) ||
	    (rc = th_buf_puts(&b, "},\"default\":", err)) ||
	    (rc = manifest__json_part(&b, t, "packages", "{}", what, a, err)) ||
	    (rc = th_buf_puts(&b, ",\"develop\":", err)) ||
	    (rc = manifest__json_part(&b, t, "dev-packages", "{}", what, a, err)) || (rc = th_buf_putc(&b, '}', err)))
		goto done;
	rc = th_sha256_hex(out, b.ptr, b.len, err);
done:
	th_buf_release(&b);
	return rc;
}
