#include "resolver/solver.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/name.h"
#include "core/specifier.h"

#define SOLVER__ROOT (-1)

typedef struct solver__req {
	int ident;
	const th_specset *spec;
	const th_req *src;      /* NULL for the pin of a name[extra] on name */
} solver__req;

typedef struct solver__deps {
	const solver__req **reqs;
	size_t n;
} solver__deps;

typedef struct solver__ident {
	th_project *proj;       /* NULL: unknown project, no candidates */
	char *key;              /* "name" or "name[a,b]"; malloced */
	size_t namelen;         /* length of the name part of key */
	const char *const *extras;
	size_t nextras;
	solver__deps **deps;    /* per candidate of proj, computed once; malloced */
	int *cls;               /* per candidate: the first candidate of equal version; malloced */
} solver__ident;

typedef struct solver__info {
	const solver__req *req;
	int parent;             /* ident of the candidate that asked, or SOLVER__ROOT */
	int parent_cand;
} solver__info;

/* Immutable once built; lives in the resolution's arena. */
typedef struct solver__crit {
	const int *cands;       /* candidate indices into the ident's project */
	size_t ncands;
	const solver__info *infos;
	size_t ninfos;
	const int *incompat;
	size_t nincompat;
} solver__crit;

typedef struct solver__entry {
	int ident;
	const solver__crit *crit;
} solver__entry;

typedef struct solver__pinned {
	int ident;
	int cand;
} solver__pinned;

typedef struct solver__state {
	solver__entry *crits;   /* insertion order, as a Python dict */
	size_t ncrits, capcrits;
	solver__pinned *pins;   /* insertion order */
	size_t npins, cappins;
} solver__state;

typedef struct solver {
	th_provider *p;
	th_env *env;
	const th_solver_opts *opts;
	th_arena arena;
	th_error *err;
	solver__ident *ids;
	size_t nids, capids;
	int *idmap;             /* open addressing over ids by key; -1 empty */
	size_t nidmap;
	solver__state *states;
	size_t nstates, capstates;
	int *scratch;           /* candidate lists under construction */
	size_t capscratch;
	unsigned char *mark;    /* per ident flags */
	size_t capmark;
} solver;

/* memcpy that accepts (NULL, 0): empty lists are NULL here. */
static void solver__memcpy(void *dst, const void *src, size_t n)
{
	if (n)
		memcpy(dst, src, n);
}

#define SOLVER__NOMEM(s) th_error_set((s)->err, TH_ERR_NOMEM, "resolver: out of memory")

static uint64_t solver__hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int solver__grow(void **ptr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n *= 2;
	void *q = realloc(*ptr, n * elem);
	if (!q)
		return -1;
	*ptr = q;
	*cap = n;
	return 0;
}

static int solver__rehash(solver *s)
{
	size_t n = s->nidmap ? s->nidmap * 2 : 256;
	int *m = malloc(n * sizeof *m);
	if (!m)
		return SOLVER__NOMEM(s);
	for (size_t i = 0; i < n; i++)
		m[i] = -1;
	for (size_t i = 0; i < s->nids; i++) {
		size_t j = (size_t)solver__hash(s->ids[i].key) & (n - 1);
		while (m[j] >= 0)
			j = (j + 1) & (n - 1);
		m[j] = (int)i;
	}
	free(s->idmap);
	s->idmap = m;
	s->nidmap = n;
	return 0;
}

/* The identifier of (name, extras): canonical name, extras sorted as the
 * requirement parser keeps them. */
static int solver__intern(solver *s, const char *name, const char *const *extras, size_t nextras, int *out)
{
	th_buf b;
	th_buf_init(&b, 0);
	size_t nlen = strlen(name);
	int rc = th_buf_grow(&b, nlen + 1, s->err);
	if (rc < 0)
		goto done;
	b.len = th_name_canon(b.ptr, name, nlen);
	b.ptr[b.len] = '\0';
	size_t namelen = b.len;
	if (nextras) {
		rc = th_buf_putc(&b, '[', s->err);
		for (size_t i = 0; rc == 0 && i < nextras; i++) {
			if (i)
				rc = th_buf_putc(&b, ',', s->err);
			if (rc == 0)
				rc = th_buf_puts(&b, extras[i], s->err);
		}
		if (rc == 0)
			rc = th_buf_putc(&b, ']', s->err);
		if (rc < 0)
			goto done;
	}
	if ((s->nids + 1) * 2 > s->nidmap && (rc = solver__rehash(s)) < 0)
		goto done;
	size_t j = (size_t)solver__hash(b.ptr) & (s->nidmap - 1);
	while (s->idmap[j] >= 0) {
		if (strcmp(s->ids[s->idmap[j]].key, b.ptr) == 0) {
			*out = s->idmap[j];
			goto done;
		}
		j = (j + 1) & (s->nidmap - 1);
	}
	if (solver__grow((void **)&s->ids, &s->capids, s->nids + 1, sizeof *s->ids) < 0) {
		rc = SOLVER__NOMEM(s);
		goto done;
	}
	solver__ident *id = &s->ids[s->nids];
	memset(id, 0, sizeof *id);
	id->namelen = namelen;
	id->extras = extras;
	id->nextras = nextras;
	char save = b.ptr[namelen];
	b.ptr[namelen] = '\0';
	rc = s->p->ops->project(s->p->self, b.ptr, &id->proj, s->err);
	b.ptr[namelen] = save;
	if (rc < 0)
		goto done;
	id->key = th_buf_detach(&b, NULL);
	if (!id->key) {
		rc = SOLVER__NOMEM(s);
		goto done;
	}
	if (id->proj && id->proj->ncands) {
		id->deps = calloc(id->proj->ncands, sizeof *id->deps);
		id->cls = malloc(id->proj->ncands * sizeof *id->cls);
		if (!id->deps || !id->cls) {
			free(id->key);
			free(id->deps);
			free(id->cls);
			rc = SOLVER__NOMEM(s);
			goto done;
		}
	}
	/* Versions are sorted, so equal ones (1.0 and 1.0.0) are neighbours. */
	for (size_t k = 0; id->proj && k < id->proj->ncands; k++)
		id->cls[k] = k && th_version_cmp(&id->proj->cands[k - 1].version,
						 &id->proj->cands[k].version) == 0 ? id->cls[k - 1] : (int)k;
	s->idmap[j] = (int)s->nids;
	*out = (int)s->nids++;
	if (solver__grow((void **)&s->mark, &s->capmark, s->nids, 1) < 0)
		rc = SOLVER__NOMEM(s);
	else
		s->mark[s->nids - 1] = 0;
done:
	th_buf_release(&b);
	return rc;
}

/* A marker that cannot be evaluated (packaging 22+ raises, e.g. on
 * `implementation_name === "pypy"`) does not hold: the dependency is left
 * out, as pip's older packaging (21.3, which compared such values as text)
 * answers, rather than failing the whole resolution. */
static int solver__eval(const th_marker *m, const th_marker_env *env, bool *ok)
{
	if (th_marker_eval(m, env, ok, NULL) < 0)
		*ok = false;
	return 0;
}

/* Marker of a dependency for candidates of an identifier with these extras:
 * true if it holds for any of them ("" when there are none). */
static int solver__marker_ok(solver *s, const th_marker *m, const solver__ident *id, bool *ok)
{
	*ok = true;
	if (!m)
		return 0;
	th_marker_env *env = &s->env->markers;
	int rc = 0;
	*ok = false;
	if (id->nextras == 0)
		return solver__eval(m, env, ok);
	for (size_t i = 0; i < id->nextras && !*ok; i++) {
		if ((rc = th_marker_env_set(env, "extra", id->extras[i], strlen(id->extras[i]), s->err)) < 0)
			break;
		solver__eval(m, env, ok);
	}
	int rc2 = th_marker_env_set(env, "extra", "", 0, s->err);
	return rc < 0 ? rc : rc2;
}

/* get_dependencies(candidate): for name[extras], first name==version. */
static int solver__deps_of(solver *s, int ident, int cand, const solver__deps **out)
{
	solver__ident *id = &s->ids[ident];
	if (id->deps[cand]) {
		*out = id->deps[cand];
		return 0;
	}
	th_cand *c = &id->proj->cands[cand];
	const th_req *reqs;
	size_t n;
	int rc = th_provider_deps(s->p, id->proj, c, &reqs, &n, s->err);
	if (rc < 0)
		return rc;
	solver__deps *d = th_arena_zalloc(&s->arena, sizeof *d);
	const solver__req **list = th_arena_alloc(&s->arena, (n + 1) * sizeof *list);
	if (!d || !list)
		return SOLVER__NOMEM(s);
	d->reqs = list;
	if (id->nextras) {
		solver__req *pin = th_arena_zalloc(&s->arena, sizeof *pin);
		if (!pin)
			return SOLVER__NOMEM(s);
		th_buf b;
		th_buf_init(&b, 0);
		th_specset *spec = NULL;
		rc = th_buf_printf(&b, s->err, "==%s", c->version_text);
		if (rc == 0)
			rc = th_specset_parse(&spec, b.ptr, b.len, &s->arena, s->err);
		th_buf_release(&b);
		if (rc < 0)
			return rc;
		char save = id->key[id->namelen];
		id->key[id->namelen] = '\0';
		int base;
		rc = solver__intern(s, id->key, NULL, 0, &base);
		id = &s->ids[ident]; /* intern may move the table */
		id->key[id->namelen] = save;
		if (rc < 0)
			return rc;
		pin->ident = base;
		pin->spec = spec;
		list[d->n++] = pin;
	}
	for (size_t i = 0; i < n; i++) {
		bool ok;
		if ((rc = solver__marker_ok(s, reqs[i].marker, &s->ids[ident], &ok)) < 0) {
			th_error_prefix(s->err, "%s %s: dependency %s", s->ids[ident].proj->name,
					c->version_text, c->dep_text[i]);
			return rc;
		}
		if (!ok)
			continue;
		solver__req *r = th_arena_zalloc(&s->arena, sizeof *r);
		if (!r)
			return SOLVER__NOMEM(s);
		if ((rc = solver__intern(s, reqs[i].name, reqs[i].extras, reqs[i].nextras, &r->ident)) < 0)
			return rc;
		r->spec = reqs[i].spec;
		r->src = &reqs[i];
		list[d->n++] = r;
	}
	s->ids[ident].deps[cand] = d;
	*out = d;
	return 0;
}

static bool solver__cand_usable(const solver *s, const th_cand *c, bool pinned)
{
	if (c->yanked && !(pinned && c->yanked_pinnable))
		return false;
	return !c->rp || th_specset_contains(c->rp, &s->env->pyver, 1);
}

/* Does the set pin one version (== without a wildcard, or ===)? */
static bool solver__pins(const th_specset *set)
{
	for (size_t i = 0, n = th_specset_count(set); i < n; i++) {
		const th_spec *c = th_specset_clause(set, i);
		th_spec_op op = th_spec_operator(c);
		if (op == TH_SPEC_ARBITRARY || (op == TH_SPEC_EQ && !th_spec_is_wildcard(c)))
			return true;
	}
	return false;
}

/* find_matches: candidates of ident satisfying every requirement in infos
 * (plus `extra` when not NULL), none equal to an incompatible version. */
static int solver__matches(solver *s, int ident, const solver__info *infos, size_t ninfos,
			   const solver__req *extra, const int *inc1, size_t ninc1, const int *inc2,
			   size_t ninc2, const int **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	th_project *proj = s->ids[ident].proj;
	if (!proj || proj->ncands == 0)
		return 0;
	if (solver__grow((void **)&s->scratch, &s->capscratch, 3 * proj->ncands, sizeof *s->scratch) < 0)
		return SOLVER__NOMEM(s);
	int *finals = s->scratch, *all = s->scratch + proj->ncands, *bad = s->scratch + 2 * proj->ncands;
	const int *cls = s->ids[ident].cls;
	memset(bad, 0, proj->ncands * sizeof *bad);
	for (size_t k = 0; k < ninc1; k++)
		bad[cls[inc1[k]]] = 1;
	for (size_t k = 0; k < ninc2; k++)
		bad[cls[inc2[k]]] = 1;
	size_t nf = 0, na = 0;
	bool allow_pre = s->opts->pre == TH_SOLVER_PRE_ALLOW;
	/* pip filters with the intersection of every specifier on the
	 * identifier (packaging 21.3's SpecifierSet.filter): pre-releases when
	 * one inclusive clause names one; else, only for an empty intersection,
	 * when the project has no final version at all (yanked ones count, as
	 * the finder filters before it drops yanked files); else never, even
	 * when no final version matches. */
	bool strict = false;
	if (s->opts->pre == TH_SOLVER_PRE_PIP) {
		bool empty = !extra || th_specset_count(extra->spec) == 0;
		if (extra && th_specset_prereleases(extra->spec) == 1)
			allow_pre = true;
		for (size_t k = 0; k < ninfos && !allow_pre; k++) {
			allow_pre = th_specset_prereleases(infos[k].req->spec) == 1;
			empty = empty && th_specset_count(infos[k].req->spec) == 0;
		}
		if (!allow_pre && empty) {
			allow_pre = true;
			for (size_t i = 0; i < proj->ncands && allow_pre; i++)
				allow_pre = proj->cands[i].prerelease ||
					    (proj->cands[i].rp && !th_specset_contains(proj->cands[i].rp, &s->env->pyver, 1));
		}
		strict = !allow_pre;
	}
	bool pinned = extra && solver__pins(extra->spec);
	for (size_t k = 0; k < ninfos && !pinned; k++)
		pinned = solver__pins(infos[k].req->spec);
	for (size_t i = 0; i < proj->ncands; i++) {
		const th_cand *c = &proj->cands[i];
		if (!solver__cand_usable(s, c, pinned))
			continue;
		if (bad[cls[i]])
			continue;
		bool ok = true;
		for (size_t k = 0; k < ninfos && ok; k++)
			ok = th_specset_contains(infos[k].req->spec, &c->version, 1);
		if (ok && extra)
			ok = th_specset_contains(extra->spec, &c->version, 1);
		if (!ok)
			continue;
		all[na++] = (int)i;
		if (!c->prerelease || allow_pre)
			finals[nf++] = (int)i;
	}
	const int *src = nf || strict ? finals : all;
	size_t n = nf || strict ? nf : na;
	if (n == 0)
		return 0;
	int *res = th_arena_alloc(&s->arena, n * sizeof *res);
	if (!res)
		return SOLVER__NOMEM(s);
	solver__memcpy(res, src, n * sizeof *res);
	*out = res;
	*nout = n;
	return 0;
}

static long solver__find(const solver__state *st, int ident)
{
	for (size_t i = 0; i < st->ncrits; i++)
		if (st->crits[i].ident == ident)
			return (long)i;
	return -1;
}

static int solver__pin_of(const solver__state *st, int ident)
{
	for (size_t i = st->npins; i-- > 0;)
		if (st->pins[i].ident == ident)
			return st->pins[i].cand;
	return -1;
}

/* _add_to_criteria: *conflict is set (and the criteria left as they were)
 * when the new criterion has no candidate. */
static int solver__add(solver *s, solver__state *st, const solver__req *req, int parent, int parent_cand,
		       const solver__crit **conflict)
{
	*conflict = NULL;
	long at = solver__find(st, req->ident);
	const solver__crit *old = at >= 0 ? st->crits[at].crit : NULL;
	solver__crit *c = th_arena_zalloc(&s->arena, sizeof *c);
	if (!c)
		return SOLVER__NOMEM(s);
	size_t ninfos = old ? old->ninfos + 1 : 1;
	solver__info *infos = th_arena_alloc(&s->arena, ninfos * sizeof *infos);
	if (!infos)
		return SOLVER__NOMEM(s);
	if (old)
		solver__memcpy(infos, old->infos, old->ninfos * sizeof *infos);
	infos[ninfos - 1] = (solver__info){ req, parent, parent_cand };
	c->infos = infos;
	c->ninfos = ninfos;
	if (old) {
		c->incompat = old->incompat;
		c->nincompat = old->nincompat;
	}
	int rc = solver__matches(s, req->ident, old ? old->infos : NULL, old ? old->ninfos : 0, req,
				 c->incompat, c->nincompat, NULL, 0, &c->cands, &c->ncands);
	if (rc < 0)
		return rc;
	if (c->ncands == 0) {
		*conflict = c;
		return 0;
	}
	if (old) {
		st->crits[at].crit = c;
		return 0;
	}
	if (solver__grow((void **)&st->crits, &st->capcrits, st->ncrits + 1, sizeof *st->crits) < 0)
		return SOLVER__NOMEM(s);
	st->crits[st->ncrits++] = (solver__entry){ req->ident, c };
	return 0;
}

static bool solver__satisfying(const solver *s, const solver__state *st, const solver__entry *e)
{
	int pin = solver__pin_of(st, e->ident);
	if (pin < 0)
		return false;
	const th_version *v = &s->ids[e->ident].proj->cands[pin].version;
	for (size_t i = 0; i < e->crit->ninfos; i++)
		if (!th_specset_contains(e->crit->infos[i].req->spec, v, 1))
			return false;
	return true;
}

static void solver__state_free(solver__state *st)
{
	free(st->crits);
	free(st->pins);
	memset(st, 0, sizeof *st);
}

static int solver__state_copy(solver *s, solver__state *dst, const solver__state *src)
{
	memset(dst, 0, sizeof *dst);
	if (solver__grow((void **)&dst->crits, &dst->capcrits, src->ncrits + 1, sizeof *dst->crits) < 0 ||
	    solver__grow((void **)&dst->pins, &dst->cappins, src->npins + 1, sizeof *dst->pins) < 0) {
		solver__state_free(dst);
		return SOLVER__NOMEM(s);
	}
	solver__memcpy(dst->crits, src->crits, src->ncrits * sizeof *dst->crits);
	dst->ncrits = src->ncrits;
	solver__memcpy(dst->pins, src->pins, src->npins * sizeof *dst->pins);
	dst->npins = src->npins;
	return 0;
}

static int solver__push(solver *s)
{
	if (solver__grow((void **)&s->states, &s->capstates, s->nstates + 1, sizeof *s->states) < 0)
		return SOLVER__NOMEM(s);
	int rc = solver__state_copy(s, &s->states[s->nstates], &s->states[s->nstates - 1]);
	if (rc == 0)
		s->nstates++;
	return rc;
}

/* Causes of a failure: the information of each conflicting criterion. */
typedef struct solver__causes {
	solver__info *v;
	size_t n, cap;
} solver__causes;

static int solver__causes_add(solver *s, solver__causes *c, const solver__crit *crit)
{
	if (solver__grow((void **)&c->v, &c->cap, c->n + crit->ninfos, sizeof *c->v) < 0)
		return SOLVER__NOMEM(s);
	solver__memcpy(c->v + c->n, crit->infos, crit->ninfos * sizeof *c->v);
	c->n += crit->ninfos;
	return 0;
}

/* _attempt_to_pin_criterion: *pinned false when every candidate conflicts. */
static int solver__attempt(solver *s, long at, solver__causes *causes, bool *pinned)
{
	*pinned = false;
	solver__state *st = &s->states[s->nstates - 1];
	int ident = st->crits[at].ident;
	const solver__crit *crit = st->crits[at].crit;
	for (size_t k = 0; k < crit->ncands; k++) {
		int cand = crit->cands[k];
		const solver__deps *d;
		int rc = solver__deps_of(s, ident, cand, &d);
		if (rc < 0)
			return rc;
		solver__state next;
		memset(&next, 0, sizeof next);
		if (solver__grow((void **)&next.crits, &next.capcrits, st->ncrits + d->n + 1, sizeof *next.crits) < 0)
			return SOLVER__NOMEM(s);
		solver__memcpy(next.crits, st->crits, st->ncrits * sizeof *next.crits);
		next.ncrits = st->ncrits;
		const solver__crit *conflict = NULL;
		for (size_t i = 0; i < d->n && !conflict; i++) {
			if ((rc = solver__add(s, &next, d->reqs[i], ident, cand, &conflict)) < 0) {
				free(next.crits);
				return rc;
			}
		}
		if (conflict) {
			free(next.crits);
			if ((rc = solver__causes_add(s, causes, conflict)) < 0)
				return rc;
			continue;
		}
		free(st->crits);
		st->crits = next.crits;
		st->ncrits = next.ncrits;
		st->capcrits = next.capcrits;
		size_t j = 0;
		for (size_t i = 0; i < st->npins; i++)
			if (st->pins[i].ident != ident)
				st->pins[j++] = st->pins[i];
		st->npins = j;
		if (solver__grow((void **)&st->pins, &st->cappins, st->npins + 1, sizeof *st->pins) < 0)
			return SOLVER__NOMEM(s);
		st->pins[st->npins++] = (solver__pinned){ ident, cand };
		*pinned = true;
		return 0;
	}
	return 0;
}

typedef struct solver__broken {
	int ident;
	int *inc;
	size_t ninc;
} solver__broken;

/* _patch_criteria: applies the incompatibilities learnt from the broken
 * state to the new top state. */
static int solver__patch(solver *s, solver__broken *br, size_t nbr, bool *ok)
{
	*ok = true;
	solver__state *st = &s->states[s->nstates - 1];
	for (size_t i = 0; i < nbr; i++) {
		if (br[i].ninc == 0)
			continue;
		long at = solver__find(st, br[i].ident);
		if (at < 0)
			continue;
		const solver__crit *old = st->crits[at].crit;
		solver__crit *c = th_arena_zalloc(&s->arena, sizeof *c);
		if (!c)
			return SOLVER__NOMEM(s);
		int rc = solver__matches(s, br[i].ident, old->infos, old->ninfos, NULL, old->incompat,
					 old->nincompat, br[i].inc, br[i].ninc, &c->cands, &c->ncands);
		if (rc < 0)
			return rc;
		if (c->ncands == 0) {
			*ok = false;
			return 0;
		}
		/* Only membership matters (by version): keep one candidate per version. */
		const solver__ident *id = &s->ids[br[i].ident];
		size_t nc = id->proj->ncands;
		int *inc = th_arena_alloc(&s->arena, (br[i].ninc + old->nincompat) * sizeof *inc);
		unsigned char *seen = calloc(nc, 1);
		if (!inc || !seen) {
			free(seen);
			return SOLVER__NOMEM(s);
		}
		size_t ni = 0;
		for (size_t k = 0; k < br[i].ninc + old->nincompat; k++) {
			int x = k < br[i].ninc ? br[i].inc[k] : old->incompat[k - br[i].ninc];
			if (!seen[id->cls[x]]) {
				seen[id->cls[x]] = 1;
				inc[ni++] = x;
			}
		}
		free(seen);
		c->incompat = inc;
		c->nincompat = ni;
		c->infos = old->infos;
		c->ninfos = old->ninfos;
		st->crits[at].crit = c;
	}
	return 0;
}

/* No identifiers yet (no root applies) means no mark array either. */
static void solver__clear_marks(solver *s)
{
	if (s->nids)
		memset(s->mark, 0, s->nids);
}

/* _backjump: *ok false when there is nothing left to try. */
static int solver__backjump(solver *s, const solver__causes *causes, bool *ok)
{
	*ok = false;
	solver__clear_marks(s);
	for (size_t i = 0; i < causes->n; i++) {
		if (causes->v[i].parent != SOLVER__ROOT)
			s->mark[causes->v[i].parent] = 1;
		s->mark[causes->v[i].req->ident] = 1;
	}
	while (s->nstates >= 3) {
		solver__state_free(&s->states[--s->nstates]);
		solver__state broken;
		int name = -1, cand = -1;
		for (;;) {
			if (s->nstates == 0)
				return 0;
			broken = s->states[--s->nstates];
			if (broken.npins == 0) {
				solver__state_free(&broken);
				return 0;
			}
			broken.npins--;
			name = broken.pins[broken.npins].ident;
			cand = broken.pins[broken.npins].cand;
			const solver__deps *d;
			int rc = solver__deps_of(s, name, cand, &d);
			if (rc < 0) {
				solver__state_free(&broken);
				return rc;
			}
			bool hit = false;
			for (size_t i = 0; i < d->n && !hit; i++)
				hit = s->mark[d->reqs[i]->ident] != 0;
			if (hit)
				break;
			solver__state_free(&broken);
		}
		size_t nbr = broken.ncrits + 1;
		solver__broken *br = calloc(nbr, sizeof *br);
		int *pool = NULL;
		size_t total = 1;
		for (size_t i = 0; i < broken.ncrits; i++)
			total += broken.crits[i].crit->nincompat;
		pool = malloc(total * sizeof *pool);
		if (!br || !pool) {
			free(br);
			free(pool);
			solver__state_free(&broken);
			return SOLVER__NOMEM(s);
		}
		size_t used = 0;
		for (size_t i = 0; i < broken.ncrits; i++) {
			const solver__crit *c = broken.crits[i].crit;
			br[i] = (solver__broken){ broken.crits[i].ident, pool + used, c->nincompat };
			solver__memcpy(pool + used, c->incompat, c->nincompat * sizeof *pool);
			used += c->nincompat;
		}
		pool[used] = cand;
		br[nbr - 1] = (solver__broken){ name, pool + used, 1 };
		solver__state_free(&broken);
		int rc = solver__push(s);
		bool patched = false;
		if (rc == 0)
			rc = solver__patch(s, br, nbr, &patched);
		free(br);
		free(pool);
		if (rc < 0)
			return rc;
		if (patched) {
			*ok = true;
			return 0;
		}
	}
	return 0;
}

/* One requirement of a cause as text. */
static int solver__req_text(solver *s, const solver__req *r, th_buf *out)
{
	if (r->src)
		return th_req_format(r->src, out, s->err);
	const solver__ident *x = &s->ids[r->ident];
	int rc = th_buf_printf(out, s->err, "%.*s", (int)x->namelen, x->key);
	return rc < 0 ? rc : th_specset_format(r->spec, out, s->err);
}

/* What the provider says about versions it left out for the target, each
 * line indented under the project's heading. */
static int solver__explain_dropped(solver *s, const solver__ident *x, th_buf *out)
{
	if (!s->p->ops->explain)
		return 0;
	th_buf t;
	th_buf_init(&t, 0);
	char *name = malloc(x->namelen + 1);
	if (!name)
		return SOLVER__NOMEM(s);
	memcpy(name, x->key, x->namelen);
	name[x->namelen] = '\0';
	int rc = s->p->ops->explain(s->p->self, name, &t, s->err);
	for (size_t i = 0; rc == 0 && i < t.len;) {
		const char *nl = memchr(t.ptr + i, '\n', t.len - i);
		size_t n = nl ? (size_t)(nl - (t.ptr + i)) : t.len - i;
		rc = th_buf_printf(out, s->err, "    (%.*s)\n", (int)n, t.ptr + i);
		i += n + 1;
	}
	free(name);
	th_buf_release(&t);
	return rc;
}

/* The explanation: every requirement in the final conflict, grouped by the
 * project it constrains; one line per requirement text and asking project,
 * with the versions of that project that ask it. */
static int solver__explain(solver *s, const solver__causes *causes, th_buf *out)
{
	int rc = th_buf_puts(out, "no solution: these requirements conflict:\n", s->err);
	unsigned char *done = calloc(causes->n ? causes->n : 1, 1);
	th_buf a, b;
	th_buf_init(&a, 0);
	th_buf_init(&b, 0);
	if (!done)
		return SOLVER__NOMEM(s);
	for (size_t i = 0; rc == 0 && i < causes->n; i++) {
		if (done[i])
			continue;
		int id = causes->v[i].req->ident;
		const solver__ident *x = &s->ids[id];
		bool first = true;
		for (size_t k = 0; k < i; k++)
			first = first && causes->v[k].req->ident != id;
		if (first) {
			rc = th_buf_printf(out, s->err, "  %s (%s):\n", x->key,
					   !x->proj ? "unknown project" : "no version satisfies all of these together");
			if (rc == 0)
				rc = solver__explain_dropped(s, x, out);
		}
		for (size_t j = i; rc == 0 && j < causes->n; j++) {
			const solver__info *in = &causes->v[j];
			if (done[j] || in->req->ident != id)
				continue;
			th_buf_clear(&a);
			if ((rc = solver__req_text(s, in->req, &a)) < 0 || (rc = th_buf_printf(out, s->err, "    %s", a.ptr)) < 0)
				break;
			done[j] = 1;
			if (in->parent == SOLVER__ROOT) {
				rc = th_buf_puts(out, "  (requested)\n", s->err);
				continue;
			}
			rc = th_buf_printf(out, s->err, "  (required by %s %s", s->ids[in->parent].key,
					   s->ids[in->parent].proj->cands[in->parent_cand].version_text);
			for (size_t k = j + 1; rc == 0 && k < causes->n; k++) {
				const solver__info *o = &causes->v[k];
				if (done[k] || o->req->ident != id || o->parent != in->parent)
					continue;
				th_buf_clear(&b);
				if ((rc = solver__req_text(s, o->req, &b)) < 0)
					break;
				if (strcmp(a.ptr, b.ptr) != 0)
					continue;
				done[k] = 1;
				if (o->parent_cand != in->parent_cand)
					rc = th_buf_printf(out, s->err, ", %s",
							   s->ids[o->parent].proj->cands[o->parent_cand].version_text);
			}
			if (rc == 0)
				rc = th_buf_puts(out, ")\n", s->err);
		}
	}
	free(done);
	th_buf_release(&a);
	th_buf_release(&b);
	return rc;
}

/* _has_route_to_root: mark 1 connected, 2 being visited (a cycle that does
 * not reach the request), 3 not connected. A requirement counts only if the
 * candidate that asked is the one pinned now. */
static bool solver__route(solver *s, const solver__state *st, int ident, unsigned depth)
{
	if (s->mark[ident] == 1)
		return true;
	if (s->mark[ident] != 0 || depth > 10000)
		return false;
	long at = solver__find(st, ident);
	if (at < 0)
		return false;
	s->mark[ident] = 2;
	const solver__crit *c = st->crits[at].crit;
	for (size_t i = 0; i < c->ninfos; i++) {
		int p = c->infos[i].parent;
		if (p == SOLVER__ROOT || (solver__pin_of(st, p) == c->infos[i].parent_cand &&
					  solver__route(s, st, p, depth + 1))) {
			s->mark[ident] = 1;
			return true;
		}
	}
	s->mark[ident] = 0;
	return false;
}

static int solver__cmp_pin(const void *a, const void *b)
{
	return strcmp(((const th_pin *)a)->name, ((const th_pin *)b)->name);
}

static int solver__run(solver *s, th_solution *out, const th_req *roots, size_t nroots)
{
	solver__causes causes = { 0 };
	int rc = 0;
	if (solver__grow((void **)&s->states, &s->capstates, 2, sizeof *s->states) < 0)
		return SOLVER__NOMEM(s);
	memset(&s->states[0], 0, sizeof s->states[0]);
	s->nstates = 1;
	for (size_t i = 0; i < nroots; i++) {
		const th_req *r = &roots[i];
		bool ok = true;
		if (r->marker)
			solver__eval(r->marker, &s->env->markers, &ok);
		if (!ok)
			continue;
		solver__req *q = th_arena_zalloc(&s->arena, sizeof *q);
		if (!q) {
			rc = SOLVER__NOMEM(s);
			goto done;
		}
		if ((rc = solver__intern(s, r->name, r->extras, r->nextras, &q->ident)) < 0)
			goto done;
		q->spec = r->spec;
		q->src = r;
		const solver__crit *conflict;
		if ((rc = solver__add(s, &s->states[0], q, SOLVER__ROOT, -1, &conflict)) < 0)
			goto done;
		if (conflict) {
			if ((rc = solver__causes_add(s, &causes, conflict)) < 0)
				goto done;
			out->ok = false;
			rc = solver__explain(s, &causes, &out->why);
			goto done;
		}
	}
	if ((rc = solver__push(s)) < 0)
		goto done;
	for (;;) {
		if (out->rounds >= s->opts->max_rounds) {
			rc = th_error_set(s->err, TH_ERR_LIMIT,
					  "resolution: gave up after %llu rounds (limit resolver_rounds)",
					  out->rounds);
			goto done;
		}
		out->rounds++;
		if (s->opts->max_bytes && s->arena.used > s->opts->max_bytes) {
			rc = th_error_set(s->err, TH_ERR_LIMIT,
					  "resolution: gave up after %llu rounds using %zu bytes (limit resolver_bytes)",
					  out->rounds, s->arena.used);
			goto done;
		}
		solver__state *st = &s->states[s->nstates - 1];
		/* mark: 1 satisfied before this round's pin */
		solver__clear_marks(s);
		long best = -1;
		for (size_t i = 0; i < st->ncrits; i++) {
			if (solver__satisfying(s, st, &st->crits[i])) {
				s->mark[st->crits[i].ident] = 1;
				continue;
			}
			if (best < 0 || st->crits[i].crit->ncands < st->crits[best].crit->ncands)
				best = (long)i;
		}
		if (best < 0)
			break;
		bool pinned;
		causes.n = 0;
		if ((rc = solver__attempt(s, best, &causes, &pinned)) < 0)
			goto done;
		if (!pinned) {
			out->backjumps++;
			bool ok;
			if ((rc = solver__backjump(s, &causes, &ok)) < 0)
				goto done;
			if (!ok) {
				out->ok = false;
				rc = solver__explain(s, &causes, &out->why);
				goto done;
			}
			continue;
		}
		st = &s->states[s->nstates - 1];
		/* Requirements from pins that no longer satisfy their criterion stop counting. */
		bool any = false;
		for (size_t i = 0; i < st->ncrits; i++) {
			if (s->mark[st->crits[i].ident] == 1 && !solver__satisfying(s, st, &st->crits[i])) {
				s->mark[st->crits[i].ident] = 2;
				any = true;
			}
		}
		for (size_t i = 0; any && i < st->ncrits; i++) {
			const solver__crit *c = st->crits[i].crit;
			size_t keep = 0;
			for (size_t j = 0; j < c->ninfos; j++)
				keep += c->infos[j].parent == SOLVER__ROOT || s->mark[c->infos[j].parent] != 2;
			if (keep == c->ninfos)
				continue;
			solver__crit *n = th_arena_zalloc(&s->arena, sizeof *n);
			solver__info *infos = th_arena_alloc(&s->arena, (keep + 1) * sizeof *infos);
			if (!n || !infos) {
				rc = SOLVER__NOMEM(s);
				goto done;
			}
			*n = *c;
			size_t k = 0;
			for (size_t j = 0; j < c->ninfos; j++)
				if (c->infos[j].parent == SOLVER__ROOT || s->mark[c->infos[j].parent] != 2)
					infos[k++] = c->infos[j];
			n->infos = infos;
			n->ninfos = keep;
			st->crits[i].crit = n;
		}
		if ((rc = solver__push(s)) < 0)
			goto done;
	}
	/* Solved: the top state's pins that a chain of requirements connects to
	 * the request, without the name[extra] identifiers. */
	solver__state *st = &s->states[s->nstates - 1];
	solver__clear_marks(s);
	for (size_t i = 0; i < st->ncrits; i++)
		solver__route(s, st, st->crits[i].ident, 0);
	out->pins = calloc(st->npins ? st->npins : 1, sizeof *out->pins);
	if (!out->pins) {
		rc = SOLVER__NOMEM(s);
		goto done;
	}
	for (size_t i = 0; i < st->npins; i++) {
		const solver__ident *id = &s->ids[st->pins[i].ident];
		if (id->nextras || s->mark[st->pins[i].ident] != 1)
			continue;
		th_pin *p = &out->pins[out->npins++];
		p->proj = id->proj;
		p->cand = &id->proj->cands[st->pins[i].cand];
		p->name = id->proj->name;
		p->version = p->cand->version_text;
	}
	if (out->npins)
		qsort(out->pins, out->npins, sizeof *out->pins, solver__cmp_pin);
	out->ok = true;
done:
	free(causes.v);
	return rc;
}

void th_solution_init(th_solution *s)
{
	memset(s, 0, sizeof *s);
	th_buf_init(&s->why, 0);
}

void th_solution_release(th_solution *s)
{
	if (!s)
		return;
	free(s->pins);
	th_buf_release(&s->why);
	memset(s, 0, sizeof *s);
}

int th_solver_resolve(th_solution *out, th_provider *p, th_env *env, const th_req *roots,
		      size_t nroots, const th_solver_opts *opts, th_error *err)
{
	solver s;
	memset(&s, 0, sizeof s);
	s.p = p;
	s.env = env;
	s.opts = opts;
	s.err = err;
	th_arena_init(&s.arena, 1 << 16);
	int rc = solver__rehash(&s);
	if (rc == 0)
		rc = solver__run(&s, out, roots, nroots);
	for (size_t i = 0; i < s.nids; i++) {
		free(s.ids[i].key);
		free(s.ids[i].deps);
		free(s.ids[i].cls);
	}
	for (size_t i = 0; i < s.nstates; i++)
		solver__state_free(&s.states[i]);
	free(s.states);
	free(s.ids);
	free(s.idmap);
	free(s.scratch);
	free(s.mark);
	th_arena_release(&s.arena);
	return rc;
}
