#include "resolver/advise.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyzer/srcdeps.h"
#include "core/hash.h"
#include "core/name.h"
#include "core/specifier.h"
#include "extractors/manifest.h"
#include "resolver/search.h"
#include "resolver/unit_perf.h"

void th_advice_init(th_advice *a)
{
	memset(a, 0, sizeof *a);
	th_buf_init(&a->why, 0);
	th_arena_init(&a->arena, 0);
}

void th_advice_release(th_advice *a)
{
	if (!a)
		return;
	if (a->search) {
		th_search_result_release(a->search);
		free(a->search);
	}
	th_kbprovider_free(a->kp);
	th_buf_release(&a->why);
	th_arena_release(&a->arena);
	memset(a, 0, sizeof *a);
}

#define ADVISE__NOMEM(err) th_error_set((err), TH_ERR_NOMEM, "advise: out of memory")

/* ---- declared dependencies ---- */

static int advise__namecmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The manifests to read: those at the top of a directory (sorted), or the
 * one file named. Fills a scan as source analysis would have. */
static int advise__scan(th_srcscan *sc, th_advice *a, const char *project, th_error *err)
{
	memset(sc, 0, sizeof *sc);
	struct stat st;
	if (stat(project, &st) < 0)
		return th_error_set(err, TH_ERR_NOTFOUND, "%s: %s", project, strerror(errno));
	char *copy = strdup(project);
	if (!copy)
		return ADVISE__NOMEM(err);
	const char *dir = S_ISDIR(st.st_mode) ? project : dirname(copy);
	sc->root = realpath(dir, NULL);
	int rc = 0;
	if (!sc->root) {
		rc = th_error_set(err, TH_ERR_NOTFOUND, "%s: %s", dir, strerror(errno));
		goto done;
	}
	const char **names = NULL;
	size_t n = 0, cap = 0;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(sc->root);
		if (!d) {
			rc = th_error_set(err, TH_ERR_IO, "%s: cannot list: %s", project, strerror(errno));
			goto done;
		}
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			if (!th_manifest_is(e->d_name))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				const char **nn = th_arena_alloc(&a->arena, cap * sizeof *nn);
				if (!nn) {
					closedir(d);
					rc = ADVISE__NOMEM(err);
					goto done;
				}
				if (n)
					memcpy(nn, names, n * sizeof *nn);
				names = nn;
			}
			if (!(names[n++] = th_arena_strdup(&a->arena, e->d_name))) {
				closedir(d);
				rc = ADVISE__NOMEM(err);
				goto done;
			}
		}
		closedir(d);
		if (n == 0) {
			rc = th_error_set(err, TH_ERR_NOTFOUND,
					  "%s: no manifest (requirements*.txt, pyproject.toml, setup.cfg, Pipfile)", project);
			goto done;
		}
		qsort(names, n, sizeof *names, advise__namecmp);
	} else {
		strcpy(copy, project);
		const char *base = basename(copy);
		if (!th_manifest_is(base)) {
			rc = th_error_set(err, TH_ERR_USAGE,
					  "%s: not a manifest thoth reads (requirements*.txt or *.in, pyproject.toml, "
					  "setup.cfg, Pipfile)", project);
			goto done;
		}
		names = th_arena_alloc(&a->arena, sizeof *names);
		if (!names || !(names[0] = th_arena_strdup(&a->arena, base))) {
			rc = ADVISE__NOMEM(err);
			goto done;
		}
		n = 1;
	}
	sc->files = calloc(n, sizeof *sc->files);
	if (!sc->files) {
		rc = ADVISE__NOMEM(err);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		sc->files[i].path = names[i];
		sc->files[i].kind = TH_REPOFILE_MANIFEST;
	}
	sc->nfiles = n;
	a->manifests = names;
	a->nmanifests = n;
done:
	free(copy);
	return rc;
}

/* Pipfile.lock's _meta.hash: pipenv's hash of the Pipfile when one was read
 * (what pipenv compares to tell the lock is current), else sha256 over the
 * manifests' bytes in the order read. */
static int advise__hash(th_advice *a, const char *root, const th_limits *lim, th_error *err)
{
	th_sha256 h;
	th_buf text;
	th_buf_init(&text, lim->file_bytes);
	int rc = th_sha256_init(&h, err);
	if (rc < 0)
		return rc;
	bool pipfile = false;
	for (size_t i = 0; i < a->nmanifests; i++)
		pipfile |= !strcmp(a->manifests[i], "Pipfile");
	char path[8192], buf[65536];
	for (size_t i = 0; i < a->nmanifests && rc == 0; i++) {
		if (pipfile && strcmp(a->manifests[i], "Pipfile"))
			continue;
		snprintf(path, sizeof path, "%s/%s", root, a->manifests[i]);
		FILE *f = fopen(path, "rb");
		if (!f) {
			rc = th_error_set(err, TH_ERR_IO, "%s: cannot read: %s", a->manifests[i], strerror(errno));
			break;
		}
		for (size_t k; (k = fread(buf, 1, sizeof buf, f)) > 0 && rc == 0;)
			if (pipfile)
				rc = th_buf_put(&text, buf, k, err);
			else
				th_sha256_update(&h, buf, k);
		fclose(f);
	}
	if (rc == 0 && pipfile)
		rc = th_manifest_pipfile_hash(a->manifest_sha256, text.ptr, text.len, "Pipfile", lim, &a->arena, err);
	else if (rc == 0)
		th_sha256_final(&h, a->manifest_sha256);
	th_sha256_release(&h);
	th_buf_release(&text);
	return rc;
}

static bool advise__wanted(const th_srcdeps_decl *d, const th_advise_opts *o)
{
	switch (d->d.kind) {
	case TH_DECL_RUNTIME:
	case TH_DECL_CONSTRAINT:
		return !d->d.dev || o->dev;
	case TH_DECL_EXTRA:
	case TH_DECL_GROUP:
		if (d->d.dev && o->dev)
			return true;
		for (size_t i = 0; i < o->nextras; i++)
			if (d->d.group && !strcmp(d->d.group, o->extras[i]))
				return true;
		return false;
	case TH_DECL_LOCKED:
		return false; /* an old lock is what advise replaces */
	}
	return false;
}

int th_advise_declared(th_advice *a, const char *project, const th_advise_opts *o, th_error *err)
{
	th_srcscan sc;
	th_srcdeps_decl *decls = NULL;
	size_t n = 0;
	int rc = advise__scan(&sc, a, project, err);
	if (rc == 0)
		rc = th_srcdeps_declared(&decls, &n, &sc, o->lim, &a->arena, err);
	if (rc == 0)
		rc = advise__hash(a, sc.root, o->lim, err);
	th_advise_root *roots = n ? th_arena_zalloc(&a->arena, n * sizeof *roots) : NULL;
	if (rc == 0 && n && !roots)
		rc = ADVISE__NOMEM(err);
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const th_srcdeps_decl *d = &decls[i];
		if (!advise__wanted(d, o))
			continue;
		char where[512];
		snprintf(where, sizeof where, "%s:%u", d->d.file, d->d.line);
		if (d->d.path_or_url || d->invalid) {
			rc = th_error_set(err, d->invalid ? TH_ERR_INVALID : TH_ERR_UNSUPPORTED, "%s: %s%s%s", where,
					  d->name && !d->invalid ? d->name : "", d->name && !d->invalid ? ": " : "",
					  d->invalid ? d->invalid
						     : "a path, VCS or URL dependency, not from an index: advise needs "
						       "an index name");
			break;
		}
		const char *text = d->d.req ? d->d.req : d->name;
		th_advise_root *r = &roots[k];
		r->text = th_arena_strdup(&a->arena, text);
		r->where = th_arena_strdup(&a->arena, where);
		r->constraint = d->d.kind == TH_DECL_CONSTRAINT;
		if (!r->text || !r->where) {
			rc = ADVISE__NOMEM(err);
			break;
		}
		if ((rc = th_req_parse(&r->req, r->text, strlen(r->text), &a->arena, err)) < 0) {
			th_error_prefix(err, "%s", where);
			break;
		}
		size_t nl = strlen(r->req.name);
		char *canon = th_arena_alloc(&a->arena, nl + nl / 2 + 1); /* th_name_canon's room */
		if (!canon) {
			rc = ADVISE__NOMEM(err);
			break;
		}
		canon[th_name_canon(canon, r->req.name, nl)] = '\0';
		r->name = canon;
		if (r->req.url) {
			rc = th_error_set(err, TH_ERR_UNSUPPORTED, "%s: %s: a direct URL reference: advise needs an index name",
					  where, r->text);
			break;
		}
		k++;
	}
	a->roots = roots;
	a->nroots = k;
	free(sc.root);
	free(sc.files);
	return rc;
}

static int advise__strcmp(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int th_advise_symbols(th_advice *a, const char *project, const th_limits *lim, th_error *err)
{
	struct stat st;
	if (stat(project, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	th_srcscan sc;
	th_srcscan_opts so;
	memset(&so, 0, sizeof so);
	so.usages = true;
	int rc = th_srcscan_run(&sc, project, &so, NULL, lim, err);
	if (rc < 0)
		return rc;
	size_t n = 0;
	for (size_t i = 0; i < sc.nfiles; i++)
		n += sc.files[i].src.nusages;
	const char **v = n ? th_arena_alloc(&a->arena, n * sizeof *v) : NULL;
	if (n && !v)
		rc = ADVISE__NOMEM(err);
	size_t k = 0;
	for (size_t i = 0; rc == 0 && i < sc.nfiles; i++)
		for (size_t j = 0; j < sc.files[i].src.nusages; j++)
			if (!(v[k++] = th_arena_strdup(&a->arena, sc.files[i].src.usages[j].symbol))) {
				rc = ADVISE__NOMEM(err);
				break;
			}
	if (rc == 0 && k) {
		qsort(v, k, sizeof *v, advise__strcmp);
		size_t u = 1;
		for (size_t i = 1; i < k; i++)
			if (strcmp(v[i], v[u - 1]) != 0)
				v[u++] = v[i];
		a->symbols = v;
		a->nsymbols = u;
	}
	th_srcscan_release(&sc);
	return rc;
}

/* ---- constraints: a provider narrowing candidates, as pip's -c does ---- */

typedef struct advise__cons {
	th_provider inner;
	const th_advise_root *roots;
	size_t nroots;
	th_arena *arena;
	th_solver_pre pre;
	th_project **cache;      /* filtered projects, in the arena */
	const char **names;
	size_t n, cap;
} advise__cons;

static int advise__cons_project(void *self, const char *name, th_project **out, th_error *err)
{
	advise__cons *c = self;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name)) {
			*out = c->cache[i];
			return 0;
		}
	th_project *p;
	int rc = c->inner.ops->project(c->inner.self, name, &p, err);
	if (rc < 0 || !p)
		goto keep;
	bool any = false;
	for (size_t i = 0; i < c->nroots; i++)
		any = any || (c->roots[i].constraint && !strcmp(c->roots[i].name, name));
	if (!any)
		goto keep;
	th_project *f = th_arena_zalloc(c->arena, sizeof *f);
	th_cand *cands = th_arena_alloc(c->arena, (p->ncands ? p->ncands : 1) * sizeof *cands);
	if (!f || !cands)
		return ADVISE__NOMEM(err);
	*f = *p;
	f->cands = cands;
	f->ncands = f->cap = 0;
	/* pip merges a constraint's specifier with the requirements' (the
	 * solver sees only the latter): one naming a pre-release opts the
	 * project in (its kept pre-releases count as finals); one with clauses
	 * that names none makes the merged set non-empty, so no pre-release
	 * can come back through the no-final-version fallback. */
	int opt_in = 0;
	for (size_t i = 0; i < c->nroots && c->pre == TH_SOLVER_PRE_PIP; i++)
		if (c->roots[i].constraint && !strcmp(c->roots[i].name, name)) {
			int pr = th_specset_prereleases(c->roots[i].req.spec);
			opt_in = pr == 1 ? 1 : opt_in == 1 ? 1 : pr == 0 ? -1 : opt_in;
		}
	for (size_t k = 0; k < p->ncands; k++) {
		bool ok = !(opt_in < 0 && p->cands[k].prerelease);
		for (size_t i = 0; i < c->nroots && ok; i++)
			if (c->roots[i].constraint && !strcmp(c->roots[i].name, name))
				ok = th_specset_contains(c->roots[i].req.spec, &p->cands[k].version, 1);
		if (ok) {
			cands[f->ncands] = p->cands[k];
			if (opt_in > 0)
				cands[f->ncands].prerelease = false;
			f->ncands++;
		}
	}
	p = f;
keep:
	if (rc < 0)
		return rc;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		th_project **ca = th_arena_alloc(c->arena, nc * sizeof *ca);
		const char **na = th_arena_alloc(c->arena, nc * sizeof *na);
		if (!ca || !na)
			return ADVISE__NOMEM(err);
		if (c->n) {
			memcpy(ca, c->cache, c->n * sizeof *ca);
			memcpy(na, c->names, c->n * sizeof *na);
		}
		c->cache = ca;
		c->names = na;
		c->cap = nc;
	}
	if (!(c->names[c->n] = th_arena_strdup(c->arena, name)))
		return ADVISE__NOMEM(err);
	c->cache[c->n++] = p;
	*out = p;
	return 0;
}

static int advise__cons_explain(void *self, const char *name, th_buf *out, th_error *err)
{
	advise__cons *c = self;
	int rc = c->inner.ops->explain ? c->inner.ops->explain(c->inner.self, name, out, err) : 0;
	for (size_t i = 0; rc == 0 && i < c->nroots; i++)
		if (c->roots[i].constraint && !strcmp(c->roots[i].name, name))
			rc = th_buf_printf(out, err, "constrained by %s (%s)\n", c->roots[i].text, c->roots[i].where);
	return rc;
}

static const th_provider_ops advise__cons_ops = { advise__cons_project, advise__cons_explain };

/* ---- why each pin ---- */

typedef struct advise__need {
	const th_req *req;
	const char *who;
} advise__need;

static int advise__pincmp(const void *key, const void *pin)
{
	return strcmp(key, ((const th_advise_pin *)pin)->name);
}

static th_advise_pin *advise__find(th_advise_stack *st, const char *name)
{
	char canon[256];
	size_t l = strlen(name);
	if (l + l / 2 >= sizeof canon) /* th_name_canon may write 1.5 times l */
		return NULL;
	canon[th_name_canon(canon, name, l)] = '\0';
	th_advise_pin *p = bsearch(canon, st->pins, st->npins, sizeof *st->pins, advise__pincmp);
	/* a requirement on a project a pseudonym replaced is met by its stand-in */
	for (size_t i = 0; !p && i < st->nsubst; i++)
		if (!strcmp(st->subst[i].original, canon))
			p = bsearch(st->subst[i].name, st->pins, st->npins, sizeof *st->pins, advise__pincmp);
	return p;
}

/* Extras asked of each pin, as a list per pin (arena). */
typedef struct advise__extras {
	const char **v;
	size_t n, cap;
} advise__extras;

static int advise__add_by(th_advice *a, th_advise_pin *p, const char *who, const th_req *r, th_error *err)
{
	th_buf b = TH_BUF_INIT;
	int rc = th_req_format(r, &b, err);
	th_advise_by *nb = rc == 0 ? th_arena_alloc(&a->arena, (p->nby + 1) * sizeof *nb) : NULL;
	if (rc == 0 && !nb)
		rc = ADVISE__NOMEM(err);
	if (rc == 0) {
		if (p->nby)
			memcpy(nb, p->by, p->nby * sizeof *nb);
		nb[p->nby].who = who;
		nb[p->nby].req = th_arena_strndup(&a->arena, b.ptr, b.len);
		nb[p->nby].parsed = r;
		p->by = nb;
		p->nby++;
	}
	th_buf_release(&b);
	return rc;
}

static int advise__add_extra(th_advice *a, advise__extras *x, const char *e, bool *added, th_error *err)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->v[i], e))
			return 0;
	if (x->n == x->cap) {
		size_t nc = x->cap ? x->cap * 2 : 4;
		const char **nv = th_arena_alloc(&a->arena, nc * sizeof *nv);
		if (!nv)
			return ADVISE__NOMEM(err);
		if (x->n)
			memcpy(nv, x->v, x->n * sizeof *nv);
		x->v = nv;
		x->cap = nc;
	}
	x->v[x->n++] = e;
	*added = true;
	return 0;
}

/* Who asked for each pin: the roots, then the dependencies of pins whose
 * markers hold (with each extra asked of that pin), to a fixpoint. */
static int advise__required_by(th_advice *a, th_advise_stack *st, th_provider *prov, th_env *env, th_error *err)
{
	advise__extras *ex = th_arena_zalloc(&a->arena, (st->npins ? st->npins : 1) * sizeof *ex);
	bool *done = calloc(st->npins ? st->npins : 1, sizeof *done);
	int rc = 0;
	if (!ex || !done) {
		free(done);
		return ADVISE__NOMEM(err);
	}
	for (size_t i = 0; rc == 0 && i < a->nroots; i++) {
		const th_advise_root *r = &a->roots[i];
		th_advise_pin *p;
		if (r->constraint || !th_env_marker_holds(env, r->req.marker, "") || !(p = advise__find(st, r->req.name)))
			continue;
		bool added = false;
		rc = advise__add_by(a, p, r->where, &r->req, err);
		for (size_t k = 0; rc == 0 && k < r->req.nextras; k++)
			rc = advise__add_extra(a, &ex[p - st->pins], r->req.extras[k], &added, err);
	}
	/* each pin's dependencies once per extra set: repeat while extras grow */
	for (bool changed = true; rc == 0 && changed;) {
		changed = false;
		for (size_t i = 0; rc == 0 && i < st->npins; i++) {
			th_advise_pin *p = &st->pins[i];
			if (!p->nby || (done[i] && !ex[i].n))
				continue;
			const th_req *deps;
			size_t nd;
			const th_project *proj = NULL;
			th_project *pp;
			if ((rc = prov->ops->project(prov->self, p->name, &pp, err)) < 0)
				break;
			proj = pp;
			if ((rc = th_provider_deps(prov, proj, (th_cand *)p->cand, &deps, &nd, err)) < 0)
				break;
			char *who = th_arena_alloc(&a->arena, strlen(p->display) + strlen(p->version) + 2);
			if (!who) {
				rc = ADVISE__NOMEM(err);
				break;
			}
			sprintf(who, "%s %s", p->display, p->version);
			for (size_t k = 0; rc == 0 && k < nd; k++) {
				bool applies = th_env_marker_holds(env, deps[k].marker, "");
				for (size_t e = 0; !applies && e < ex[i].n; e++)
					applies = th_env_marker_holds(env, deps[k].marker, ex[i].v[e]);
				th_advise_pin *q;
				if (!applies || !(q = advise__find(st, deps[k].name)))
					continue;
				th_buf t = TH_BUF_INIT;
				if ((rc = th_req_format(&deps[k], &t, err)) < 0)
					break;
				bool seen = false;
				for (size_t b = 0; b < q->nby && !seen; b++)
					seen = !strcmp(q->by[b].who, who) && !strcmp(q->by[b].req, t.ptr);
				th_buf_release(&t);
				if (!seen) {
					rc = advise__add_by(a, q, who, &deps[k], err);
					changed = true;
				}
				bool added = false;
				for (size_t e = 0; rc == 0 && e < deps[k].nextras; e++)
					rc = advise__add_extra(a, &ex[q - st->pins], deps[k].extras[e], &added, err);
				changed = changed || added;
			}
			done[i] = true;
		}
	}
	free(done);
	return rc;
}

static const char *const advise__drop_text[TH_KBP_DROP_COUNT] = {
	"no file for the target", "Requires-Python", "no known metadata", "not PEP 440",
};

/* One line: the newest candidate that fits, and what newer was skipped. */
static int advise__why(th_advice *a, th_advise_pin *p, th_provider *prov, th_env *env, th_solver_pre pre,
		       th_error *err)
{
	th_project *proj;
	int rc = prov->ops->project(prov->self, p->name, &proj, err);
	if (rc < 0)
		return rc;
	th_buf b = TH_BUF_INIT;
	size_t skipped = 0, listed = 0;
	th_buf s = TH_BUF_INIT;
	p->ncands = proj ? proj->ncands : 0;
	for (size_t i = 0; rc == 0 && proj && i < proj->ncands; i++) {
		const th_cand *c = &proj->cands[i];
		if (c == p->cand || th_version_cmp(&c->version, &p->cand->version) <= 0)
			break;
		char reason[512] = "";
		if (c->rp && !th_specset_contains(c->rp, &env->pyver, 1))
			snprintf(reason, sizeof reason, "Requires-Python %s", c->requires_python);
		for (size_t k = 0; !reason[0] && k < p->nby; k++)
			if (!th_specset_contains(p->by[k].parsed->spec, &c->version, 1))
				snprintf(reason, sizeof reason, "%s needs %s", p->by[k].who, p->by[k].req);
		if (!reason[0] && c->yanked)
			snprintf(reason, sizeof reason, "yanked");
		if (!reason[0] && c->prerelease && pre != TH_SOLVER_PRE_ALLOW)
			snprintf(reason, sizeof reason, "pre-release");
		if (!reason[0])
			snprintf(reason, sizeof reason, "%s",
				 !a->search ? "conflicts with the rest of the stack" : "scored lower");
		skipped++;
		if (listed < 3) {
			rc = th_buf_printf(&s, err, "%s%s (%s)", listed ? ", " : "", c->version_text, reason);
			listed++;
		}
	}
	/* versions the target ruled out that are newer than the pin */
	const th_kbp_dropped *d = NULL;
	size_t nd = 0;
	if (a->kp)
		th_kbprovider_dropped(a->kp, p->name, &d, &nd);
	for (size_t i = 0; rc == 0 && i < nd; i++) {
		th_version v;
		if (th_version_parse(&v, d[i].version, strlen(d[i].version), &a->arena, NULL) < 0 ||
		    th_version_cmp(&v, &p->cand->version) <= 0)
			continue;
		skipped++;
		if (listed < 3) {
			rc = th_buf_printf(&s, err, "%s%s (%s%s%s)", listed ? ", " : "", d[i].version,
					   advise__drop_text[d[i].why], d[i].detail ? " " : "", d[i].detail ? d[i].detail : "");
			listed++;
		}
	}
	if (rc == 0 && !a->search)
		rc = th_buf_printf(&b, err, "the newest every requirement accepts of %zu candidate%s for %s", p->ncands,
				   p->ncands == 1 ? "" : "s", th_env_label(env));
	else if (rc == 0)
		rc = th_buf_printf(&b, err, "the %s search's choice among %zu candidate%s for %s", th_rectype_name(a->type),
				   p->ncands, p->ncands == 1 ? "" : "s", th_env_label(env));
	if (rc == 0 && skipped)
		rc = th_buf_printf(&b, err, "; skipped %zu newer: %s%s", skipped, s.ptr, skipped > listed ? ", ..." : "");
	for (size_t i = 0; rc == 0 && i < a->nroots; i++)
		if (a->roots[i].constraint && !strcmp(a->roots[i].name, p->name))
			rc = th_buf_printf(&b, err, "; constrained by %s (%s)", a->roots[i].text, a->roots[i].where);
	if (rc == 0 && !(p->why = th_arena_strndup(&a->arena, b.ptr, b.len)))
		rc = ADVISE__NOMEM(err);
	th_buf_release(&b);
	th_buf_release(&s);
	return rc;
}

/* A stack from pins of the solver or the search. */
static int advise__stack(th_advice *a, th_advise_stack *st, const th_pin *pins, size_t npins, const th_subst *subst,
			 size_t nsubst, th_provider *prov, th_env *env, const th_advise_opts *o, bool explain,
			 th_error *err)
{
	st->subst = subst;
	st->nsubst = nsubst;
	st->pins = th_arena_zalloc(&a->arena, (npins ? npins : 1) * sizeof *st->pins);
	if (!st->pins)
		return ADVISE__NOMEM(err);
	for (size_t i = 0; i < npins; i++) {
		th_advise_pin *p = &st->pins[i];
		p->name = pins[i].name;
		p->version = pins[i].version;
		p->cand = pins[i].cand;
		p->kv = th_kbprovider_version(pins[i].cand);
		p->display = p->kv && p->kv->project->display_name ? p->kv->project->display_name : p->name;
	}
	st->npins = npins;
	int rc = 0;
	if (explain) {
		rc = advise__required_by(a, st, prov, env, err);
		for (size_t i = 0; rc == 0 && i < npins; i++)
			rc = advise__why(a, &st->pins[i], prov, env, o->pre, err);
	}
	return rc;
}

static double advise__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The solver's pins, or the pipeline's search. */
static int advise__latest(th_advice *a, th_provider *prov, th_env *env, const th_req *roots, size_t nroots,
			  const th_advise_opts *o, th_error *err)
{
	th_solution sol;
	th_solution_init(&sol);
	th_solver_opts so = { o->pre, o->lim->resolver_rounds, o->lim->resolver_bytes };
	double t0 = advise__now();
	int rc = th_solver_resolve(&sol, prov, env, roots, nroots, &so, err);
	a->seconds = advise__now() - t0;
	a->rounds = sol.rounds;
	a->backjumps = sol.backjumps;
	if (rc == 0 && !sol.ok) {
		rc = th_buf_put(&a->why, sol.why.ptr, sol.why.len, err);
	} else if (rc == 0) {
		a->stacks = th_arena_zalloc(&a->arena, sizeof *a->stacks);
		if (!a->stacks)
			rc = ADVISE__NOMEM(err);
		else if ((rc = advise__stack(a, &a->stacks[0], sol.pins, sol.npins, NULL, 0, prov, env, o, true, err)) == 0) {
			a->nstacks = 1;
			a->ok = true;
		}
	}
	th_solution_release(&sol);
	return rc;
}

/* Per-candidate facts for the pipeline, from the KB files behind it. */
static const char *advise__wheel_tags(void *ud, const th_project *proj, const th_cand *c, bool *has_sdist)
{
	th_advice *a = ud;
	(void)proj;
	const th_kbp_version *kv = th_kbprovider_version(c);
	*has_sdist = false;
	if (!kv)
		return NULL;
	th_buf b = TH_BUF_INIT;
	for (size_t i = 0; i < kv->nfiles; i++) {
		if (!kv->files[i]->f.tags)
			*has_sdist = true;
		else if (th_buf_printf(&b, NULL, "%s%s", b.len ? " " : "", kv->files[i]->f.tags) < 0)
			break;
	}
	const char *r = b.len ? th_arena_strndup(&a->arena, b.ptr, b.len) : NULL;
	th_buf_release(&b);
	return r;
}

static const char *advise__upload_time(void *ud, const th_project *proj, const th_cand *c)
{
	(void)ud, (void)proj;
	const th_kbp_version *kv = th_kbprovider_version(c);
	const char *best = NULL;
	/* the first upload of any of its files is when the release appeared */
	for (size_t i = 0; kv && i < kv->kb->nfiles; i++) {
		const char *t = kv->kb->files[i].f.upload_time;
		if (t && (!best || strcmp(t, best) < 0))
			best = t;
	}
	return best;
}

/* The search's reason, one line, then what the target ruled out for each
 * requested project that has no candidate left (the search stops at the
 * first empty project; the provider knows why it is empty). */
static int advise__search_why(th_advice *a, th_provider *prov, const th_search_result *res, th_error *err)
{
	int rc = th_buf_put(&a->why, res->why.ptr, res->why.len, err);
	if (rc == 0 && (!a->why.len || a->why.ptr[a->why.len - 1] != '\n'))
		rc = th_buf_putc(&a->why, '\n', err);
	for (size_t i = 0; rc == 0 && i < a->nroots; i++) {
		const char *name = a->roots[i].name;
		th_project *p = NULL;
		if (a->roots[i].constraint || (rc = prov->ops->project(prov->self, name, &p, err)) < 0 || (p && p->ncands))
			continue;
		th_buf t = TH_BUF_INIT;
		rc = prov->ops->explain ? prov->ops->explain(prov->self, name, &t, err) : 0;
		for (size_t k = 0; rc == 0 && k < t.len;) {
			const char *nl = memchr(t.ptr + k, '\n', t.len - k);
			size_t n = nl ? (size_t)(nl - (t.ptr + k)) : t.len - k;
			rc = th_buf_printf(&a->why, err, "  %.*s\n", (int)n, t.ptr + k);
			k += n + 1;
		}
		th_buf_release(&t);
	}
	return rc;
}

static int advise__search(th_advice *a, th_store *s, th_provider *prov, th_env *env, const th_req *roots,
			  size_t nroots, const th_advise_opts *o, th_error *err)
{
	th_pipeline_facts facts;
	memset(&facts, 0, sizeof facts);
	facts.store = s;
	facts.symbols = o->symbols ? o->symbols : a->symbols;
	facts.nsymbols = o->symbols ? o->nsymbols : a->nsymbols;
	facts.wheel_tags = advise__wheel_tags;
	facts.upload_time = advise__upload_time;
	facts.ud = a;
	th_pipeline_config cfg = TH_PIPELINE_CONFIG_INIT;
	cfg.type = o->type;
	cfg.env = env;
	cfg.facts = &facts;
	cfg.rules = o->rules;
	cfg.know = o->know;
	cfg.cuda_version = env->spec.cuda;
	cfg.cudnn_version = env->spec.cudnn;
	cfg.pre = o->pre;
	th_pipeline *pl = NULL;
	th_search_result *res = calloc(1, sizeof *res);
	if (!res)
		return ADVISE__NOMEM(err);
	th_search_result_init(res);
	a->search = res;
	th_search_opts so = TH_SEARCH_OPTS_INIT;
	so.count = o->count ? o->count : 1;
	so.enumerate = o->enumerate;
	so.seed = o->seed;
	int rc = th_pipeline_new(&pl, &cfg, err);
	if (rc == 0 && o->type == TH_RECTYPE_PERFORMANCE) /* recorded observations (resolver/unit_perf) */
		rc = th_unit_perf_add(pl, &facts, s, env, err);
	double t0 = advise__now();
	if (rc == 0)
		rc = th_search_run(res, pl, prov, roots, nroots, &so, err);
	a->seconds = advise__now() - t0;
	a->notes = res->boot_just;
	a->nnotes = res->nboot_just;
	if (rc == 0 && !res->ok) {
		rc = advise__search_why(a, prov, res, err);
	} else if (rc == 0) {
		a->finals = res->finals;
		a->stacks = th_arena_zalloc(&a->arena, (res->nstacks ? res->nstacks : 1) * sizeof *a->stacks);
		if (!a->stacks)
			rc = ADVISE__NOMEM(err);
		for (size_t i = 0; rc == 0 && i < res->nstacks; i++) {
			th_advise_stack *st = &a->stacks[i];
			/* only the best stack is explained pin by pin: the others are alternatives */
			rc = advise__stack(a, st, res->stacks[i].pins, res->stacks[i].npins, res->stacks[i].subst,
					   res->stacks[i].nsubst, prov, env, o, i == 0, err);
			st->score = res->stacks[i].score;
			st->just = res->stacks[i].just;
			st->njust = res->stacks[i].njust;
			a->nstacks = i + 1;
		}
		a->ok = rc == 0;
	}
	th_pipeline_free(pl);
	return rc;
}

int th_advise_resolve(th_advice *a, th_store *s, th_env *env, const th_advise_opts *o, th_error *err)
{
	a->env = env;
	a->type = o->type;
	th_kbprovider_opts ko = { o->no_sdist, o->lazy };
	int rc = th_kbprovider_new(&a->kp, s, env, &ko, err);
	if (rc < 0)
		return rc;
	th_provider prov = th_kbprovider_provider(a->kp);
	advise__cons cons = { prov, a->roots, a->nroots, &a->arena, o->pre, NULL, NULL, 0, 0 };
	bool any_cons = false;
	size_t nreq = 0;
	for (size_t i = 0; i < a->nroots; i++) {
		any_cons = any_cons || a->roots[i].constraint;
		nreq += !a->roots[i].constraint;
	}
	if (any_cons) {
		prov.ops = &advise__cons_ops;
		prov.self = &cons;
	}
	th_req *roots = th_arena_alloc(&a->arena, (nreq ? nreq : 1) * sizeof *roots);
	if (!roots)
		return ADVISE__NOMEM(err);
	for (size_t i = 0, k = 0; i < a->nroots; i++)
		if (!a->roots[i].constraint)
			roots[k++] = a->roots[i].req;
	if (o->type == TH_RECTYPE_LATEST && !o->enumerate && o->count <= 1)
		return advise__latest(a, &prov, env, roots, nreq, o, err);
	return advise__search(a, s, &prov, env, roots, nreq, o, err);
}
