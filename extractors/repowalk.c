#include "extractors/repowalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

static const char *const repowalk__skip_dirs[] = {
	".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".eggs", "node_modules",
	".mypy_cache", ".pytest_cache", ".ruff_cache", ".pytype", ".ipynb_checkpoints", ".idea", ".vscode",
};

int th_repowalk_kind(const char *name)
{
	size_t n = strlen(name);

	if ((n > 3 && !strcmp(name + n - 3, ".py")) || (n > 4 && !strcmp(name + n - 4, ".pyi")))
		return TH_REPOFILE_PYTHON;
	if (n > 6 && !strcmp(name + n - 6, ".ipynb"))
		return TH_REPOFILE_NOTEBOOK;
	if ((!strncmp(name, "requirements", 12) && (n > 4 && (!strcmp(name + n - 4, ".txt") || !strcmp(name + n - 3, ".in")))) ||
	    !strcmp(name, "pyproject.toml") || !strcmp(name, "setup.cfg") || !strcmp(name, "Pipfile") ||
	    !strcmp(name, "Pipfile.lock") || !strcmp(name, "poetry.lock") || !strcmp(name, "uv.lock") ||
	    !strcmp(name, "pylock.toml") || (!strncmp(name, "pylock.", 7) && n > 5 && !strcmp(name + n - 5, ".toml")))
		return TH_REPOFILE_MANIFEST;
	return -1;
}

/* ---- .gitignore ---- */

typedef struct repowalk__rule {
	char *pattern;  /* owned; without '!' and the trailing '/' */
	size_t base;    /* length of the directory (relative to the root) holding the .gitignore */
	bool negate, dir_only, anchored;
} repowalk__rule;

typedef struct repowalk__walk {
	const th_repowalk_opts *opts;
	const th_limits *lim;
	th_repowalk_fn fn;
	void *ud;
	th_error *err;
	const char *root;
	repowalk__rule *rules;
	size_t nrules, caprules;
	uint64_t files;
} repowalk__walk;

/* Matches `pat` against `path` where '*' never crosses '/', and "**" does. */
static bool repowalk__glob(const char *pat, const char *path)
{
	if (!strncmp(pat, "**/", 3)) {
		/* Any number of leading directories, zero included. */
		for (const char *p = path;; p++) {
			if ((p == path || p[-1] == '/') && repowalk__glob(pat + 3, p))
				return true;
			if (!*p)
				return false;
		}
	}
	{
		const char *dd = strstr(pat, "/**");
		if (dd && (dd[3] == '\0' || dd[3] == '/')) {
			/* "a/" + "**" is everything under a; with "/b" after it, b at any depth under a. */
			char head[4096];
			size_t hl = (size_t)(dd - pat);

			if (hl >= sizeof(head))
				return false;
			memcpy(head, pat, hl);
			head[hl] = '\0';
			for (const char *p = path; *p; p++) {
				if (*p != '/')
					continue;
				char prefix[4096];
				size_t pl = (size_t)(p - path);
				if (pl >= sizeof(prefix))
					return false;
				memcpy(prefix, path, pl);
				prefix[pl] = '\0';
				if (fnmatch(head, prefix, FNM_PATHNAME | FNM_PERIOD) == 0) {
					if (dd[3] == '\0')
						return true;
					if (repowalk__glob(dd + 1, p + 1))
						return true;
				}
			}
			return false;
		}
	}
	return fnmatch(pat, path, FNM_PATHNAME) == 0;
}

bool th_repowalk_ignore_match(const char *pattern, const char *relpath, bool is_dir)
{
	const char *base = strrchr(relpath, '/');
	size_t n = strlen(pattern);
	char pat[4096];
	bool anchored;

	if (n == 0 || n >= sizeof(pat))
		return false;
	memcpy(pat, pattern, n + 1);
	if (pat[n - 1] == '/') {
		if (!is_dir)
			return false;
		pat[--n] = '\0';
	}
	anchored = strchr(pat, '/') != NULL;
	if (!anchored)
		return fnmatch(pat, base ? base + 1 : relpath, 0) == 0;
	return repowalk__glob(pat[0] == '/' ? pat + 1 : pat, relpath);
}

static int repowalk__load_gitignore(repowalk__walk *w, int dirfd, size_t base)
{
	char line[4096];
	FILE *f;
	int fd, rc = 0;

	fd = openat(dirfd, ".gitignore", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\r\n");
		repowalk__rule *r;
		char *p = line;

		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ' && (n < 2 || line[n - 2] != '\\'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (w->nrules == w->caprules) {
			size_t cap = w->caprules ? w->caprules * 2 : 32;
			repowalk__rule *nr = realloc(w->rules, cap * sizeof(*nr));
			if (!nr) {
				rc = th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
				break;
			}
			w->rules = nr;
			w->caprules = cap;
		}
		r = &w->rules[w->nrules];
		memset(r, 0, sizeof(*r));
		if (*p == '!') {
			r->negate = true;
			p++;
		} else if (*p == '\\') {
			p++;
		}
		if (!*p || !(r->pattern = strdup(p))) {
			if (*p)
				rc = th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
			if (rc)
				break;
			continue;
		}
		r->base = base;
		w->nrules++;
	}
	fclose(f);
	return rc;
}

/* The last matching rule decides, as in git. */
static bool repowalk__ignored(const repowalk__walk *w, const char *rel, bool is_dir)
{
	bool ignored = false;

	for (size_t i = 0; i < w->nrules; i++) {
		const repowalk__rule *r = &w->rules[i];
		const char *sub = rel;

		/* Rules are dropped when the walk leaves their directory, so rel
		 * is always inside it. */
		if (r->base)
			sub = rel + r->base + 1;
		if (th_repowalk_ignore_match(r->pattern, sub, is_dir))
			ignored = !r->negate;
	}
	return ignored;
}

bool th_repowalk_excluded(const th_repowalk_opts *o, const char *rel, const char *name)
{
	for (size_t i = 0; i < o->nexclude; i++) {
		const char *g = o->exclude[i];
		if (fnmatch(g, rel, 0) == 0 || fnmatch(g, name, 0) == 0)
			return true;
		/* A glob ending in "/" excludes what is under that directory too. */
		size_t gl = strlen(g);
		if (gl > 1 && g[gl - 1] == '/' && !strncmp(rel, g, gl - 1) && (rel[gl - 1] == '\0' || rel[gl - 1] == '/'))
			return true;
	}
	return false;
}

static bool repowalk__excluded(const repowalk__walk *w, const char *rel, const char *name)
{
	return th_repowalk_excluded(w->opts, rel, name);
}

bool th_repowalk_skip_name(const char *name, bool top)
{
	size_t n = strlen(name);

	/* build/ and dist/ are build output at the top of a project; deeper
	 * down they are ordinary packages (pip's operations/build). */
	if (top && (!strcmp(name, "build") || !strcmp(name, "dist")))
		return true;
	for (size_t i = 0; i < sizeof(repowalk__skip_dirs) / sizeof(repowalk__skip_dirs[0]); i++)
		if (!strcmp(name, repowalk__skip_dirs[i]))
			return true;
	return n > 9 && !strcmp(name + n - 9, ".egg-info");
}

static bool repowalk__skip_dir(int fd, const char *name, bool top)
{
	return th_repowalk_skip_name(name, top) || faccessat(fd, "pyvenv.cfg", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

typedef struct repowalk__ent {
	char *name;         /* malloc */
	unsigned char type; /* d_type: DT_UNKNOWN when the file system does not say */
} repowalk__ent;

static int repowalk__cmp(const void *x, const void *y)
{
	return strcmp(((const repowalk__ent *)x)->name, ((const repowalk__ent *)y)->name);
}

/* The names in a directory, sorted bytewise (stable across locales), with
 * their d_type: most entries need no stat to be skipped or descended. */
static int repowalk__names(int fd, repowalk__ent **out, size_t *n)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	repowalk__ent *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			repowalk__ent *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		if (!(v[*n].name = strdup(e->d_name)))
			goto nomem;
		v[*n].type = e->d_type;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), repowalk__cmp);
	*out = v;
	return 0;
nomem:
	closedir(d);
	while (*n)
		free(v[--*n].name);
	free(v);
	return -2;
}

/* Walks the directory open as fd (taken over and closed), whose path
 * relative to the root is rel. Paths are resolved relative to the directory
 * so the kernel never walks a long path per entry. */
static int repowalk__dir(repowalk__walk *w, int fd, th_buf *rel)
{
	repowalk__ent *names = NULL;
	size_t nrules = w->nrules, rlen = rel->len, n = 0;
	int rc = 0, dfd = dup(fd);

	if (dfd < 0) {
		close(fd);
		return th_error_set(w->err, TH_ERR_IO, "%s: %s", w->root, strerror(errno));
	}
	if (!w->opts->no_gitignore && (rc = repowalk__load_gitignore(w, dfd, rel->len)))
		goto done;
	rc = repowalk__names(fd, &names, &n);
	if (rc == -2) {
		rc = th_error_set(w->err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	if (rc < 0) {
		/* An unreadable directory inside the tree is skipped; the root is an error. */
		rc = rlen == 0 ? th_error_set(w->err, TH_ERR_IO, "%s: cannot read the directory", w->root) : 0;
		goto done;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		const char *name = names[i].name;
		unsigned char type = names[i].type;
		struct stat st;
		bool is_dir;
		int kind = -1;

		rel->len = rlen;
		if ((rc = th_buf_grow(rel, strlen(name) + 2, w->err)))
			break;
		if (rlen)
			rel->ptr[rel->len++] = '/';
		memcpy(rel->ptr + rel->len, name, strlen(name) + 1);
		rel->len += strlen(name);
		if (rel->len + strlen(w->root) + 1 > w->lim->path_bytes) {
			rc = th_error_set(w->err, TH_ERR_LIMIT, "%s/%s: path longer than %llu bytes (path_bytes)", w->root,
					  rel->ptr, (unsigned long long)w->lim->path_bytes);
			break;
		}
		/* d_type answers for most entries without a stat: a file of no
		 * interest or an excluded one costs nothing; a directory is opened
		 * with O_NOFOLLOW, which refuses a symlink by itself. Regular files
		 * kept are stat'ed for the stat cache. */
		if (type == DT_UNKNOWN) {
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		} else if (type == DT_REG) {
			st.st_mode = 0;
		}
		if (type != DT_REG && type != DT_DIR)
			continue;
		is_dir = type == DT_DIR;
		if (!is_dir && (kind = th_repowalk_kind(name)) < 0)
			continue;
		if (repowalk__excluded(w, rel->ptr, name) || repowalk__ignored(w, rel->ptr, is_dir))
			continue;
		/* The entry may have changed since readdir: what is reported is what
		 * the stat says now. */
		if (!is_dir && !S_ISREG(st.st_mode) &&
		    (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode)))
			continue;
		if (is_dir) {
			int cfd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0)
				continue;
			if (repowalk__skip_dir(cfd, name, rlen == 0))
				close(cfd);
			else
				rc = repowalk__dir(w, cfd, rel);
			continue;
		}
		if (++w->files > w->lim->entries) {
			rc = th_error_set(w->err, TH_ERR_LIMIT, "%s: more than %llu files (entries)", w->root,
					  (unsigned long long)w->lim->entries);
			break;
		}
		rc = w->fn(w->ud, rel->ptr, (th_repofile_kind)kind, &st);
	}
done:
	for (size_t i = 0; i < n; i++)
		free(names[i].name);
	free(names);
	close(dfd);
	for (size_t i = nrules; i < w->nrules; i++)
		free(w->rules[i].pattern);
	w->nrules = nrules;
	rel->len = rlen;
	if (rel->cap)
		rel->ptr[rlen] = '\0';
	return rc;
}

int th_repowalk(const char *root, const th_repowalk_opts *opts, const th_limits *lim, th_repowalk_fn fn, void *ud,
		th_error *err)
{
	static const th_repowalk_opts none = { NULL, 0, false };
	repowalk__walk w = { opts ? opts : &none, lim, fn, ud, err, root, NULL, 0, 0, 0 };
	th_buf rel = TH_BUF_INIT;
	int fd, rc;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: not a directory", root);
	if ((rc = th_buf_grow(&rel, 64, err))) {
		close(fd);
		goto done;
	}
	rc = repowalk__dir(&w, fd, &rel);
done:
	free(w.rules);
	th_buf_release(&rel);
	return rc;
}
