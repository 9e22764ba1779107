/* pipeline — see pipeline.h. Built-in units live in unit_builtin.c, units
 * made from rules in unit_rules.c; this file holds the lists and the shared
 * helpers (justifications, alternatives, advisories). */
#include "resolver/pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/store_kb.h"
#include "core/name.h"
#include "resolver/unit_builtin.h"
#include "resolver/unit_rules.h"

/* Advisories of one project, loaded once. */
typedef struct pipeline__advs {
	char *name;               /* canonical (arena) */
	const th_osv **items;     /* arena */
	size_t n;
	struct pipeline__advs *next;
} pipeline__advs;

#define PIPELINE__BUCKETS 1024

struct th_pipeline {
	th_pipeline_config cfg;
	th_arena arena;
	th_unit *units[TH_UNIT_NKINDS]; /* malloced arrays */
	size_t n[TH_UNIT_NKINDS], cap[TH_UNIT_NKINDS];
	pipeline__advs *advs[PIPELINE__BUCKETS];
};

static const char *const rectype__names[TH_RECTYPE_N] = { "latest", "stable", "security", "performance",
							   "testing" };

const char *th_rectype_name(th_rectype t)
{
	return (unsigned)t < TH_RECTYPE_N ? rectype__names[t] : "?";
}

int th_rectype_parse(const char *s)
{
	for (int i = 0; i < TH_RECTYPE_N; i++)
		if (s && !strcmp(s, rectype__names[i]))
			return i;
	return -1;
}

const char *th_just_level_name(th_just_level l)
{
	return l == TH_JUST_ERROR ? "ERROR" : l == TH_JUST_WARNING ? "WARNING" : "INFO";
}

const char *th_unit_kind_name(th_unit_kind k)
{
	static const char *const names[TH_UNIT_NKINDS] = { "boot", "pseudonym", "sieve", "step", "stride", "wrap" };
	return (unsigned)k < TH_UNIT_NKINDS ? names[k] : "?";
}

/* Grows an arena array (old items are copied; the old block stays in the
 * arena, which is fine for the short lists justifications make). */
static int pipeline__grow(th_arena *a, void **items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 4;
	void *p = th_arena_alloc(a, nc * size);
	if (!p)
		return TH_ERR_NOMEM;
	if (n)
		memcpy(p, *items, n * size);
	*items = p;
	*cap = nc;
	return 0;
}

int th_justs_push(th_justs *j, const th_just *x, th_error *err)
{
	if (!j)
		return 0;
	if (pipeline__grow(j->arena, (void **)&j->items, &j->cap, j->n, sizeof *j->items) < 0)
		return th_error_set(err, TH_ERR_NOMEM, "justifications: out of memory");
	j->items[j->n++] = *x;
	return 0;
}

int th_justs_add(th_justs *j, th_just_level level, const char *unit, const char *package, const char *version,
		 const char *link, double score, th_error *err, const char *fmt, ...)
{
	if (!j) /* nobody reads them: nothing is formatted */
		return 0;
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (len < 0)
		len = 0;
	char *msg;
	if ((size_t)len < sizeof tmp) {
		msg = th_arena_strndup(j->arena, tmp, (size_t)len);
	} else {
		msg = th_arena_alloc(j->arena, (size_t)len + 1);
		if (msg) {
			va_start(ap, fmt);
			vsnprintf(msg, (size_t)len + 1, fmt, ap);
			va_end(ap);
		}
	}
	if (!msg)
		return th_error_set(err, TH_ERR_NOMEM, "justifications: out of memory");
	th_just x = { level, unit, package, version, msg, link, score };
	return th_justs_push(j, &x, err);
}

int th_adds_add(th_adds *a, const th_req *r, th_error *err)
{
	if (pipeline__grow(a->arena, (void **)&a->items, &a->cap, a->n, sizeof *a->items) < 0)
		return th_error_set(err, TH_ERR_NOMEM, "added packages: out of memory");
	a->items[a->n++] = r;
	return 0;
}

int th_alts_add(th_alts *a, const char *unit, const char *name, const char *version, th_error *err)
{
	if (pipeline__grow(a->arena, (void **)&a->items, &a->cap, a->n, sizeof *a->items) < 0)
		return th_error_set(err, TH_ERR_NOMEM, "pseudonym alternatives: out of memory");
	a->items[a->n++] = (th_alt){ unit, name, version };
	return 0;
}

const th_pin *th_stackview_find(const th_stackview *s, const char *name)
{
	for (size_t i = 0; i < s->npins; i++)
		if (!strcmp(s->pins[i].name, name))
			return &s->pins[i];
	return NULL;
}

int th_pipeline_add(th_pipeline *p, const th_unit *u, th_error *err)
{
	if ((unsigned)u->kind >= TH_UNIT_NKINDS)
		return th_error_set(err, TH_ERR_INVALID, "pipeline unit %s: unknown kind %d",
				    u->name ? u->name : "?", (int)u->kind);
	th_unit_kind k = u->kind;
	if (p->n[k] == p->cap[k]) {
		size_t nc = p->cap[k] ? p->cap[k] * 2 : 8;
		th_unit *nu = realloc(p->units[k], nc * sizeof *nu);
		if (!nu)
			return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory adding unit %s",
					    u->name ? u->name : "?");
		p->units[k] = nu;
		p->cap[k] = nc;
	}
	p->units[k][p->n[k]++] = *u;
	return 0;
}

size_t th_pipeline_count(const th_pipeline *p, th_unit_kind k)
{
	return (unsigned)k < TH_UNIT_NKINDS ? p->n[k] : 0;
}

const th_unit *th_pipeline_unit(const th_pipeline *p, th_unit_kind k, size_t i)
{
	return (unsigned)k < TH_UNIT_NKINDS && i < p->n[k] ? &p->units[k][i] : NULL;
}

const th_pipeline_config *th_pipeline_cfg(const th_pipeline *p)
{
	return &p->cfg;
}

th_arena *th_pipeline_arena(th_pipeline *p)
{
	return &p->arena;
}

int th_pipeline_new(th_pipeline **out, const th_pipeline_config *cfg, th_error *err)
{
	*out = NULL;
	if (!cfg->env)
		return th_error_set(err, TH_ERR_USAGE, "pipeline: no target environment given");
	if ((unsigned)cfg->type >= TH_RECTYPE_N)
		return th_error_set(err, TH_ERR_USAGE, "pipeline: unknown recommendation type %d", (int)cfg->type);
	th_pipeline *p = calloc(1, sizeof *p);
	if (!p)
		return th_error_set(err, TH_ERR_NOMEM, "pipeline: out of memory");
	p->cfg = *cfg;
	th_arena_init(&p->arena, 0);
	int rc = 0;
	if (!cfg->no_builtin && (rc = th_unit_builtin_add(p, err)) < 0)
		goto done;
	if (cfg->rules && (rc = th_unit_rules_add(p, cfg->rules, cfg->renv, err)) < 0)
		goto done;
	/* knowledge's sets are decoded whole and only read here (the cast
	 * drops a const the unit builder does not need for them) */
	for (size_t i = 0; cfg->know && i < th_know_nsets(cfg->know); i++)
		if ((rc = th_unit_rules_add(p, (th_rules *)th_know_set(cfg->know, i), cfg->renv, err)) < 0)
			goto done;
	*out = p;
done:
	if (rc < 0)
		th_pipeline_free(p);
	return rc;
}

void th_pipeline_free(th_pipeline *p)
{
	if (!p)
		return;
	for (int k = 0; k < TH_UNIT_NKINDS; k++) {
		for (size_t i = 0; i < p->n[k]; i++)
			if (p->units[k][i].release)
				p->units[k][i].release(&p->units[k][i]);
		free(p->units[k]);
	}
	th_arena_release(&p->arena);
	free(p);
}

static uint32_t pipeline__hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool pipeline__osv_names(const th_osv_affected *af, const char *name)
{
	if (!af->name)
		return false;
	char canon[256];
	size_t n = strlen(af->name);
	if (n + n / 2 >= sizeof canon) /* th_name_canon may write 1.5 times n */
		return false;
	canon[th_name_canon(canon, af->name, n)] = '\0';
	return !strcmp(canon, name);
}

/* The advisories naming a project, loaded once per pipeline. */
static int pipeline__advs_of(th_pipeline *p, const char *name, pipeline__advs **out, th_error *err)
{
	uint32_t b = pipeline__hash(name) % PIPELINE__BUCKETS;
	for (pipeline__advs *a = p->advs[b]; a; a = a->next)
		if (!strcmp(a->name, name)) {
			*out = a;
			return 0;
		}
	pipeline__advs *a = th_arena_zalloc(&p->arena, sizeof *a);
	if (!a || !(a->name = th_arena_strdup(&p->arena, name)))
		return th_error_set(err, TH_ERR_NOMEM, "advisories of %s: out of memory", name);
	const th_pipeline_facts *f = p->cfg.facts;
	th_osv *kb = NULL;
	size_t nkb = 0;
	if (f && f->store) {
		int rc = th_kb_advisories_load(f->store, name, &kb, &nkb, &p->arena, err);
		if (rc < 0)
			return rc;
	}
	size_t nlist = 0;
	if (f)
		for (size_t i = 0; i < f->nadvisories; i++)
			for (size_t k = 0; k < f->advisories[i].naffected; k++)
				if (pipeline__osv_names(&f->advisories[i].affected[k], name)) {
					nlist++;
					break;
				}
	if (nkb + nlist) {
		a->items = th_arena_alloc(&p->arena, (nkb + nlist) * sizeof *a->items);
		if (!a->items)
			return th_error_set(err, TH_ERR_NOMEM, "advisories of %s: out of memory", name);
		for (size_t i = 0; i < nkb; i++)
			a->items[a->n++] = &kb[i];
		for (size_t i = 0; f && i < f->nadvisories; i++)
			for (size_t k = 0; k < f->advisories[i].naffected; k++)
				if (pipeline__osv_names(&f->advisories[i].affected[k], name)) {
					a->items[a->n++] = &f->advisories[i];
					break;
				}
	}
	a->next = p->advs[b];
	p->advs[b] = a;
	*out = a;
	return 0;
}

int th_pipeline_advisories(th_pipeline *p, const char *name, const th_version *v, const th_osv ***out,
			   size_t *n, th_error *err)
{
	*out = NULL;
	*n = 0;
	pipeline__advs *a = NULL;
	int rc = pipeline__advs_of(p, name, &a, err);
	if (rc < 0 || a->n == 0)
		return rc;
	const th_osv **res = th_arena_alloc(&p->arena, a->n * sizeof *res);
	if (!res)
		return th_error_set(err, TH_ERR_NOMEM, "advisories of %s: out of memory", name);
	size_t m = 0;
	for (size_t i = 0; i < a->n; i++) {
		const th_osv *adv = a->items[i];
		if (!v) { /* every advisory naming the project */
			res[m++] = adv;
			continue;
		}
		for (size_t k = 0; k < adv->naffected; k++) {
			if (!pipeline__osv_names(&adv->affected[k], name))
				continue;
			int hit = 0;
			size_t bad = 0;
			if (th_osv_affects(&adv->affected[k], v, &hit, &bad, &p->arena) < 0)
				return th_error_set(err, TH_ERR_NOMEM, "advisory %s: out of memory", adv->id);
			if (hit) {
				res[m++] = adv;
				break;
			}
		}
	}
	*out = res;
	*n = m;
	return 0;
}
