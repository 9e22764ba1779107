#include "resolver/gate_conflicts.h"

#include <stdlib.h>
#include <string.h>

#include "core/name.h"
#include "core/requirement.h"
#include "core/version.h"

/* One distribution the target will hold. */
typedef struct conflicts__dist {
	const char *name, *version;
	const char *const *requires; /* NULL when unknown */
	size_t nrequires;
	const th_gate_locked *locked; /* where it comes from, for the evidence */
} conflicts__dist;

static const conflicts__dist *conflicts__find(const conflicts__dist *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static int conflicts__check(th_gate_report *r, const conflicts__dist *all, size_t n, const conflicts__dist *p,
                            th_error *err)
{
	const char *file = p->locked ? p->locked->file : NULL;
	uint32_t line = p->locked ? p->locked->line : 0;
	th_buf key = TH_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < p->nrequires && !rc; i++) {
		const char *text = p->requires[i];
		th_req q;
		char *canon;
		const conflicts__dist *dep;
		th_version v;
		bool holds = true;

		if (th_req_parse(&q, text, strlen(text), r->a, NULL))
			continue;
		if (q.marker && (!r->env || th_marker_eval(q.marker, &r->env->markers, &holds, NULL)))
			continue; /* undecidable here: not judged */
		if (!holds)
			continue;
		if (!(canon = th_arena_alloc(r->a, strlen(q.name) * 3 / 2 + 1)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		canon[th_name_canon(canon, q.name, strlen(q.name))] = '\0';
		th_buf_clear(&key);
		if ((rc = th_buf_printf(&key, err, "%s\n%s", p->name, canon)))
			break;
		dep = conflicts__find(all, n, canon);
		if (!dep)
			rc = th_gate_add(r, err, "dependency-missing", file, line, 1, p->name, p->version, text,
			                 key.ptr, NULL, "%s %s requires %s, which is neither locked nor installed",
			                 p->name, p->version, canon);
		else if (dep->version && th_version_parse(&v, dep->version, strlen(dep->version), r->a, NULL) == 0 &&
		         !th_specset_contains(q.spec, &v, 1))
			rc = th_gate_add(r, err, "dependency-conflict", file, line, 1, p->name, p->version, text,
			                 key.ptr, NULL, "%s %s requires %s, but the target would have %s %s", p->name,
			                 p->version, text, dep->name, dep->version);
	}
	th_buf_release(&key);
	return rc;
}

/* Combinations the curated knowledge knows not to work. */
static int conflicts__broken(th_gate_report *r, const th_gate_input *in, const conflicts__dist *all, size_t n,
                             th_error *err)
{
	th_know_pin *pins = calloc(n ? n : 1, sizeof(*pins));
	th_know_hit hits[TH_KNOW_MAX_HITS];
	th_buf key = TH_BUF_INIT;
	int nh, rc = 0;

	if (!pins)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		pins[i] = (th_know_pin){all[i].name, all[i].version};
	if ((nh = th_know_broken(in->know, pins, n, hits, TH_KNOW_MAX_HITS, err)) < 0)
		rc = nh;
	for (int i = 0; i < nh && i < TH_KNOW_MAX_HITS && !rc; i++) {
		const th_know_hit *h = &hits[i];
		const conflicts__dist *p = h->package ? conflicts__find(all, n, h->package) : NULL;
		th_buf_clear(&key);
		if ((rc = th_buf_printf(&key, err, "%s\n%s", h->unit, h->package ? h->package : "")))
			break;
		rc = th_gate_add(r, err, "known-broken", p && p->locked ? p->locked->file : NULL,
		                 p && p->locked ? p->locked->line : 0, p && p->locked ? 1 : 0, h->package,
		                 p ? p->version : NULL, h->unit, key.ptr, NULL, "%s %s with %s: %s",
		                 h->package ? h->package : "", p && p->version ? p->version : "",
		                 h->subject ? h->subject : "other pins",
		                 h->message ? h->message : "known not to work together");
	}
	th_buf_release(&key);
	free(pins);
	return rc;
}

int th_gate_conflicts(th_gate_report *r, const th_gate_input *in, th_error *err)
{
	size_t nimg = in->image ? in->image->ndists : 0, nlock = in->lock ? in->lock->n : 0, n = 0;
	conflicts__dist *all;
	int rc = 0;

	if (!nimg && !nlock)
		return 0;
	if (!(all = calloc(nimg + nlock, sizeof(*all))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < nlock && !rc; i++) {
		const th_gate_locked *l = &in->lock->pkgs[i];
		const th_kb_pversion *kv = NULL;
		const th_gate_dist *d = th_gate_find_dist(in, l->name);
		conflicts__dist *x;
		if (!th_gate_applies(r, l->marker))
			continue;
		if (!l->version || conflicts__find(all, n, l->name))
			continue;
		if ((rc = th_gate_kb_version(r, in, l->name, l->version, &kv, err)))
			break;
		x = &all[n++];
		*x = (conflicts__dist){l->name, l->version, NULL, 0, l};
		for (size_t k = 0; kv && k < kv->nfiles && !x->requires; k++)
			if (kv->files[k].has_metadata)
		x->requires = kv->files[k].requires, x->nrequires = kv->files[k].nrequires;
		/* The image's own copy says the same when it is that version. */
		if (!x->requires && d && d->version && !strcmp(d->version, l->version))
		x->requires = d->requires, x->nrequires = d->nrequires;
	}
	for (size_t i = 0; i < nimg && !rc; i++) {
		const th_gate_dist *d = &in->image->dists[i];
		if (!conflicts__find(all, n, d->name))
			all[n++] = (conflicts__dist){d->name, d->version, d->requires, d->nrequires, NULL};
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = conflicts__check(r, all, n, &all[i], err);
	if (!rc && in->know)
		rc = conflicts__broken(r, in, all, n, err);
	free(all);
	return rc;
}
