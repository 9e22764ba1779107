#include "resolver/gate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer/store_kb.h"
#include "core/json.h"
#include "core/marker.h"
#include "core/version.h"
#include "resolver/gate_code.h"
#include "resolver/gate_conflicts.h"
#include "resolver/gate_gpu.h"
#include "resolver/gate_install.h"
#include "resolver/gate_security.h"

/* The catalogue. Ids are a contract (baselines and inline ignores name
 * them): add new ones, never rename. README's "Finding ids" is this table. */
const th_gate_id th_gate_ids[] = {
    {"no-python", TH_SEV_ERROR, "install", "the image has no Python interpreter",
     "use an image with the Python the application needs"},
    {"python-unsupported", TH_SEV_ERROR, "install",
     "the target Python is outside the Requires-Python of a locked package (or of the lock)",
     "lock a version that supports the target Python, or change the image's Python"},
    {"no-compatible-wheel", TH_SEV_ERROR, "install",
     "no file of the locked version installs on the target (wheel tags vs glibc/musl, architecture, Python ABI) and "
     "there is no sdist",
     "lock a version with a wheel for the target, or use an image with a newer glibc / the right architecture"},
    {"sdist-only", TH_SEV_WARNING, "install",
     "no wheel of the locked version fits the target: pip would build the sdist on the image",
     "lock a version with a wheel for the target, or make sure the image can build it (compiler, headers)"},
    {"package-unverified", TH_SEV_NOTE, "install",
     "neither the lock nor the knowledge base lists the files of the locked version: its tags were not checked",
     "import the index into the knowledge base (thoth kb import) or use a lock that lists files"},
    {"os-package-replaced", TH_SEV_WARNING, "install",
     "the lock pins another version of a distribution the OS package manager installed in the image",
     "install into a virtual environment, or remove the OS package from the image"},
    {"dependency-missing", TH_SEV_ERROR, "conflicts",
     "a distribution of the image or the lock requires one that neither provides (pip check)",
     "add the missing distribution to the lock"},
    {"dependency-conflict", TH_SEV_ERROR, "conflicts",
     "a distribution of the image or the lock requires a version of another that is not the one present (pip "
     "check)",
     "lock versions that satisfy each other, or install into a clean virtual environment"},
    {"known-broken", TH_SEV_ERROR, "conflicts", "the curated knowledge says these locked versions do not work together",
     "lock other versions of one of them"},
    {"cuda-missing", TH_SEV_ERROR, "gpu",
     "a locked package needs CUDA, and neither the image nor nvidia-* wheels provide the CUDA runtime",
     "use a CUDA image of the needed version, or lock the framework's nvidia-* wheels"},
    {"cuda-mismatch", TH_SEV_ERROR, "gpu", "the image's CUDA runtime is not the version a locked package needs",
     "use an image with the needed CUDA, or lock the build of the package for the image's CUDA"},
    {"cudnn-mismatch", TH_SEV_ERROR, "gpu", "the image's cuDNN is not the version a locked package needs",
     "use an image with the needed cuDNN, or lock the framework's nvidia-cudnn wheel"},
    {"api-removed", TH_SEV_ERROR, "code", "the code uses an API the locked (or installed) version no longer has",
     "port the code to the replacement, or lock a version that still has the API"},
    {"stdlib-module-absent", TH_SEV_ERROR, "code",
     "the code imports a standard-library module the target Python does not have",
     "use the replacement (or its backport from PyPI), or target a Python that has the module"},
    {"import-unprovided", TH_SEV_ERROR, "code",
     "the code imports a module no declared dependency, locked package or installed distribution provides",
     "declare the distribution that provides it and lock it"},
    {"optional-import-unprovided", TH_SEV_NOTE, "code",
     "an optional import (guarded by try/except ImportError) that nothing provides: that feature is off",
     "declare the distribution if the feature is wanted"},
    {"vulnerable-package", TH_SEV_ERROR, "security",
     "an advisory affects a locked version, or a version pip installed in the image", "upgrade to a fixed version"},
    {"distribution-package-advisory", TH_SEV_NOTE, "security",
     "an advisory names the upstream version of a distribution the OS package manager installed; distributions "
     "patch without changing the upstream version",
     "check the distribution's security tracker for the package; update the image"},
};
const size_t th_gate_nids = sizeof(th_gate_ids) / sizeof(th_gate_ids[0]);

const th_gate_id *th_gate_id_find(const char *id)
{
	for (size_t i = 0; i < th_gate_nids; i++)
		if (!strcmp(th_gate_ids[i].id, id))
			return &th_gate_ids[i];
	return NULL;
}

void th_gate_report_init(th_gate_report *r, th_arena *a)
{
	memset(r, 0, sizeof(*r));
	r->a = a;
}

void th_gate_report_release(th_gate_report *r)
{
	if (!r)
		return;
	free(r->f);
	free(r->kb);
	r->f = NULL;
	r->kb = NULL;
	r->nkb = r->capkb = 0;
	r->n = r->cap = 0;
}

static const char *gate__dup(th_gate_report *r, const char *s)
{
	return s ? th_arena_strdup(r->a, s) : NULL;
}

int th_gate_add(th_gate_report *r, th_error *err, const char *id, const char *file, uint32_t line, uint32_t col,
                const char *package, const char *version, const char *rule, const char *key, const char *fix,
                const char *fmt, ...)
{
	const th_gate_id *gid = th_gate_id_find(id);
	th_buf msg = TH_BUF_INIT, fp = TH_BUF_INIT;
	th_gate_finding *f;
	va_list ap;
	int rc;

	if (!gid)
		return th_error_set(err, TH_ERR_INVALID, "gate: unknown finding id '%s'", id);
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		th_gate_finding *nv = realloc(r->f, cap * sizeof(*nv));
		if (!nv)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		r->f = nv;
		r->cap = cap;
	}
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	va_start(ap, fmt);
	rc = th_buf_vprintf(&msg, err, fmt, ap);
	va_end(ap);
	if (rc || (rc = th_buf_printf(&fp, err, "%s\n%s", id, key ? key : "")) ||
	    (rc = th_sha256_hex(f->fingerprint, fp.ptr, fp.len, err)))
		goto done;
	f->id = gid->id;
	f->severity = gid->severity;
	f->message = gate__dup(r, msg.ptr);
	f->fix = gate__dup(r, fix ? fix : gid->fix);
	f->file = gate__dup(r, file);
	f->line = line;
	f->col = col;
	f->package = gate__dup(r, package);
	f->version = gate__dup(r, version);
	f->rule = gate__dup(r, rule);
	f->key = gate__dup(r, key ? key : "");
	if (!f->message || !f->fix || !f->key || (file && !f->file) || (package && !f->package) ||
	    (version && !f->version) || (rule && !f->rule)) {
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
		goto done;
	}
	r->n++;
done:
	th_buf_release(&msg);
	th_buf_release(&fp);
	return rc;
}

const th_gate_locked *th_gate_find_locked(const th_gate_input *in, const char *name)
{
	for (size_t i = 0; in->lock && i < in->lock->n; i++)
		if (!strcmp(in->lock->pkgs[i].name, name))
			return &in->lock->pkgs[i];
	return NULL;
}

const th_gate_dist *th_gate_find_dist(const th_gate_input *in, const char *name)
{
	for (size_t i = 0; in->image && i < in->image->ndists; i++)
		if (!strcmp(in->image->dists[i].name, name))
			return &in->image->dists[i];
	return NULL;
}

const char *th_gate_version_of(const th_gate_input *in, const char *name)
{
	const th_gate_locked *l = th_gate_find_locked(in, name);
	const th_gate_dist *d;

	if (l && l->version)
		return l->version;
	d = th_gate_find_dist(in, name);
	return d ? d->version : NULL;
}

int th_gate_kb_version(th_gate_report *r, const th_gate_input *in, const char *name, const char *version,
                       const th_kb_pversion **out, th_error *err)
{
	th_kb_project p;
	th_version want, have;
	int rc;

	*out = NULL;
	if (!in->kb || !version)
		return 0;
	for (size_t i = 0; i < r->nkb; i++)
		if (!strcmp(r->kb[i].name, name) && !strcmp(r->kb[i].version, version)) {
			*out = r->kb[i].v;
			return 0;
		}
	if (r->nkb == r->capkb) {
		size_t cap = r->capkb ? r->capkb * 2 : 32;
		th_gate_kbver *nv = realloc(r->kb, cap * sizeof(*nv));
		if (!nv)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		r->kb = nv;
		r->capkb = cap;
	}
	rc = th_kb_project_load(in->kb, name, &p, r->a, err);
	if (rc == TH_ERR_NOTFOUND) {
		th_error_clear(err);
		rc = 0;
		p.nversions = 0;
	}
	if (rc)
		return rc;
	/* Versions compare as PEP 440 ("1.0" pins "1.0.0"). */
	if (th_version_parse(&want, version, strlen(version), r->a, NULL) == 0)
		for (size_t i = 0; i < p.nversions && !*out; i++)
			if (th_version_parse(&have, p.versions[i].version, strlen(p.versions[i].version), r->a, NULL) ==
			        0 &&
			    th_version_cmp(&want, &have) == 0)
				*out = &p.versions[i];
	r->kb[r->nkb++] = (th_gate_kbver){name, version, *out};
	return 0;
}

bool th_gate_applies(th_gate_report *r, const char *marker)
{
	th_marker *m;
	bool ok = true;

	if (!marker || !r->env || th_marker_parse(&m, marker, strlen(marker), r->a, NULL) ||
	    th_marker_eval(m, &r->env->markers, &ok, NULL))
		return true;
	return ok;
}

static int gate__strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int gate__cmp(const void *x, const void *y)
{
	const th_gate_finding *a = x, *b = y;
	int c;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) || (c = gate__strcmp0(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if ((c = gate__strcmp0(a->package, b->package)) || (c = gate__strcmp0(a->rule, b->rule)))
		return c;
	return strcmp(a->message, b->message);
}

int th_gate_run(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	int rc;

	r->env = in->env;
	r->python = in->env ? in->env->python_full : NULL;
	r->platform = in->env ? in->env->platform : NULL;
	if ((rc = th_gate_install(r, in, err)) || (rc = th_gate_conflicts(r, in, err)) ||
	    (rc = th_gate_gpu(r, in, err)) || (rc = th_gate_code(r, in, err)) || (rc = th_gate_security(r, in, err)))
		return rc;
	r->nchecked[0] = in->lock ? in->lock->n : 0;
	r->nchecked[1] = in->image ? in->image->ndists : 0;
	if (r->n)
		qsort(r->f, r->n, sizeof(*r->f), gate__cmp);
	return 0;
}

size_t th_gate_count(const th_gate_report *r, th_severity at_least)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += !r->f[i].suppressed && r->f[i].severity >= at_least;
	return n;
}

/* ---- suppression ---- */

static void gate__suppress(th_gate_report *r, th_gate_finding *f, const char *how)
{
	if (f->suppressed)
		return;
	f->suppressed = how;
	r->nsuppressed++;
}

int th_gate_baseline(th_gate_report *r, const char *text, size_t len, const char *what, const th_limits *lim,
                     th_error *err)
{
	th_json *root = NULL, *list;
	int rc;

	if (len > lim->json_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes exceeds the limit of %llu (json_bytes)", what,
		                    len, (unsigned long long)lim->json_bytes);
	if ((rc = th_json_parse(&root, text, len, (unsigned)lim->json_depth, what, err)))
		return rc;
	list = th_json_typeof(root) == TH_JSON_ARRAY ? root : th_json_get(root, "findings");
	if (th_json_typeof(list) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not a baseline (no \"findings\" array)", what);
		goto done;
	}
	for (size_t i = 0; i < th_json_len(list); i++) {
		const char *fp = th_json_str(th_json_get(th_json_at(list, i), "fingerprint"), NULL);
		if (!fp) {
			rc =
			    th_error_set(err, TH_ERR_INVALID, "%s: finding %zu has no \"fingerprint\" string", what, i);
			goto done;
		}
		for (size_t k = 0; k < r->n; k++)
			if (!strcmp(r->f[k].fingerprint, fp))
				gate__suppress(r, &r->f[k], "baseline");
	}
done:
	th_json_free(root);
	return rc;
}

bool th_gate_line_ignores(const char *line, size_t len, const char *id)
{
	static const char tag[] = "thoth: ignore[";
	size_t idlen = strlen(id), tl = sizeof(tag) - 1;

	for (size_t i = 0; i + tl <= len; i++) {
		size_t k, end;
		if (line[i] != '#')
			continue;
		k = i + 1;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k + tl > len || memcmp(line + k, tag, tl))
			continue;
		k += tl;
		for (end = k; end < len && line[end] != ']'; end++)
			;
		if (end == len)
			return false;
		/* Comma-separated ids, spaces allowed around them. */
		while (k < end) {
			size_t s = k, e;
			while (s < end && (line[s] == ' ' || line[s] == ','))
				s++;
			for (e = s; e < end && line[e] != ',' && line[e] != ' '; e++)
				;
			if ((e - s == idlen && !memcmp(line + s, id, idlen)) || (e - s == 1 && line[s] == '*'))
				return true;
			k = e;
		}
	}
	return false;
}

int th_gate_file_read(th_buf *out, const char *path, uint64_t max, th_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char chunk[65536];
	ssize_t n = 0;
	int rc = 0;

	th_buf_clear(out);
	if (fd < 0)
		return th_error_set(err, errno == ENOENT ? TH_ERR_NOTFOUND : TH_ERR_IO, "%s: cannot read: %s", path,
		                    strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		rc = th_error_set(err, TH_ERR_IO, "%s: not a regular file", path);
	else if ((uint64_t)st.st_size > max)
		rc = th_error_set(err, TH_ERR_LIMIT, "%s: larger than %llu bytes (file_bytes)", path,
		                  (unsigned long long)max);
	while (!rc && (n = read(fd, chunk, sizeof(chunk))) > 0)
		rc = th_buf_put(out, chunk, (size_t)n, err);
	if (!rc && n < 0)
		rc = th_error_set(err, TH_ERR_IO, "%s: cannot read: %s", path, strerror(errno));
	close(fd);
	return rc;
}

static bool gate__line(const th_buf *text, uint32_t line, const char **s, size_t *n)
{
	const char *p = text->ptr, *end = text->ptr + text->len, *nl;

	for (uint32_t l = 1; l < line && p < end; l++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	if (p >= end || line == 0)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	*s = p;
	*n = (size_t)((nl ? nl : end) - p);
	return true;
}

int th_gate_inline(th_gate_report *r, const char *root, const th_limits *lim, th_error *err)
{
	th_buf text = TH_BUF_INIT, path = TH_BUF_INIT;
	int rc = 0;

	/* Each evidence file is read once: at its first finding, for that
	 * finding and every later one in the same file. */
	for (size_t i = 0; i < r->n && !rc; i++) {
		const char *file = r->f[i].file;
		bool seen = false;

		for (size_t k = 0; file && k < i && !seen; k++)
			seen = r->f[k].file && !strcmp(r->f[k].file, file);
		if (!file || seen || strstr(file, ".."))
			continue;
		th_buf_clear(&path);
		if ((rc = file[0] == '/' ? th_buf_puts(&path, file, err)
		                         : th_buf_printf(&path, err, "%s/%s", root, file)))
			break;
		/* An evidence file that cannot be read suppresses nothing. */
		if (th_gate_file_read(&text, path.ptr, lim->file_bytes, NULL))
			th_buf_clear(&text);
		for (size_t k = i; k < r->n; k++) {
			const char *s;
			size_t n;
			if (r->f[k].file && !strcmp(r->f[k].file, file) && gate__line(&text, r->f[k].line, &s, &n) &&
			    th_gate_line_ignores(s, n, r->f[k].id))
				gate__suppress(r, &r->f[k], "inline");
		}
	}
	th_buf_release(&text);
	th_buf_release(&path);
	return rc;
}
