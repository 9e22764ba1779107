/* importnames — import names from top_level.txt and RECORD, see importnames.h. */
#include "extractors/importnames.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/python.h"

/* How deep namespace packages are followed: real ones nest two or three
 * levels (google.cloud.storage); a deeper chain of __init__-less directories
 * is data, not code. */
#define IMPORTNAMES__DEPTH 8

typedef struct importnames__s {
	const char *p;
	size_t n;
} importnames__s;

static int importnames__scmp(const void *x, const void *y)
{
	const importnames__s *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	int c = memcmp(a->p, b->p, n);

	return c ? c : a->n < b->n ? -1 : a->n > b->n;
}

static int importnames__strcmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The first CSV field of a RECORD line: the path, unquoted ("" inside
 * quotes is one "). Returns an arena copy, or NULL for an empty field. */
static char *importnames__path(const char *l, size_t ll, size_t *out_len, th_arena *a, bool *nomem)
{
	char *r;
	size_t k = 0;

	*out_len = 0;
	if (!(r = th_arena_alloc(a, ll + 1))) {
		*nomem = true;
		return NULL;
	}
	if (ll && *l == '"') {
		for (size_t i = 1; i < ll; i++) {
			if (l[i] == '"' && i + 1 < ll && l[i + 1] == '"')
				r[k++] = l[i++];
			else if (l[i] == '"')
				break;
			else
				r[k++] = l[i];
		}
	} else {
		while (k < ll && l[k] != ',')
			r[k] = l[k], k++;
	}
	r[k] = '\0';
	*out_len = k;
	return k ? r : NULL;
}

/* The module name a file name gives (its part before the first dot) when it
 * is a Python module file, else 0. */
static size_t importnames__module(const char *f, size_t n)
{
	const char *dot = memchr(f, '.', n), *ext = f + n;

	if (!dot)
		return 0;
	while (ext > f && ext[-1] != '.')
		ext--;
	size_t el = (size_t)(f + n - ext);
	if ((el == 2 && !memcmp(ext, "py", 2)) || (el == 2 && !memcmp(ext, "so", 2)) ||
	    (el == 3 && !memcmp(ext, "pyd", 3)))
		return (size_t)(dot - f);
	return 0;
}

/* Is dir (a '/'-separated prefix) a regular package: does RECORD list its
 * __init__ module? inits holds those directories, sorted. */
static bool importnames__is_pkg(const importnames__s *inits, size_t n, const char *dir, size_t len)
{
	importnames__s k = { dir, len };
	return n && bsearch(&k, inits, n, sizeof(*inits), importnames__scmp) != NULL;
}

/* The dotted name a RECORD path gives, written into buf (NUL-terminated),
 * or 0 when it gives none. */
static size_t importnames__name(const char *p, size_t len, const importnames__s *inits, size_t ninits, char *buf)
{
	const char *c = p;
	size_t out = 0;

	if (len >= 3 && !memcmp(p, "../", 3))
		return 0;
	if (*p == '/')
		return 0;
	if (len >= 4 && !memcmp(p + len - 4, ".pth", 4))
		return 0;
	for (int depth = 0; depth < IMPORTNAMES__DEPTH; depth++) {
		const char *slash = memchr(c, '/', (size_t)(p + len - c));
		size_t cl = slash ? (size_t)(slash - c) : (size_t)(p + len - c);
		if (!slash) { /* a file at this level */
			size_t ml = importnames__module(c, cl);
			if (!ml || !th_pydist_is_ident(c, ml) || (ml == 8 && !memcmp(c, "__init__", 8)))
				return 0;
			if (out)
				buf[out++] = '.';
			memcpy(buf + out, c, ml);
			out += ml;
			buf[out] = '\0';
			return out;
		}
		if (!th_pydist_is_ident(c, cl) || (cl == 11 && !memcmp(c, "__pycache__", 11)))
			return 0; /* also *.dist-info, *.data, *.egg-info: not identifiers */
		if (out)
			buf[out++] = '.';
		memcpy(buf + out, c, cl);
		out += cl;
		buf[out] = '\0';
		if (importnames__is_pkg(inits, ninits, p, (size_t)(slash - p)))
			return out;
		c = slash + 1; /* a namespace directory: its children are the names */
	}
	return 0;
}

typedef struct importnames__set {
	const char **v;
	size_t n, cap;
} importnames__set;

static int importnames__add(importnames__set *s, const char *name, th_arena *a)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		const char **nv = th_arena_alloc(a, cap * sizeof(*nv));
		if (!nv)
			return TH_ERR_NOMEM;
		if (s->n)
			memcpy(nv, s->v, s->n * sizeof(*nv));
		s->v = nv;
		s->cap = cap;
	}
	if (!(s->v[s->n] = th_arena_strdup(a, name)))
		return TH_ERR_NOMEM;
	s->n++;
	return 0;
}

/* Sorts and drops duplicates. */
static void importnames__unique(importnames__set *s)
{
	size_t u = 0;

	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), importnames__strcmp);
	for (size_t i = 0; i < s->n; i++)
		if (!u || strcmp(s->v[u - 1], s->v[i]))
			s->v[u++] = s->v[i];
	s->n = u;
}

/* The names RECORD gives. */
static int importnames__record(importnames__set *out, const char *txt, size_t len, const th_limits *lim,
			       const char *what, th_arena *a, th_error *err)
{
	size_t lines = 0, np = 0, ninits = 0;
	importnames__s *paths, *inits;
	bool nomem = false;
	char *buf;

	for (size_t i = 0; i < len; i++)
		lines += txt[i] == '\n';
	lines++;
	paths = th_arena_alloc(a, lines * sizeof(*paths));
	inits = th_arena_alloc(a, lines * sizeof(*inits));
	if (!paths || !inits)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < len;) {
		const char *l = txt + i, *nl = memchr(l, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - l) : len - i, pl;
		i += ll + (nl != NULL);
		if (ll && l[ll - 1] == '\r')
			ll--;
		char *p = importnames__path(l, ll, &pl, a, &nomem);
		if (nomem)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (!p || memchr(p, '\0', pl))
			continue;
		paths[np++] = (importnames__s){ p, pl };
		const char *base = strrchr(p, '/');
		if (base && importnames__module(base + 1, pl - (size_t)(base + 1 - p)) == 8 && !memcmp(base + 1, "__init__", 8))
			inits[ninits++] = (importnames__s){ p, (size_t)(base - p) };
	}
	if (ninits > 1)
		qsort(inits, ninits, sizeof(*inits), importnames__scmp);
	size_t maxlen = 0;
	for (size_t i = 0; i < np; i++)
		maxlen = paths[i].n > maxlen ? paths[i].n : maxlen;
	if (!(buf = th_arena_alloc(a, maxlen + 2)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < np; i++) {
		if (!importnames__name(paths[i].p, paths[i].n, inits, ninits, buf))
			continue;
		if (out->n && !strcmp(out->v[out->n - 1], buf))
			continue; /* RECORD lists a package's files together */
		if (importnames__add(out, buf, a))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (out->n > 2 * lim->import_names) { /* keep memory bounded before de-duplicating */
			importnames__unique(out);
			if (out->n > lim->import_names)
				break;
		}
	}
	importnames__unique(out);
	if (out->n > lim->import_names)
		return th_error_set(err, TH_ERR_LIMIT, "%s: RECORD lists more than %llu import names (limit import_names)",
				    what, (unsigned long long)lim->import_names);
	return 0;
}

int th_importnames_parse(const char ***out, size_t *n, const char *top_level, size_t top_level_len,
			 const char *record, size_t record_len, const th_limits *lim, const char *what, th_arena *a,
			 th_error *err)
{
	importnames__set rec = { 0 }, res = { 0 };
	uint64_t lines = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (record && (rc = importnames__record(&rec, record, record_len, lim, what, a, err)))
		return rc;
	if (!top_level) {
		*out = rec.v;
		*n = rec.n;
		return 0;
	}
	for (size_t i = 0; i < top_level_len;) {
		const char *l = top_level + i, *nl = memchr(l, '\n', top_level_len - i);
		size_t ll = nl ? (size_t)(nl - l) : top_level_len - i;
		char name[256];
		bool ok = true, deeper = false;

		i += ll + (nl != NULL);
		while (ll && isspace((unsigned char)l[ll - 1]))
			ll--;
		while (ll && isspace((unsigned char)*l))
			l++, ll--;
		if (!ll || ll >= sizeof(name))
			continue;
		if (++lines > lim->import_names)
			return th_error_set(err, TH_ERR_LIMIT, "%s: top_level.txt lists more than %llu import names (limit import_names)",
					    what, (unsigned long long)lim->import_names);
		/* top_level.txt may write a nested package as a/b */
		for (size_t k = 0, s = 0; k <= ll && ok; k++) {
			if (k == ll || l[k] == '/' || l[k] == '.') {
				ok = th_pydist_is_ident(l + s, k - s);
				s = k + 1;
			}
			if (k < ll)
				name[k] = l[k] == '/' ? '.' : l[k];
		}
		if (!ok)
			continue;
		name[ll] = '\0';
		/* A namespace package by RECORD: its deeper names instead. */
		for (size_t k = 0; k < rec.n; k++) {
			if (!strncmp(rec.v[k], name, ll) && rec.v[k][ll] == '.') {
				deeper = true;
				if ((rc = importnames__add(&res, rec.v[k], a)))
					return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			}
		}
		bool plain = false;
		for (size_t k = 0; k < rec.n && !plain; k++)
			plain = !strcmp(rec.v[k], name);
		if ((!deeper || plain) && importnames__add(&res, name, a))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (res.n > 2 * lim->import_names) /* repeated lines: keep memory bounded */
			importnames__unique(&res);
	}
	importnames__unique(&res);
	if (res.n > lim->import_names)
		return th_error_set(err, TH_ERR_LIMIT, "%s: top_level.txt lists more than %llu import names (limit import_names)",
				    what, (unsigned long long)lim->import_names);
	*out = res.n ? res.v : NULL;
	*n = res.n;
	return 0;
}
