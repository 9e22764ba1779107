#include "analyzer/rules_blob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOB_MAGIC "THRULES\0"
#define BLOB_VERSION 1u

/* One function per structure serves both directions: writing walks the
 * structure into `out`; reading fills it from `p`. Keeping a single walk
 * means the two directions cannot drift apart. */
typedef struct blob {
	bool reading;
	th_buf *out;          /* writing */
	const char *p, *end;  /* reading: inside the arena copy */
	th_arena *a;          /* reading */
	th_error *err;
	int rc;               /* first failure; later calls do nothing */
} blob;

static int blob__fail(blob *b, const char *why)
{
	if (!b->rc)
		b->rc = th_error_set(b->err, TH_ERR_INVALID, "compiled rules: %s", why);
	return b->rc;
}

static void blob__raw(blob *b, void *v, size_t n)
{
	if (b->rc)
		return;
	if (!b->reading) {
		b->rc = th_buf_put(b->out, v, n, b->err);
		return;
	}
	if ((size_t)(b->end - b->p) < n) {
		blob__fail(b, "truncated");
		return;
	}
	memcpy(v, b->p, n);
	b->p += n;
}

static void blob__u32(blob *b, uint32_t *v)
{
	blob__raw(b, v, sizeof(*v));
}

static void blob__int(blob *b, int *v)
{
	int32_t x = (int32_t)*v;
	blob__raw(b, &x, sizeof(x));
	*v = x;
}

static void blob__bool(blob *b, bool *v)
{
	uint8_t x = *v;
	blob__raw(b, &x, 1);
	if (x > 1)
		blob__fail(b, "bad boolean");
	*v = x;
}

static void blob__size(blob *b, size_t *v)
{
	uint32_t x = (uint32_t)*v;
	blob__u32(b, &x);
	*v = x;
}

/* A string: length+1 (0 for NULL), then the bytes and the NUL. */
static void blob__str(blob *b, const char **s)
{
	uint32_t n = *s ? (uint32_t)strlen(*s) + 1 : 0;

	blob__u32(b, &n);
	if (b->rc || !n) {
		if (b->reading)
			*s = NULL;
		return;
	}
	if (!b->reading) {
		b->rc = th_buf_put(b->out, *s, n, b->err);
		return;
	}
	if ((size_t)(b->end - b->p) < n || b->p[n - 1] != '\0' || memchr(b->p, '\0', n - 1)) {
		blob__fail(b, "bad string");
		return;
	}
	*s = b->p;
	b->p += n;
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

static void blob__spec(blob *b, th_rule_spec *s)
{
	blob__str(b, &s->text);
	if (b->reading && !b->rc && s->text &&
	    th_specset_parse(&s->set, s->text, strlen(s->text), b->a, NULL))
		s->set = NULL; /* a legacy specifier, as the loader kept it */
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
	blob__str(b, &p->name);
	blob__spec(b, &p->version);
	blob__str(b, &p->index_url);
	blob__bool(b, &p->index_url_not);
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

static void blob__include(blob *b, th_rule_include *inc)
{
	blob__int(b, &inc->times);
	blob__bool(b, &inc->adviser_pipeline);
	blob__bool(b, &inc->dependency_monkey_pipeline);
	blob__int(b, &inc->authenticated);
	blob__list(b, &inc->recommendation_types);
	blob__list(b, &inc->decision_types);
	blob__kvs(b, &inc->labels, &inc->nlabels);
	if (blob__array(b, (void **)&inc->library_usage, &inc->nlibrary_usage, sizeof(*inc->library_usage)))
		for (size_t i = 0; i < inc->nlibrary_usage; i++) {
			blob__str(b, &inc->library_usage[i].library);
			blob__strs(b, &inc->library_usage[i].symbols, &inc->library_usage[i].nsymbols);
		}
	for (int i = 0; i < TH_RULE_NDEPS; i++)
		blob__list(b, &inc->dependencies[i]);
	if (blob__array(b, (void **)&inc->operating_systems, &inc->noperating_systems, sizeof(*inc->operating_systems)))
		for (size_t i = 0; i < inc->noperating_systems; i++) {
			blob__str(b, &inc->operating_systems[i].name);
			blob__str(b, &inc->operating_systems[i].version);
		}
	if (blob__array(b, (void **)&inc->hardware, &inc->nhardware, sizeof(*inc->hardware)))
		for (size_t i = 0; i < inc->nhardware; i++) {
			blob__list(b, &inc->hardware[i].cpu_families);
			blob__list(b, &inc->hardware[i].cpu_models);
			blob__list(b, &inc->hardware[i].cpu_flags);
			blob__list(b, &inc->hardware[i].gpu_models);
		}
	blob__spec(b, &inc->python_version);
	blob__spec(b, &inc->cuda_version);
	blob__spec(b, &inc->cudnn_version);
	blob__spec(b, &inc->mkl_version);
	blob__spec(b, &inc->openblas_version);
	blob__spec(b, &inc->openmpi_version);
	blob__list(b, &inc->platforms);
	blob__list(b, &inc->base_images);
	blob__list(b, &inc->abi);
	blob__bool(b, &inc->python_packages_not);
	if (blob__array(b, (void **)&inc->python_packages, &inc->npython_packages, sizeof(*inc->python_packages)))
		for (size_t i = 0; i < inc->npython_packages; i++) {
			blob__str(b, &inc->python_packages[i].name);
			blob__spec(b, &inc->python_packages[i].version);
			blob__str(b, &inc->python_packages[i].location);
		}
	blob__bool(b, &inc->rpm_packages_not);
	if (blob__array(b, (void **)&inc->rpm_packages, &inc->nrpm_packages, sizeof(*inc->rpm_packages)))
		for (size_t i = 0; i < inc->nrpm_packages; i++) {
			th_rule_rpm *r = &inc->rpm_packages[i];
			blob__str(b, &r->package_name);
			blob__str(b, &r->arch);
			blob__str(b, &r->epoch);
			blob__str(b, &r->package_identifier);
			blob__str(b, &r->package_version);
			blob__str(b, &r->release);
			blob__int(b, &r->src);
		}
}

static void blob__match(blob *b, th_rule_match *m)
{
	blob__bool(b, &m->has_package_version);
	blob__pkg(b, &m->package_version);
	blob__str(b, &m->package_name);
	blob__pkgs(b, &m->resolved, &m->nresolved);
	blob__pkgs(b, &m->from, &m->nfrom);
	blob__bool(b, &m->from_allow_other);
	blob__pkgs(b, &m->group, &m->ngroup);
}

static void blob__run(blob *b, th_rule_run *r)
{
	blob__bool(b, &r->has_log);
	blob__msg(b, &r->log);
	if (blob__array(b, (void **)&r->stack_info, &r->nstack_info, sizeof(*r->stack_info)))
		for (size_t i = 0; i < r->nstack_info; i++)
			blob__msg(b, &r->stack_info[i]);
	if (blob__array(b, (void **)&r->justification, &r->njustification, sizeof(*r->justification)))
		for (size_t i = 0; i < r->njustification; i++) {
			th_rule_justification *j = &r->justification[i];
			blob__level(b, &j->type);
			blob__str(b, &j->message);
			blob__str(b, &j->link);
			blob__str(b, &j->package_name);
			blob__str(b, &j->advisory);
			blob__str(b, &j->cve_id);
			blob__str(b, &j->cve_name);
			blob__spec(b, &j->version_range);
		}
	blob__bool(b, &r->has_score);
	blob__raw(b, &r->score, sizeof(r->score));
	blob__str(b, &r->not_acceptable);
	blob__str(b, &r->eager_stop_pipeline);
	blob__int(b, &r->multi_package_resolution);
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
			blob__spec(b, &x->version);
			blob__strs(b, &x->symbols, &x->nsymbols);
			blob__str(b, &x->replacement);
		}
	if (blob__array(b, (void **)&r->stdlib_removed, &r->nstdlib_removed, sizeof(*r->stdlib_removed)))
		for (size_t i = 0; i < r->nstdlib_removed; i++) {
			th_rule_stdlib_removed *x = &r->stdlib_removed[i];
			blob__str(b, &x->module);
			blob__spec(b, &x->python_version);
			blob__str(b, &x->replacement);
		}
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
	if (blob__array(b, (void **)&u->match, &u->nmatch, sizeof(*u->match)))
		for (size_t i = 0; i < u->nmatch; i++)
			blob__match(b, &u->match[i]);
	blob__run(b, &u->run);
	blob__kvs(b, &u->metadata, &u->nmetadata);
	if (b->reading && !b->rc && (!u->name || !u->file))
		blob__fail(b, "unit without a name");
}

/* The header: magic, version, then the set's own fields. */
static void blob__header(blob *b, th_rules *r, size_t *nunits)
{
	char magic[8];
	uint32_t version = BLOB_VERSION;

	memcpy(magic, BLOB_MAGIC, 8);
	blob__raw(b, magic, 8);
	blob__u32(b, &version);
	if (b->reading && !b->rc && (memcmp(magic, BLOB_MAGIC, 8) || version != BLOB_VERSION))
		blob__fail(b, "not a compiled rule set of this version");
	blob__size(b, nunits);
	blob__size(b, &r->nfiles);
	blob__size(b, &r->nlegacy);
	blob__str(b, &r->prescription_name);
	blob__str(b, &r->prescription_release);
}

int th_rules_blob_write(const th_rules *r, th_buf *out, th_error *err)
{
	blob b = { .reading = false, .out = out, .err = err };
	th_rules copy = *r; /* the walk takes non-const pointers; nothing is modified when writing */
	size_t n = r->n;

	blob__header(&b, &copy, &n);
	for (size_t i = 0; i < r->n && !b.rc; i++) {
		th_rule_unit u = *r->units[i];
		blob__unit(&b, &u);
	}
	return b.rc;
}

int th_rules_blob_read(th_rules *r, const void *data, size_t len, th_error *err)
{
	blob b = { .reading = true, .a = &r->arena, .err = err };
	char *copy = th_arena_alloc(&r->arena, len ? len : 1);
	size_t n = 0, first = r->n;
	th_rule_unit **units;

	if (!copy)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	memcpy(copy, data, len);
	b.p = copy;
	b.end = copy + len;
	blob__header(&b, r, &n);
	if (b.rc)
		return b.rc;
	if (n > len)
		return blob__fail(&b, "bad unit count");
	if (!(units = realloc(r->units, (r->n + n) * sizeof(*units))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	r->units = units;
	r->cap = r->n + n;
	for (size_t i = 0; i < n && !b.rc; i++) {
		th_rule_unit *u = th_arena_zalloc(&r->arena, sizeof(*u));
		if (!u)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		blob__unit(&b, u);
		if (!b.rc) {
			r->units[r->n++] = u;
			r->count[u->type]++;
		}
	}
	if (!b.rc && b.p != b.end)
		blob__fail(&b, "trailing bytes");
	if (b.rc) { /* all or nothing */
		for (size_t i = first; i < r->n; i++)
			r->count[r->units[i]->type]--;
		r->n = first;
	}
	return b.rc;
}
