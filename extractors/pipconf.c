/* pipconf — pip's and uv's index settings, see pipconf.h. */
#include "extractors/pipconf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "extractors/toml.h"

/* ---- INI ---- */

/* What Python's str.strip() removes, for ASCII. */
static int pc__space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1f);
}

typedef struct pc__entry {
	const char *section, *key; /* key NULL: the section header itself */
	const char *value;
	uint32_t line;
} pc__entry;

typedef struct pc__ini {
	pc__entry *v;
	size_t n, cap;
	th_buf val;        /* the value being built (continuation lines) */
	int open;          /* a key is being built */
	const char *section, *key;
	uint32_t key_line;
	size_t blank;      /* blank lines since the value's last line: kept only if more follows */
} pc__ini;

static int pc__push(pc__ini *p, const char *section, const char *key, const char *value, uint32_t line, th_error *err)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 32;
		pc__entry *nv = realloc(p->v, nc * sizeof(*nv));
		if (!nv)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = (pc__entry){ section, key, value, line };
	return 0;
}

/* Ends the key being built. */
static int pc__close(pc__ini *p, th_arena *a, th_error *err)
{
	char *v;

	if (!p->open)
		return 0;
	p->open = 0;
	if (!(v = th_arena_strndup(a, p->val.ptr ? p->val.ptr : "", p->val.len)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return pc__push(p, p->section, p->key, v, p->key_line, err);
}

/* Orders entries by (section, key, line) to find the ones given twice. */
static int pc__entry_cmp(const void *x, const void *y)
{
	const pc__entry *a = *(const pc__entry *const *)x, *b = *(const pc__entry *const *)y;
	int c = strcmp(a->section, b->section);
	if (c)
		return c;
	if (!a->key || !b->key) {
		if (a->key || b->key)
			return a->key ? 1 : -1;
	} else if ((c = strcmp(a->key, b->key))) {
		return c;
	}
	return (a->line > b->line) - (a->line < b->line);
}

/* configparser (strict) refuses a section or a key given twice in one file:
 * so does this, naming the first repeat in the file. Sorting keeps a hostile
 * file of millions of keys from costing quadratic time. */
static int pc__duplicates(const pc__ini *p, const char *what, th_error *err)
{
	const pc__entry **s;
	const pc__entry *worst = NULL;

	if (p->n < 2)
		return 0;
	if (!(s = malloc(p->n * sizeof(*s))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++)
		s[i] = &p->v[i];
	qsort(s, p->n, sizeof(*s), pc__entry_cmp);
	for (size_t i = 1; i < p->n; i++) {
		int same = !strcmp(s[i]->section, s[i - 1]->section) &&
			   ((!s[i]->key && !s[i - 1]->key) ||
			    (s[i]->key && s[i - 1]->key && !strcmp(s[i]->key, s[i - 1]->key)));
		if (same && (!worst || s[i]->line < worst->line))
			worst = s[i];
	}
	free(s);
	if (!worst)
		return 0;
	if (worst->key)
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: key '%s' given twice in section [%s]", what, worst->line,
				    worst->key, worst->section);
	return th_error_set(err, TH_ERR_INVALID, "%s:%u: section [%s] given twice", what, worst->line, worst->section);
}

/* A "[name]" line (name: between '[' and the last ']'): opens a section.
 * Returns 1 when the line was one, 0 when not, <0 on error. */
static int pc__section(pc__ini *p, const char *b, const char *e, uint32_t lineno, th_arena *a, th_error *err)
{
	const char *close = NULL;
	char *name;
	int rc;

	if (*b != '[')
		return 0;
	for (const char *q = e - 1; q > b + 1 && !close; q--)
		if (*q == ']')
			close = q;
	if (!close)
		return 0;
	if (!(name = th_arena_strndup(a, b + 1, (size_t)(close - (b + 1)))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	p->section = name;
	return (rc = pc__push(p, name, NULL, NULL, lineno, err)) ? rc : 1;
}

/* A "key = value" / "key: value" line (the first '=' or ':' splits it):
 * opens a value that continuation lines may extend. */
static int pc__key(pc__ini *p, const char *b, const char *e, const char *what, uint32_t lineno, th_arena *a,
		   th_error *err)
{
	const char *d = b, *ke, *vb;
	char *key;

	if (!p->section)
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: a key before any [section]", what, lineno);
	while (d < e && *d != '=' && *d != ':')
		d++;
	if (d == e)
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: neither a [section] nor a key = value line", what, lineno);
	for (ke = d; ke > b && pc__space((unsigned char)ke[-1]); ke--)
		;
	if (ke == b)
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: a value without a key", what, lineno);
	if (!(key = th_arena_strndup(a, b, (size_t)(ke - b))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (char *k = key; *k; k++)
		if (*k >= 'A' && *k <= 'Z')
			*k = (char)(*k - 'A' + 'a'); /* configparser's optionxform */
	for (vb = d + 1; vb < e && pc__space((unsigned char)*vb); vb++)
		;
	th_buf_clear(&p->val);
	p->open = 1;
	p->key = key;
	p->key_line = lineno;
	p->blank = 0;
	return th_buf_put(&p->val, vb, (size_t)(e - vb), err);
}

/* Extends the open value with a continuation line (and the blank lines
 * before it, which configparser keeps inside a value). */
static int pc__continue(pc__ini *p, const char *b, const char *e, th_error *err)
{
	int rc;

	for (; p->blank; p->blank--)
		if ((rc = th_buf_putc(&p->val, '\n', err)))
			return rc;
	if ((rc = th_buf_putc(&p->val, '\n', err)))
		return rc;
	return th_buf_put(&p->val, b, (size_t)(e - b), err);
}

int th_pipconf_ini_parse(const char *data, size_t len, const char *what, th_pipconf_ini_fn fn, void *ud, th_arena *a,
			 th_error *err)
{
	pc__ini p;
	size_t pos = 0, key_indent = 0;
	uint32_t lineno = 0;
	const char *nul = memchr(data, '\0', len);
	int rc = 0;

	if (nul) {
		uint32_t l = 1;
		for (const char *q = data; q < nul; q++)
			l += *q == '\n';
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: a NUL byte", what, l);
	}
	memset(&p, 0, sizeof(p));
	th_buf_init(&p.val, 0);
	while (pos < len && !rc) {
		size_t end = pos, start = pos, b, e;
		while (end < len && data[end] != '\n' && data[end] != '\r')
			end++;
		pos = end < len ? end + 1 + (data[end] == '\r' && end + 1 < len && data[end + 1] == '\n') : end;
		lineno++;
		for (b = start; b < end && pc__space((unsigned char)data[b]); b++)
			;
		for (e = end; e > b && pc__space((unsigned char)data[e - 1]); e--)
			;
		if (b < e && (data[b] == '#' || data[b] == ';'))
			continue; /* a comment line: no effect on a value being built */
		if (b == e) {
			p.blank += p.open;
			continue;
		}
		/* configparser: a line indented deeper than its key's line
		 * continues the value. */
		if (p.open && b - start > key_indent) {
			rc = pc__continue(&p, data + b, data + e, err);
			continue;
		}
		if ((rc = pc__close(&p, a, err)))
			break;
		p.blank = 0;
		key_indent = b - start;
		if ((rc = pc__section(&p, data + b, data + e, lineno, a, err)) == 0)
			rc = pc__key(&p, data + b, data + e, what, lineno, a, err);
		else if (rc > 0)
			rc = 0;
	}
	if (!rc)
		rc = pc__close(&p, a, err);
	if (!rc)
		rc = pc__duplicates(&p, what, err);
	for (size_t i = 0; !rc && i < p.n; i++)
		rc = fn(ud, p.v[i].section, p.v[i].key, p.v[i].value, p.v[i].line);
	free(p.v);
	th_buf_release(&p.val);
	return rc;
}

/* ---- pip ---- */

/* pip's own spelling of a key: lower case, '_' as '-', no leading "--". */
static void pc__pip_key(char *out, size_t cap, const char *key)
{
	size_t n = 0;
	if (!strncmp(key, "--", 2))
		key += 2;
	for (; *key && n + 1 < cap; key++)
		out[n++] = *key == '_' ? '-' : *key;
	out[n] = '\0';
}

typedef struct pc__pipfile {
	const char *what;
	/* [0] DEFAULT, [1] global, [2] install: index-url, extra-index-url, no-index */
	const char *v[3][3];
	int has_section[3];
} pc__pipfile;

static int pc__pip_on(void *ud, const char *section, const char *key, const char *value, uint32_t line)
{
	pc__pipfile *f = ud;
	static const char *const keys[3] = { "index-url", "extra-index-url", "no-index" };
	char k[64];
	int s;

	(void)line;
	if (!strcmp(section, "DEFAULT"))
		s = 0;
	else if (!strcmp(section, "global"))
		s = 1;
	else if (!strcmp(section, "install"))
		s = 2;
	else
		return 0;
	f->has_section[s] = 1;
	if (!key)
		return 0;
	pc__pip_key(k, sizeof(k), key);
	for (int i = 0; i < 3; i++)
		if (!strcmp(k, keys[i]))
			f->v[s][i] = value;
	return 0;
}

int th_pipconf_pip_file(th_pipconf_pip *st, const char *data, size_t len, const char *what, th_arena *a,
			th_error *err)
{
	pc__pipfile f;
	const char *origin;
	int rc;

	memset(&f, 0, sizeof(f));
	f.what = what;
	if ((rc = th_pipconf_ini_parse(data, len, what, pc__pip_on, &f, a, err)))
		return rc;
	if (!(origin = th_arena_strdup(a, what)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	/* configparser shows [DEFAULT]'s keys in every section the file has. */
	for (int s = 1; s < 3; s++) {
		const char **dst[3] = { s == 1 ? &st->index_url : &st->i_index_url, s == 1 ? &st->extra : &st->i_extra,
					s == 1 ? &st->no_index : &st->i_no_index };
		const char **org[2] = { s == 1 ? &st->index_url_origin : &st->i_index_url_origin,
					s == 1 ? &st->extra_origin : &st->i_extra_origin };
		if (!f.has_section[s])
			continue;
		for (int i = 0; i < 3; i++) {
			const char *v = f.v[s][i] ? f.v[s][i] : f.v[0][i];
			if (!v)
				continue;
			*dst[i] = v;
			if (i < 2)
				*org[i] = origin;
		}
	}
	return 0;
}

/* ---- uv ---- */

static int pc__uv_add(th_pipconf_index **v, size_t *n, size_t *cap, const th_pipconf_index *x, th_arena *a,
		      th_error *err)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		th_pipconf_index *nv = th_arena_alloc(a, nc * sizeof(*nv));
		if (!nv)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *x;
	return 0;
}

/* A uv index location: a URL as is; a path made absolute against the
 * configuration file's directory. */
static const char *pc__uv_url(const char *url, const char *dir, th_arena *a)
{
	size_t n;
	char *out;

	if (strstr(url, "://") || url[0] == '/' || !dir)
		return url;
	n = strlen(dir) + strlen(url) + 2;
	if (!(out = th_arena_alloc(a, n)))
		return NULL;
	snprintf(out, n, "%s/%s", dir, url);
	return out;
}

static int pc__uv_type(const th_toml *v, th_toml_type t, const char *what, const char *key, th_error *err)
{
	static const char *const names[] = { "a table", "an array", "a string", "an integer", "a float", "a boolean",
					     "a date" };
	if (v->type == t)
		return 0;
	return th_error_set(err, TH_ERR_INVALID, "%s:%u: %s must be %s", what, v->line, key, names[t]);
}

int th_pipconf_uv_file(th_pipconf_uv *st, const char *data, size_t len, const char *what, const char *dir,
		       int pyproject, const th_limits *lim, th_arena *a, th_error *err)
{
	th_toml *root;
	const th_toml *t, *v;
	const char *origin;
	int rc;

	if ((rc = th_toml_parse(&root, data, len, what, lim, a, err)))
		return rc;
	t = pyproject ? th_toml_path(root, "tool.uv") : root;
	if (!t)
		return 0;
	if (!(origin = th_arena_strdup(a, what)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	if ((v = th_toml_get(t, "index"))) {
		if ((rc = pc__uv_type(v, TH_TOML_ARRAY, what, "index", err)))
			return rc;
		for (size_t i = 0; i < v->n; i++) {
			const th_toml *e = v->vals[i], *u, *nm, *df, *ex;
			th_pipconf_index x = { NULL, NULL, 0, 0, origin };
			if ((rc = pc__uv_type(e, TH_TOML_TABLE, what, "an index entry", err)))
				return rc;
			if (!(u = th_toml_get(e, "url")))
				return th_error_set(err, TH_ERR_INVALID, "%s:%u: an index without a url", what, e->line);
			if ((rc = pc__uv_type(u, TH_TOML_STRING, what, "url", err)) ||
			    ((nm = th_toml_get(e, "name")) && (rc = pc__uv_type(nm, TH_TOML_STRING, what, "name", err))) ||
			    ((df = th_toml_get(e, "default")) && (rc = pc__uv_type(df, TH_TOML_BOOL, what, "default", err))) ||
			    ((ex = th_toml_get(e, "explicit")) && (rc = pc__uv_type(ex, TH_TOML_BOOL, what, "explicit", err))))
				return rc;
			if (strlen(u->str) != u->len || (nm && strlen(nm->str) != nm->len))
				return th_error_set(err, TH_ERR_INVALID, "%s:%u: a NUL character in an index", what, e->line);
			x.name = nm ? nm->str : NULL;
			x.is_default = df && df->b;
			x.explicit_only = ex && ex->b;
			if (!(x.url = pc__uv_url(u->str, dir, a)) || (rc = pc__uv_add(&st->idx, &st->n, &st->cap, &x, a, err)))
				return rc ? rc : th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
	}
	if ((v = th_toml_get(t, "index-url"))) {
		if ((rc = pc__uv_type(v, TH_TOML_STRING, what, "index-url", err)))
			return rc;
		if (!st->index_url) {
			if (!(st->index_url = pc__uv_url(v->str, dir, a)))
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			st->index_url_origin = origin;
		}
	}
	if ((v = th_toml_get(t, "extra-index-url"))) {
		if ((rc = pc__uv_type(v, TH_TOML_ARRAY, what, "extra-index-url", err)))
			return rc;
		for (size_t i = 0; i < v->n; i++) {
			th_pipconf_index x = { NULL, NULL, 0, 0, origin };
			if ((rc = pc__uv_type(v->vals[i], TH_TOML_STRING, what, "an extra-index-url", err)))
				return rc;
			if (!(x.url = pc__uv_url(v->vals[i]->str, dir, a)) ||
			    (rc = pc__uv_add(&st->extra, &st->nextra, &st->capextra, &x, a, err)))
				return rc ? rc : th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
	}
	if ((v = th_toml_get(t, "no-index"))) {
		if ((rc = pc__uv_type(v, TH_TOML_BOOL, what, "no-index", err)))
			return rc;
		if (!st->no_index_set) {
			st->no_index = v->b;
			st->no_index_set = 1;
		}
	}
	return 0;
}

/* ---- the environment ---- */

void th_pipconf_env_from_process(th_pipconf_env *out)
{
	out->home = getenv("HOME");
	out->xdg_config_home = getenv("XDG_CONFIG_HOME");
	out->xdg_config_dirs = getenv("XDG_CONFIG_DIRS");
	out->virtual_env = getenv("VIRTUAL_ENV");
	out->sysconfdir = getenv("THOTH_SYSCONFDIR");
	out->pip_config_file = getenv("PIP_CONFIG_FILE");
	out->pip_index_url = getenv("PIP_INDEX_URL");
	out->pip_extra_index_url = getenv("PIP_EXTRA_INDEX_URL");
	out->pip_no_index = getenv("PIP_NO_INDEX");
	out->uv_config_file = getenv("UV_CONFIG_FILE");
	out->uv_no_config = getenv("UV_NO_CONFIG");
	out->uv_index = getenv("UV_INDEX");
	out->uv_default_index = getenv("UV_DEFAULT_INDEX");
	out->uv_index_url = getenv("UV_INDEX_URL");
	out->uv_extra_index_url = getenv("UV_EXTRA_INDEX_URL");
	out->uv_no_index = getenv("UV_NO_INDEX");
}

/* ---- finding and merging ---- */

static int pc__set(const char *v)
{
	return v && *v;
}

/* pip's and uv's reading of a boolean setting (strtobool); -1 when it is
 * neither. */
static int pc__bool(const char *v)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" }, *const no[] = { "n", "no", "f", "false",
												"off", "0" };
	char low[8];
	size_t n = strlen(v);

	if (n >= sizeof(low))
		return -1;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(low, yes[i]))
			return 1;
		if (!strcmp(low, no[i]))
			return 0;
	}
	return -1;
}

/* Reads a configuration file; *out_found = 0 when it does not exist. */
static int pc__read(th_buf *out, int *found, const char *path, const th_limits *lim, th_error *err)
{
	FILE *f;
	char chunk[8192];
	size_t n;
	struct stat st;
	int rc = 0;

	*found = 0;
	th_buf_clear(out);
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return th_error_set(err, TH_ERR_IO, "%s: a directory, not a configuration file", path);
	if (!(f = fopen(path, "rb")))
		return th_error_set(err, TH_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	*found = 1;
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > lim->file_bytes)
			rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than the limit of %llu bytes (file_bytes)", path,
					  (unsigned long long)lim->file_bytes);
		else
			rc = th_buf_put(out, chunk, n, err);
	}
	if (!rc && ferror(f))
		rc = th_error_set(err, TH_ERR_IO, "%s: read error", path);
	fclose(f);
	return rc;
}

/* Joins path parts into an arena string. */
static const char *pc__path(th_arena *a, const char *x, const char *y)
{
	size_t n = strlen(x) + strlen(y) + 2;
	char *p = th_arena_alloc(a, n);
	if (p)
		snprintf(p, n, "%s/%s", x, y);
	return p;
}

/* The user's configuration directory: $XDG_CONFIG_HOME, else ~/.config. */
static const char *pc__config_home(const th_pipconf_env *env, th_arena *a)
{
	if (pc__set(env->xdg_config_home))
		return env->xdg_config_home;
	return pc__set(env->home) ? pc__path(a, env->home, ".config") : NULL;
}

/* Each directory of $XDG_CONFIG_DIRS (default SYSCONFDIR/xdg) joined with
 * `leaf`, handed to fn in order. */
static int pc__each_xdg_dir(const th_pipconf_env *env, const char *etc, const char *leaf, th_arena *a,
			    int (*fn)(void *ud, const char *path), void *ud, th_error *err)
{
	const char *dirs = pc__set(env->xdg_config_dirs) ? env->xdg_config_dirs : NULL;
	int rc;

	if (!dirs) {
		const char *p = pc__path(a, etc, "xdg");
		return p && (p = pc__path(a, p, leaf)) ? fn(ud, p) : th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	while (*dirs) {
		size_t l = strcspn(dirs, ":");
		if (l) {
			char *d = th_arena_strndup(a, dirs, l);
			const char *p = d ? pc__path(a, d, leaf) : NULL;
			if (!p)
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
			if ((rc = fn(ud, p)))
				return rc;
		}
		dirs += l + (dirs[l] == ':');
	}
	return 0;
}

typedef struct pc__load {
	th_pipconf_pip pip;
	th_pipconf_uv uv;
	const th_limits *lim;
	th_arena *a;
	th_error *err;
	th_buf data;
	int uv_system_found;
} pc__load;

static int pc__pip_path(void *ud, const char *path)
{
	pc__load *l = ud;
	int found, rc;

	if ((rc = pc__read(&l->data, &found, path, l->lim, l->err)) || !found)
		return rc;
	return th_pipconf_pip_file(&l->pip, l->data.ptr ? l->data.ptr : "", l->data.len, path, l->a, l->err);
}

static const char *pc__dirname(th_arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ".";
	return th_arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path));
}

/* Reads one uv file; *found tells whether it was there. */
static int pc__uv_read(pc__load *l, const char *path, int pyproject, int *found)
{
	int rc;
	const char *dir;

	if ((rc = pc__read(&l->data, found, path, l->lim, l->err)) || !*found)
		return rc;
	if (!(dir = pc__dirname(l->a, path)))
		return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
	{
		/* Relative index paths then name the same place from anywhere. */
		char real[PATH_MAX];
		if (realpath(dir, real) && !(dir = th_arena_strdup(l->a, real)))
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
	}
	return th_pipconf_uv_file(&l->uv, l->data.ptr ? l->data.ptr : "", l->data.len, path, dir, pyproject, l->lim,
				  l->a, l->err);
}

static int pc__uv_system(void *ud, const char *path)
{
	pc__load *l = ud;
	int found = 0, rc;

	if (l->uv_system_found)
		return 0; /* uv reads the first system file it finds */
	rc = pc__uv_read(l, path, 0, &found);
	l->uv_system_found = found;
	return rc;
}

/* "name=url" or "url" (UV_INDEX, UV_DEFAULT_INDEX): a prefix is a name only
 * when it is one (letters, digits, '-', '_', '.'), so a URL's own '=' stays. */
static int pc__uv_env_entry(th_pipconf_index *x, const char *s, size_t len, const char *origin, th_arena *a)
{
	size_t eq = 0;

	memset(x, 0, sizeof(*x));
	x->origin = origin;
	while (eq < len && s[eq] != '=' &&
	       ((s[eq] >= 'a' && s[eq] <= 'z') || (s[eq] >= 'A' && s[eq] <= 'Z') || (s[eq] >= '0' && s[eq] <= '9') ||
		s[eq] == '-' || s[eq] == '_' || s[eq] == '.'))
		eq++;
	if (eq > 0 && eq < len && s[eq] == '=') {
		if (!(x->name = th_arena_strndup(a, s, eq)))
			return TH_ERR_NOMEM;
		s += eq + 1;
		len -= eq + 1;
	}
	return (x->url = th_arena_strndup(a, s, len)) ? 0 : TH_ERR_NOMEM;
}

/* Appends each whitespace-separated entry of v. */
static int pc__each_word(th_pipconf_index **v, size_t *n, size_t *cap, const char *s, const char *origin, int named,
			 th_arena *a, th_error *err)
{
	int rc;

	while (s && *s) {
		size_t l;
		th_pipconf_index x;
		while (*s && pc__space((unsigned char)*s))
			s++;
		for (l = 0; s[l] && !pc__space((unsigned char)s[l]); l++)
			;
		if (!l)
			break;
		if (named) {
			if (pc__uv_env_entry(&x, s, l, origin, a))
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		} else {
			memset(&x, 0, sizeof(x));
			x.origin = origin;
			if (!(x.url = th_arena_strndup(a, s, l)))
				return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
		if ((rc = pc__uv_add(v, n, cap, &x, a, err)))
			return rc;
		s += l;
	}
	return 0;
}

/* Appends x unless its URL is there already (an index listed twice keeps its
 * best place). */
static int pc__out_add(th_pipconf *out, size_t *cap, const th_pipconf_index *x, th_arena *a, th_error *err)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->idx[i].url, x->url))
			return 0;
	return pc__uv_add(&out->idx, &out->n, cap, x, a, err);
}

static int pc__uv_result(pc__load *l, const th_pipconf_env *env, th_pipconf *out)
{
	th_pipconf_index *cli = NULL, def;
	size_t ncli = 0, capcli = 0, cap = 0;
	const th_pipconf_index *chosen = NULL;
	int rc;

	if ((rc = pc__each_word(&cli, &ncli, &capcli, env->uv_index, "UV_INDEX", 1, l->a, l->err)) ||
	    (rc = pc__each_word(&cli, &ncli, &capcli, env->uv_extra_index_url, "UV_EXTRA_INDEX_URL", 0, l->a, l->err)))
		return rc;
	/* The default index: the environment's, else the first default table,
	 * else index-url. */
	if (pc__set(env->uv_default_index)) {
		if (pc__uv_env_entry(&def, env->uv_default_index, strlen(env->uv_default_index), "UV_DEFAULT_INDEX", l->a))
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		chosen = &def;
	} else if (pc__set(env->uv_index_url)) {
		memset(&def, 0, sizeof(def));
		def.url = env->uv_index_url;
		def.origin = "UV_INDEX_URL";
		chosen = &def;
	}
	for (size_t i = 0; !chosen && i < l->uv.n; i++)
		if (l->uv.idx[i].is_default)
			chosen = &l->uv.idx[i];
	if (!chosen && l->uv.index_url) {
		memset(&def, 0, sizeof(def));
		def.url = l->uv.index_url;
		def.origin = l->uv.index_url_origin;
		chosen = &def;
	}
	if (!ncli && !l->uv.n && !l->uv.nextra && !chosen && !l->uv.no_index_set && !pc__set(env->uv_no_index))
		return 0;
	out->tool = TH_PIPCONF_UV;
	if (pc__set(env->uv_no_index) ? pc__bool(env->uv_no_index) == 1 : l->uv.no_index) {
		out->no_index = 1;
		return 0;
	}
	for (size_t i = 0; i < ncli; i++)
		if ((rc = pc__out_add(out, &cap, &cli[i], l->a, l->err)))
			return rc;
	for (size_t i = 0; i < l->uv.n; i++)
		if (!l->uv.idx[i].is_default && (rc = pc__out_add(out, &cap, &l->uv.idx[i], l->a, l->err)))
			return rc;
	for (size_t i = 0; i < l->uv.nextra; i++)
		if ((rc = pc__out_add(out, &cap, &l->uv.extra[i], l->a, l->err)))
			return rc;
	if (chosen) {
		th_pipconf_index d = *chosen;
		d.is_default = 1;
		/* Listed earlier too: it keeps that better place. */
		if ((rc = pc__out_add(out, &cap, &d, l->a, l->err)))
			return rc;
	}
	return 0;
}

/* A later setting overrides an earlier one, with where it came from. */
static void pc__over(const char **v, const char **origin, const char *nv, const char *norigin)
{
	if (nv) {
		*v = nv;
		*origin = norigin;
	}
}

static int pc__pip_result(pc__load *l, const th_pipconf_env *env, th_pipconf *out)
{
	const char *url = NULL, *url_origin = NULL, *extra = NULL, *extra_origin = NULL, *noidx = NULL;
	const char *noidx_origin = NULL;
	th_pipconf_index x;
	size_t cap = 0;
	int rc, b;

	/* [global], then [install] over it, then the environment over both. */
	pc__over(&url, &url_origin, l->pip.index_url, l->pip.index_url_origin);
	pc__over(&url, &url_origin, l->pip.i_index_url, l->pip.i_index_url_origin);
	pc__over(&url, &url_origin, pc__set(env->pip_index_url) ? env->pip_index_url : NULL, "PIP_INDEX_URL");
	pc__over(&extra, &extra_origin, l->pip.extra, l->pip.extra_origin);
	pc__over(&extra, &extra_origin, l->pip.i_extra, l->pip.i_extra_origin);
	pc__over(&extra, &extra_origin, pc__set(env->pip_extra_index_url) ? env->pip_extra_index_url : NULL,
		 "PIP_EXTRA_INDEX_URL");
	pc__over(&noidx, &noidx_origin, l->pip.no_index, "no-index in pip.conf");
	pc__over(&noidx, &noidx_origin, l->pip.i_no_index, "no-index in pip.conf");
	pc__over(&noidx, &noidx_origin, pc__set(env->pip_no_index) ? env->pip_no_index : NULL, "PIP_NO_INDEX");
	url = url && *url ? url : NULL;
	if (!url && !(extra && *extra) && !noidx)
		return 0;
	out->tool = TH_PIPCONF_PIP;
	if (noidx) {
		char *t = th_arena_strdup(l->a, noidx), *e;
		if (!t)
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		while (*t && pc__space((unsigned char)*t))
			t++;
		for (e = t + strlen(t); e > t && pc__space((unsigned char)e[-1]); e--)
			;
		*e = '\0';
		if ((b = pc__bool(t)) < 0)
			return th_error_set(l->err, TH_ERR_INVALID, "%s: '%s' is not a boolean", noidx_origin, noidx);
		if (b) {
			out->no_index = 1;
			return 0;
		}
	}
	if (url) {
		/* index-url is one URL; configparser kept surrounding space off. */
		memset(&x, 0, sizeof(x));
		x.url = url;
		x.is_default = 1;
		x.origin = url_origin;
		if ((rc = pc__out_add(out, &cap, &x, l->a, l->err)))
			return rc;
	}
	if (extra) {
		th_pipconf_index *v = NULL;
		size_t n = 0, vcap = 0;
		if ((rc = pc__each_word(&v, &n, &vcap, extra, extra_origin, 0, l->a, l->err)))
			return rc;
		for (size_t i = 0; i < n; i++)
			if ((rc = pc__out_add(out, &cap, &v[i], l->a, l->err)))
				return rc;
	}
	return 0;
}

static int pc__load_uv(pc__load *l, const th_pipconf_env *env, const char *project_dir, const char *etc)
{
	int found = 0, rc;
	const char *p, *home;

	if (pc__set(env->uv_no_config) && pc__bool(env->uv_no_config) != 0)
		return 0;
	if (pc__set(env->uv_config_file)) {
		if ((rc = pc__uv_read(l, env->uv_config_file, 0, &found)))
			return rc;
		if (!found)
			return th_error_set(l->err, TH_ERR_IO, "%s (UV_CONFIG_FILE): no such file", env->uv_config_file);
		return 0;
	}
	if (project_dir) {
		if (!(p = pc__path(l->a, project_dir, "uv.toml")))
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		if ((rc = pc__uv_read(l, p, 0, &found)))
			return rc;
		if (!found) {
			if (!(p = pc__path(l->a, project_dir, "pyproject.toml")))
				return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
			if ((rc = pc__uv_read(l, p, 1, &found)))
				return rc;
		}
	}
	if ((home = pc__config_home(env, l->a))) {
		if (!(p = pc__path(l->a, home, "uv/uv.toml")))
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		if ((rc = pc__uv_read(l, p, 0, &found)))
			return rc;
	}
	if ((rc = pc__each_xdg_dir(env, etc, "uv/uv.toml", l->a, pc__uv_system, l, l->err)))
		return rc;
	if (!l->uv_system_found) {
		if (!(p = pc__path(l->a, etc, "uv/uv.toml")))
			return th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		return pc__uv_read(l, p, 0, &found);
	}
	return 0;
}

static int pc__load_pip(pc__load *l, const th_pipconf_env *env, const char *etc)
{
	const char *cf = pc__set(env->pip_config_file) ? env->pip_config_file : NULL, *p, *home;
	struct stat st;
	int rc;

	if (cf && !strcmp(cf, "/dev/null"))
		return 0; /* pip's way of saying: no configuration files */
	if ((rc = pc__each_xdg_dir(env, etc, "pip/pip.conf", l->a, pc__pip_path, l, l->err)))
		return rc;
	if (!(p = pc__path(l->a, etc, "pip.conf")) || (rc = pc__pip_path(l, p)))
		return p ? rc : th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
	if (!(cf && stat(cf, &st) == 0)) {
		if (pc__set(env->home) && (!(p = pc__path(l->a, env->home, ".pip/pip.conf")) || (rc = pc__pip_path(l, p))))
			return p ? rc : th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
		if ((home = pc__config_home(env, l->a)) &&
		    (!(p = pc__path(l->a, home, "pip/pip.conf")) || (rc = pc__pip_path(l, p))))
			return p ? rc : th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
	}
	if (pc__set(env->virtual_env) &&
	    (!(p = pc__path(l->a, env->virtual_env, "pip.conf")) || (rc = pc__pip_path(l, p))))
		return p ? rc : th_error_set(l->err, TH_ERR_NOMEM, "out of memory");
	return cf ? pc__pip_path(l, cf) : 0;
}

int th_pipconf_load(th_pipconf *out, const th_pipconf_env *env, const char *project_dir, const th_limits *lim,
		    th_arena *a, th_error *err)
{
	pc__load l;
	const char *etc = pc__set(env->sysconfdir) ? env->sysconfdir : "/etc";
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	l.lim = lim;
	l.a = a;
	l.err = err;
	th_buf_init(&l.data, 0);
	if (!(rc = pc__load_uv(&l, env, project_dir, etc)) && !(rc = pc__uv_result(&l, env, out)) &&
	    out->tool == TH_PIPCONF_NONE && !(rc = pc__load_pip(&l, env, etc)))
		rc = pc__pip_result(&l, env, out);
	th_buf_release(&l.data);
	return rc;
}
