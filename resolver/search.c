/* search — see search.h.
 *
 * The space: every project reached from the roots, its candidates kept by
 * the sieves, sorted by their context-free step score (best first; ties:
 * newest first), so that "the best allowed candidate" is the lowest set bit
 * of an AND of bitsets. A requirement (an edge) carries the bitset of the
 * target's candidates its specifier accepts, computed once. Candidates'
 * dependencies are read (markers evaluated for the target) when first chosen.
 *
 * The walk: a depth-first search with a trail. Level k decides the k-th
 * required project (in the order requirements appear); choosing a candidate
 * applies its requirements: a chosen target must be accepted, an undecided
 * one gets a constraint (and must keep at least one candidate: forward
 * checking). Undoing a level pops the trail. A final stack is reached when
 * every required project is decided; after it the walk backtracks — fully
 * (exhaustive mode), or to a random level (sampling mode), choosing there by
 * annealing. The cost of one final stack is the levels redone, not a whole
 * resolution, which is where the speed comes from.
 */
#include "resolver/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "core/name.h"

#define SEARCH__MAX_EXTRAS 64
#define SEARCH__DEFAULT_FINALS 20000
#define SEARCH__DEFAULT_EXHAUSTIVE 100000

typedef struct s_edge {
	int target;
	uint64_t xmask;          /* extras asked of the target */
	const th_specset *spec;
	uint64_t *bits;          /* target candidates accepted (space arena); NULL until needed */
	const char *text;        /* the requirement as written, for explanations */
	int from_proj, from_cand; /* -1: a root */
} s_edge;

typedef struct s_cadd s_cadd;

/* What few candidates have (kept apart so that s_cand stays small: the
 * walk reads candidates at every decision). */
typedef struct s_more {
	const char *via;         /* the pseudonym that made it stand in (virt or origins) */
	const th_cand **origins; /* versions of this project it also stands for (space arena) */
	size_t norigins, caporigins;
	const th_req **adds;     /* context-free step.AddPackage requirements */
	size_t nadds;
	s_cadd *cadds;           /* contextual step.AddPackage edges, compiled once */
} s_more;

typedef struct s_cand {
	th_cand *c;              /* the candidate (of project vq when virt) */
	s_more *more;            /* NULL: none of it */
	double score;            /* context-free steps */
	th_just *just;           /* their justifications (space arena) */
	size_t njust;
	th_alt *alts;
	size_t nalts;
	bool omit;               /* step.SkipPackage: pinned nowhere, its dependencies dropped */
	bool eager_stop;
	bool compiled;
	bool virt;               /* a pseudonym's alternative standing in for this project */
	int vq;                  /* virt: the alternative's project (its pin) */
	s_edge *deps;
	size_t ndeps;
	uint64_t xdone;          /* extras whose dependencies are compiled */
	s_edge **xdeps;          /* per extra bit (space arena, SEARCH__MAX_EXTRAS) */
	size_t *nxdeps;
} s_cand;

struct s_cadd {
	const th_req *r;
	s_edge e;
	s_cadd *next;
};

typedef struct s_proj {
	const char *name;        /* canonical */
	bool busy;               /* being read (its candidates are not final yet) */
	th_project *proj;        /* NULL: unknown to the provider */
	s_cand *cands;           /* kept, best first */
	size_t ncands, nwords;
	bool skip;               /* sieve.SkipPackage */
	const char *removed;     /* the first sieve justification, for explanations */
	size_t nremoved;
	const char *extras[SEARCH__MAX_EXTRAS];
	size_t nextras;
	uint64_t *allbits;       /* every kept candidate */
	int *steps;              /* contextual steps that can fire for this project (unit indices) */
	size_t nsteps;
	th_project *kept;        /* the kept candidates as a provider project (for the solver), or NULL */
	int *kept_map;           /* kept->cands[i] is cands[kept_map[i]] */
} s_proj;

typedef struct s_cons {
	const s_edge *e;
	int next;
} s_cons;

typedef enum { T_CHOSEN, T_XMASK, T_CONS, T_ORDER, T_ALTBY } s_tkind;

typedef struct s_trail {
	s_tkind kind;
	int p;
	uint64_t old;
} s_trail;

typedef struct s_level {
	int p;                  /* the project decided here */
	int c;                  /* its candidate, -1 while none */
	size_t trail;           /* trail length before the choice */
	size_t avail;           /* offset in the pool of the candidates not tried yet here */
	double score;           /* cumulative score through this level */
} s_level;

typedef struct s_top {
	double score;
	uint64_t zob, seq;
	int *pc;                /* (p, c) pairs in decision order; malloced */
	size_t n, cap;
} s_top;

typedef struct search {
	th_pipeline *pl;
	th_provider *prov;
	th_env *env;
	const th_search_opts *o;
	th_error *err;
	th_unit_ctx ctx;
	th_arena *arena;        /* the space: the result's arena (stacks point into it) */
	th_arena scratch;
	size_t scratch_uses;
	th_search_result *res;
	/* projects */
	s_proj *projs;
	size_t nprojs, capprojs;
	int *buckets;           /* open addressing over projs; -1 empty */
	size_t nbuckets;
	/* roots */
	s_edge *roots;
	size_t nroots;
	/* state (indexed by project; grown with projs) */
	int *chosen;
	uint64_t *xmask;
	int *head;              /* constraint list of each project, -1 none */
	int *altby;             /* the project whose chosen alternative pins this one, -1 none */
	bool *inorder;
	int *order;
	size_t norder;
	s_cons *cons;
	size_t ncons, capcons;
	s_trail *trail;
	size_t ntrail, captrail;
	s_level *levels;
	size_t nlevels, caplevels;
	uint64_t *pool;
	size_t pooltop, poolcap;
	th_pin *pins;           /* decision order, one per level */
	uint64_t zob;
	/* contextual steps and strides */
	bool ctx_steps;
	bool from_steps;        /* a step reads th_stackview.from */
	bool subst_any;         /* a pseudonym's alternative stands in somewhere */
	th_pin *fromv;          /* the from list handed to steps */
	size_t capfrom;
	size_t base_trail;      /* the trail after the roots (level 0 starts here) */
	double *lvl_ctx;        /* contextual score per level */
	uint64_t *tmpbits;
	/* results */
	s_top *top;
	size_t ntop, captop;
	uint64_t *seen;         /* enumerate: hash set of zobrist keys */
	size_t nseen, capseen;
	uint64_t seq;
	uint64_t rng;
	bool stop;
	bool exhaustive_mode;
	uint64_t budget;        /* decisions left in exhaustive mode */
	uint64_t max_decisions;
	uint64_t best_zob;
	int *best_choice;       /* per project, from the best stack (guidance) */
	th_buf *why;
	bool why_set;
} search;

#define S_NOMEM(s) th_error_set((s)->err, TH_ERR_NOMEM, "search: out of memory")

static uint64_t search__mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t search__rand(search *s)
{
	s->rng += 0x9e3779b97f4a7c15ull;
	uint64_t x = s->rng;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static double search__unit(search *s)
{
	return (double)(search__rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

static int search__grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * size);
	if (!np)
		return TH_ERR_NOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static uint32_t search__hash(const char *k)
{
	uint32_t h = 2166136261u;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

/* ---- the space ---- */

static int search__grow_state(search *s, size_t n)
{
	size_t cap = s->capprojs;
	if (n <= cap)
		return 0;
	size_t nc = cap ? cap * 2 : 64;
	while (nc < n)
		nc *= 2;
	s_proj *np = realloc(s->projs, nc * sizeof *np);
	if (!np)
		return S_NOMEM(s);
	s->projs = np;
#define S_GROW(field, fill) \
	do { \
		void *q = realloc(s->field, nc * sizeof *s->field); \
		if (!q) \
			return S_NOMEM(s); \
		s->field = q; \
		for (size_t i_ = cap; i_ < nc; i_++) \
			s->field[i_] = fill; \
	} while (0)
	S_GROW(chosen, -1);
	S_GROW(xmask, 0);
	S_GROW(head, -1);
	S_GROW(altby, -1);
	S_GROW(inorder, false);
	S_GROW(order, 0);
	S_GROW(best_choice, -1);
	S_GROW(pins, ((th_pin){ 0 }));
	S_GROW(lvl_ctx, 0.0);
#undef S_GROW
	s->capprojs = nc;
	/* rehash the name table at twice the projects */
	size_t nb = 2 * nc;
	int *b = malloc(nb * sizeof *b);
	if (!b)
		return S_NOMEM(s);
	for (size_t i = 0; i < nb; i++)
		b[i] = -1;
	for (size_t i = 0; i < s->nprojs; i++) {
		size_t h = search__hash(s->projs[i].name) & (nb - 1);
		while (b[h] >= 0)
			h = (h + 1) & (nb - 1);
		b[h] = (int)i;
	}
	free(s->buckets);
	s->buckets = b;
	s->nbuckets = nb;
	return 0;
}

static s_more *search__more(search *s, s_cand *sc)
{
	if (!sc->more)
		sc->more = th_arena_zalloc(s->arena, sizeof *sc->more);
	return sc->more;
}

static int search__sieve_cand(search *s, s_proj *sp, th_cand *c, bool *keep)
{
	th_pipeline *pl = s->pl;
	th_justs why = { .arena = s->arena };
	*keep = true;
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_SIEVE); u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_SIEVE, u);
		th_sieve_out out = { .keep = true, .just = &why };
		int rc = unit->sieve(unit, &s->ctx, sp->proj, c, &out, s->err);
		if (rc < 0)
			return rc;
		if (out.skip_package)
			sp->skip = true;
		if (!out.keep) {
			*keep = false;
			break;
		}
	}
	if (!*keep) {
		sp->nremoved++;
		if (!sp->removed && why.n)
			sp->removed = why.items[0].message;
	}
	return 0;
}

/* Context-free steps and pseudonyms of one kept candidate. Returns 1 when a
 * step rejects it. */
static int search__score_cand(search *s, s_proj *sp, s_cand *sc)
{
	th_pipeline *pl = s->pl;
	th_justs just = { .arena = s->arena };
	th_adds adds = { .arena = s->arena };
	bool reject = false;
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_STEP); u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_STEP, u);
		if (!(unit->flags & TH_UNIT_CONTEXT_FREE))
			continue;
		th_step_out out = { .just = &just, .add = &adds };
		th_stackview none = { NULL, 0, NULL, 0 };
		int rc = unit->step(unit, &s->ctx, &none, sp->proj, sc->c, &out, s->err);
		if (rc < 0)
			return rc;
		sc->score += out.score;
		reject |= out.not_acceptable;
		sc->omit |= out.skip_package;
		sc->eager_stop |= out.eager_stop;
	}
	sc->just = just.items;
	sc->njust = just.n;
	if (adds.n) {
		if (!search__more(s, sc))
			return S_NOMEM(s);
		sc->more->adds = adds.items;
		sc->more->nadds = adds.n;
	}
	th_alts alts = { .arena = s->arena };
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_PSEUDONYM); u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_PSEUDONYM, u);
		int rc = unit->pseudonym(unit, &s->ctx, sp->proj, sc->c, &alts, s->err);
		if (rc < 0)
			return rc;
	}
	sc->alts = alts.items;
	sc->nalts = alts.n;
	if (reject) {
		sp->nremoved++;
		for (size_t i = 0; i < just.n && !sp->removed; i++)
			if (just.items[i].level == TH_JUST_ERROR)
				sp->removed = just.items[i].message;
	}
	return reject ? 1 : 0;
}

static int search__cand_cmp(const void *a, const void *b)
{
	const s_cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->virt != y->virt) /* the project's own versions before alternatives */
		return x->virt ? 1 : -1;
	if (x->vq != y->vq)
		return x->vq < y->vq ? -1 : 1;
	return x->c < y->c ? -1 : x->c > y->c; /* provider order: newest first */
}

/* The index of a canonical name already read, or -1. */
static int search__find(const search *s, const char *canon)
{
	if (!s->nbuckets)
		return -1;
	for (size_t h = search__hash(canon) & (s->nbuckets - 1); s->buckets[h] >= 0; h = (h + 1) & (s->nbuckets - 1))
		if (!strcmp(s->projs[s->buckets[h]].name, canon))
			return s->buckets[h];
	return -1;
}

static bool search__named(const th_unit *u, const char *name)
{
	if (!u->names)
		return true;
	for (size_t i = 0; i < u->nnames; i++)
		if (!strcmp(u->names[i], name))
			return true;
	return false;
}

/* The contextual steps that can fire for a project. */
static int search__proj_steps(search *s, s_proj *sp)
{
	th_pipeline *pl = s->pl;
	size_t n = th_pipeline_count(pl, TH_UNIT_STEP), m = 0;
	if (!s->ctx_steps || !n)
		return 0;
	if (!(sp->steps = th_arena_alloc(s->arena, n * sizeof *sp->steps)))
		return S_NOMEM(s);
	for (size_t u = 0; u < n; u++) {
		const th_unit *unit = th_pipeline_unit(pl, TH_UNIT_STEP, u);
		if (unit->flags & TH_UNIT_CONTEXT_FREE)
			continue;
		bool named = search__named(unit, sp->name);
		for (size_t i = 0; i < sp->ncands && !named; i++) /* an alternative's steps run for it */
			named = sp->cands[i].virt && search__named(unit, s->projs[sp->cands[i].vq].name);
		if (named)
			sp->steps[m++] = (int)u;
	}
	sp->nsteps = m;
	return 0;
}

static int search__intern(search *s, const char *name, size_t len, int *out);

static int search__origin_add(search *s, s_cand *sc, const char *via, const th_cand *c)
{
	s_more *m = search__more(s, sc);
	if (!m)
		return S_NOMEM(s);
	if (!m->via)
		m->via = via;
	for (size_t i = 0; i < m->norigins; i++)
		if (m->origins[i] == c)
			return 0;
	if (m->norigins == m->caporigins) {
		size_t nc = m->caporigins ? 2 * m->caporigins : 4;
		const th_cand **no = th_arena_alloc(s->arena, nc * sizeof *no);
		if (!no)
			return S_NOMEM(s);
		if (m->norigins)
			memcpy(no, m->origins, m->norigins * sizeof *no);
		m->origins = no;
		m->caporigins = nc;
	}
	m->origins[m->norigins++] = c;
	s->subst_any = true;
	return 0;
}

/* The pseudonym note of a candidate that stands in for versions of
 * project p. */
static int search__stand_just(search *s, int p, s_cand *sc)
{
	th_justs just = { .arena = s->arena, .items = NULL };
	int rc;
	for (size_t i = 0; i < sc->njust; i++)
		if ((rc = th_justs_push(&just, &sc->just[i], s->err)) < 0)
			return rc;
	const char *name = sc->virt ? s->projs[sc->vq].name : s->projs[p].name;
	const s_more *m = sc->more;
	const char *others = m->norigins > 1 ? " and other versions" : "";
	if ((rc = th_justs_add(&just, TH_JUST_INFO, m->via, name, sc->c->version_text, NULL, 0, s->err,
			       "%s %s stands in for %s %s%s (pseudonym %s)", name, sc->c->version_text,
			       s->projs[p].name, m->origins[0]->version_text, others, m->via)) < 0)
		return rc;
	sc->just = just.items;
	sc->njust = just.n;
	return 0;
}

/* Thoth's pseudonyms: each alternative offered for a kept candidate of p
 * (another project's version, or another version of p) becomes a candidate
 * of p that stands in for the candidate it was offered for. An alternative
 * of another project is a copy of that project's kept candidate (sieved and
 * scored as that project's); one of p itself gains the offered-for version
 * as an origin. Requirements on p accept a stand-in when they accept one of
 * its origins. Alternatives are not substituted in their turn (no chains),
 * and a project still being read (a cycle of pseudonyms) offers none. */
static int search__stand_in(search *s, int p)
{
	if (th_pipeline_cfg(s->pl)->type == TH_RECTYPE_LATEST)
		return 0; /* latest is pip's answer: pseudonym-free */
	size_t n0 = s->projs[p].ncands, nv = 0, capv = 0;
	s_cand *virt = NULL;
	int rc = 0;
	for (size_t j = 0; j < n0; j++) {
		for (size_t a = 0; a < s->projs[p].cands[j].nalts; a++) {
			const th_alt *alt = &s->projs[p].cands[j].alts[a];
			const th_cand *origin = s->projs[p].cands[j].c;
			int q;
			if ((rc = search__intern(s, alt->name, strlen(alt->name), &q)) < 0)
				goto done;
			if (q != p && s->projs[q].busy)
				continue;
			th_version want;
			if (alt->version &&
			    th_version_parse(&want, alt->version, strlen(alt->version), &s->scratch, NULL) < 0)
				continue; /* not a version: offers nothing */
			size_t nq = q == p ? n0 : s->projs[q].ncands;
			for (size_t i = 0; i < nq; i++) {
				s_cand *qc = &s->projs[q].cands[i];
				if (qc->virt || (alt->version && th_version_cmp(&qc->c->version, &want) != 0))
					continue;
				s_cand *to = NULL;
				if (q == p) {
					if (qc->c == origin)
						continue;
					to = &s->projs[p].cands[i];
				} else {
					for (size_t v = 0; v < nv && !to; v++)
						if (virt[v].vq == q && virt[v].c == qc->c)
							to = &virt[v];
					if (!to) {
						if (search__grow((void **)&virt, &capv, nv + 1, sizeof *virt) < 0) {
							rc = S_NOMEM(s);
							goto done;
						}
						to = &virt[nv++];
						*to = (s_cand){ .c = qc->c, .virt = true, .vq = q, .score = qc->score,
								.just = qc->just, .njust = qc->njust, .omit = qc->omit,
								.eager_stop = qc->eager_stop };
						if (qc->more && qc->more->nadds) { /* its own added packages, not its cache */
							if (!search__more(s, to)) {
								rc = S_NOMEM(s);
								goto done;
							}
							to->more->adds = qc->more->adds;
							to->more->nadds = qc->more->nadds;
						}
					}
				}
				if ((rc = search__origin_add(s, to, alt->unit, origin)) < 0)
					goto done;
			}
		}
	}
	for (size_t i = 0; i < n0; i++)
		if (s->projs[p].cands[i].more && s->projs[p].cands[i].more->norigins &&
		    (rc = search__stand_just(s, p, &s->projs[p].cands[i])) < 0)
			goto done;
	for (size_t v = 0; v < nv; v++)
		if ((rc = search__stand_just(s, p, &virt[v])) < 0)
			goto done;
	if (nv) {
		s_cand *all = th_arena_alloc(s->arena, (n0 + nv) * sizeof *all);
		if (!all) {
			rc = S_NOMEM(s);
			goto done;
		}
		if (n0)
			memcpy(all, s->projs[p].cands, n0 * sizeof *all);
		memcpy(all + n0, virt, nv * sizeof *all);
		qsort(all, n0 + nv, sizeof *all, search__cand_cmp);
		s->projs[p].cands = all;
		s->projs[p].ncands = n0 + nv;
	}
done:
	free(virt);
	return rc;
}

/* Reads a project from the provider, sieves and scores its candidates. */
static int search__intern(search *s, const char *name, size_t len, int *out)
{
	char canon[512];
	if (len + len / 2 >= sizeof canon) /* th_name_canon may write 1.5 times len */
		return th_error_set(s->err, TH_ERR_INVALID, "search: project name too long: %.40s...", name);
	canon[th_name_canon(canon, name, len)] = '\0';
	int rc, found = search__find(s, canon);
	if (found >= 0) {
		*out = found;
		return 0;
	}
	if ((rc = search__grow_state(s, s->nprojs + 1)) < 0)
		return rc;
	int idx = (int)s->nprojs;
	s_proj *sp = &s->projs[idx];
	memset(sp, 0, sizeof *sp);
	if (!(sp->name = th_arena_strdup(s->arena, canon)))
		return S_NOMEM(s);
	s->nprojs++;
	size_t h = search__hash(canon) & (s->nbuckets - 1);
	while (s->buckets[h] >= 0)
		h = (h + 1) & (s->nbuckets - 1);
	s->buckets[h] = idx;
	th_project *proj = NULL;
	if ((rc = s->prov->ops->project(s->prov->self, canon, &proj, s->err)) < 0)
		return rc;
	sp = &s->projs[idx];
	sp->proj = proj;
	sp->busy = true;
	if (proj && proj->ncands) {
		s_cand *cands = th_arena_zalloc(s->arena, proj->ncands * sizeof *cands);
		if (!cands)
			return S_NOMEM(s);
		size_t n = 0;
		for (size_t i = 0; i < proj->ncands; i++) {
			bool keep;
			if ((rc = search__sieve_cand(s, &s->projs[idx], &proj->cands[i], &keep)) < 0)
				return rc;
			if (!keep)
				continue;
			cands[n] = (s_cand){ .c = &proj->cands[i] };
			if ((rc = search__score_cand(s, &s->projs[idx], &cands[n])) < 0)
				return rc;
			if (rc == 0)
				n++;
		}
		sp = &s->projs[idx];
		if (sp->skip)
			n = 0;
		if (n)
			qsort(cands, n, sizeof *cands, search__cand_cmp);
		sp->cands = cands;
		sp->ncands = n;
		if ((rc = search__stand_in(s, idx)) < 0)
			return rc;
		sp = &s->projs[idx];
	}
	sp->busy = false;
	if ((rc = search__proj_steps(s, sp)) < 0)
		return rc;
	sp->nwords = (sp->ncands + 63) / 64;
	if (sp->nwords) {
		if (!(sp->allbits = th_arena_zalloc(s->arena, sp->nwords * sizeof *sp->allbits)))
			return S_NOMEM(s);
		for (size_t i = 0; i < sp->ncands; i++)
			sp->allbits[i / 64] |= 1ull << (i % 64);
	}
	*out = idx;
	return 0;
}

static int search__extra_bit(search *s, s_proj *sp, const char *extra, int *bit)
{
	char canon[256];
	size_t len = strlen(extra);
	if (len + len / 2 >= sizeof canon)
		return th_error_set(s->err, TH_ERR_INVALID, "%s: extra name too long", sp->name);
	canon[th_name_canon(canon, extra, len)] = '\0';
	for (size_t i = 0; i < sp->nextras; i++)
		if (!strcmp(sp->extras[i], canon)) {
			*bit = (int)i;
			return 0;
		}
	if (sp->nextras == SEARCH__MAX_EXTRAS)
		return th_error_set(s->err, TH_ERR_LIMIT, "%s: more than %d extras asked of it", sp->name,
				    SEARCH__MAX_EXTRAS);
	if (!(sp->extras[sp->nextras] = th_arena_strdup(s->arena, canon)))
		return S_NOMEM(s);
	*bit = (int)sp->nextras++;
	return 0;
}

static int search__edge(search *s, s_edge *e, const th_req *r, int from_proj, int from_cand)
{
	int rc, t;
	if ((rc = search__intern(s, r->name, strlen(r->name), &t)) < 0)
		return rc;
	*e = (s_edge){ .target = t, .spec = r->spec, .text = NULL, .from_proj = from_proj, .from_cand = from_cand };
	for (size_t i = 0; i < r->nextras; i++) {
		int bit;
		if ((rc = search__extra_bit(s, &s->projs[t], r->extras[i], &bit)) < 0)
			return rc;
		e->xmask |= 1ull << bit;
	}
	s_proj *sp = &s->projs[t];
	if (sp->nwords) {
		if (!(e->bits = th_arena_zalloc(s->arena, sp->nwords * sizeof *e->bits)))
			return S_NOMEM(s);
		for (size_t i = 0; i < sp->ncands; i++) {
			const s_cand *sc = &sp->cands[i];
			/* a stand-in is accepted where a version it stands for is */
			bool ok = !sc->virt && th_specset_contains(r->spec, &sc->c->version, 1);
			for (size_t o = 0; sc->more && o < sc->more->norigins && !ok; o++)
				ok = th_specset_contains(r->spec, &sc->more->origins[o]->version, 1);
			if (ok)
				e->bits[i / 64] |= 1ull << (i % 64);
		}
	}
	return 0;
}

/* A requirement as written (space arena), for explanations. */
static int search__req_text(search *s, const th_req *r, const char **out)
{
	th_buf b;
	th_buf_init(&b, 0);
	int rc = th_req_format(r, &b, s->err);
	*out = rc == 0 ? th_arena_strdup(s->arena, b.ptr) : NULL;
	th_buf_release(&b);
	if (rc == 0 && !*out)
		rc = S_NOMEM(s);
	return rc;
}

static int search__eval(search *s, const th_marker *m, const char *extra, bool *ok)
{
	*ok = true;
	if (!m)
		return 0;
	th_marker_env *env = &s->env->markers;
	int rc = 0;
	if (extra && (rc = th_marker_env_set(env, "extra", extra, strlen(extra), s->err)) < 0)
		return rc;
	/* a marker that cannot be evaluated does not hold (as the solver) */
	if (th_marker_eval(m, env, ok, NULL) < 0)
		*ok = false;
	if (extra)
		rc = th_marker_env_set(env, "extra", "", 0, s->err);
	return rc;
}

/* The requirements of a candidate for extra bit `bit` (-1: the base ones). */
static int search__compile(search *s, int p, int ci, int bit)
{
	const th_req *reqs;
	size_t n;
	s_cand *sc = &s->projs[p].cands[ci];
	th_project *owner = sc->virt ? s->projs[sc->vq].proj : s->projs[p].proj;
	int rc = th_provider_deps(s->prov, owner, sc->c, &reqs, &n, s->err);
	if (rc < 0)
		return rc;
	size_t nadds = bit < 0 && sc->more ? sc->more->nadds : 0;
	s_edge *edges = n + nadds ? th_arena_zalloc(s->arena, (n + nadds) * sizeof *edges) : NULL;
	if (n + nadds && !edges)
		return S_NOMEM(s);
	size_t m = 0;
	const char *extra = bit >= 0 ? s->projs[p].extras[bit] : NULL;
	for (size_t i = 0; i < n; i++) {
		bool ok, base;
		if ((rc = search__eval(s, reqs[i].marker, NULL, &base)) < 0)
			return rc;
		if (bit < 0) {
			ok = base;
		} else {
			if ((rc = search__eval(s, reqs[i].marker, extra, &ok)) < 0)
				return rc;
			ok = ok && !base;
		}
		if (!ok)
			continue;
		if ((rc = search__edge(s, &edges[m], &reqs[i], p, ci)) < 0)
			return rc;
		edges[m++].text = sc->c->dep_text[i];
	}
	for (size_t i = 0; i < nadds; i++) { /* step.AddPackage: as its own dependencies */
		sc = &s->projs[p].cands[ci];
		const th_req *r = sc->more->adds[i];
		if ((rc = search__edge(s, &edges[m], r, p, ci)) < 0 || (rc = search__req_text(s, r, &edges[m].text)) < 0)
			return rc;
		m++;
	}
	sc = &s->projs[p].cands[ci]; /* interning may have moved projs */
	if (bit < 0) {
		sc->deps = edges;
		sc->ndeps = m;
		sc->compiled = true;
	} else {
		if (!sc->xdeps) {
			sc->xdeps = th_arena_zalloc(s->arena, SEARCH__MAX_EXTRAS * sizeof *sc->xdeps);
			sc->nxdeps = th_arena_zalloc(s->arena, SEARCH__MAX_EXTRAS * sizeof *sc->nxdeps);
			if (!sc->xdeps || !sc->nxdeps)
				return S_NOMEM(s);
		}
		sc->xdeps[bit] = edges;
		sc->nxdeps[bit] = m;
		sc->xdone |= 1ull << bit;
	}
	return 0;
}

/* ---- the state ---- */

static int search__trail(search *s, s_tkind k, int p, uint64_t old)
{
	if (s->ntrail == s->captrail &&
	    search__grow((void **)&s->trail, &s->captrail, s->ntrail + 1, sizeof *s->trail) < 0)
		return S_NOMEM(s);
	s->trail[s->ntrail++] = (s_trail){ k, p, old };
	return 0;
}

static uint64_t search__zkey(int p, int c)
{
	return search__mix(((uint64_t)(uint32_t)p << 32) | (uint32_t)c);
}

static void search__undo(search *s, size_t mark)
{
	while (s->ntrail > mark) {
		s_trail *t = &s->trail[--s->ntrail];
		switch (t->kind) {
		case T_CHOSEN:
			s->zob ^= search__zkey(t->p, s->chosen[t->p]);
			s->chosen[t->p] = -1;
			break;
		case T_XMASK:
			s->xmask[t->p] = t->old;
			break;
		case T_CONS:
			s->head[t->p] = s->cons[--s->ncons].next;
			break;
		case T_ORDER:
			s->inorder[t->p] = false;
			s->norder--;
			break;
		case T_ALTBY:
			s->altby[t->p] = -1;
			break;
		}
	}
}

/* Whether the project keeps a candidate under its constraints (into
 * tmpbits when not NULL). */
static bool search__allowed(search *s, int p, uint64_t *bits)
{
	s_proj *sp = &s->projs[p];
	if (!sp->nwords)
		return false;
	uint64_t any = 0;
	for (size_t w = 0; w < sp->nwords; w++) {
		uint64_t x = sp->allbits[w];
		for (int c = s->head[p]; c >= 0 && x; c = s->cons[c].next)
			x &= s->cons[c].e->bits[w];
		if (bits)
			bits[w] = x;
		any |= x;
	}
	return any != 0;
}

static int search__apply_edges(search *s, const s_edge *e, size_t n, int *conflict);

/* Applies the dependencies of (p's chosen candidate) for the extra bits in
 * mask (the base ones too when base). */
static int search__apply_cand(search *s, int p, bool base, uint64_t mask, int *conflict)
{
	int ci = s->chosen[p];
	int rc;
	if (s->projs[p].cands[ci].omit)
		return 0;
	if (base) {
		if (!s->projs[p].cands[ci].compiled && (rc = search__compile(s, p, ci, -1)) < 0)
			return rc;
		s_cand *sc = &s->projs[p].cands[ci];
		if ((rc = search__apply_edges(s, sc->deps, sc->ndeps, conflict)) < 0 || *conflict)
			return rc;
	}
	for (int b = 0; mask >> b; b++) {
		if (!(mask >> b & 1))
			continue;
		if (!(s->projs[p].cands[ci].xdone >> b & 1) && (rc = search__compile(s, p, ci, b)) < 0)
			return rc;
		s_cand *sc = &s->projs[p].cands[ci];
		if ((rc = search__apply_edges(s, sc->xdeps[b], sc->nxdeps[b], conflict)) < 0 || *conflict)
			return rc;
	}
	return 0;
}

static int search__apply_edges(search *s, const s_edge *e, size_t n, int *conflict)
{
	int rc;
	for (size_t i = 0; i < n; i++) {
		int t = e[i].target;
		if (s->projs[t].skip)
			continue;
		if (s->altby[t] >= 0) { /* an alternative already stands in under this name */
			*conflict = t + 1;
			return 0;
		}
		uint64_t add = e[i].xmask & ~s->xmask[t];
		if (add) {
			if ((rc = search__trail(s, T_XMASK, t, s->xmask[t])) < 0)
				return rc;
			s->xmask[t] |= add;
		}
		if (s->chosen[t] >= 0) {
			int c = s->chosen[t];
			if (!e[i].bits || !(e[i].bits[c / 64] >> (c % 64) & 1)) {
				*conflict = t + 1;
				return 0;
			}
			if (add && ((rc = search__apply_cand(s, t, false, add, conflict)) < 0 || *conflict))
				return rc;
			continue;
		}
		if (s->ncons == s->capcons &&
		    search__grow((void **)&s->cons, &s->capcons, s->ncons + 1, sizeof *s->cons) < 0)
			return S_NOMEM(s);
		s->cons[s->ncons] = (s_cons){ &e[i], s->head[t] };
		s->head[t] = (int)s->ncons++;
		if ((rc = search__trail(s, T_CONS, t, 0)) < 0)
			return rc;
		if (!s->inorder[t]) {
			s->inorder[t] = true;
			s->order[s->norder++] = t;
			if ((rc = search__trail(s, T_ORDER, t, 0)) < 0)
				return rc;
		}
		if (!search__allowed(s, t, NULL)) {
			*conflict = t + 1;
			return 0;
		}
	}
	return 0;
}

/* The pin of candidate c of project p (an alternative pins its own name). */
static th_pin search__pin(const search *s, int p, int c)
{
	const s_cand *sc = &s->projs[p].cands[c];
	const s_proj *pp = &s->projs[sc->virt ? sc->vq : p];
	return (th_pin){ pp->name, sc->c->version_text, sc->c, pp->proj };
}

/* Thoth's dependents of project p in the state: the chosen pins whose
 * requirements (or added packages) constrained it before it was chosen,
 * into s->fromv. */
static int search__from(search *s, int p, size_t *n)
{
	*n = 0;
	for (int c = s->head[p]; c >= 0; c = s->cons[c].next) {
		const s_edge *e = s->cons[c].e;
		if (e->from_proj < 0)
			continue;
		th_pin pin = search__pin(s, e->from_proj, e->from_cand);
		bool dup = false;
		for (size_t i = 0; i < *n && !dup; i++)
			dup = s->fromv[i].name == pin.name;
		if (dup)
			continue;
		if (search__grow((void **)&s->fromv, &s->capfrom, *n + 1, sizeof *s->fromv) < 0)
			return S_NOMEM(s);
		s->fromv[(*n)++] = pin;
	}
	return 0;
}

/* Applies the requirements a contextual step.AddPackage added for (p, c):
 * their edges are compiled once per candidate and kept. */
static int search__apply_adds(search *s, int p, int c, const th_adds *adds, int *conflict)
{
	int rc;
	for (size_t i = 0; i < adds->n; i++) {
		s_more *more = search__more(s, &s->projs[p].cands[c]);
		if (!more)
			return S_NOMEM(s);
		s_cadd *x = more->cadds;
		while (x && x->r != adds->items[i])
			x = x->next;
		if (!x) {
			if (!(x = th_arena_zalloc(s->arena, sizeof *x)))
				return S_NOMEM(s);
			x->r = adds->items[i];
			if ((rc = search__edge(s, &x->e, x->r, p, c)) < 0 || (rc = search__req_text(s, x->r, &x->e.text)) < 0)
				return rc;
			more = s->projs[p].cands[c].more; /* interning may have moved projs, not the arena */
			x->next = more->cadds;
			more->cadds = x;
		}
		if ((rc = search__apply_edges(s, &x->e, 1, conflict)) < 0 || *conflict)
			return rc;
	}
	return 0;
}

/* An alternative takes the name of the project it belongs to (q): nothing
 * else may require or pin q while it stands in. */
static int search__take(search *s, int p, int q, int *conflict)
{
	if (s->inorder[q] || s->chosen[q] >= 0 || s->altby[q] >= 0) {
		*conflict = p + 1;
		return 0;
	}
	int rc = search__trail(s, T_ALTBY, q, 0);
	if (rc == 0)
		s->altby[q] = p;
	return rc;
}

/* The contextual steps of level k's choice (their justifications into
 * just, or discarded when NULL), then what they added. */
static int search__ctx_steps(search *s, size_t k, int p, int c, int *conflict, th_justs *just)
{
	th_pipeline *pl = s->pl;
	th_stackview partial = { s->pins, k, NULL, 0 };
	int rc;
	if (s->from_steps) {
		if ((rc = search__from(s, p, &partial.nfrom)) < 0)
			return rc;
		partial.from = s->fromv;
	}
	th_adds adds = { .arena = &s->scratch };
	const th_cand *cand = s->projs[p].cands[c].c;
	for (size_t i = 0; i < s->projs[p].nsteps; i++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_STEP, (size_t)s->projs[p].steps[i]);
		th_step_out out = { .just = just, .add = &adds }; /* NULL in the walk: said again when emitted */
		if ((rc = unit->step(unit, &s->ctx, &partial, s->pins[k].proj, cand, &out, s->err)) < 0)
			return rc;
		s->lvl_ctx[k] += out.score;
		if (out.not_acceptable) {
			*conflict = p + 1;
			return 0;
		}
		if (out.eager_stop)
			s->stop = true;
	}
	s->scratch_uses++;
	if (adds.n && !s->projs[p].cands[c].omit)
		return search__apply_adds(s, p, c, &adds, conflict);
	return 0;
}

/* Chooses candidate c for the project of level k and applies it, then runs
 * the contextual steps (their justifications into just, or discarded when
 * NULL). Inlined into the walk, its hot caller (the replay in search__emit
 * is the other). */
static inline __attribute__((always_inline)) int search__choose(search *s, size_t k, int c, int *conflict, th_justs *just)
{
	int p = s->levels[k].p;
	int rc;
	*conflict = 0;
	if ((rc = search__trail(s, T_CHOSEN, p, 0)) < 0)
		return rc;
	s->chosen[p] = c;
	s->zob ^= search__zkey(p, c);
	const s_cand *sc = &s->projs[p].cands[c];
	if (sc->virt) {
		if ((rc = search__take(s, p, sc->vq, conflict)) < 0 || *conflict)
			return rc;
		s->pins[k] = search__pin(s, p, c);
	} else {
		s->pins[k] = (th_pin){ s->projs[p].name, sc->c->version_text, sc->c, s->projs[p].proj };
	}
	if ((rc = search__apply_cand(s, p, true, s->xmask[p], conflict)) < 0 || *conflict)
		return rc;
	s->lvl_ctx[k] = 0;
	if (s->projs[p].nsteps)
		return search__ctx_steps(s, k, p, c, conflict, just);
	return 0;
}

/* ---- results ---- */

static int search__record(search *s, double score)
{
	size_t n = s->nlevels;
	bool enumerate = s->o->enumerate > 0;
	size_t want = enumerate ? s->o->enumerate : s->o->count;
	if (enumerate) {
		/* distinct: a hash set of zobrist keys */
		if (s->nseen * 2 >= s->capseen) {
			size_t nc = s->capseen ? s->capseen * 2 : 1024;
			uint64_t *ns = calloc(nc, sizeof *ns);
			if (!ns)
				return S_NOMEM(s);
			for (size_t i = 0; i < s->capseen; i++)
				if (s->seen[i]) {
					size_t h = s->seen[i] & (nc - 1);
					while (ns[h])
						h = (h + 1) & (nc - 1);
					ns[h] = s->seen[i];
				}
			free(s->seen);
			s->seen = ns;
			s->capseen = nc;
		}
		uint64_t z = s->zob ? s->zob : 1;
		size_t h = z & (s->capseen - 1);
		for (; s->seen[h]; h = (h + 1) & (s->capseen - 1))
			if (s->seen[h] == z)
				return 0;
		s->seen[h] = z;
		s->nseen++;
		if (!s->exhaustive_mode && s->ntop >= want)
			return 0;
	} else {
		for (size_t i = 0; i < s->ntop; i++)
			if (s->top[i].zob == s->zob)
				return 0;
		if (s->ntop >= want && score <= s->top[s->ntop - 1].score)
			return 0;
	}
	s_top slot = { 0 };
	if (!enumerate && s->ntop >= want) {
		slot = s->top[--s->ntop]; /* reuse the worst one's buffer */
	} else if (search__grow((void **)&s->top, &s->captop, s->ntop + 1, sizeof *s->top) < 0) {
		return S_NOMEM(s);
	}
	if (search__grow((void **)&slot.pc, &slot.cap, 2 * n, sizeof *slot.pc) < 0) {
		free(slot.pc);
		return S_NOMEM(s);
	}
	for (size_t k = 0; k < n; k++) {
		slot.pc[2 * k] = s->levels[k].p;
		slot.pc[2 * k + 1] = s->levels[k].c;
	}
	slot.n = n;
	slot.score = score;
	slot.zob = s->zob;
	slot.seq = s->seq++;
	size_t at = s->ntop;
	if (!enumerate)
		while (at > 0 && s->top[at - 1].score < score)
			at--;
	memmove(&s->top[at + 1], &s->top[at], (s->ntop - at) * sizeof *s->top);
	s->top[at] = slot;
	s->ntop++;
	if (enumerate && !s->exhaustive_mode && s->ntop >= want)
		s->stop = true;
	if (!enumerate && at == 0) {
		s->best_zob = s->zob;
		for (size_t k = 0; k < n; k++)
			s->best_choice[s->levels[k].p] = s->levels[k].c;
	}
	return 0;
}

/* A final stack: strides, then the record. */
static int search__final(search *s)
{
	s->res->finals++;
	double score = s->nlevels ? s->levels[s->nlevels - 1].score : 0;
	th_pipeline *pl = s->pl;
	size_t nstrides = th_pipeline_count(pl, TH_UNIT_STRIDE);
	if (nstrides) {
		th_stackview v = { s->pins, s->nlevels, NULL, 0 };
		th_justs junk = { .arena = &s->scratch };
		for (size_t u = 0; u < nstrides; u++) {
			th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_STRIDE, u);
			if (unit->names) { /* skipped unless a project it names is in the stack */
				bool in = false;
				for (size_t i = 0; i < unit->nnames && !in; i++) {
					int q = search__find(s, unit->names[i]);
					in = q >= 0 && (s->chosen[q] >= 0 || s->altby[q] >= 0);
				}
				if (!in)
					continue;
			}
			th_stride_out out = { .accept = true, .just = &junk };
			int rc = unit->stride(unit, &s->ctx, &v, &out, s->err);
			if (rc < 0)
				return rc;
			if (out.eager_stop)
				s->stop = true;
			if (!out.accept) {
				s->res->rejected++;
				return 0;
			}
		}
		s->scratch_uses++;
	}
	for (size_t k = 0; k < s->nlevels; k++)
		if (s->projs[s->levels[k].p].cands[s->levels[k].c].eager_stop)
			s->stop = true;
	return search__record(s, score);
}

/* ---- explanations ---- */

static void search__explain(search *s, int p)
{
	if (s->why_set || s->res->finals)
		return;
	th_buf *b = s->why;
	th_buf_clear(b);
	s_proj *sp = &s->projs[p];
	if (!sp->proj) {
		th_buf_printf(b, NULL, "%s is not in the index", sp->name);
	} else if (sp->ncands == 0) {
		th_buf_printf(b, NULL, "no version of %s is left after the sieves (%zu of %zu removed%s%s)", sp->name,
			      sp->nremoved, sp->proj->ncands, sp->removed ? "; first: " : "",
			      sp->removed ? sp->removed : "");
	} else {
		th_buf_printf(b, NULL, "no version of %s satisfies every requirement on it:", sp->name);
		for (int c = s->head[p]; c >= 0; c = s->cons[c].next) {
			const s_edge *e = s->cons[c].e;
			if (e->from_proj < 0)
				th_buf_printf(b, NULL, " %s (asked by the project);", e->text ? e->text : sp->name);
			else {
				th_pin from = search__pin(s, e->from_proj, e->from_cand);
				th_buf_printf(b, NULL, " %s (from %s %s);", e->text ? e->text : sp->name, from.name,
					      from.version);
			}
		}
		if (b->len && b->ptr[b->len - 1] == ';')
			b->ptr[--b->len] = '\0';
		if (sp->nremoved)
			th_buf_printf(b, NULL, " (%zu version%s removed by the pipeline%s%s)", sp->nremoved,
				      sp->nremoved == 1 ? "" : "s", sp->removed ? "; first: " : "",
				      sp->removed ? sp->removed : "");
	}
}

/* ---- the walk ---- */

/* Reserves nwords in the pool (levels hold offsets: the pool may move). */
static int search__pool(search *s, size_t nwords)
{
	if (search__grow((void **)&s->pool, &s->poolcap, s->pooltop + nwords + 1, sizeof *s->pool) < 0)
		return S_NOMEM(s);
	s->pooltop += nwords;
	return 0;
}

/* Opens level k for the next undecided project; *dead when it has no
 * candidate left. Returns 1 when the stack is final. */
static int search__open(search *s, size_t k, bool *dead)
{
	*dead = false;
	if (k >= s->norder)
		return 1;
	int p = s->order[k];
	if (search__grow((void **)&s->levels, &s->caplevels, k + 1, sizeof *s->levels) < 0)
		return S_NOMEM(s);
	s_level *l = &s->levels[k];
	size_t nw = s->projs[p].nwords;
	size_t off = s->pooltop;
	int rc = search__pool(s, nw);
	if (rc < 0)
		return rc;
	l = &s->levels[k];
	*l = (s_level){ .p = p, .c = -1, .trail = s->ntrail, .avail = off };
	s->nlevels = k + 1;
	if (!search__allowed(s, p, s->pool + off)) {
		*dead = true;
		s->res->dead_ends++;
		search__explain(s, p);
	}
	return 0;
}

static uint64_t *search__avail(search *s, size_t k)
{
	return s->pool + s->levels[k].avail;
}

static int search__bit_first(const uint64_t *b, size_t nw)
{
	for (size_t w = 0; w < nw; w++)
		if (b[w])
			return (int)(w * 64 + (size_t)__builtin_ctzll(b[w]));
	return -1;
}

static int search__bit_nth(const uint64_t *b, size_t nw, uint64_t nth)
{
	for (size_t w = 0; w < nw; w++) {
		uint64_t x = b[w];
		uint64_t cnt = (uint64_t)__builtin_popcountll(x);
		if (nth >= cnt) {
			nth -= cnt;
			continue;
		}
		while (nth--)
			x &= x - 1;
		return (int)(w * 64 + (size_t)__builtin_ctzll(x));
	}
	return -1;
}

/* Picks the next candidate to try at level k from its avail set (and
 * removes it): in exhaustive mode the best; otherwise by annealing. */
static int search__pick(search *s, size_t k, double temp)
{
	s_level *l = &s->levels[k];
	s_proj *sp = &s->projs[l->p];
	uint64_t *av = search__avail(s, k);
	int g = search__bit_first(av, sp->nwords);
	if (g < 0)
		return -1;
	int c = g;
	int b = s->best_choice[l->p];
	if (s->exhaustive_mode) {
		if (b >= 0 && (av[b / 64] >> (b % 64) & 1))
			c = b; /* the best stack's (first: the solver's) choice first */
	} else {
		if (s->o->enumerate) {
			uint64_t cnt = 0;
			for (size_t w = 0; w < sp->nwords; w++)
				cnt += (uint64_t)__builtin_popcountll(av[w]);
			c = search__bit_nth(av, sp->nwords, search__rand(s) % cnt);
		} else if (b >= 0 && (av[b / 64] >> (b % 64) & 1) && search__unit(s) < 0.5) {
			c = b; /* follow the best stack seen (the beam's head) */
		} else if (temp > 0) {
			uint64_t cnt = 0;
			for (size_t w = 0; w < sp->nwords; w++)
				cnt += (uint64_t)__builtin_popcountll(av[w]);
			int r = search__bit_nth(av, sp->nwords, search__rand(s) % cnt);
			double delta = sp->cands[r].score - sp->cands[g].score;
			if (search__unit(s) < exp(delta / temp))
				c = r;
		}
	}
	av[c / 64] &= ~(1ull << (c % 64));
	return c;
}

static double search__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One walk: exhaustive (until done or the budget is spent) or sampling
 * (until max_finals, a stop or the clock). The root level set-up (roots'
 * edges) is below level 0 and never undone. */
static int search__walk(search *s, double t0)
{
	uint64_t max_finals = s->o->max_finals ? s->o->max_finals : SEARCH__DEFAULT_FINALS;
	double temp0 = s->o->temperature > 0 ? s->o->temperature : 1.0;
	size_t k = 0;
	bool dead;
	int rc;
	uint64_t d0 = s->res->decisions;
	s->pooltop = 0;
	if ((rc = search__open(s, 0, &dead)) < 0)
		return rc;
	if (rc == 1) { /* nothing to decide: the empty stack is the whole space */
		s->nlevels = 0;
		rc = search__final(s);
		return rc < 0 ? rc : 2;
	}
	for (;;) {
		if (s->stop)
			return 0;
		if (s->res->decisions >= s->max_decisions)
			return th_error_set(s->err, TH_ERR_LIMIT, "search: more than %llu decisions (limit resolver_rounds)",
					    (unsigned long long)s->max_decisions);
		if (s->exhaustive_mode && (s->budget == 0 || (!s->o->enumerate && s->res->finals >= max_finals / 4)))
			return 1; /* too big to walk whole: sample it */
		if (!s->exhaustive_mode && s->res->decisions - d0 > 64 * max_finals + 1000)
			return 0; /* sampling finds too few stacks: give up */
		double left = 1.0 - (double)s->res->finals / (double)max_finals;
		double temp = temp0 * (left > 0 ? left : 0);
		int c = dead ? -1 : search__pick(s, k, temp);
		if (c < 0) {
			/* this level is exhausted: back up one */
			s->pooltop = s->levels[k].avail;
			search__undo(s, s->levels[k].trail);
			dead = false;
			if (k == 0) {
				if (s->exhaustive_mode || s->o->enumerate)
					return 2; /* the whole space was walked */
				s->pooltop = 0;
				if ((rc = search__open(s, 0, &dead)) < 0)
					return rc;
				continue;
			}
			k--;
			search__undo(s, s->levels[k].trail);
			s->levels[k].c = -1;
			continue;
		}
		s->res->decisions++;
		if (s->exhaustive_mode)
			s->budget--;
		search__undo(s, s->levels[k].trail);
		int conflict;
		s->levels[k].c = c;
		if ((rc = search__choose(s, k, c, &conflict, NULL)) < 0)
			return rc;
		if (conflict) {
			if (conflict > 0)
				search__explain(s, conflict - 1);
			s->levels[k].c = -1;
			continue;
		}
		s_cand *sc = &s->projs[s->levels[k].p].cands[c];
		s->levels[k].score = (k ? s->levels[k - 1].score : 0) + sc->score + s->lvl_ctx[k];
		if ((rc = search__open(s, k + 1, &dead)) < 0)
			return rc;
		if (rc == 0) {
			k++;
			continue;
		}
		/* final */
		s->nlevels = k + 1;
		if ((rc = search__final(s)) < 0)
			return rc;
		if (s->scratch_uses > 4096) { /* units' short-lived allocations */
			th_arena_release(&s->scratch);
			th_arena_init(&s->scratch, 0);
			s->scratch_uses = 0;
		}
		if (s->stop)
			return 0;
		if (!s->exhaustive_mode) {
			if (s->res->finals >= max_finals)
				return 0;
			if (s->o->max_ms && (s->res->finals & 255) == 0 &&
			    (search__now() - t0) * 1000 >= (double)s->o->max_ms)
				return 0;
			/* jump back to a random level; choose again there */
			size_t j = (size_t)(search__rand(s) % (k + 1));
			while (k > j) {
				s->pooltop = s->levels[k].avail;
				k--;
			}
			search__undo(s, s->levels[k].trail);
			s->levels[k].c = -1;
			s->nlevels = k + 1;
		}
		/* exhaustive: stay at level k and try its next candidate */
		s->levels[k].c = -1;
	}
}

/* ---- output ---- */

static int search__pin_cmp(const void *a, const void *b)
{
	return strcmp(((const th_pin *)a)->name, ((const th_pin *)b)->name);
}

/* Rebuilds a recorded stack by replaying its choices from the roots' state
 * (so contextual steps see the partial stack and the dependents they saw):
 * pins by name, justifications of every step (context-free ones from the
 * cache), strides and wraps, the alternatives offered and the ones that
 * stand in. */
static int search__emit(search *s, const s_top *t, th_stack *out)
{
	th_arena *a = &s->res->arena;
	th_pipeline *pl = s->pl;
	size_t n = t->n;
	th_justs just = { .arena = a };
	th_alts alts = { .arena = a };
	size_t m = 0, nsub = 0;
	int rc = 0;
	search__undo(s, s->base_trail);
	if (n && search__grow((void **)&s->levels, &s->caplevels, n, sizeof *s->levels) < 0)
		return S_NOMEM(s);
	th_subst *subst = n ? th_arena_zalloc(a, n * sizeof *subst) : NULL;
	if (n && !subst)
		return S_NOMEM(s);
	for (size_t k = 0; k < n; k++) {
		int p = t->pc[2 * k], c = t->pc[2 * k + 1], conflict;
		s_cand *sc = &s->projs[p].cands[c];
		for (size_t i = 0; i < sc->njust; i++)
			if ((rc = th_justs_push(&just, &sc->just[i], s->err)) < 0)
				return rc;
		for (size_t i = 0; i < sc->nalts; i++)
			if ((rc = th_alts_add(&alts, sc->alts[i].unit, sc->alts[i].name, sc->alts[i].version, s->err)) < 0)
				return rc;
		s->levels[k] = (s_level){ .p = p, .c = c, .trail = s->ntrail };
		if ((rc = search__choose(s, k, c, &conflict, &just)) < 0)
			return rc;
		if (conflict) /* the walk accepted it: the replay must too */
			return th_error_set(s->err, TH_ERR_INVALID, "search: a recorded stack does not replay (%s)",
					    s->projs[p].name);
		sc = &s->projs[p].cands[c];
		if (sc->more && sc->more->norigins) {
			const s_more *mo = sc->more;
			const char **o = th_arena_alloc(a, mo->norigins * sizeof *o);
			if (!o)
				return S_NOMEM(s);
			for (size_t i = 0; i < mo->norigins; i++)
				o[i] = mo->origins[i]->version_text;
			subst[nsub++] = (th_subst){ mo->via, s->projs[p].name, s->pins[k].name, s->pins[k].version, o,
						    mo->norigins };
		}
	}
	th_stackview all = { s->pins, n, NULL, 0 };
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_STRIDE); u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_STRIDE, u);
		th_stride_out o = { .accept = true, .just = &just };
		if ((rc = unit->stride(unit, &s->ctx, &all, &o, s->err)) < 0)
			return rc;
	}
	th_pin *pins = n ? th_arena_alloc(a, n * sizeof *pins) : NULL;
	if (n && !pins)
		return S_NOMEM(s);
	for (size_t k = 0; k < n; k++)
		if (!s->projs[t->pc[2 * k]].cands[t->pc[2 * k + 1]].omit)
			pins[m++] = s->pins[k];
	if (m)
		qsort(pins, m, sizeof *pins, search__pin_cmp);
	th_stackview sorted = { pins, m, NULL, 0 };
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_WRAP); u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(pl, TH_UNIT_WRAP, u);
		if ((rc = unit->wrap(unit, &s->ctx, &sorted, &just, s->err)) < 0)
			return rc;
	}
	*out = (th_stack){ t->score, pins, m, just.items, just.n, alts.items, alts.n, subst, nsub };
	return 0;
}

static int search__boots(search *s, const th_req *roots, size_t nroots, bool *stop)
{
	th_justs just = { .arena = &s->res->arena };
	*stop = false;
	for (size_t u = 0; u < th_pipeline_count(s->pl, TH_UNIT_BOOT) && !*stop; u++) {
		th_unit *unit = (th_unit *)th_pipeline_unit(s->pl, TH_UNIT_BOOT, u);
		th_boot_out out = { .just = &just };
		int rc = unit->boot(unit, &s->ctx, roots, nroots, &out, s->err);
		if (rc < 0)
			return rc;
		if (out.stop) {
			*stop = true;
			th_buf_printf(&s->res->why, NULL, "the pipeline stopped at boot %s: %s", unit->name,
				      just.n ? just.items[just.n - 1].message : "not acceptable");
		}
	}
	s->res->boot_just = just.items;
	s->res->nboot_just = just.n;
	return 0;
}

static void search__free(search *s)
{
	for (size_t i = 0; i < s->ntop; i++)
		free(s->top[i].pc);
	free(s->top);
	free(s->seen);
	free(s->projs);
	free(s->buckets);
	free(s->chosen);
	free(s->xmask);
	free(s->head);
	free(s->altby);
	free(s->fromv);
	free(s->inorder);
	free(s->order);
	free(s->best_choice);
	free(s->pins);
	free(s->lvl_ctx);
	free(s->cons);
	free(s->trail);
	free(s->levels);
	free(s->pool);
	th_arena_release(&s->scratch);
}

void th_search_result_init(th_search_result *r)
{
	memset(r, 0, sizeof *r);
	th_buf_init(&r->why, 0);
	th_arena_init(&r->arena, 0);
}

void th_search_result_release(th_search_result *r)
{
	if (!r)
		return;
	th_buf_release(&r->why);
	th_arena_release(&r->arena);
	memset(r, 0, sizeof *r);
}

/* Applies the roots below level 0. */
static int search__roots(search *s, const th_req *roots, size_t nroots)
{
	int rc;
	if (nroots && !(s->roots = th_arena_zalloc(s->arena, nroots * sizeof *s->roots)))
		return S_NOMEM(s);
	for (size_t i = 0; i < nroots; i++) {
		bool ok;
		if ((rc = search__eval(s, roots[i].marker, NULL, &ok)) < 0)
			return rc;
		if (!ok)
			continue;
		if ((rc = search__edge(s, &s->roots[s->nroots], &roots[i], -1, -1)) < 0 ||
		    (rc = search__req_text(s, &roots[i], &s->roots[s->nroots].text)) < 0)
			return rc;
		s->nroots++;
	}
	int conflict = 0;
	if ((rc = search__apply_edges(s, s->roots, s->nroots, &conflict)) < 0)
		return rc;
	if (conflict)
		search__explain(s, conflict - 1);
	return conflict ? 1 : 0;
}

/* The space as a provider: each project with only the candidates the
 * pipeline kept, newest first (so the exact solver answers for the sieved
 * space). */
static int search__kept_project(void *self, const char *name, th_project **out, th_error *err)
{
	search *s = self;
	int idx, rc;
	(void)err;
	*out = NULL;
	if ((rc = search__intern(s, name, strlen(name), &idx)) < 0)
		return rc;
	s_proj *sp = &s->projs[idx];
	if (!sp->proj)
		return 0;
	if (!sp->kept) {
		th_project *k = th_arena_zalloc(s->arena, sizeof *k);
		int *map = sp->ncands ? th_arena_alloc(s->arena, sp->ncands * sizeof *map) : NULL;
		th_cand *cands = sp->ncands ? th_arena_alloc(s->arena, sp->ncands * sizeof *cands) : NULL;
		if (!k || (sp->ncands && (!map || !cands)))
			return S_NOMEM(s);
		size_t n = 0;
		for (size_t i = 0; i < sp->proj->ncands; i++) /* provider order */
			for (size_t j = 0; j < sp->ncands; j++)
				if (sp->cands[j].c == &sp->proj->cands[i]) {
					map[n] = (int)j;
					cands[n++] = sp->proj->cands[i];
					break;
				}
		*k = (th_project){ .name = sp->name, .cands = cands, .ncands = n, .cap = n };
		sp->kept = k;
		sp->kept_map = map;
	}
	*out = sp->kept;
	return 0;
}

/* Runs the exact solver over the kept space; its stack (the newest that
 * installs) is the first choice of every level, so the walk reaches a final
 * stack at once even where chronological backtracking would thrash. */
static int search__seed(search *s, const th_req *roots, size_t nroots, bool *none)
{
	*none = false;
	if (s->nroots == 0) /* nothing to resolve (and the solver's memset would get NULL) */
		return 0;
	static const th_provider_ops ops = { .project = search__kept_project };
	th_provider kp = { &ops, s, s->arena };
	th_limits lim;
	th_limits_init(&lim);
	unsigned long long rounds = lim.resolver_rounds;
	if (s->o->max_rounds && s->o->max_rounds < rounds)
		rounds = s->o->max_rounds; /* the caller's bound holds for the seed run too */
	th_solver_opts so = { th_pipeline_cfg(s->pl)->pre, rounds, lim.resolver_bytes };
	th_solution sol;
	th_solution_init(&sol);
	int rc = th_solver_resolve(&sol, &kp, s->env, roots, nroots, &so, s->err);
	if (rc == TH_ERR_LIMIT) { /* too hard for the exact solver: walk unseeded */
		th_error_clear(s->err);
		rc = 0;
	} else if (rc == 0 && !sol.ok) {
		/* no stack in the kept space at all (unless a unit skips
		 * packages, which the solver does not know about) */
		bool skips = s->subst_any; /* nor about alternatives standing in */
		for (size_t i = 0; i < s->nprojs; i++)
			skips |= s->projs[i].skip;
		for (size_t i = 0; i < s->nprojs && !skips; i++)
			for (size_t j = 0; j < s->projs[i].ncands && !skips; j++)
				skips = s->projs[i].cands[j].omit;
		if (!skips) {
			*none = true;
			th_buf_clear(s->why);
			rc = th_buf_printf(s->why, s->err, "%s", sol.why.ptr ? sol.why.ptr : "no solution");
		}
	}
	for (size_t i = 0; rc == 0 && sol.ok && i < sol.npins; i++) {
		int idx;
		if ((rc = search__intern(s, sol.pins[i].name, strlen(sol.pins[i].name), &idx)) < 0)
			break;
		s_proj *sp = &s->projs[idx];
		if (sp->kept && sol.pins[i].proj == sp->kept)
			s->best_choice[idx] = sp->kept_map[sol.pins[i].cand - sp->kept->cands];
	}
	th_solution_release(&sol);
	return rc;
}

int th_search_run(th_search_result *out, th_pipeline *pl, th_provider *p, const th_req *roots, size_t nroots,
		  const th_search_opts *opts, th_error *err)
{
	th_search_result_init(out);
	th_search_opts o = opts ? *opts : (th_search_opts)TH_SEARCH_OPTS_INIT;
	if (o.count == 0)
		o.count = 1;
	search s = { .pl = pl, .prov = p, .env = th_pipeline_cfg(pl)->env, .o = &o, .err = err, .res = out,
		     .why = &out->why, .arena = &out->arena };
	th_arena_init(&s.scratch, 0);
	s.ctx = (th_unit_ctx){ pl, th_pipeline_cfg(pl)->type, s.env, p, th_pipeline_cfg(pl)->facts, &s.scratch };
	s.rng = search__mix(o.seed);
	th_limits lim;
	th_limits_init(&lim);
	s.max_decisions = o.max_rounds ? o.max_rounds : lim.resolver_rounds * 10;
	for (size_t u = 0; u < th_pipeline_count(pl, TH_UNIT_STEP); u++) {
		unsigned f = th_pipeline_unit(pl, TH_UNIT_STEP, u)->flags;
		if (!(f & TH_UNIT_CONTEXT_FREE))
			s.ctx_steps = true;
		if (f & TH_UNIT_NEEDS_FROM)
			s.from_steps = true;
	}
	bool stop;
	int rc = search__boots(&s, roots, nroots, &stop);
	if (rc < 0 || stop)
		goto done;
	if ((rc = search__grow_state(&s, 64)) < 0)
		goto done;
	if ((rc = search__roots(&s, roots, nroots)) < 0)
		goto done;
	if (rc == 1) {
		rc = 0;
		s.why_set = true;
		goto done;
	}
	bool none;
	if ((rc = search__seed(&s, roots, nroots, &none)) < 0)
		goto done;
	if (none) {
		s.why_set = true;
		goto done;
	}
	size_t base_trail = s.ntrail;
	s.base_trail = base_trail;
	double t0 = search__now();
	/* exhaustive first; when the space is too big, sample it */
	s.exhaustive_mode = true;
	s.budget = o.exhaustive_max ? o.exhaustive_max : SEARCH__DEFAULT_EXHAUSTIVE;
	rc = search__walk(&s, t0);
	if (rc < 0)
		goto done;
	if (rc == 2 || (rc == 0 && s.stop)) {
		out->exhaustive = rc == 2;
	} else {
		search__undo(&s, base_trail);
		s.nlevels = 0;
		s.exhaustive_mode = false;
		if (o.enumerate && s.ntop >= o.enumerate)
			s.stop = true;
		if (!s.stop && (rc = search__walk(&s, t0)) < 0)
			goto done;
	}
	rc = 0;
	out->seconds = search__now() - t0;
	if (o.enumerate && s.ntop > o.enumerate) {
		/* more than asked (found exhaustively): a seeded sample, in found order */
		for (size_t i = 0; i < o.enumerate; i++) {
			size_t j = i + (size_t)(search__rand(&s) % (s.ntop - i));
			s_top x = s.top[i];
			s.top[i] = s.top[j];
			s.top[j] = x;
		}
		for (size_t i = o.enumerate; i < s.ntop; i++)
			free(s.top[i].pc);
		s.ntop = o.enumerate;
		for (size_t i = 1; i < s.ntop; i++)
			for (size_t j = i; j > 0 && s.top[j - 1].seq > s.top[j].seq; j--) {
				s_top x = s.top[j];
				s.top[j] = s.top[j - 1];
				s.top[j - 1] = x;
			}
	}
	if (s.ntop) {
		if (!(out->stacks = th_arena_zalloc(&out->arena, s.ntop * sizeof *out->stacks))) {
			rc = S_NOMEM(&s);
			goto done;
		}
		for (size_t i = 0; i < s.ntop; i++)
			if ((rc = search__emit(&s, &s.top[i], &out->stacks[i])) < 0)
				goto done;
		out->nstacks = s.ntop;
		out->ok = true;
		th_buf_clear(&out->why);
	} else if (!out->why.len) {
		th_buf_printf(&out->why, NULL, "%s",
			      out->rejected ? "every stack found was rejected by a stride" : "no stack was found");
	}
done:
	if (rc < 0) {
		out->ok = false;
		out->nstacks = 0;
	}
	search__free(&s);
	return rc;
}
