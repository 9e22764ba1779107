#include "extractors/reqtxt.h"

#include <ctype.h>
#include <string.h>

typedef struct reqtxt__ctx {
	const th_reqtxt_opts *o;
	th_reqtxt_fn fn;
	void *ud;
	th_arena *a;
	th_error *err;
	int includes;
} reqtxt__ctx;

static int reqtxt__file(reqtxt__ctx *c, const char *text, size_t len, const char *what, bool constraint, int depth);

/* ${VAR} with VAR in [A-Z0-9_]: pip's rule. */
static int reqtxt__expand(reqtxt__ctx *c, th_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		size_t j = i + 2;
		const char *v;
		char name[256];

		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{' && c->o->getenv) {
			while (j < len && (isupper((unsigned char)s[j]) || isdigit((unsigned char)s[j]) || s[j] == '_'))
				j++;
			if (j < len && s[j] == '}' && j > i + 2 && j - i - 2 < sizeof(name)) {
				memcpy(name, s + i + 2, j - i - 2);
				name[j - i - 2] = '\0';
				if ((v = c->o->getenv(name))) {
					if (th_buf_puts(out, v, c->err))
						return TH_ERR_NOMEM;
					i = j;
					continue;
				}
			}
		}
		if (th_buf_putc(out, s[i], c->err))
			return TH_ERR_NOMEM;
	}
	return 0;
}

static bool reqtxt__opt(const char *s, const char *shrt, const char *lng, const char **val)
{
	size_t n;

	if (shrt && !strncmp(s, shrt, n = strlen(shrt)) && (s[n] == ' ' || s[n] == '\t' || (s[n] && n == 2))) {
		*val = s + n;
	} else if (lng && !strncmp(s, lng, n = strlen(lng)) && (s[n] == ' ' || s[n] == '\t' || s[n] == '=' || !s[n])) {
		*val = s + n + (s[n] == '=');
	} else {
		return false;
	}
	while (**val == ' ' || **val == '\t')
		(*val)++;
	return true;
}

char *th_reqtxt_trimdup(th_arena *a, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return th_arena_strndup(a, s, n);
}

/* A requirement line: the text up to the first " --option", then options. */
static int reqtxt__requirement(reqtxt__ctx *c, const char *s, th_reqtxt_line *l)
{
	const char *opt = strstr(s, " --"), *t;
	size_t nh = 0;

	if (!opt)
		opt = strstr(s, "\t--");
	if (!(l->req = th_reqtxt_trimdup(c->a, s, opt ? (size_t)(opt - s) : strlen(s))))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	for (t = opt; t && (t = strstr(t, "--hash")); t += 6)
		nh++;
	if (nh && !(l->hashes = th_arena_alloc(c->a, nh * sizeof(*l->hashes))))
		return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	for (t = opt; t && (t = strstr(t, "--hash")); t += 6) {
		const char *v = t + 6;
		size_t n;
		while (*v == '=' || *v == ' ')
			v++;
		n = strcspn(v, " \t");
		if (!(l->hashes[l->nhashes++] = th_arena_strndup(c->a, v, n)))
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	}
	/* Paths and bare URLs are not PEP 508; "name @ url" is. */
	t = l->req;
	if (*t == '.' || *t == '/' || *t == '~' ||
	    (strstr(t, "://") && !strchr(t, '@')) || (strstr(t, "://") && strstr(t, "://") < strchr(t, '@')) ||
	    !strncmp(t, "file:", 5)) {
		const char *egg = strstr(t, "#egg=");
		l->path_or_url = true;
		if (egg && !(l->egg = th_arena_strndup(c->a, egg + 5, strcspn(egg + 5, "&# \t"))))
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int reqtxt__include(reqtxt__ctx *c, const char *from, const char *name, bool constraint, int depth,
			   uint32_t line)
{
	th_buf body = TH_BUF_INIT, resolved = TH_BUF_INIT;
	int rc;

	if (depth >= TH_REQTXT_MAX_DEPTH)
		return th_error_set(c->err, TH_ERR_LIMIT, "%s:%u: includes nested deeper than %d (a cycle?)", from, line,
				    TH_REQTXT_MAX_DEPTH);
	if (++c->includes > TH_REQTXT_MAX_INCLUDES)
		return th_error_set(c->err, TH_ERR_LIMIT, "%s:%u: more than %d includes in all", from, line,
				    TH_REQTXT_MAX_INCLUDES);
	if (!c->o->load)
		return th_error_set(c->err, TH_ERR_UNSUPPORTED, "%s:%u: cannot follow the include of %s", from, line, name);
	if (!(rc = c->o->load(c->o->load_ud, from, name, &body, &resolved, c->err))) {
		char *what = th_arena_strndup(c->a, resolved.ptr, resolved.len);
		rc = what ? reqtxt__file(c, body.ptr, body.len, what, constraint, depth + 1)
			  : th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
	}
	th_buf_release(&body);
	th_buf_release(&resolved);
	return rc;
}

static int reqtxt__logical(reqtxt__ctx *c, const char *s, const char *what, bool constraint, int depth, uint32_t line)
{
	th_reqtxt_line l;
	const char *v;

	memset(&l, 0, sizeof(l));
	l.file = what;
	l.line = line;
	l.constraint = constraint;
	if (reqtxt__opt(s, "-r", "--requirement", &v))
		return reqtxt__include(c, what, v, constraint, depth, line);
	if (reqtxt__opt(s, "-c", "--constraint", &v))
		return reqtxt__include(c, what, v, true, depth, line);
	if (reqtxt__opt(s, "-e", "--editable", &v)) {
		l.editable = true;
		s = v;
	} else if (*s == '-') {
		return 0; /* a global option (-i, --index-url, -f, --pre, ...): not a dependency */
	}
	if (reqtxt__requirement(c, s, &l))
		return TH_ERR_NOMEM;
	if (!*l.req)
		return 0;
	return c->fn(c->ud, &l);
}

static int reqtxt__file(reqtxt__ctx *c, const char *text, size_t len, const char *what, bool constraint, int depth)
{
	th_buf logical = TH_BUF_INIT, expanded = TH_BUF_INIT;
	size_t p = 0;
	uint32_t lineno = 0, first = 0;
	int rc = 0;

	while (p < len && !rc) {
		size_t e = p, n;
		const char *ln;
		bool cont;

		while (e < len && text[e] != '\n')
			e++;
		ln = text + p;
		n = e - p;
		p = e + 1;
		lineno++;
		if (n && ln[n - 1] == '\r')
			n--;
		if (!logical.len)
			first = lineno;
		cont = n && ln[n - 1] == '\\';
		if ((rc = th_buf_put(&logical, ln, cont ? n - 1 : n, c->err)))
			break;
		if (cont && p < len)
			continue;
		/* Comments: '#' at the start or after whitespace. */
		for (size_t i = 0; i < logical.len; i++) {
			if (logical.ptr[i] == '#' && (i == 0 || isspace((unsigned char)logical.ptr[i - 1]))) {
				logical.len = i;
				logical.ptr[i] = '\0';
				break;
			}
		}
		th_buf_clear(&expanded);
		if ((rc = reqtxt__expand(c, &expanded, logical.ptr, logical.len)))
			break;
		{
			char *t = th_reqtxt_trimdup(c->a, expanded.ptr, expanded.len);
			if (!t)
				rc = th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
			else if (*t)
				rc = reqtxt__logical(c, t, what, constraint, depth, first);
		}
		th_buf_clear(&logical);
	}
	th_buf_release(&logical);
	th_buf_release(&expanded);
	return rc;
}

int th_reqtxt_parse(const char *text, size_t len, const char *what, const th_reqtxt_opts *o, th_reqtxt_fn fn,
		    void *ud, th_arena *a, th_error *err)
{
	static const th_reqtxt_opts none = { NULL, NULL, NULL };
	reqtxt__ctx c = { o ? o : &none, fn, ud, a, err, 0 };

	return reqtxt__file(&c, text, len, what, false, 0);
}
