#include "resolver/gate_lock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/name.h"
#include "core/requirement.h"
#include "core/specifier.h"
#include "extractors/lockfile.h"
#include "extractors/reqtxt.h"
#include "extractors/toml.h"

typedef struct lock__w {
	th_gate_lock *out;
	th_gate_locked *v;
	size_t cap;
	th_arena *a;
	th_error *err;
} lock__w;

static const char *lock__canon(th_arena *a, const char *name)
{
	char *c = th_arena_alloc(a, strlen(name) * 3 / 2 + 1);

	if (c)
		c[th_name_canon(c, name, strlen(name))] = '\0';
	return c;
}

static th_gate_locked *lock__push(lock__w *w, const char *name)
{
	th_gate_locked *l;

	if (w->out->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		th_gate_locked *nv = th_arena_alloc(w->a, cap * sizeof(*nv));
		if (!nv)
			return NULL;
		if (w->out->n)
			memcpy(nv, w->v, w->out->n * sizeof(*nv));
		w->v = nv;
		w->cap = cap;
		w->out->pkgs = nv;
	}
	l = &w->v[w->out->n];
	memset(l, 0, sizeof(*l));
	if (!(l->name = lock__canon(w->a, name)))
		return NULL;
	l->file = w->out->file;
	w->out->n++;
	return l;
}

const char *th_gate_lock_format(const char *b)
{
	size_t n = strlen(b);

	if (!strcmp(b, "uv.lock"))
		return "uv";
	if (!strcmp(b, "poetry.lock"))
		return "poetry";
	if (!strcmp(b, "Pipfile.lock"))
		return "pipfile";
	if (th_lockfile_is(b))
		return "pylock";
	if ((n > 4 && !strcmp(b + n - 4, ".txt")) || !strcmp(b, "requirements.lock"))
		return "requirements";
	return NULL;
}

/* ---- requirements pins ---- */

static int lock__reqline(void *ud, const th_reqtxt_line *rl)
{
	lock__w *w = ud;
	th_gate_locked *l;
	th_req q;
	const th_spec *c;
	size_t vlen;
	const char *vt;

	if (rl->constraint || rl->path_or_url || th_req_parse(&q, rl->req, strlen(rl->req), w->a, NULL))
		return 0;
	/* A pin is exactly one == clause without a wildcard. */
	if (th_specset_count(q.spec) != 1 || !(c = th_specset_clause(q.spec, 0)) || th_spec_operator(c) != TH_SPEC_EQ ||
	    th_spec_is_wildcard(c))
		return 0;
	vt = th_spec_version_text(c, &vlen);
	if (!(l = lock__push(w, q.name)) || !(l->version = th_arena_strndup(w->a, vt, vlen)))
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	l->line = rl->line;
	if (q.marker) {
		th_buf m = TH_BUF_INIT;
		int rc = th_marker_format(q.marker, &m, w->err);
		if (!rc && !(l->marker = th_arena_strdup(w->a, m.ptr)))
			rc = th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		th_buf_release(&m);
		return rc;
	}
	return 0;
}

/* ---- TOML locks ---- */

/* A file's name: its `name`, else the last segment of its url / path /
 * `file` (poetry). */
static const char *lock__filename(const th_toml *f)
{
	const char *s = th_toml_str(th_toml_get(f, "name")), *slash;

	if (!s)
		s = th_toml_str(th_toml_get(f, "file"));
	if (!s && !(s = th_toml_str(th_toml_get(f, "url"))))
		s = th_toml_str(th_toml_get(f, "path"));
	if (s && (slash = strrchr(s, '/')))
		s = slash + 1;
	return s;
}

static int lock__files(lock__w *w, th_gate_locked *l, const th_toml *wheels, const th_toml *sdist)
{
	const char **v;
	size_t n = wheels && wheels->type == TH_TOML_ARRAY ? wheels->n : 0;

	l->has_sdist = sdist != NULL;
	l->files_known = n > 0 || sdist;
	if (!n)
		return 0;
	if (!(v = th_arena_zalloc(w->a, n * sizeof(*v))))
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *name = lock__filename(wheels->vals[i]);
		size_t len = name ? strlen(name) : 0;
		if (len > 4 && !strcmp(name + len - 4, ".whl"))
			v[l->nwheels++] = name;
		else if (len)
			l->has_sdist = true; /* poetry lists sdists among its files */
	}
	l->wheels = v;
	return 0;
}

/* Requires-Python text when it is PEP 440 (poetry writes "*" and "^3.8"). */
static const char *lock__rp(th_arena *a, const char *s)
{
	th_specset *set;

	return s && strcmp(s, "*") && !th_specset_parse(&set, s, strlen(s), a, NULL) ? s : NULL;
}

static int lock__toml(lock__w *w, const char *format, const char *text, size_t len, const char *what,
                      const th_limits *lim)
{
	bool pylock = !strcmp(format, "pylock"), poetry = !strcmp(format, "poetry");
	const th_toml *pk;
	th_toml *t;
	int rc;

	if ((rc = th_toml_parse(&t, text, len, what, lim, w->a, w->err)))
		return rc;
	pk = th_toml_get(t, pylock ? "packages" : "package");
	if (pk && pk->type != TH_TOML_ARRAY)
		return th_error_set(w->err, TH_ERR_INVALID, "%s: '%s' is not an array of tables", what,
		                    pylock ? "packages" : "package");
	w->out->requires_python = lock__rp(w->a, th_toml_str(th_toml_get(t, "requires-python")));
	for (size_t i = 0; pk && i < pk->n; i++) {
		const th_toml *p = pk->vals[i], *src = th_toml_get(p, "source");
		const char *name = th_toml_str(th_toml_get(p, "name"));
		th_gate_locked *l;

		if (!name)
			return th_error_set(w->err, TH_ERR_INVALID, "%s:%u: a locked package without a name", what,
			                    p->line);
		/* uv.lock lists the project itself (editable, virtual, a directory). */
		if (src &&
		    (th_toml_get(src, "editable") || th_toml_get(src, "virtual") || th_toml_get(src, "directory")))
			continue;
		if (!(l = lock__push(w, name)))
			return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		l->line = p->line;
		l->version = th_toml_str(th_toml_get(p, "version"));
		l->marker = th_toml_str(th_toml_get(p, "marker"));
		l->requires_python =
		    lock__rp(w->a, th_toml_str(th_toml_get(p, poetry ? "python-versions" : "requires-python")));
		if (poetry)
			rc = lock__files(w, l, th_toml_get(p, "files"), NULL);
		else
			rc = lock__files(w, l, th_toml_get(p, "wheels"), th_toml_get(p, "sdist"));
		if (rc)
			return rc;
	}
	return 0;
}

static int lock__pipfile(void *ud, const th_locked *x)
{
	lock__w *w = ud;
	th_gate_locked *l = lock__push(w, x->name);

	if (!l || (x->version && !(l->version = th_arena_strdup(w->a, x->version))))
		return th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
	l->line = x->line;
	l->dev = x->dev;
	return 0;
}

int th_gate_lock_read(th_gate_lock *out, const char *basename, const char *text, size_t len, const char *what,
                      const th_limits *lim, th_arena *a, th_error *err)
{
	const char *format = th_gate_lock_format(basename);
	lock__w w = {out, NULL, 0, a, err};

	memset(out, 0, sizeof(*out));
	if (!format)
		return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: not a lock file thoth reads", what);
	if (!(out->file = th_arena_strdup(a, what)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	out->format = format;
	if (!strcmp(format, "requirements")) {
		/* Includes (-r) of a lock are not followed: a pin file stands alone. */
		th_reqtxt_opts ro = {NULL, NULL, NULL};
		return th_reqtxt_parse(text, len, out->file, &ro, lock__reqline, &w, a, err);
	}
	if (!strcmp(format, "pipfile"))
		return th_lockfile_read(basename, text, len, out->file, lock__pipfile, &w, lim, a, err);
	return lock__toml(&w, format, text, len, out->file, lim);
}

const char *th_gate_lock_find(const char *dir, th_arena *a)
{
	static const char *const names[] = {"pylock.toml",  "uv.lock",           "poetry.lock",
	                                    "Pipfile.lock", "requirements.lock", "requirements.txt"};
	th_buf p = TH_BUF_INIT;
	struct stat st;
	const char *found = NULL;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !found; i++) {
		th_buf_clear(&p);
		if (th_buf_printf(&p, NULL, "%s/%s", dir, names[i]))
			break;
		if (!stat(p.ptr, &st) && S_ISREG(st.st_mode))
			found = th_arena_strdup(a, names[i]);
	}
	th_buf_release(&p);
	return found;
}
