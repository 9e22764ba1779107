#include "core/marker.h"

#include <stdint.h>
#include <string.h>

#include "core/name.h"

enum { OP_LT, OP_LE, OP_EQ, OP_NE, OP_GE, OP_GT, OP_COMPAT, OP_ARB, OP_IN, OP_NOTIN };
static const char *const marker__opname[] = { "<", "<=", "==", "!=", ">=", ">", "~=", "===", "in", "not in" };

enum { SRC_ENV, SRC_LIT };
#define KEY_UNKNOWN 255

static const char *const marker__varname[TH_MV_COUNT] = {
	"python_version",   "python_full_version", "os_name",          "sys_platform",
	"platform_release", "platform_system",     "platform_version", "platform_machine",
	"platform_python_implementation", "implementation_name", "implementation_version",
	"extra", "extras", "dependency_groups",
};

/* Spellings the tokenizer accepts (23.0's VARIABLE rule plus PEP 751's sets). */
static const struct {
	const char *text;
	unsigned char var;
} marker__spelling[] = {
	{ "python_version", TH_MV_PYTHON_VERSION },
	{ "python_full_version", TH_MV_PYTHON_FULL_VERSION },
	{ "os_name", TH_MV_OS_NAME },
	{ "os.name", TH_MV_OS_NAME },
	{ "sys_platform", TH_MV_SYS_PLATFORM },
	{ "sys.platform", TH_MV_SYS_PLATFORM },
	{ "platform_release", TH_MV_PLATFORM_RELEASE },
	{ "platform_system", TH_MV_PLATFORM_SYSTEM },
	{ "platform_version", TH_MV_PLATFORM_VERSION },
	{ "platform.version", TH_MV_PLATFORM_VERSION },
	{ "platform_machine", TH_MV_PLATFORM_MACHINE },
	{ "platform.machine", TH_MV_PLATFORM_MACHINE },
	{ "platform_python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "platform.python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", TH_MV_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "implementation_name", TH_MV_IMPLEMENTATION_NAME },
	{ "implementation_version", TH_MV_IMPLEMENTATION_VERSION },
	{ "extra", TH_MV_EXTRA },
	{ "extras", TH_MV_EXTRAS },
	{ "dependency_groups", TH_MV_DEPENDENCY_GROUPS },
};

typedef struct marker__operand {
	unsigned char is_var;
	unsigned char var;
	const char *s; /* value (decoded) when !is_var */
	size_t len;
} marker__operand;

typedef struct marker__item {
	marker__operand l, r; /* as str() shows them */
	unsigned char op;
	/* evaluation plan, fixed at parse time */
	unsigned char key, lsrc, rsrc;
	const char *llit, *rlit;
	size_t llen, rlen;
	bool lver_ok;
	th_version lver;
	const th_spec *rspec;
} marker__item;

struct th_marker {
	int is_group;
	marker__item item;
	size_t n;
	th_marker **child;
	unsigned char *is_or; /* is_or[i]: "or" before child i (i >= 1) */
};

typedef struct marker__p {
	const char *s;
	size_t len, pos;
	th_arena *a;
	th_error *err;
	int depth;
} marker__p;

/* ---- character classes (Python's re on str, approximated for non-ASCII) ---- */

size_t th_marker_pyspace(const char *s, size_t len)
{
	uint32_t cp;
	size_t k = th_version_utf8(s, s + len, &cp);

	return k && th_version_is_space(cp) ? k : 0;
}

/* \w: ASCII letters, digits, '_'; any non-ASCII byte counts as a letter. */
static bool marker__word(const marker__p *p, size_t i)
{
	unsigned char c;

	if (i >= p->len)
		return false;
	c = (unsigned char)p->s[i];
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool marker__boundary(const marker__p *p, size_t i)
{
	return (i > 0 && marker__word(p, i - 1)) != marker__word(p, i);
}

static void marker__ws(marker__p *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t'))
		p->pos++;
}

/* A keyword with \b on both sides. */
static bool marker__kw(const marker__p *p, const char *kw)
{
	size_t n = strlen(kw);

	return p->len - p->pos >= n && !memcmp(p->s + p->pos, kw, n) && marker__boundary(p, p->pos) &&
	       marker__boundary(p, p->pos + n);
}

static int marker__syntax(marker__p *p, const char *what)
{
	return th_error_set(p->err, TH_ERR_INVALID, "marker: %s at offset %zu", what, p->pos);
}

/* ---- quoted strings: Python literal escapes ---- */

static int marker__hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t marker__utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) { /* surrogates too (WTF-8), as Python keeps them */
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the body of a quoted string as ast.literal_eval would; the output
 * is never longer than the input. Returns the length or -1 when Python
 * would refuse it. */
static long marker__unescape(char *o, const char *s, size_t n)
{
	size_t i = 0, k = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == 0 || c == '\n' || c == '\r')
			return -1; /* NUL: refused; a raw line break ends the literal */
		if (c != '\\') {
			o[k++] = (char)c;
			i++;
			continue;
		}
		if (++i >= n)
			return -1; /* the backslash would escape the closing quote */
		c = (unsigned char)s[i++];
		switch (c) {
		case '\n':
			break;
		case '\r':
			if (i < n && s[i] == '\n')
				i++;
			break;
		case '\\': o[k++] = '\\'; break;
		case '\'': o[k++] = '\''; break;
		case '"': o[k++] = '"'; break;
		case 'a': o[k++] = '\a'; break;
		case 'b': o[k++] = '\b'; break;
		case 'f': o[k++] = '\f'; break;
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case 'v': o[k++] = '\v'; break;
		case 'x':
		case 'u':
		case 'U': {
			int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			unsigned long cp = 0;
			for (int d = 0; d < digits; d++, i++) {
				int h = i < n ? marker__hex((unsigned char)s[i]) : -1;
				if (h < 0)
					return -1;
				cp = cp * 16 + (unsigned long)h;
			}
			if (cp > 0x10ffff)
				return -1;
			k += marker__utf8(o + k, cp);
			break;
		}
		case 'N':
			return -1; /* \N{name} needs the Unicode name table: refused */
		default:
			if (c >= '0' && c <= '7') {
				unsigned long cp = (unsigned long)(c - '0');
				for (int d = 0; d < 2 && i < n && s[i] >= '0' && s[i] <= '7'; d++, i++)
					cp = cp * 8 + (unsigned long)(s[i] - '0');
				k += marker__utf8(o + k, cp);
			} else {
				/* unknown escapes stay as written (a warning in Python) */
				o[k++] = '\\';
				i--;
			}
		}
	}
	return (long)k;
}

/* ---- parsing ---- */

static int marker__operand_parse(marker__p *p, marker__operand *out)
{
	const char *s = p->s + p->pos;
	size_t left = p->len - p->pos;

	if (left && (s[0] == '\'' || s[0] == '"')) {
		const char *end = memchr(s + 1, s[0], left - 1);
		char *buf;
		long n;
		if (end) {
			size_t body = (size_t)(end - s - 1);
			buf = th_arena_alloc(p->a, body + 1);
			if (!buf)
				return th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
			n = marker__unescape(buf, s + 1, body);
			if (n < 0)
				return marker__syntax(p, "invalid quoted string");
			buf[n] = '\0';
			out->is_var = 0;
			out->s = buf;
			out->len = (size_t)n;
			p->pos += body + 2;
			return 0;
		}
	}
	if (marker__boundary(p, p->pos)) {
		for (size_t i = 0; i < sizeof(marker__spelling) / sizeof(marker__spelling[0]); i++) {
			size_t n = strlen(marker__spelling[i].text);
			if (left >= n && !memcmp(s, marker__spelling[i].text, n) && marker__boundary(p, p->pos + n)) {
				out->is_var = 1;
				out->var = marker__spelling[i].var;
				out->s = marker__varname[out->var];
				out->len = strlen(out->s);
				p->pos += n;
				return 0;
			}
		}
	}
	return marker__syntax(p, "expected a marker variable or quoted string");
}

static int marker__op_parse(marker__p *p, unsigned char *op)
{
	static const struct {
		const char *t;
		unsigned char op;
	} ops[] = { { "===", OP_ARB }, { "==", OP_EQ }, { "~=", OP_COMPAT }, { "!=", OP_NE },
		    { "<=", OP_LE },   { ">=", OP_GE }, { "<", OP_LT },       { ">", OP_GT } };

	if (marker__kw(p, "in")) {
		p->pos += 2;
		*op = OP_IN;
		return 0;
	}
	if (marker__kw(p, "not")) {
		p->pos += 3;
		if (p->pos >= p->len || (p->s[p->pos] != ' ' && p->s[p->pos] != '\t'))
			return marker__syntax(p, "expected whitespace after 'not'");
		marker__ws(p);
		if (!marker__kw(p, "in"))
			return marker__syntax(p, "expected 'in' after 'not'");
		p->pos += 2;
		*op = OP_NOTIN;
		return 0;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].t);
		if (p->len - p->pos >= n && !memcmp(p->s + p->pos, ops[i].t, n)) {
			p->pos += n;
			*op = ops[i].op;
			return 0;
		}
	}
	return marker__syntax(p, "expected a marker operator");
}

static int marker__expr(marker__p *p, th_marker **out);

static th_marker *marker__node(marker__p *p)
{
	th_marker *m = th_arena_zalloc(p->a, sizeof(*m));

	if (!m)
		th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
	return m;
}

static int marker__atom(marker__p *p, th_marker **out)
{
	int rc;

	marker__ws(p);
	if (p->pos < p->len && p->s[p->pos] == '(') {
		if (p->depth >= TH_MARKER_DEPTH_MAX)
			return th_error_set(p->err, TH_ERR_LIMIT, "marker: parentheses nested deeper than %d",
					    TH_MARKER_DEPTH_MAX);
		p->pos++;
		p->depth++;
		marker__ws(p);
		rc = marker__expr(p, out);
		if (rc)
			return rc;
		marker__ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ')')
			return marker__syntax(p, "expected closing parenthesis");
		p->pos++;
		p->depth--;
	} else {
		th_marker *m = marker__node(p);
		if (!m)
			return TH_ERR_NOMEM;
		marker__ws(p);
		if ((rc = marker__operand_parse(p, &m->item.l)))
			return rc;
		marker__ws(p);
		if ((rc = marker__op_parse(p, &m->item.op)))
			return rc;
		marker__ws(p);
		if ((rc = marker__operand_parse(p, &m->item.r)))
			return rc;
		marker__ws(p);
		*out = m;
	}
	marker__ws(p);
	return 0;
}

/* marker = atom (("and" | "or") atom)* — kept flat, as 23.0 keeps it, since
 * its str() depends on that shape. */
static int marker__expr(marker__p *p, th_marker **out)
{
	th_marker *g = marker__node(p), *child;
	size_t cap = 0;
	int rc;

	if (!g)
		return TH_ERR_NOMEM;
	g->is_group = 1;
	for (;;) {
		unsigned char is_or = 0;
		if (g->n) {
			if (marker__kw(p, "or"))
				is_or = 1;
			else if (!marker__kw(p, "and"))
				break;
			p->pos += is_or ? 2 : 3;
		}
		if ((rc = marker__atom(p, &child)))
			return rc;
		if (g->n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			th_marker **nc = th_arena_alloc(p->a, ncap * sizeof(*nc));
			unsigned char *no = th_arena_alloc(p->a, ncap);
			if (!nc || !no)
				return th_error_set(p->err, TH_ERR_NOMEM, "marker: out of memory");
			if (g->n) {
				memcpy(nc, g->child, g->n * sizeof(*nc));
				memcpy(no, g->is_or, g->n);
			}
			g->child = nc;
			g->is_or = no;
			cap = ncap;
		}
		g->child[g->n] = child;
		g->is_or[g->n++] = is_or;
	}
	*out = g;
	return 0;
}

/* ---- evaluation plan ---- */

static int marker__lookup(const char *s, size_t len)
{
	for (int v = 0; v < TH_MV_COUNT; v++)
		if (strlen(marker__varname[v]) == len && !memcmp(marker__varname[v], s, len))
			return v;
	return -1;
}

static int marker__canon(th_arena *a, const char **s, size_t *len)
{
	char *o = th_arena_alloc(a, *len + 1);

	if (!o)
		return TH_ERR_NOMEM;
	*len = th_name_canon(o, *s, *len);
	o[*len] = '\0';
	*s = o;
	return 0;
}

/* What Specifier(op + s) is in 23.0: NULL when it is none. */
static int marker__spec_make(const th_spec **out, int op, const char *s, size_t len, th_arena *a)
{
	const char *opname = marker__opname[op];
	size_t oplen = strlen(opname), n = oplen + len;
	th_spec *spec;
	char *cat;

	*out = NULL;
	if (op > OP_ARB)
		return 0;
	cat = th_arena_alloc(a, n + 1);
	if (!cat)
		return TH_ERR_NOMEM;
	memcpy(cat, opname, oplen);
	memcpy(cat + oplen, s, len);
	cat[n] = '\0';
	if (th_spec_parse(&spec, cat, n, a, NULL) == 0)
		*out = spec;
	return 0;
}

static int marker__plan(marker__item *it, th_arena *a)
{
	int rc;

	if (it->l.is_var) {
		it->key = it->l.var;
		it->lsrc = SRC_ENV;
		it->rsrc = SRC_LIT;
		it->rlit = it->r.s;
		it->rlen = it->r.len;
	} else {
		it->lsrc = SRC_LIT;
		it->llit = it->l.s;
		it->llen = it->l.len;
		it->rsrc = SRC_ENV;
		if (it->r.is_var) {
			it->key = it->r.var;
		} else {
			int v = marker__lookup(it->r.s, it->r.len);
			it->key = v < 0 ? KEY_UNKNOWN : (unsigned char)v;
		}
	}
	if (it->key == KEY_UNKNOWN)
		return 0;
	if (it->key == TH_MV_EXTRA || it->key >= TH_MV_NSTRINGS) {
		if (it->lsrc == SRC_LIT && (rc = marker__canon(a, &it->llit, &it->llen)))
			return rc;
		if (it->rsrc == SRC_LIT && (rc = marker__canon(a, &it->rlit, &it->rlen)))
			return rc;
	}
	if (it->key >= TH_MV_NSTRINGS)
		return 0;
	if (it->lsrc == SRC_LIT)
		it->lver_ok = th_version_parse(&it->lver, it->llit, it->llen, a, NULL) == 0;
	if (it->rsrc == SRC_LIT && (rc = marker__spec_make(&it->rspec, it->op, it->rlit, it->rlen, a)))
		return rc;
	return 0;
}

static int marker__plan_all(th_marker *m, th_arena *a)
{
	int rc;

	if (!m->is_group)
		return marker__plan(&m->item, a);
	for (size_t i = 0; i < m->n; i++)
		if ((rc = marker__plan_all(m->child[i], a)))
			return rc;
	return 0;
}

/* 23.0 normalises the extra name of the marker's first comparison only (and
 * only when it is not in parentheses); str() shows it. */
static int marker__normalize_first(th_marker *top, th_arena *a)
{
	marker__item *it;
	marker__operand *other;

	if (!top->n || top->child[0]->is_group)
		return 0;
	it = &top->child[0]->item;
	if (it->l.is_var && (it->l.var == TH_MV_EXTRA || it->l.var >= TH_MV_NSTRINGS))
		other = &it->r;
	else if (it->r.is_var && (it->r.var == TH_MV_EXTRA || it->r.var >= TH_MV_NSTRINGS))
		other = &it->l;
	else
		return 0;
	other->is_var = 0;
	return marker__canon(a, &other->s, &other->len);
}

int th_marker_parse_at(th_marker **out, const char *s, size_t len, size_t *pos, th_arena *a, th_error *err)
{
	marker__p p = { s, len, *pos, a, err, 0 };
	th_marker *m = NULL;
	int rc;

	if ((rc = marker__expr(&p, &m)))
		return rc;
	if ((rc = marker__normalize_first(m, a)) || (rc = marker__plan_all(m, a)))
		return th_error_set(err, rc, "marker: out of memory");
	*pos = p.pos;
	*out = m;
	return 0;
}

int th_marker_parse(th_marker **out, const char *s, size_t len, th_arena *a, th_error *err)
{
	size_t pos = 0;

	return th_marker_parse_at(out, s, len, &pos, a, err);
}

/* ---- str() ---- */

static int marker__fmt_operand(const marker__operand *o, th_buf *out, th_error *err)
{
	int rc;

	if (o->is_var)
		return th_buf_puts(out, o->s, err);
	if ((rc = th_buf_putc(out, '"', err)) || (rc = th_buf_put(out, o->s, o->len, err)))
		return rc;
	return th_buf_putc(out, '"', err);
}

static int marker__fmt(const th_marker *m, bool first, th_buf *out, th_error *err)
{
	int rc;

	if (!m->is_group) {
		if ((rc = marker__fmt_operand(&m->item.l, out, err)) || (rc = th_buf_putc(out, ' ', err)) ||
		    (rc = th_buf_puts(out, marker__opname[m->item.op], err)) || (rc = th_buf_putc(out, ' ', err)))
			return rc;
		return marker__fmt_operand(&m->item.r, out, err);
	}
	if (m->n == 1)
		return marker__fmt(m->child[0], true, out, err);
	if (!first && (rc = th_buf_putc(out, '(', err)))
		return rc;
	for (size_t i = 0; i < m->n; i++) {
		if (i && (rc = th_buf_puts(out, m->is_or[i] ? " or " : " and ", err)))
			return rc;
		if ((rc = marker__fmt(m->child[i], false, out, err)))
			return rc;
	}
	return first ? 0 : th_buf_putc(out, ')', err);
}

int th_marker_format(const th_marker *m, th_buf *out, th_error *err)
{
	return marker__fmt(m, true, out, err);
}

static bool marker__printable(const marker__operand *o)
{
	for (size_t i = 0; !o->is_var && i < o->len; i++)
		if (o->s[i] == '"' || o->s[i] == '\\' || o->s[i] == '\n' || o->s[i] == '\r' || o->s[i] == '\0')
			return false;
	return true;
}

bool th_marker_roundtrips(const th_marker *m)
{
	if (!m->is_group)
		return marker__printable(&m->item.l) && marker__printable(&m->item.r);
	for (size_t i = 0; i < m->n; i++)
		if (!th_marker_roundtrips(m->child[i]))
			return false;
	return true;
}

/* ---- evaluation ---- */

static int marker__cmpstr(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static bool marker__contains(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (nlen == 0)
		return true;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return true;
	return false;
}

static int marker__eval_item(const marker__item *it, const th_marker_env *env, bool *res, th_error *err)
{
	const char *ls, *rs;
	size_t ll, rl;
	const th_version *lv;
	const th_spec *sp;

	if (it->key == KEY_UNKNOWN)
		return th_error_set(err, TH_ERR_INVALID, "marker: '%s' is not an environment variable", it->r.s);
	if (it->key >= TH_MV_NSTRINGS) {
		int w = it->key - TH_MV_NSTRINGS;
		bool found = false;
		if (it->lsrc != SRC_LIT || (it->op != OP_IN && it->op != OP_NOTIN))
			return th_error_set(err, TH_ERR_INVALID, "marker: %s is a set: only 'in' and 'not in' apply",
					    marker__varname[it->key]);
		for (size_t i = 0; i < env->nset[w] && !found; i++)
			found = env->setlen[w][i] == it->llen && !memcmp(env->set[w][i], it->llit, it->llen);
		*res = it->op == OP_IN ? found : !found;
		return 0;
	}
	if (it->lsrc == SRC_ENV) {
		ls = env->var[it->key].s;
		ll = env->var[it->key].len;
		lv = env->var[it->key].is_version ? &env->var[it->key].ver : NULL;
	} else {
		ls = it->llit;
		ll = it->llen;
		lv = it->lver_ok ? &it->lver : NULL;
	}
	if (it->rsrc == SRC_LIT) {
		rs = it->rlit;
		rl = it->rlen;
		sp = it->rspec;
	} else {
		rs = env->var[it->key].s;
		rl = env->var[it->key].len;
		sp = it->op <= OP_ARB ? env->var[it->key].spec[it->op] : NULL;
	}
	if (sp) {
		if (!lv)
			return th_error_set(err, TH_ERR_INVALID, "marker: '%.*s' is not a version to compare with %s",
					    (int)(ll > 200 ? 200 : ll), ls, marker__opname[it->op]);
		*res = th_spec_contains(sp, lv, 1);
		return 0;
	}
	switch (it->op) {
	case OP_IN: *res = marker__contains(rs, rl, ls, ll); return 0;
	case OP_NOTIN: *res = !marker__contains(rs, rl, ls, ll); return 0;
	case OP_EQ: *res = ll == rl && !memcmp(ls, rs, ll); return 0;
	case OP_NE: *res = !(ll == rl && !memcmp(ls, rs, ll)); return 0;
	case OP_LT: *res = marker__cmpstr(ls, ll, rs, rl) < 0; return 0;
	case OP_LE: *res = marker__cmpstr(ls, ll, rs, rl) <= 0; return 0;
	case OP_GT: *res = marker__cmpstr(ls, ll, rs, rl) > 0; return 0;
	case OP_GE: *res = marker__cmpstr(ls, ll, rs, rl) >= 0; return 0;
	default:
		return th_error_set(err, TH_ERR_INVALID, "marker: undefined comparison %s on strings",
				    marker__opname[it->op]);
	}
}

int th_marker_eval(const th_marker *m, const th_marker_env *env, bool *result, th_error *err)
{
	bool any = false, all = true, v;
	int rc;

	if (!m->is_group)
		return marker__eval_item(&m->item, env, result, err);
	/* no short cut: 23.0 evaluates every comparison, so an error anywhere is
	 * an error */
	for (size_t i = 0; i < m->n; i++) {
		if ((rc = th_marker_eval(m->child[i], env, &v, err)))
			return rc;
		if (i && m->is_or[i]) {
			any = any || all;
			all = true;
		}
		all = all && v;
	}
	*result = any || all;
	return 0;
}

/* ---- environment ---- */

void th_marker_env_init(th_marker_env *env)
{
	th_spec *arb = NULL;

	memset(env, 0, sizeof(*env));
	th_arena_init(&env->arena, 4096);
	/* Specifier("===") is valid in 23.0 (an empty identity version), so an
	 * empty value forms one with "===". Out of memory leaves it NULL. */
	if (th_spec_parse(&arb, "===", 3, &env->arena, NULL))
		arb = NULL;
	for (int v = 0; v < TH_MV_NSTRINGS; v++) {
		env->var[v].s = "";
		env->var[v].spec[OP_ARB] = arb;
	}
}

void th_marker_env_release(th_marker_env *env)
{
	th_arena_release(&env->arena);
	memset(env, 0, sizeof(*env));
}

int th_marker_env_set(th_marker_env *env, const char *name, const char *value, size_t len, th_error *err)
{
	int v = marker__lookup(name, strlen(name));
	th_marker_envval *ev;
	const char *s;
	int rc;

	if (v < 0 || v >= TH_MV_NSTRINGS)
		return th_error_set(err, TH_ERR_INVALID, "marker environment: unknown variable '%s'", name);
	ev = &env->var[v];
	s = th_arena_strndup(&env->arena, value, len);
	if (!s)
		return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
	if (v == TH_MV_EXTRA && (rc = marker__canon(&env->arena, &s, &len)))
		return th_error_set(err, rc, "marker environment: out of memory");
	ev->s = s;
	ev->len = len;
	ev->is_version = th_version_parse(&ev->ver, s, len, &env->arena, NULL) == 0;
	for (int op = 0; op < TH_MARKER_SPEC_OPS; op++)
		if ((rc = marker__spec_make(&ev->spec[op], op, s, len, &env->arena)))
			return th_error_set(err, rc, "marker environment: out of memory");
	return 0;
}

static int marker__set_add(th_marker_env *env, int w, const char *s, size_t len, th_error *err)
{
	const char *c = s;

	if (marker__canon(&env->arena, &c, &len))
		return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
	for (size_t i = 0; i < env->nset[w]; i++)
		if (env->setlen[w][i] == len && !memcmp(env->set[w][i], c, len))
			return 0;
	if (env->nset[w] == env->capset[w]) {
		size_t ncap = env->capset[w] ? env->capset[w] * 2 : 8;
		const char **ns = th_arena_alloc(&env->arena, ncap * sizeof(*ns));
		size_t *nl = th_arena_alloc(&env->arena, ncap * sizeof(*nl));
		if (!ns || !nl)
			return th_error_set(err, TH_ERR_NOMEM, "marker environment: out of memory");
		if (env->nset[w]) {
			memcpy(ns, env->set[w], env->nset[w] * sizeof(*ns));
			memcpy(nl, env->setlen[w], env->nset[w] * sizeof(*nl));
		}
		env->set[w] = ns;
		env->setlen[w] = nl;
		env->capset[w] = ncap;
	}
	env->set[w][env->nset[w]] = c;
	env->setlen[w][env->nset[w]++] = len;
	return 0;
}

int th_marker_env_add_extra(th_marker_env *env, const char *s, size_t len, th_error *err)
{
	return marker__set_add(env, 0, s, len, err);
}

int th_marker_env_add_dependency_group(th_marker_env *env, const char *s, size_t len, th_error *err)
{
	return marker__set_add(env, 1, s, len, err);
}
