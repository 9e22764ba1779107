#include "resolver/gate_code.h"

#include <string.h>

#include "core/name.h"

/* A PEP 503 name in the report's arena. */
static const char *code__canon(th_gate_report *r, const char *name)
{
	char *c = th_arena_alloc(r->a, strlen(name) * 3 / 2 + 1);

	if (c)
		c[th_name_canon(c, name, strlen(name))] = '\0';
	return c;
}

/* The distributions that may provide a module (dotted), the usual one
 * first: the import map's answer, else the top-level name itself. */
static int code__dists(th_gate_report *r, const th_gate_input *in, const char *module, const char *const **out,
                       size_t *n, bool *guess, th_error *err)
{
	th_importmap_hit hit;
	const char **one;
	size_t top = strcspn(module, ".");
	int rc;

	if (in->map) {
		if ((rc = th_importmap_lookup(in->map, module, &hit, err)))
			return rc;
		*out = hit.dists;
		*n = hit.ndists;
		*guess = hit.via == TH_IMPORTMAP_GUESS;
		return 0;
	}
	if (!(one = th_arena_alloc(r->a, sizeof(*one))) || !(one[0] = th_arena_strndup(r->a, module, top)))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	*out = one;
	*n = 1;
	*guess = true;
	return 0;
}

/* Does the lock or the image provide one of the distributions? */
static const char *code__provided(th_gate_report *r, const th_gate_input *in, const char *const *dists, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *c = code__canon(r, dists[i]);
		if (c && (th_gate_find_locked(in, c) || th_gate_find_dist(in, c)))
			return c;
	}
	return NULL;
}

/* The analysis knows the module is gone; the curated knowledge may say
 * what replaces it. */
static int code__stdlib(th_gate_report *r, const th_gate_input *in, const th_finding *f, const char *key, th_error *err)
{
	th_know_hit hit;
	th_buf fix = TH_BUF_INIT;
	int n = 0, rc;

	if (in->know && r->python && (n = th_know_stdlib_removed(in->know, f->subject, r->python, &hit, 1, err)) < 0)
		return n;
	if (n > 0 && hit.replacement && (rc = th_buf_printf(&fix, err, "use %s instead", hit.replacement)))
		return rc;
	rc = th_gate_add(r, err, "stdlib-module-absent", f->file, f->line, f->col, NULL, NULL, n > 0 ? hit.unit : NULL,
	                 key, fix.len ? fix.ptr : NULL, "%s", f->message);
	th_buf_release(&fix);
	return rc;
}

static int code__imports(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	th_buf key = TH_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < in->deps->nfindings && !rc; i++) {
		const th_finding *f = &in->deps->findings[i];
		const char *const *dists;
		size_t nd;
		bool guess;
		const char *dist;

		th_buf_clear(&key);
		if ((rc = th_buf_printf(&key, err, "%s\n%s", f->file, f->subject)))
			break;
		if (!strcmp(f->rule, "stdlib-module-absent")) {
			rc = code__stdlib(r, in, f, key.ptr, err);
			continue;
		}
		if (strcmp(f->rule, "missing-dependency"))
			continue;
		if ((rc = code__dists(r, in, f->subject, &dists, &nd, &guess, err)))
			break;
		if (code__provided(r, in, dists, nd))
			continue;
		if (!(dist = code__canon(r, dists[0])))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		rc = th_gate_add(
		    r, err, f->severity == TH_SEV_ERROR ? "import-unprovided" : "optional-import-unprovided", f->file,
		    f->line, f->col, dist, NULL, NULL, key.ptr, NULL,
		    "'%s' is imported but no declared dependency, locked package or installed distribution "
		    "provides it (distribution %s%s)",
		    f->subject, dist,
		    nd > 1  ? " or another"
		    : guess ? ", guessed from the name"
		            : "");
	}
	th_buf_release(&key);
	return rc;
}

static int code__usage(th_gate_report *r, const th_gate_input *in, const th_srcscan_file *f, const th_pyusage *u,
                       th_error *err)
{
	const char *const *dists;
	size_t nd;
	bool guess;
	const char *dist = NULL, *version = NULL;
	th_know_hit hit;
	th_buf key = TH_BUF_INIT, fix = TH_BUF_INIT;
	uint32_t line = u->line;
	int rc = 0;

	if (!*u->symbol || *u->symbol == '.' || (rc = code__dists(r, in, u->symbol, &dists, &nd, &guess, err)))
		return rc;
	/* The first candidate the target will have decides the version. */
	for (size_t i = 0; i < nd && !version; i++) {
		if (!(dist = code__canon(r, dists[i])))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		version = th_gate_version_of(in, dist);
	}
	if (!version)
		return 0;
	if ((rc = th_know_api_removed(in->know, dist, version, u->symbol, &hit, 1, err)) <= 0)
		return rc;
	if (f->kind == TH_REPOFILE_NOTEBOOK) {
		uint32_t cell;
		th_ipynb_locate(&f->nb, u->line, &cell, &line);
	}
	if ((rc = th_buf_printf(&key, err, "%s\n%s", f->path, u->symbol)) ||
	    (hit.replacement && (rc = th_buf_printf(&fix, err, "use %s, or lock a %s version outside %s",
	                                            hit.replacement, dist, hit.versions ? hit.versions : "the range"))))
		goto done;
	rc = th_gate_add(r, err, "api-removed", f->path, line, u->col, dist, version, hit.unit, key.ptr,
	                 hit.replacement ? fix.ptr : NULL, "%s is used here but %s %s no longer has %s%s%s%s",
	                 u->symbol, dist, version, hit.subject ? hit.subject : "it", hit.evidence ? " (see " : "",
	                 hit.evidence ? hit.evidence : "", hit.evidence ? ")" : "");
done:
	th_buf_release(&key);
	th_buf_release(&fix);
	return rc;
}

int th_gate_code(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	int rc;

	if (!in->scan || !in->deps)
		return 0;
	if ((rc = code__imports(r, in, err)))
		return rc;
	if (!in->know)
		return 0;
	for (size_t i = 0; i < in->scan->nfiles; i++) {
		const th_srcscan_file *f = &in->scan->files[i];
		for (size_t k = 0; k < f->src.nusages; k++)
			if ((rc = code__usage(r, in, f, &f->src.usages[k], err)))
				return rc;
	}
	return 0;
}
