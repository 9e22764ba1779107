#include "extractors/namedreq.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/version.h"

/* Release parts beyond this are refused in ^ ~ and wildcard clauses (no
 * real version has more; it bounds the arrays below). */
#define NQ_MAXPARTS 16
/* At most this many `!=X.*` clauses stand for one gap between alternatives. */
#define NQ_MAXGAP 16
/* Alternatives of one `||` constraint (each is a fixed-size record). */
#define NQ_MAXALTS 64

#define NQ_NOMEM(err) th_error_set(err, TH_ERR_NOMEM, "out of memory")

/* One clause of a constraint: a PEP 440 operator and a version text. */
typedef struct nq_clause {
	char op[4];
	char ver[128];
} nq_clause;

typedef struct nq_alt {
	nq_clause c[2 * NQ_MAXPARTS];
	size_t n;
} nq_alt;

/* Release numbers of a version text ("v" and a suffix allowed): 0 with the
 * parts, or -1 when it does not start with one. */
static int nq__release(const char *v, unsigned long long *parts, size_t *n)
{
	*n = 0;
	if (*v == 'v' || *v == 'V')
		v++;
	while (isdigit((unsigned char)*v)) {
		unsigned long long x = 0;
		size_t digits = 0;
		for (; isdigit((unsigned char)*v); v++, digits++)
			x = x * 10 + (unsigned long long)(*v - '0');
		if (digits > 18 || *n == NQ_MAXPARTS)
			return -1;
		parts[(*n)++] = x;
		if (*v != '.' || !isdigit((unsigned char)v[1]))
			break;
		v++;
	}
	return *n ? 0 : -1;
}

static void nq__fmt_parts(char *out, size_t cap, const unsigned long long *parts, size_t n)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%s%llu", i ? "." : "", parts[i]);
}

static int nq__add(nq_alt *alt, const char *op, const char *ver, const char *what, th_error *err)
{
	if (alt->n == sizeof alt->c / sizeof alt->c[0])
		return th_error_set(err, TH_ERR_LIMIT, "%s: too many clauses in one constraint", what);
	if (strlen(ver) >= sizeof alt->c[0].ver)
		return th_error_set(err, TH_ERR_INVALID, "%s: version '%.40s...' is too long", what, ver);
	snprintf(alt->c[alt->n].op, sizeof alt->c[0].op, "%s", op);
	snprintf(alt->c[alt->n].ver, sizeof alt->c[0].ver, "%s", ver);
	alt->n++;
	return 0;
}

/* ^V and ~V: >=V and < the bump of part `at` (lower parts dropped). */
static int nq__bump(nq_alt *alt, const char *ver, bool caret, const char *what, th_error *err)
{
	unsigned long long p[NQ_MAXPARTS];
	size_t n, at;
	if (nq__release(ver, p, &n) < 0 || strchr(ver, '!'))
		return th_error_set(err, TH_ERR_INVALID, "%s: '%s' is not a version %s can bound", what, ver,
				    caret ? "^" : "~");
	if (caret) {
		for (at = 0; at < n && p[at] == 0; at++)
			;
		if (at == n)
			at = n - 1;
	} else {
		at = n == 1 ? 0 : 1;
	}
	p[at]++;
	for (size_t i = at + 1; i < n; i++)
		p[i] = 0;
	char hi[NQ_MAXPARTS * 20 + 1];
	nq__fmt_parts(hi, sizeof hi, p, n > at + 1 ? n : at + 1);
	int rc = nq__add(alt, ">=", ver[0] == 'v' || ver[0] == 'V' ? ver + 1 : ver, what, err);
	return rc ? rc : nq__add(alt, "<", hi, what, err);
}

/* `1.2.*`, `1.x`, `1.2.X`: the prefix as "1.2.*", or NULL when not a wildcard. */
static bool nq__wildcard(char *out, size_t cap, const char *ver)
{
	size_t n = strlen(ver);
	if (n < 2 || ver[n - 2] != '.' || !strchr("*xX", ver[n - 1]))
		return false;
	while (n >= 2 && ver[n - 2] == '.' && strchr("*xX", ver[n - 1]))
		n -= 2; /* 1.x.x */
	snprintf(out, cap, "%.*s.*", (int)n, ver[0] == 'v' || ver[0] == 'V' ? ver + 1 : ver);
	return n > 0;
}

/* One atom: an operator (possibly empty) and a version. */
static int nq__atom(nq_alt *alt, const char *op, const char *ver, const char *what, th_error *err)
{
	char w[160];
	if (!strcmp(ver, "*") || !strcmp(ver, "x") || !strcmp(ver, "X")) {
		if (!*op || !strcmp(op, "==") || !strcmp(op, "=") || !strcmp(op, ">="))
			return 0;
		return th_error_set(err, TH_ERR_INVALID, "%s: '%s*' matches no version", what, op);
	}
	if (!strcmp(op, "^") || !strcmp(op, "~"))
		return nq__bump(alt, ver, op[0] == '^', what, err);
	if (!*op || !strcmp(op, "=") || !strcmp(op, "=="))
		return nq__add(alt, "==", nq__wildcard(w, sizeof w, ver) ? w : ver, what, err);
	if (!strcmp(op, "!=") || !strcmp(op, "<>"))
		return nq__add(alt, "!=", nq__wildcard(w, sizeof w, ver) ? w : ver, what, err);
	if (!strcmp(op, "~=") || !strcmp(op, ">=") || !strcmp(op, ">") || !strcmp(op, "<") || !strcmp(op, "<=") ||
	    !strcmp(op, "==="))
		return nq__add(alt, op, ver, what, err);
	return th_error_set(err, TH_ERR_INVALID, "%s: unknown operator '%s'", what, op);
}

/* One alternative: clauses separated by commas or spaces; `A - B` ranges. */
static int nq__alt(nq_alt *alt, const char *s, size_t len, const char *what, th_error *err)
{
	size_t i = 0;
	char op[4], ver[128], prev[128] = "";
	int rc;
	alt->n = 0;
	while (i < len) {
		while (i < len && (isspace((unsigned char)s[i]) || s[i] == ','))
			i++;
		if (i == len)
			break;
		size_t o = 0;
		while (i < len && strchr("<>=!~^", s[i]) && o < sizeof op - 1)
			op[o++] = s[i++];
		op[o] = '\0';
		if (i < len && strchr("<>=!~^", s[i]))
			return th_error_set(err, TH_ERR_INVALID, "%s: unknown operator near '%.*s'", what,
					    (int)(len - i < 20 ? len - i : 20), s + i);
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		size_t v = 0;
		while (i < len && !isspace((unsigned char)s[i]) && s[i] != ',' && v < sizeof ver - 1)
			ver[v++] = s[i++];
		ver[v] = '\0';
		if (i < len && !isspace((unsigned char)s[i]) && s[i] != ',')
			return th_error_set(err, TH_ERR_INVALID, "%s: version too long", what);
		if (!v)
			return th_error_set(err, TH_ERR_INVALID, "%s: operator '%s' without a version", what, op);
		if (!strcmp(ver, "-") && !*op && *prev && alt->n && !strcmp(alt->c[alt->n - 1].op, "==") &&
		    !strcmp(alt->c[alt->n - 1].ver, prev)) {
			/* "A - B": the ">=A" / "==A" just added becomes the lower bound, B inclusive */
			while (i < len && isspace((unsigned char)s[i]))
				i++;
			size_t b = 0;
			while (i < len && !isspace((unsigned char)s[i]) && s[i] != ',' && b < sizeof ver - 1)
				ver[b++] = s[i++];
			ver[b] = '\0';
			if (!b)
				return th_error_set(err, TH_ERR_INVALID, "%s: a range 'A - B' without B", what);
			snprintf(alt->c[alt->n - 1].op, sizeof alt->c[0].op, ">=");
			if ((rc = nq__add(alt, "<=", ver, what, err)))
				return rc;
			prev[0] = '\0';
			continue;
		}
		if ((rc = nq__atom(alt, op, ver, what, err)))
			return rc;
		/* only a bare version can start "A - B" */
		snprintf(prev, sizeof prev, "%s", *op ? "" : ver);
	}
	return 0;
}

/* An alternative as an interval: [lo, hi) with inclusive flags; NULL bounds
 * are open. Only alternatives made of bounds (and == pins, wildcards) merge. */
typedef struct nq_iv {
	const char *lo, *hi;
	bool lo_inc, hi_inc;
	th_version vlo, vhi;
} nq_iv;

static int nq__interval(nq_iv *iv, nq_alt *alt, const char *what, th_arena *a, th_error *err)
{
	memset(iv, 0, sizeof *iv);
	for (size_t i = 0; i < alt->n; i++) {
		const char *op = alt->c[i].op;
		char *v = alt->c[i].ver;
		bool lower = !strcmp(op, ">=") || !strcmp(op, ">"), upper = !strcmp(op, "<") || !strcmp(op, "<=");
		if (!strcmp(op, "==") && !strchr(v, '*')) {
			if (iv->lo || iv->hi)
				goto complex;
			iv->lo = iv->hi = v;
			iv->lo_inc = iv->hi_inc = true;
		} else if (!strcmp(op, "==")) {
			/* P.* is [P, P with its last part bumped) */
			unsigned long long p[NQ_MAXPARTS];
			size_t n;
			char hi[NQ_MAXPARTS * 20 + 1];
			if (iv->lo || iv->hi || nq__release(v, p, &n) < 0)
				goto complex;
			v[strlen(v) - 2] = '\0';
			p[n - 1]++;
			nq__fmt_parts(hi, sizeof hi, p, n);
			iv->lo = v;
			if (!(iv->hi = th_arena_strdup(a, hi)))
				return NQ_NOMEM(err);
			iv->lo_inc = true;
		} else if ((lower && !iv->lo) || (upper && !iv->hi)) {
			if (lower) {
				iv->lo = v;
				iv->lo_inc = op[1] == '=';
			} else {
				iv->hi = v;
				iv->hi_inc = op[1] == '=';
			}
		} else {
			goto complex;
		}
	}
	int rc = 0;
	if (iv->lo)
		rc = th_version_parse(&iv->vlo, iv->lo, strlen(iv->lo), a, err);
	if (!rc && iv->hi)
		rc = th_version_parse(&iv->vhi, iv->hi, strlen(iv->hi), a, err);
	if (rc)
		th_error_prefix(err, "%s", what);
	return rc;
complex:
	return th_error_set(err, TH_ERR_UNSUPPORTED,
			    "%s: an alternative of '||' that is not a plain range cannot be written in PEP 508", what);
}

/* Does the interval a end at or after the start of b (so they merge)? */
static bool nq__touch(const nq_iv *x, const nq_iv *y)
{
	if (!x->hi || !y->lo)
		return true;
	int c = th_version_cmp(&x->vhi, &y->vlo);
	return c > 0 || (c == 0 && (x->hi_inc || y->lo_inc));
}

static int nq__ivcmp(const void *x, const void *y)
{
	const nq_iv *a = x, *b = y;
	if (!a->lo || !b->lo)
		return a->lo ? 1 : b->lo ? -1 : 0;
	return th_version_cmp(&a->vlo, &b->vlo);
}

/* The gap [hi, lo) between two ranges as `!=P.k.*` clauses: both bounds
 * releases that differ in their last non-zero part only. */
static int nq__gap(th_buf *b, const nq_iv *x, const nq_iv *y, const char *what, th_error *err)
{
	unsigned long long p[NQ_MAXPARTS], q[NQ_MAXPARTS];
	size_t n, m;
	if (x->hi_inc || !y->lo_inc || nq__release(x->hi, p, &n) < 0 || nq__release(y->lo, q, &m) < 0 ||
	    th_version_is_prerelease(&x->vhi) || th_version_is_prerelease(&y->vlo) ||
	    th_version_is_postrelease(&x->vhi) || th_version_is_postrelease(&y->vlo) ||
	    th_version_has_local(&x->vhi) || th_version_has_local(&y->vlo) || strchr(x->hi, '!') || strchr(y->lo, '!'))
		goto bad;
	while (n > 1 && p[n - 1] == 0)
		n--;
	while (m > 1 && q[m - 1] == 0)
		m--;
	size_t k = n > m ? n : m;
	for (size_t i = n; i < k; i++)
		p[i] = 0;
	for (size_t i = m; i < k; i++)
		q[i] = 0;
	for (size_t i = 0; i + 1 < k; i++)
		if (p[i] != q[i])
			goto bad;
	if (q[k - 1] <= p[k - 1] || q[k - 1] - p[k - 1] > NQ_MAXGAP)
		goto bad;
	for (unsigned long long v = p[k - 1]; v < q[k - 1]; v++) {
		char pre[NQ_MAXPARTS * 20 + 1];
		nq__fmt_parts(pre, sizeof pre, p, k - 1);
		int rc = th_buf_printf(b, err, ",!=%s%s%llu.*", pre, k > 1 ? "." : "", v);
		if (rc)
			return rc;
	}
	return 0;
bad:
	return th_error_set(err, TH_ERR_UNSUPPORTED,
			    "%s: the gap between '||' alternatives (%s .. %s) cannot be written in PEP 508", what, x->hi,
			    y->lo);
}

static int nq__put_alt(th_buf *b, const nq_alt *alt, th_error *err)
{
	int rc = 0;
	for (size_t i = 0; i < alt->n && !rc; i++)
		rc = th_buf_printf(b, err, "%s%s%s", b->len ? "," : "", alt->c[i].op, alt->c[i].ver);
	return rc;
}

int th_namedreq_poetry_spec(const char **out, const char *s, const char *what, th_arena *a, th_error *err)
{
	th_buf b;
	nq_alt *alts = NULL;
	nq_iv *ivs = NULL;
	size_t nalts = 0, len = strlen(s);
	int rc = 0;

	*out = NULL;
	th_buf_init(&b, 4 * len + 4096);
	for (size_t i = 0; i <= len; i++)
		if (i == len || (s[i] == '|' && (i + 1 == len || s[i + 1] != '|')))
			nalts++;
	if (nalts > NQ_MAXALTS) {
		rc = th_error_set(err, TH_ERR_LIMIT, "%s: more than %d '||' alternatives", what, NQ_MAXALTS);
		goto done;
	}
	/* bounded by the text's length; each alternative is a fixed-size record */
	if (!(alts = calloc(nalts, sizeof *alts)) || !(ivs = calloc(nalts, sizeof *ivs))) {
		rc = NQ_NOMEM(err);
		goto done;
	}
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len && !rc; i++) {
		if (i < len && s[i] != '|')
			continue;
		size_t e = i;
		if (i < len && i + 1 < len && s[i + 1] == '|')
			i++;
		if (k == nalts) { /* "|||": more pieces than counted */
			rc = th_error_set(err, TH_ERR_INVALID, "%s: '|||' is not an operator", what);
			break;
		}
		size_t first = start;
		while (first < e && isspace((unsigned char)s[first]))
			first++;
		if (first == e && nalts > 1) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: an empty alternative of '||'", what);
			break;
		}
		rc = nq__alt(&alts[k], s + start, e - start, what, err);
		if (!rc && alts[k].n == 0 && (nalts > 1)) {
			/* `*` among alternatives: any version */
			nalts = 0;
			break;
		}
		k++;
		start = i + 1;
	}
	if (rc)
		goto done;
	nalts = nalts ? k : 0;
	if (nalts == 1) {
		rc = nq__put_alt(&b, &alts[0], err);
	} else if (nalts > 1) {
		for (size_t i = 0; i < nalts && !rc; i++)
			rc = nq__interval(&ivs[i], &alts[i], what, a, err);
		if (rc)
			goto done;
		qsort(ivs, nalts, sizeof *ivs, nq__ivcmp);
		nq_iv cur = ivs[0];
		th_buf gaps;
		th_buf_init(&gaps, 4096);
		for (size_t i = 1; i < nalts && !rc; i++) {
			if (nq__touch(&cur, &ivs[i])) {
				if (cur.hi && (!ivs[i].hi || th_version_cmp(&ivs[i].vhi, &cur.vhi) > 0 ||
					       (th_version_cmp(&ivs[i].vhi, &cur.vhi) == 0 && ivs[i].hi_inc))) {
					cur.hi = ivs[i].hi;
					cur.vhi = ivs[i].vhi;
					cur.hi_inc = ivs[i].hi_inc;
				}
				continue;
			}
			rc = nq__gap(&gaps, &cur, &ivs[i], what, err);
			cur.hi = ivs[i].hi;
			cur.vhi = ivs[i].vhi;
			cur.hi_inc = ivs[i].hi_inc;
		}
		if (!rc && cur.lo)
			rc = th_buf_printf(&b, err, "%s%s", cur.lo_inc ? ">=" : ">", cur.lo);
		if (!rc && cur.hi)
			rc = th_buf_printf(&b, err, "%s%s%s", b.len ? "," : "", cur.hi_inc ? "<=" : "<", cur.hi);
		if (!rc && gaps.len)
			rc = th_buf_puts(&b, gaps.ptr + (b.len ? 0 : 1), err);
		th_buf_release(&gaps);
	}
	if (!rc && !(*out = th_arena_strndup(a, b.ptr, b.len)))
		rc = NQ_NOMEM(err);
done:
	free(alts);
	free(ivs);
	th_buf_release(&b);
	return rc;
}

/* ---- entries ---- */

typedef struct nq_entry {
	th_namedreq_format f;
	const char *name, *file;
	char what[512]; /* "file:line: name" */
	th_buf spec, marker;
	size_t nmarker;
	th_arena *a;
	th_error *err;
} nq_entry;

/* Markers are joined with `and`, each in parentheses; a single one is
 * written bare (nq__emit). */
static int nq__and_marker(nq_entry *e, const char *m, size_t n)
{
	if (!n)
		return 0;
	e->nmarker++;
	return th_buf_printf(&e->marker, e->err, "%s(%.*s)", e->marker.len ? " and " : "", (int)n, m);
}

static int nq__spec_clause(nq_entry *e, const char *clauses)
{
	if (!*clauses)
		return 0;
	return th_buf_printf(&e->spec, e->err, "%s%s", e->spec.len ? "," : "", clauses);
}

/* Poetry's python = "<constraint>": the interpreter as markers, each clause
 * on python_version (X or X.Y) or python_full_version (X.Y.Z, wildcards). */
static int nq__python_marker(nq_entry *e, const char *c)
{
	th_buf m;
	int rc = 0;
	size_t len = strlen(c), start = 0, nalt = 0;

	th_buf_init(&m, 8 * len + 4096);
	for (size_t i = 0; i <= len && !rc; i++) {
		if (i < len && c[i] != '|')
			continue;
		size_t end = i;
		if (i + 1 < len && c[i + 1] == '|')
			i++;
		const char *spec;
		char *alt = th_arena_strndup(e->a, c + start, end - start);
		start = i + 1;
		if (!alt)
			rc = NQ_NOMEM(e->err);
		else
			rc = th_namedreq_poetry_spec(&spec, alt, e->what, e->a, e->err);
		if (rc)
			break;
		if (!*spec) { /* any interpreter */
			m.len = 0;
			break;
		}
		nalt++;
		rc = th_buf_puts(&m, m.len ? " or (" : "(", e->err);
		for (const char *p = spec; *p && !rc;) {
			size_t n = strcspn(p, ",");
			size_t o = strspn(p, "<>=!~");
			unsigned long long parts[NQ_MAXPARTS];
			size_t np = 0;
			char ver[160];
			snprintf(ver, sizeof ver, "%.*s", (int)(n - o), p + o);
			bool wild = strchr(ver, '*') != NULL;
			bool full = wild || (nq__release(ver, parts, &np) == 0 && np >= 3) || strpbrk(ver, "abcdeprv!+");
			rc = th_buf_printf(&m, e->err, "%spython_%sversion %.*s \"%s\"", p == spec ? "" : " and ",
					   full ? "full_" : "", (int)o, p, ver);
			p += n;
			if (*p == ',')
				p++;
		}
		if (!rc)
			rc = th_buf_putc(&m, ')', e->err);
	}
	if (!rc && nalt == 1)
		rc = nq__and_marker(e, m.ptr + 1, m.len - 2);
	else if (!rc)
		rc = nq__and_marker(e, m.ptr, m.len);
	th_buf_release(&m);
	return rc;
}

static const char *nq__str(nq_entry *e, const th_toml *t, const char *key, int *rc)
{
	const th_toml *v = th_toml_get(t, key);
	*rc = 0;
	if (!v)
		return NULL;
	if (v->type != TH_TOML_STRING || memchr(v->str, '\0', v->len)) {
		*rc = th_error_set(e->err, TH_ERR_INVALID, "%s: '%s' must be a string", e->what, key);
		return NULL;
	}
	return v->str;
}

/* A Pipfile version: "*", "", or a PEP 440 specifier (a bare version pins). */
static int nq__pipfile_version(nq_entry *e, const char *v)
{
	while (isspace((unsigned char)*v))
		v++;
	if (!*v || !strcmp(v, "*"))
		return 0;
	if (isdigit((unsigned char)*v))
		return th_buf_printf(&e->spec, e->err, "%s==%s", e->spec.len ? "," : "", v);
	return nq__spec_clause(e, v);
}

static const char *const nq_marker_vars[] = { "os_name", "sys_platform", "platform_machine",
					       "platform_python_implementation", "platform_release",
					       "platform_system", "platform_version", "python_version",
					       "python_full_version", "implementation_name",
					       "implementation_version" };

static int nq__emit(nq_entry *e, const th_toml *t, uint32_t line, bool optional, th_namedreq_fn fn, void *ud)
{
	th_buf r;
	int rc = 0;
	th_buf_init(&r, e->spec.len + e->marker.len + 4096);
	const th_toml *ex = th_toml_get(t, "extras");
	if ((rc = th_buf_puts(&r, e->name, e->err)))
		goto done;
	if (ex) {
		if (ex->type != TH_TOML_ARRAY) {
			rc = th_error_set(e->err, TH_ERR_INVALID, "%s: 'extras' must be an array of strings", e->what);
			goto done;
		}
		for (size_t i = 0; i < ex->n && !rc; i++) {
			const char *x = th_toml_str(ex->vals[i]);
			if (!x || !*x || strpbrk(x, "[],;@ \t\n")) {
				rc = th_error_set(e->err, TH_ERR_INVALID, "%s: extras: '%s' is not an extra name", e->what,
						  x ? x : "(not a string)");
				goto done;
			}
			rc = th_buf_printf(&r, e->err, "%s%s", i ? "," : "[", x);
		}
		if (!rc && ex->n)
			rc = th_buf_putc(&r, ']', e->err);
	}
	if (!rc && e->spec.len)
		rc = th_buf_printf(&r, e->err, " %s", e->spec.ptr);
	if (!rc && e->nmarker == 1)
		rc = th_buf_printf(&r, e->err, " ; %.*s", (int)e->marker.len - 2, e->marker.ptr + 1);
	else if (!rc && e->nmarker)
		rc = th_buf_printf(&r, e->err, " ; %s", e->marker.ptr);
	if (rc)
		goto done;
	th_namedreq out = { e->name, th_arena_strndup(e->a, r.ptr, r.len), NULL, optional, line };
	if (!out.req) {
		rc = NQ_NOMEM(e->err);
		goto done;
	}
	rc = fn(ud, &out);
done:
	th_buf_release(&r);
	return rc;
}

/* One table (or string) entry. */
static int nq__one(nq_entry *e, const th_toml *v, th_namedreq_fn fn, void *ud)
{
	static const char *const vcs[] = { "path", "git", "url", "file", "hg", "svn", "bzr" };
	int rc = 0;
	e->spec.len = 0;
	e->marker.len = 0;
	e->nmarker = 0;
	snprintf(e->what, sizeof e->what, "%s:%u: %s", e->file, (unsigned)v->line, e->name);
	if (v->type == TH_TOML_STRING) {
		if (memchr(v->str, '\0', v->len))
			return th_error_set(e->err, TH_ERR_INVALID, "%s: a NUL in the constraint", e->what);
		if (e->f == TH_NAMEDREQ_PIPFILE)
			rc = nq__pipfile_version(e, v->str);
		else {
			const char *spec;
			if (!(rc = th_namedreq_poetry_spec(&spec, v->str, e->what, e->a, e->err)))
				rc = nq__spec_clause(e, spec);
		}
		return rc ? rc : nq__emit(e, NULL, v->line, false, fn, ud);
	}
	if (v->type != TH_TOML_TABLE)
		return th_error_set(e->err, TH_ERR_INVALID, "%s: expected a version string or a table", e->what);
	for (size_t i = 0; i < sizeof vcs / sizeof vcs[0]; i++)
		if (th_toml_get(v, vcs[i])) {
			const th_toml *opt = th_toml_get(v, "optional");
			th_namedreq out = { e->name, NULL, vcs[i], opt && opt->type == TH_TOML_BOOL && opt->b, v->line };
			return fn(ud, &out);
		}
	const char *ver = nq__str(e, v, "version", &rc);
	if (rc)
		return rc;
	if (ver && e->f == TH_NAMEDREQ_PIPFILE)
		rc = nq__pipfile_version(e, ver);
	else if (ver) {
		const char *spec;
		if (!(rc = th_namedreq_poetry_spec(&spec, ver, e->what, e->a, e->err)))
			rc = nq__spec_clause(e, spec);
	}
	const char *m = rc ? NULL : nq__str(e, v, "markers", &rc);
	if (!rc && m)
		rc = nq__and_marker(e, m, strlen(m));
	bool optional = false;
	if (!rc && e->f == TH_NAMEDREQ_POETRY) {
		const char *py = nq__str(e, v, "python", &rc);
		if (!rc && py)
			rc = nq__python_marker(e, py);
		const char *plat = rc ? NULL : nq__str(e, v, "platform", &rc);
		if (!rc && plat) {
			if (strchr(plat, '"'))
				return th_error_set(e->err, TH_ERR_INVALID, "%s: platform '%s' has a quote", e->what, plat);
			char pm[300];
			snprintf(pm, sizeof pm, "sys_platform == \"%.200s\"", plat);
			rc = nq__and_marker(e, pm, strlen(pm));
		}
		const th_toml *o = th_toml_get(v, "optional"), *pre = th_toml_get(v, "allow-prereleases");
		optional = o && o->type == TH_TOML_BOOL && o->b;
		if (!rc && pre && pre->type == TH_TOML_BOOL && pre->b)
			rc = nq__spec_clause(e, ">=0.dev0");
	} else if (!rc) {
		for (size_t i = 0; i < sizeof nq_marker_vars / sizeof nq_marker_vars[0] && !rc; i++) {
			const char *x = nq__str(e, v, nq_marker_vars[i], &rc);
			if (rc || !x)
				continue;
			while (isspace((unsigned char)*x))
				x++;
			th_buf pm;
			th_buf_init(&pm, strlen(x) + 64);
			if (*x && strchr("=!<>~", *x))
				rc = th_buf_printf(&pm, e->err, "%s %s", nq_marker_vars[i], x);
			else if (strchr(x, '"'))
				rc = th_error_set(e->err, TH_ERR_INVALID, "%s: %s '%s' has a quote", e->what,
						  nq_marker_vars[i], x);
			else
				rc = th_buf_printf(&pm, e->err, "%s == \"%s\"", nq_marker_vars[i], x);
			if (!rc)
				rc = nq__and_marker(e, pm.ptr, pm.len);
			th_buf_release(&pm);
		}
	}
	return rc ? rc : nq__emit(e, v, v->line, optional, fn, ud);
}

int th_namedreq_convert(th_namedreq_format f, const char *name, const th_toml *value, const char *what,
			th_namedreq_fn fn, void *ud, th_arena *a, th_error *err)
{
	nq_entry e = { .f = f, .name = name, .file = what, .a = a, .err = err };
	int rc = 0;

	th_buf_init(&e.spec, (size_t)64 << 20);
	th_buf_init(&e.marker, (size_t)64 << 20);
	if (!*name || strpbrk(name, " \t\n\"';[]()<>=!~,@")) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s:%u: '%s' is not a project name", what, (unsigned)value->line,
				  name);
	} else if (value->type == TH_TOML_ARRAY && f == TH_NAMEDREQ_POETRY) {
		for (size_t i = 0; i < value->n && !rc; i++)
			rc = nq__one(&e, value->vals[i], fn, ud);
	} else {
		rc = nq__one(&e, value, fn, ud);
	}
	th_buf_release(&e.spec);
	th_buf_release(&e.marker);
	return rc;
}
