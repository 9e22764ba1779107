#include "resolver/kbprovider.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/specifier.h"

/* What the provider keeps per project (th_project.data). */
typedef struct kbprovider__proj {
	th_kb_project kb;
	bool unknown;               /* no index has it */
	th_kbp_dropped *dropped;
	size_t ndropped;
} kbprovider__proj;

struct th_kbprovider {
	th_store *s;
	th_env *env;
	th_kbprovider_opts o;
	th_provider_mem *mem;       /* the candidates, and the name -> project map */
	th_arena *a;                /* mem's arena: KB strings live as long as the candidates */
	th_kbprovider_stats stats;
	const char *rp_last;        /* the last Requires-Python text met (arena) and its answer */
	bool rp_last_parsed, rp_last_ok;
};

int th_kbprovider_new(th_kbprovider **out, th_store *s, th_env *env, const th_kbprovider_opts *o, th_error *err)
{
	*out = NULL;
	th_kbprovider *kp = calloc(1, sizeof *kp);
	if (!kp)
		return th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
	kp->s = s;
	kp->env = env;
	if (o)
		kp->o = *o;
	int rc = th_provider_mem_new(&kp->mem, err);
	if (rc < 0) {
		free(kp);
		return rc;
	}
	kp->a = th_provider_mem_arena(kp->mem);
	*out = kp;
	return 0;
}

void th_kbprovider_free(th_kbprovider *kp)
{
	if (!kp)
		return;
	th_provider_mem_free(kp->mem);
	free(kp);
}

/* The wheel tags of a KB file ("a-b-c a-b-c"), in the arena. */
static int kbprovider__tags(const char *text, th_tag **out, size_t *n, th_arena *a)
{
	size_t cap = 1;
	for (const char *p = text; *p; p++)
		cap += *p == ' ';
	th_tag *t = th_arena_alloc(a, cap * sizeof *t);
	char *dup = th_arena_strdup(a, text);
	if (!t || !dup)
		return TH_ERR_NOMEM;
	size_t k = 0;
	for (char *save = NULL, *tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *d1 = strchr(tok, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
		if (!d2 || k == cap)
			continue; /* not interpreter-abi-platform: it cannot match anything */
		*d1 = *d2 = '\0';
		t[k++] = (th_tag){ tok, d1 + 1, d2 + 1 };
	}
	*out = t;
	*n = k;
	return 0;
}

static int kbprovider__drop(th_kbprovider *kp, kbprovider__proj *pp, size_t *cap, const char *version, th_kbp_drop why,
			    const char *detail)
{
	if (pp->ndropped == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		th_kbp_dropped *d = th_arena_alloc(kp->a, nc * sizeof *d);
		if (!d)
			return TH_ERR_NOMEM;
		if (pp->ndropped)
			memcpy(d, pp->dropped, pp->ndropped * sizeof *d);
		pp->dropped = d;
		*cap = nc;
	}
	pp->dropped[pp->ndropped++] = (th_kbp_dropped){ version, why, detail };
	kp->stats.dropped++;
	return 0;
}

/* A Requires-Python text admits the target? Text that does not parse says
 * nothing (pip ignores it too). Files of one project repeat the same text
 * many times: the last answer is reused. */
static bool kbprovider__rp_ok(th_kbprovider *kp, const char *rp, const char **parsed_text)
{
	*parsed_text = NULL;
	if (!rp || !*rp)
		return true;
	if (kp->rp_last && !strcmp(kp->rp_last, rp)) {
		*parsed_text = kp->rp_last_parsed ? rp : NULL;
		return kp->rp_last_ok;
	}
	th_specset *set = NULL;
	bool parsed = th_specset_parse(&set, rp, strlen(rp), kp->a, NULL) == 0;
	kp->rp_last = rp;
	kp->rp_last_parsed = parsed;
	kp->rp_last_ok = !parsed || th_specset_contains(set, &kp->env->pyver, 1);
	*parsed_text = parsed ? rp : NULL;
	return kp->rp_last_ok;
}

typedef struct kbprovider__inst {
	const th_kb_pfile *f;
	int rank;                  /* INT_MAX for an sdist */
	const char *rp;            /* Requires-Python that parsed, or NULL */
} kbprovider__inst;

static int kbprovider__inst_cmp(const void *x, const void *y)
{
	const kbprovider__inst *a = x, *b = y;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	return a->f < b->f ? -1 : a->f > b->f; /* keeps KB order among equals */
}

/* Fits one version to the target: a candidate, or a reason to drop it. */
static int kbprovider__version(th_kbprovider *kp, th_project *proj, kbprovider__proj *pp, const th_kb_pversion *v,
			       size_t *dcap, th_error *err)
{
	kbprovider__inst *inst = v->nfiles ? malloc(v->nfiles * sizeof *inst) : NULL;
	if (v->nfiles && !inst)
		return th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
	size_t ni = 0;
	bool tag_ok = false;
	const char *rp_bad = NULL;
	int rc = 0;
	for (size_t i = 0; i < v->nfiles; i++) {
		const th_kb_pfile *f = &v->files[i];
		int rank = INT_MAX;
		if (f->f.tags) {
			th_tag *tags;
			size_t nt;
			if (kbprovider__tags(f->f.tags, &tags, &nt, kp->a) < 0) {
				rc = th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
				goto done;
			}
			if ((rank = th_env_wheel_rank(kp->env, tags, nt)) < 0)
				continue;
		} else if (kp->o.no_sdist) {
			continue;
		}
		tag_ok = true;
		const char *rp = f->f.requires_python ? f->f.requires_python : f->md_requires_python, *parsed;
		if (!kbprovider__rp_ok(kp, rp, &parsed)) {
			rp_bad = parsed;
			continue;
		}
		inst[ni++] = (kbprovider__inst){ f, rank, parsed };
	}
	if (ni == 0) {
		rc = kbprovider__drop(kp, pp, dcap, v->version, tag_ok ? TH_KBP_DROP_REQUIRES_PYTHON : TH_KBP_DROP_NO_FILE,
				      tag_ok ? rp_bad : NULL);
		goto done;
	}
	/* PEP 592: yanked files count only when nothing else is left */
	size_t live = 0;
	for (size_t i = 0; i < ni; i++)
		if (!inst[i].f->f.yanked)
			inst[live++] = inst[i];
	bool yanked = live == 0;
	if (!yanked)
		ni = live;
	if (ni)
		qsort(inst, ni, sizeof *inst, kbprovider__inst_cmp);
	const kbprovider__inst *meta = NULL;
	for (size_t i = 0; i < ni && !meta; i++)
		if (inst[i].f->has_metadata)
			meta = &inst[i];
	if (!meta) {
		rc = kbprovider__drop(kp, pp, dcap, v->version, TH_KBP_DROP_NO_METADATA, NULL);
		goto done;
	}
	th_kbp_version *kv = th_arena_zalloc(kp->a, sizeof *kv);
	const th_kb_pfile **files = th_arena_alloc(kp->a, ni * sizeof *files);
	if (!kv || !files) {
		rc = th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
		goto done;
	}
	for (size_t i = 0; i < ni; i++)
		files[i] = inst[i].f;
	kv->project = &pp->kb;
	kv->kb = v;
	kv->files = files;
	kv->nfiles = ni;
	kv->meta = meta->f;
	kv->rank = inst[0].rank == INT_MAX ? -1 : inst[0].rank;
	bool added = false;
	rc = th_provider_mem_add_data(kp->mem, proj->name, strlen(proj->name), v->version, strlen(v->version), meta->rp,
				      yanked, (const char **)meta->f->requires, meta->f->nrequires, kv, &added, err);
	if (rc == 0 && !added)
		rc = kbprovider__drop(kp, pp, dcap, v->version, TH_KBP_DROP_INVALID, NULL);
	else if (rc == 0) {
		proj->cands[proj->ncands - 1].yanked_pinnable = true; /* the one just added */
		kp->stats.candidates++;
	}
done:
	free(inst);
	if (rc == TH_ERR_NOMEM && (!err || err->code == 0))
		rc = th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
	return rc;
}

int th_kbprovider_project(th_kbprovider *kp, const char *name, th_project **out, th_error *err)
{
	*out = NULL;
	th_project *p = th_provider_mem_find(kp->mem, name);
	if (p) {
		const kbprovider__proj *pp = p->data;
		*out = pp && pp->unknown ? NULL : p;
		return 0;
	}
	int rc = th_provider_mem_touch(kp->mem, name, &p, err);
	if (rc < 0)
		return rc;
	kbprovider__proj *pp = th_arena_zalloc(kp->a, sizeof *pp);
	if (!pp)
		return th_error_set(err, TH_ERR_NOMEM, "kbprovider: out of memory");
	p->data = pp;
	th_error e2 = TH_ERROR_INIT;
	rc = th_kb_project_load(kp->s, p->name, &pp->kb, kp->a, &e2);
	if (rc == TH_ERR_NOTFOUND && kp->o.lazy) {
		int found = 0;
		kp->stats.lazy_fetches++;
		if ((rc = th_kb_lazy_fetch(kp->o.lazy, p->name, &found, err)) < 0)
			return rc;
		e2 = (th_error)TH_ERROR_INIT;
		rc = found ? th_kb_project_load(kp->s, p->name, &pp->kb, kp->a, &e2) : TH_ERR_NOTFOUND;
	}
	if (rc == TH_ERR_NOTFOUND) {
		pp->unknown = true;
		kp->stats.unknown++;
		return 0;
	}
	if (rc < 0) {
		if (err)
			*err = e2;
		return rc;
	}
	kp->stats.projects++;
	size_t dcap = 0;
	for (size_t i = 0; i < pp->kb.nversions; i++)
		if ((rc = kbprovider__version(kp, p, pp, &pp->kb.versions[i], &dcap, err)) < 0)
			return rc;
	th_provider_mem_finish_project(p);
	*out = p;
	return 0;
}

static int kbprovider__op_project(void *self, const char *name, th_project **out, th_error *err)
{
	return th_kbprovider_project(self, name, out, err);
}

static int kbprovider__op_explain(void *self, const char *name, th_buf *out, th_error *err)
{
	return th_kbprovider_explain(self, name, out, err);
}

static const th_provider_ops kbprovider__ops = { kbprovider__op_project, kbprovider__op_explain };

th_provider th_kbprovider_provider(th_kbprovider *kp)
{
	th_provider p = { &kbprovider__ops, kp, kp->a };
	return p;
}

const th_kbp_version *th_kbprovider_version(const th_cand *c)
{
	return c ? c->data : NULL;
}

int th_kbprovider_dropped(th_kbprovider *kp, const char *name, const th_kbp_dropped **out, size_t *n)
{
	th_project *p = th_provider_mem_find(kp->mem, name);
	const kbprovider__proj *pp = p ? p->data : NULL;
	*out = pp ? pp->dropped : NULL;
	*n = pp ? pp->ndropped : 0;
	return 0;
}

int th_kbprovider_explain(th_kbprovider *kp, const char *name, th_buf *out, th_error *err)
{
	th_project *p = th_provider_mem_find(kp->mem, name);
	const kbprovider__proj *pp = p ? p->data : NULL;
	if (!pp)
		return 0;
	if (pp->unknown)
		return th_buf_printf(out, err, "%s is not in the knowledge base%s\n", name,
				     kp->o.lazy ? " nor in the configured indexes" : " (import its index with --index)");
	size_t count[TH_KBP_DROP_COUNT] = { 0 };
	const char *example[TH_KBP_DROP_COUNT] = { 0 }, *detail[TH_KBP_DROP_COUNT] = { 0 };
	for (size_t i = 0; i < pp->ndropped; i++) {
		th_kbp_drop w = pp->dropped[i].why;
		if (count[w]++ == 0) {
			example[w] = pp->dropped[i].version;
			detail[w] = pp->dropped[i].detail;
		}
	}
	const char *label = th_env_label(kp->env);
	bool none = p->ncands == 0;
	int rc = 0;
	if (count[TH_KBP_DROP_NO_FILE] && none && count[TH_KBP_DROP_NO_FILE] == pp->ndropped)
		rc = th_buf_printf(out, err, "no %s version has a %s for %s\n", name,
				   kp->o.no_sdist ? "wheel (sdists are not allowed)" : "wheel or sdist", label);
	else if (count[TH_KBP_DROP_NO_FILE])
		rc = th_buf_printf(out, err, "%zu version%s of %s (e.g. %s) ha%s no wheel%s for %s\n",
				   count[TH_KBP_DROP_NO_FILE], count[TH_KBP_DROP_NO_FILE] == 1 ? "" : "s", name,
				   example[TH_KBP_DROP_NO_FILE], count[TH_KBP_DROP_NO_FILE] == 1 ? "s" : "ve",
				   kp->o.no_sdist ? "" : " or sdist", label);
	if (rc == 0 && count[TH_KBP_DROP_REQUIRES_PYTHON])
		rc = th_buf_printf(out, err, "%zu version%s of %s (e.g. %s: Requires-Python %s) exclude%s Python %s\n",
				   count[TH_KBP_DROP_REQUIRES_PYTHON], count[TH_KBP_DROP_REQUIRES_PYTHON] == 1 ? "" : "s",
				   name, example[TH_KBP_DROP_REQUIRES_PYTHON],
				   detail[TH_KBP_DROP_REQUIRES_PYTHON] ? detail[TH_KBP_DROP_REQUIRES_PYTHON] : "?",
				   count[TH_KBP_DROP_REQUIRES_PYTHON] == 1 ? "s" : "", kp->env->python_full);
	if (rc == 0 && count[TH_KBP_DROP_NO_METADATA])
		rc = th_buf_printf(out, err, "%zu version%s of %s (e.g. %s) ha%s no known core metadata for %s\n",
				   count[TH_KBP_DROP_NO_METADATA], count[TH_KBP_DROP_NO_METADATA] == 1 ? "" : "s", name,
				   example[TH_KBP_DROP_NO_METADATA], count[TH_KBP_DROP_NO_METADATA] == 1 ? "s" : "ve",
				   "its installable files");
	if (rc == 0 && count[TH_KBP_DROP_INVALID])
		rc = th_buf_printf(out, err, "%zu version%s of %s (e.g. %s) %s not PEP 440\n", count[TH_KBP_DROP_INVALID],
				   count[TH_KBP_DROP_INVALID] == 1 ? "" : "s", name, example[TH_KBP_DROP_INVALID],
				   count[TH_KBP_DROP_INVALID] == 1 ? "is" : "are");
	return rc;
}

void th_kbprovider_stats_get(const th_kbprovider *kp, th_kbprovider_stats *out)
{
	*out = kp->stats;
}
