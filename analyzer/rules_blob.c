#include "analyzer/rules_blob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAGIC "THRULES\0"
#define BLOB_VERSION 6u

/* The compiled form: header, string table, unit stream. Every string is
 * stored once in the table (NUL-terminated) and referenced by offset, so the
 * 90,000 units of Thoth's corpus take a few megabytes and strings need no
 * copying when read: they point into the table. Integers are LEB128
 * varints; optional parts carry a presence byte.
 *
 * One function per structure serves both directions: writing walks the
 * structure into `out`; reading fills it from `p`. Keeping a single walk
 * means the two directions cannot drift apart. */
typedef struct blob {
	bool reading;
	th_buf *out;             /* writing: the unit stream */
	th_buf *strings;         /* writing: the string table */
	uint32_t *slots;         /* writing: interning table of offsets+1 (owned) */
	size_t nslots, nused;
	const unsigned char *p, *end; /* reading: the unit stream */
	const char *table;       /* reading: the string table (ends with NUL) */
	size_t table_len;
	th_arena *a;             /* reading */
	th_error *err;
	int rc;                  /* first failure; later calls do nothing */
} blob;

static int blob__fail(blob *b, const char *why)
{
	if (!b->rc)
		b->rc = th_error_set(b->err, TH_ERR_INVALID, "compiled rules: %s", why);
	return b->rc;
}

static inline void blob__varint(blob *b, uint64_t *v)
{
	if (b->rc)
		return;
	if (!b->reading) {
		unsigned char tmp[10];
		size_t n = 0;
		uint64_t x = *v;
		do {
			tmp[n++] = (unsigned char)((x & 0x7f) | (x > 0x7f ? 0x80 : 0));
			x >>= 7;
		} while (x);
		b->rc = th_buf_put(b->out, tmp, n, b->err);
		return;
	}
	if (b->p < b->end && *b->p < 0x80) { /* the common case: one byte */
		*v = *b->p++;
		return;
	}
	uint64_t x = 0;
	for (int shift = 0;; shift += 7) {
		if (b->p == b->end || shift > 63) {
			blob__fail(b, "truncated");
			return;
		}
		unsigned char c = *b->p++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
	}
	*v = x;
}

static void blob__size(blob *b, size_t *v)
{
	uint64_t x = *v;
	blob__varint(b, &x);
	if (b->reading && !b->rc && x > SIZE_MAX / 2)
		blob__fail(b, "bad size");
	*v = (size_t)x;
}

static void blob__u32(blob *b, uint32_t *v)
{
	uint64_t x = *v;
	blob__varint(b, &x);
	if (b->reading && x > UINT32_MAX)
		blob__fail(b, "bad number");
	*v = (uint32_t)x;
}

/* Small ints (-1 and up) as value + 1. */
static inline void blob__int(blob *b, int *v)
{
	uint64_t x = (uint64_t)((int64_t)*v + 1);
	blob__varint(b, &x);
	if (b->reading && x > (uint64_t)INT32_MAX)
		blob__fail(b, "bad number");
	*v = (int)((int64_t)x - 1);
}

static inline void blob__bool(blob *b, bool *v)
{
	uint64_t x = *v;
	blob__varint(b, &x);
	if (x > 1)
		blob__fail(b, "bad boolean");
	*v = x == 1;
}

static void blob__double(blob *b, double *v)
{
	if (b->rc)
		return;
	if (!b->reading) {
		b->rc = th_buf_put(b->out, v, sizeof(*v), b->err);
		return;
	}
	if ((size_t)(b->end - b->p) < sizeof(*v)) {
		blob__fail(b, "truncated");
		return;
	}
	memcpy(v, b->p, sizeof(*v));
	b->p += sizeof(*v);
}

static uint64_t blob__fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The table offset of s, adding it when new. */
static uint32_t blob__intern(blob *b, const char *s)
{
	size_t len = strlen(s) + 1, i;

	if (b->nused * 2 >= b->nslots) {
		size_t n = b->nslots ? b->nslots * 2 : (size_t)1 << 19; /* Thoth's corpus: ~300,000 strings, no regrowth */
		uint32_t *slots = calloc(n, sizeof(*slots));
		if (!slots) {
			b->rc = th_error_set(b->err, TH_ERR_NOMEM, "out of memory");
			return 0;
		}
		for (size_t j = 0; j < b->nslots; j++)
			if (b->slots[j]) {
				const char *t = b->strings->ptr + b->slots[j] - 1;
				for (i = blob__fnv(t) & (n - 1); slots[i]; i = (i + 1) & (n - 1))
					;
				slots[i] = b->slots[j];
			}
		free(b->slots);
		b->slots = slots;
		b->nslots = n;
	}
	for (i = blob__fnv(s) & (b->nslots - 1); b->slots[i]; i = (i + 1) & (b->nslots - 1))
		if (!strcmp(b->strings->ptr + b->slots[i] - 1, s))
			return b->slots[i] - 1;
	if (b->strings->len > UINT32_MAX - len) {
		b->rc = th_error_set(b->err, TH_ERR_LIMIT, "compiled rules: more than 4 GiB of text");
		return 0;
	}
	uint32_t off = (uint32_t)b->strings->len;
	if ((b->rc = th_buf_put(b->strings, s, len, b->err)))
		return 0;
	b->slots[i] = off + 1;
	b->nused++;
	return off;
}

/* A string: 0 for NULL, else its table offset + 1. */
static inline void blob__str(blob *b, const char **s)
{
	uint64_t x = 0;

	if (!b->reading && *s) {
		x = (uint64_t)blob__intern(b, *s) + 1;
		if (b->rc)
			return;
	}
	blob__varint(b, &x);
	if (!b->reading)
		return;
	*s = NULL;
	if (b->rc || !x)
		return;
	if (x - 1 >= b->table_len) {
		blob__fail(b, "bad string");
		return;
	}
	*s = b->table + x - 1; /* the table ends with a NUL: the string ends inside it */
}

/* An array: its count, then (reading) zeroed room in the arena. */
static bool blob__array(blob *b, void **items, size_t *n, size_t size)
{
	blob__size(b, n);
	if (b->rc)
		return false;
	if (b->reading) {
		*items = NULL;
		if (!*n)
			return true;
		/* each element takes at least one byte: a lying count cannot make us allocate much */
		if (*n > (size_t)(b->end - b->p)) {
			blob__fail(b, "bad count");
			return false;
		}
		if (!(*items = th_arena_zalloc(b->a, *n * size))) {
			b->rc = th_error_set(b->err, TH_ERR_NOMEM, "out of memory");
			return false;
		}
	}
	return true;
}

/* An optional part: a presence flag, then (reading) room for it. */
static bool blob__opt(blob *b, void **item, size_t size)
{
	bool present = *item != NULL;

	blob__bool(b, &present);
	if (b->rc || !present) {
		if (b->reading)
			*item = NULL;
		return false;
	}
	if (b->reading && !(*item = th_arena_zalloc(b->a, size))) {
		b->rc = th_error_set(b->err, TH_ERR_NOMEM, "out of memory");
		return false;
	}
	return true;
}

/* A presence mask: which optional parts follow. Writing passes the mask it
 * computed; reading gets the stored one. */
static inline uint64_t blob__mask(blob *b, uint64_t mask)
{
	blob__varint(b, &mask);
	return b->rc ? 0 : mask;
}

#define BIT(m, i, cond) ((m) |= (cond) ? (uint64_t)1 << (i) : 0)
#define HAS(m, i) (((m) >> (i)) & 1)

/* `eager`: parse the set now (should_include specifiers, checked against
 * every environment); others are parsed when first used. */
static void blob__spec(blob *b, th_rule_spec *s, bool eager)
{
	blob__str(b, &s->text);
	blob__bool(b, &s->legacy);
	if (b->reading) {
		s->set = NULL;
		if (!b->rc && eager && s->text && !s->legacy &&
		    th_specset_parse(&s->set, s->text, strlen(s->text), b->a, NULL))
			blob__fail(b, "bad specifier");
	}
}

static void blob__strs(blob *b, const char ***items, size_t *n)
{
	if (blob__array(b, (void **)items, n, sizeof(**items)))
		for (size_t i = 0; i < *n; i++)
			blob__str(b, &(*items)[i]);
}

static void blob__list(blob *b, th_rule_list *l)
{
	blob__bool(b, &l->present);
	blob__bool(b, &l->negated);
	blob__strs(b, &l->items, &l->n);
}

static void blob__pkg(blob *b, th_rule_pkg *p)
{
	uint64_t m = 0;

	if (!b->reading) {
		BIT(m, 0, p->name);
		BIT(m, 1, p->version.text);
		BIT(m, 2, p->index_url);
		BIT(m, 3, p->index_url_not);
		BIT(m, 4, p->develop >= 0);
	}
	m = blob__mask(b, m);
	if (b->reading) {
		p->develop = -1;
		p->index_url_not = HAS(m, 3);
	}
	if (HAS(m, 0))
		blob__str(b, &p->name);
	if (HAS(m, 1))
		blob__spec(b, &p->version, false);
	if (HAS(m, 2))
		blob__str(b, &p->index_url);
	if (HAS(m, 4))
		blob__int(b, &p->develop);
}

static void blob__pkgs(blob *b, th_rule_pkg **items, size_t *n)
{
	if (blob__array(b, (void **)items, n, sizeof(**items)))
		for (size_t i = 0; i < *n; i++)
			blob__pkg(b, &(*items)[i]);
}

static void blob__locked(blob *b, th_rule_locked *l)
{
	blob__str(b, &l->name);
	blob__str(b, &l->locked_version);
	blob__str(b, &l->index_url);
	blob__int(b, &l->develop);
}

static void blob__level(blob *b, th_rule_level *l)
{
	int v = (int)*l;
	blob__int(b, &v);
	if (v < TH_RULE_INFO || v > TH_RULE_ERROR)
		blob__fail(b, "bad level");
	*l = (th_rule_level)v;
}

static void blob__msg(blob *b, th_rule_msg *m)
{
	blob__level(b, &m->type);
	blob__str(b, &m->message);
	blob__str(b, &m->link);
}

static void blob__kvs(blob *b, th_rule_kv **items, size_t *n)
{
	if (blob__array(b, (void **)items, n, sizeof(**items)))
		for (size_t i = 0; i < *n; i++) {
			blob__str(b, &(*items)[i].key);
			blob__str(b, &(*items)[i].value);
		}
}

static void blob__runtime(blob *b, th_rule_runtime *rt)
{
	if (blob__array(b, (void **)&rt->operating_systems, &rt->noperating_systems, sizeof(*rt->operating_systems)))
		for (size_t i = 0; i < rt->noperating_systems; i++) {
			blob__str(b, &rt->operating_systems[i].name);
			blob__str(b, &rt->operating_systems[i].version);
		}
	if (blob__array(b, (void **)&rt->hardware, &rt->nhardware, sizeof(*rt->hardware)))
		for (size_t i = 0; i < rt->nhardware; i++) {
			blob__list(b, &rt->hardware[i].cpu_families);
			blob__list(b, &rt->hardware[i].cpu_models);
			blob__list(b, &rt->hardware[i].cpu_flags);
			blob__list(b, &rt->hardware[i].gpu_models);
		}
	blob__spec(b, &rt->python_version, true);
	blob__spec(b, &rt->cuda_version, true);
	blob__spec(b, &rt->cudnn_version, true);
	blob__spec(b, &rt->mkl_version, true);
	blob__spec(b, &rt->openblas_version, true);
	blob__spec(b, &rt->openmpi_version, true);
	blob__list(b, &rt->platforms);
	blob__list(b, &rt->base_images);
	blob__list(b, &rt->abi);
	blob__bool(b, &rt->python_packages_not);
	if (blob__array(b, (void **)&rt->python_packages, &rt->npython_packages, sizeof(*rt->python_packages)))
		for (size_t i = 0; i < rt->npython_packages; i++) {
			blob__str(b, &rt->python_packages[i].name);
			blob__spec(b, &rt->python_packages[i].version, false);
			blob__str(b, &rt->python_packages[i].location);
		}
	blob__bool(b, &rt->rpm_packages_not);
	if (blob__array(b, (void **)&rt->rpm_packages, &rt->nrpm_packages, sizeof(*rt->rpm_packages)))
		for (size_t i = 0; i < rt->nrpm_packages; i++) {
			th_rule_rpm *r = &rt->rpm_packages[i];
			blob__str(b, &r->package_name);
			blob__str(b, &r->arch);
			blob__str(b, &r->epoch);
			blob__str(b, &r->package_identifier);
			blob__str(b, &r->package_version);
			blob__str(b, &r->release);
			blob__int(b, &r->src);
		}
}

static void blob__include(blob *b, th_rule_include *inc)
{
	uint64_t m = 0;

	if (!b->reading) {
		BIT(m, 0, inc->times != 1);
		BIT(m, 1, inc->adviser_pipeline);
		BIT(m, 2, inc->dependency_monkey_pipeline);
		BIT(m, 3, inc->authenticated >= 0);
		BIT(m, 4, inc->recommendation_types.present);
		BIT(m, 5, inc->decision_types.present);
		BIT(m, 6, inc->nlabels);
		BIT(m, 7, inc->nlibrary_usage);
		BIT(m, 8, inc->dependencies);
		BIT(m, 9, inc->rt);
	}
	m = blob__mask(b, m);
	if (b->reading) {
		inc->times = 1;
		inc->authenticated = -1;
		inc->adviser_pipeline = HAS(m, 1);
		inc->dependency_monkey_pipeline = HAS(m, 2);
	}
	if (HAS(m, 0))
		blob__int(b, &inc->times);
	if (HAS(m, 3))
		blob__int(b, &inc->authenticated);
	if (HAS(m, 4))
		blob__list(b, &inc->recommendation_types);
	if (HAS(m, 5))
		blob__list(b, &inc->decision_types);
	if (HAS(m, 6))
		blob__kvs(b, &inc->labels, &inc->nlabels);
	if (HAS(m, 7) &&
	    blob__array(b, (void **)&inc->library_usage, &inc->nlibrary_usage, sizeof(*inc->library_usage)))
		for (size_t i = 0; i < inc->nlibrary_usage; i++) {
			blob__str(b, &inc->library_usage[i].library);
			blob__strs(b, &inc->library_usage[i].symbols, &inc->library_usage[i].nsymbols);
		}
	if (HAS(m, 8) && blob__opt(b, (void **)&inc->dependencies, TH_RULE_NDEPS * sizeof(*inc->dependencies)))
		for (int i = 0; i < TH_RULE_NDEPS; i++)
			blob__list(b, &inc->dependencies[i]);
	if (HAS(m, 9) && blob__opt(b, (void **)&inc->rt, sizeof(*inc->rt)))
		blob__runtime(b, inc->rt);
}

static void blob__match(blob *b, th_rule_match *mt)
{
	uint64_t m = 0;

	if (!b->reading) {
		BIT(m, 0, mt->has_package_version);
		BIT(m, 1, mt->package_name);
		BIT(m, 2, mt->nresolved);
		BIT(m, 3, mt->nfrom);
		BIT(m, 4, mt->from_allow_other);
		BIT(m, 5, mt->ngroup);
	}
	m = blob__mask(b, m);
	if (b->reading) {
		mt->has_package_version = HAS(m, 0);
		mt->from_allow_other = HAS(m, 4);
	}
	if (HAS(m, 0))
		blob__pkg(b, &mt->package_version);
	if (HAS(m, 1))
		blob__str(b, &mt->package_name);
	if (HAS(m, 2))
		blob__pkgs(b, &mt->resolved, &mt->nresolved);
	if (HAS(m, 3))
		blob__pkgs(b, &mt->from, &mt->nfrom);
	if (HAS(m, 5))
		blob__pkgs(b, &mt->group, &mt->ngroup);
}

static void blob__more(blob *b, th_rule_run_more *r)
{
	blob__bool(b, &r->has_yield);
	blob__int(b, &r->yield_matched_version);
	blob__locked(b, &r->yield);
	blob__locked(b, &r->add);
	blob__str(b, &r->gh_organization);
	blob__str(b, &r->gh_repository);
	blob__str(b, &r->gh_tag_version_prefix);
	blob__size(b, &r->nadvised_manifest_changes);
	if (blob__array(b, (void **)&r->api_removed, &r->napi_removed, sizeof(*r->api_removed)))
		for (size_t i = 0; i < r->napi_removed; i++) {
			th_rule_api_removed *x = &r->api_removed[i];
			blob__str(b, &x->package);
			blob__spec(b, &x->version, false);
			blob__strs(b, &x->symbols, &x->nsymbols);
			blob__str(b, &x->replacement);
		}
	if (blob__array(b, (void **)&r->stdlib_removed, &r->nstdlib_removed, sizeof(*r->stdlib_removed)))
		for (size_t i = 0; i < r->nstdlib_removed; i++) {
			th_rule_stdlib_removed *x = &r->stdlib_removed[i];
			blob__str(b, &x->module);
			blob__spec(b, &x->python_version, false);
			blob__str(b, &x->replacement);
		}
	if (blob__array(b, (void **)&r->cuda_requires, &r->ncuda_requires, sizeof(*r->cuda_requires)))
		for (size_t i = 0; i < r->ncuda_requires; i++) {
			th_rule_cuda_requires *x = &r->cuda_requires[i];
			blob__str(b, &x->package);
			blob__spec(b, &x->version, false);
			blob__spec(b, &x->cuda, false);
			blob__spec(b, &x->cudnn, false);
		}
	if (blob__array(b, (void **)&r->python_support, &r->npython_support, sizeof(*r->python_support)))
		for (size_t i = 0; i < r->npython_support; i++) {
			th_rule_python_support *x = &r->python_support[i];
			blob__str(b, &x->package);
			blob__spec(b, &x->version, false);
			blob__spec(b, &x->python, false);
		}
}

static void blob__run(blob *b, th_rule_run *r)
{
	uint64_t m = 0;

	if (!b->reading) {
		BIT(m, 0, r->has_log);
		BIT(m, 1, r->nstack_info);
		BIT(m, 2, r->njustification);
		BIT(m, 3, r->has_score);
		BIT(m, 4, r->not_acceptable);
		BIT(m, 5, r->eager_stop_pipeline);
		BIT(m, 6, r->multi_package_resolution >= 0);
		BIT(m, 7, r->more);
	}
	m = blob__mask(b, m);
	if (b->reading) {
		r->multi_package_resolution = -1;
		r->has_log = HAS(m, 0);
		r->has_score = HAS(m, 3);
	}
	if (HAS(m, 0))
		blob__msg(b, &r->log);
	if (HAS(m, 1) && blob__array(b, (void **)&r->stack_info, &r->nstack_info, sizeof(*r->stack_info)))
		for (size_t i = 0; i < r->nstack_info; i++)
			blob__msg(b, &r->stack_info[i]);
	if (HAS(m, 2) && blob__array(b, (void **)&r->justification, &r->njustification, sizeof(*r->justification)))
		for (size_t i = 0; i < r->njustification; i++) {
			th_rule_justification *j = &r->justification[i];
			uint64_t jm = 0;
			if (!b->reading) {
				BIT(jm, 0, j->package_name);
				BIT(jm, 1, j->advisory);
				BIT(jm, 2, j->cve_id);
				BIT(jm, 3, j->cve_name);
				BIT(jm, 4, j->version_range.text);
			}
			blob__level(b, &j->type);
			blob__str(b, &j->message);
			blob__str(b, &j->link);
			jm = blob__mask(b, jm);
			if (HAS(jm, 0))
				blob__str(b, &j->package_name);
			if (HAS(jm, 1))
				blob__str(b, &j->advisory);
			if (HAS(jm, 2))
				blob__str(b, &j->cve_id);
			if (HAS(jm, 3))
				blob__str(b, &j->cve_name);
			if (HAS(jm, 4))
				blob__spec(b, &j->version_range, false);
		}
	if (HAS(m, 3))
		blob__double(b, &r->score);
	if (HAS(m, 4))
		blob__str(b, &r->not_acceptable);
	if (HAS(m, 5))
		blob__str(b, &r->eager_stop_pipeline);
	if (HAS(m, 6))
		blob__int(b, &r->multi_package_resolution);
	if (HAS(m, 7) && blob__opt(b, (void **)&r->more, sizeof(*r->more)))
		blob__more(b, r->more);
}

static void blob__body(blob *b, th_rule_unit *u)
{
	if (blob__array(b, (void **)&u->match, &u->nmatch, sizeof(*u->match)))
		for (size_t i = 0; i < u->nmatch; i++)
			blob__match(b, &u->match[i]);
	blob__run(b, &u->run);
	blob__kvs(b, &u->metadata, &u->nmetadata);
}

static void blob__unit(blob *b, th_rule_unit *u)
{
	int type = (int)u->type;
	uint32_t line = u->line;

	blob__int(b, &type);
	if (type < 0 || type >= TH_RULE_NTYPES)
		blob__fail(b, "bad unit type");
	u->type = (th_rule_type)type;
	blob__str(b, &u->name);
	blob__str(b, &u->file);
	blob__u32(b, &line);
	u->line = line;
	blob__include(b, &u->inc);
	if (b->reading && !b->rc && (!u->name || !u->file))
		blob__fail(b, "unit without a name");
	/* the body, length first, so reading can leave it for later */
	if (!b->reading) {
		th_buf body = TH_BUF_INIT, *units = b->out;
		uint64_t len;
		b->out = &body;
		blob__body(b, u);
		b->out = units;
		len = body.len;
		blob__varint(b, &len);
		if (!b->rc)
			b->rc = th_buf_put(b->out, body.ptr, body.len, b->err);
		th_buf_release(&body);
		return;
	}
	size_t len = 0;
	blob__size(b, &len);
	if (b->rc)
		return;
	if (len > (size_t)(b->end - b->p)) {
		blob__fail(b, "bad unit body");
		return;
	}
	u->body = b->p;
	u->body_len = len;
	b->p += len;
}

int th_rules_blob_unit(th_rules *r, th_rule_unit *u, th_error *err)
{
	blob b = { .reading = true, .a = &r->arena, .err = err, .table = r->blob_strings,
		   .table_len = r->blob_strings_len };

	if (!u->body)
		return 0;
	b.p = u->body;
	b.end = b.p + u->body_len;
	u->body = NULL; /* decoded once, or refused once */
	blob__body(&b, u);
	if (!b.rc && b.p != b.end)
		blob__fail(&b, "trailing bytes in a unit");
	if (b.rc) {
		u->match = NULL;
		u->nmatch = 0;
		memset(&u->run, 0, sizeof(u->run));
		u->run.multi_package_resolution = -1;
		u->metadata = NULL;
		u->nmetadata = 0;
	}
	return b.rc;
}

int th_rules_blob_units(th_rules *r, th_error *err)
{
	int rc;

	for (size_t i = 0; i < r->n; i++)
		if ((rc = th_rules_blob_unit(r, r->units[i], err)))
			return rc;
	return 0;
}

/* The header after the magic and version: the set's own fields. */
static void blob__header(blob *b, th_rules *r, size_t *nunits)
{
	blob__size(b, nunits);
	blob__size(b, &r->nfiles);
	blob__size(b, &r->nlegacy);
	blob__str(b, &r->prescription_name);
	blob__str(b, &r->prescription_release);
}

int th_rules_blob_write(const th_rules *r, th_buf *out, th_error *err)
{
	th_buf units = TH_BUF_INIT, strings = TH_BUF_INIT;
	blob b = { .reading = false, .out = &units, .strings = &strings, .err = err };
	th_rules copy = *r; /* the walk takes non-const pointers; nothing is modified when writing */
	size_t n = r->n;
	uint32_t version = BLOB_VERSION;
	uint64_t tlen;

	blob__header(&b, &copy, &n);
	for (size_t i = 0; i < r->n && !b.rc; i++) {
		th_rule_unit u = *r->units[i];
		if (u.body) /* its strings are offsets into another table */
			b.rc = th_error_set(err, TH_ERR_INVALID, "compiled rules: unit %s is not decoded", u.name);
		else
			blob__unit(&b, &u);
	}
	if (!b.rc)
		b.rc = th_buf_putc(&strings, '\0', err); /* the table always ends with a NUL */
	/* magic, version, table length, table, units */
	if (!b.rc && !(b.rc = th_buf_put(out, BLOB_MAGIC, 8, err)) && !(b.rc = th_buf_put(out, &version, 4, err))) {
		tlen = strings.len;
		if (!(b.rc = th_buf_put(out, &tlen, 8, err)) && !(b.rc = th_buf_put(out, strings.ptr, strings.len, err)))
			b.rc = th_buf_put(out, units.ptr, units.len, err);
	}
	free(b.slots);
	th_buf_release(&units);
	th_buf_release(&strings);
	return b.rc;
}

int th_rules_blob_read(th_rules *r, const void *data, size_t len, th_error *err)
{
	void *copy = malloc(len ? len : 1);

	if (!copy)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	memcpy(copy, data, len);
	return th_rules_blob_adopt(r, copy, len, err);
}

static int blob__decode(th_rules *r, const char *copy, size_t len, th_error *err);

int th_rules_blob_adopt(th_rules *r, void *data, size_t len, th_error *err)
{
	int rc;

	if (r->blob) { /* a set holds one compiled form */
		free(data);
		return th_error_set(err, TH_ERR_INVALID, "compiled rules: the set already holds a compiled form");
	}
	if ((rc = blob__decode(r, data, len, err)))
		free(data);
	else
		r->blob = data;
	return rc;
}

static int blob__decode(th_rules *r, const char *copy, size_t len, th_error *err)
{
	blob b = { .reading = true, .a = &r->arena, .err = err };
	size_t n = 0, first = r->n;
	th_rule_unit **units, *all = NULL;
	uint32_t version;
	uint64_t tlen;

	if (len < 20 || memcmp(copy, BLOB_MAGIC, 8))
		return blob__fail(&b, "not a compiled rule set");
	memcpy(&version, copy + 8, 4);
	memcpy(&tlen, copy + 12, 8);
	if (version != BLOB_VERSION)
		return blob__fail(&b, "compiled by another version of thoth");
	if (!tlen || tlen > len - 20)
		return blob__fail(&b, "bad string table");
	b.table = copy + 20;
	b.table_len = (size_t)tlen;
	if (b.table[b.table_len - 1] != '\0')
		return blob__fail(&b, "bad string table");
	b.p = (const unsigned char *)copy + 20 + tlen;
	b.end = (const unsigned char *)copy + len;
	blob__header(&b, r, &n);
	if (b.rc)
		return b.rc;
	/* a unit takes well over 8 bytes of the stream: a lying count cannot make us allocate much */
	if (n > (size_t)(b.end - b.p) / 8)
		return blob__fail(&b, "bad unit count");
	if (!(units = realloc(r->units, (r->n + n + 1) * sizeof(*units))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	r->units = units;
	r->cap = r->n + n + 1;
	/* all units in one allocation */
	if (n && !(all = th_arena_zalloc(&r->arena, n * sizeof(*all))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n && !b.rc; i++) {
		th_rule_unit *u = &all[i];
		blob__unit(&b, u);
		if (!b.rc) {
			r->units[r->n++] = u;
			r->count[u->type]++;
		}
	}
	if (!b.rc && b.p != b.end)
		blob__fail(&b, "trailing bytes");
	r->blob_strings = b.table;
	r->blob_strings_len = b.table_len;
	if (b.rc) { /* all or nothing */
		for (size_t i = first; i < r->n; i++)
			r->count[r->units[i]->type]--;
		r->n = first;
	}
	return b.rc;
}
