#include "analyzer/knowledge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules_blob.h"
#include "analyzer/rules_embedded.h"
#include "analyzer/store_rules.h"
#include "core/hash.h"
#include "core/name.h"
#include "core/version.h"

/* One indexed fact: a pointer into a loaded unit (which k owns) plus the
 * strings composed for its hits. Facts with the same key are chained. */
typedef struct know__fact {
	struct know__fact *next;
	const th_rule_unit *u;
	const char *key;
	const void *fact; /* th_rule_api_removed, _stdlib_removed, _cuda_requires, _python_support, th_rule_match */
	const char *subject, *message, *evidence;
} know__fact;

typedef struct know__table { /* open addressing over keys; values are chains */
	know__fact **slots;
	size_t n, used;
} know__table;

enum { KNOW_API, KNOW_STDLIB, KNOW_CUDA, KNOW_PYSUP, KNOW_BROKEN, KNOW_NTABLES };

struct th_know {
	th_rules *sets; /* owned array */
	size_t nsets;
	th_arena arena; /* facts, parsed specifiers, composed texts */
	know__table t[KNOW_NTABLES];
	th_know_stats stats;
};

/* ---- the index ---- */

static uint64_t know__hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* The chain of a key (len bytes of s, which need not end there), or NULL. */
static know__fact *know__get(const know__table *t, const char *s, size_t len)
{
	if (!t->n)
		return NULL;
	for (size_t i = know__hash(s, len) & (t->n - 1);; i = (i + 1) & (t->n - 1)) {
		know__fact *f = t->slots[i];
		if (!f)
			return NULL;
		if (!strncmp(f->key, s, len) && !f->key[len])
			return f;
	}
}

static int know__put(know__table *t, know__fact *f, th_error *err)
{
	size_t len = strlen(f->key), i;

	if ((t->used + 1) * 2 > t->n) {
		size_t n = t->n ? t->n * 2 : 64;
		know__fact **slots = calloc(n, sizeof(*slots));
		if (!slots)
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		for (size_t j = 0; j < t->n; j++)
			if (t->slots[j]) {
				for (i = know__hash(t->slots[j]->key, strlen(t->slots[j]->key)) & (n - 1); slots[i];
				     i = (i + 1) & (n - 1))
					;
				slots[i] = t->slots[j];
			}
		free(t->slots);
		t->slots = slots;
		t->n = n;
	}
	for (i = know__hash(f->key, len) & (t->n - 1); t->slots[i]; i = (i + 1) & (t->n - 1))
		if (!strcmp(t->slots[i]->key, f->key)) {
			/* append: hits come out in load order */
			know__fact *last = t->slots[i];
			while (last->next)
				last = last->next;
			last->next = f;
			return 0;
		}
	t->slots[i] = f;
	t->used++;
	return 0;
}

static const char *know__printf(th_know *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A composed text in k's arena; NULL when memory runs out. */
static const char *know__printf(th_know *k, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = th_arena_alloc(&k->arena, (size_t)n + 1)))
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static bool know__is_url(const char *s)
{
	return s && (!strncmp(s, "https://", 8) || !strncmp(s, "http://", 7));
}

/* The unit's evidence: metadata `evidence`, else its first link that is a URL. */
static const char *know__evidence(const th_rule_unit *u)
{
	const th_rule_run *r = &u->run;

	for (size_t i = 0; i < u->nmetadata; i++)
		if (!strcmp(u->metadata[i].key, "evidence") && u->metadata[i].value)
			return u->metadata[i].value;
	for (size_t i = 0; i < r->njustification; i++)
		if (know__is_url(r->justification[i].link))
			return r->justification[i].link;
	for (size_t i = 0; i < r->nstack_info; i++)
		if (know__is_url(r->stack_info[i].link))
			return r->stack_info[i].link;
	return r->has_log && know__is_url(r->log.link) ? r->log.link : NULL;
}

/* The unit's own words, when it has some. */
static const char *know__message(const th_rule_unit *u)
{
	const th_rule_run *r = &u->run;

	if (r->njustification)
		return r->justification[0].message;
	if (r->nstack_info)
		return r->stack_info[0].message;
	return r->has_log ? r->log.message : NULL;
}

/* Parses a specifier read from the compiled form (which parses lazily) once,
 * so queries never allocate for it. */
static int know__spec(th_know *k, const th_rule_unit *u, th_rule_spec *s, th_error *err)
{
	if (!s->text || s->legacy || s->set)
		return 0;
	if (th_specset_parse(&s->set, s->text, strlen(s->text), &k->arena, NULL))
		return th_error_set(err, TH_ERR_INVALID, "%s:%u: unit %s: bad specifier '%s'", u->file, u->line, u->name,
				    s->text);
	return 0;
}

static int know__add(th_know *k, int table, const th_rule_unit *u, const char *key, const void *fact,
		     const char *subject, const char *message, th_error *err)
{
	know__fact *f = th_arena_zalloc(&k->arena, sizeof(*f));

	if (!f || !key || !message)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	f->u = u;
	f->key = key;
	f->fact = fact;
	f->subject = subject;
	f->message = message;
	f->evidence = know__evidence(u);
	return know__put(&k->t[table], f, err);
}

/* A rule symbol's key: "prefix.*" is indexed as "prefix". */
static const char *know__symbol_key(th_know *k, const char *sym)
{
	size_t n = strlen(sym);

	if (n > 2 && !strcmp(sym + n - 2, ".*"))
		return th_arena_strndup(&k->arena, sym, n - 2);
	return sym;
}

static int know__index_more(th_know *k, const th_rule_unit *u, th_rule_run_more *m, th_error *err)
{
	const char *own = know__message(u);
	int rc = 0;

	for (size_t i = 0; !rc && i < m->napi_removed; i++) {
		th_rule_api_removed *a = &m->api_removed[i];
		const char *msg = own ? own : know__printf(k, "removed from %s %s", a->package, a->version.text);
		if ((rc = know__spec(k, u, &a->version, err)))
			break;
		for (size_t j = 0; !rc && j < a->nsymbols; j++)
			rc = know__add(k, KNOW_API, u, know__symbol_key(k, a->symbols[j]), a, a->symbols[j], msg, err);
		k->stats.api_removed += a->nsymbols;
	}
	for (size_t i = 0; !rc && i < m->nstdlib_removed; i++) {
		th_rule_stdlib_removed *s = &m->stdlib_removed[i];
		const char *msg = own && m->nstdlib_removed == 1
					  ? own
					  : know__printf(k, "%s is not in the standard library of Python %s", s->module,
							 s->python_version.text);
		if (!(rc = know__spec(k, u, &s->python_version, err)))
			rc = know__add(k, KNOW_STDLIB, u, s->module, s, s->module, msg, err);
		k->stats.stdlib_removed++;
	}
	for (size_t i = 0; !rc && i < m->ncuda_requires; i++) {
		th_rule_cuda_requires *c = &m->cuda_requires[i];
		const char *msg = c->cudnn.text ? know__printf(k, "%s %s was built with CUDA %s and cuDNN %s", c->package,
							       c->version.text, c->cuda.text, c->cudnn.text)
						: know__printf(k, "%s %s was built with CUDA %s", c->package,
							       c->version.text, c->cuda.text);
		if (!(rc = know__spec(k, u, &c->version, err)) && !(rc = know__spec(k, u, &c->cuda, err)) &&
		    !(rc = know__spec(k, u, &c->cudnn, err)))
			rc = know__add(k, KNOW_CUDA, u, c->package, c, NULL, msg, err);
		k->stats.cuda++;
	}
	for (size_t i = 0; !rc && i < m->npython_support; i++) {
		th_rule_python_support *p = &m->python_support[i];
		const char *msg = know__printf(k, "%s %s supports Python %s only", p->package, p->version.text,
					       p->python.text);
		if (!(rc = know__spec(k, u, &p->version, err)) && !(rc = know__spec(k, u, &p->python, err)))
			rc = know__add(k, KNOW_PYSUP, u, p->package, p, NULL, msg, err);
		k->stats.python_support++;
	}
	return rc;
}

/* "name spec, name spec" of the packages a broken combination needs beside
 * the first one. */
static const char *know__others(th_know *k, const th_rule_pkg *p, size_t n)
{
	th_buf b = TH_BUF_INIT;
	const char *s = NULL;

	for (size_t i = 0; i < n; i++)
		if (th_buf_printf(&b, NULL, "%s%s%s%s", i ? ", " : "", p[i].name ? p[i].name : "any package",
				  p[i].version.text ? " " : "", p[i].version.text ? p[i].version.text : ""))
			goto done;
	s = b.len ? th_arena_strndup(&k->arena, b.ptr, b.len) : NULL;
done:
	th_buf_release(&b);
	return s;
}

static int know__pkg_specs(th_know *k, const th_rule_unit *u, th_rule_pkg *p, size_t n, th_error *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = know__spec(k, u, &p[i].version, err);
	return rc;
}

/* Thoth's way of saying "these do not work together": a step (or a group)
 * whose run says not_acceptable. Indexed by the first package named. */
static int know__index_broken(th_know *k, const th_rule_unit *u, th_error *err)
{
	int rc = 0;

	if (!u->run.not_acceptable || (u->type != TH_RULE_STEP && u->type != TH_RULE_STEP_GROUP))
		return 0;
	for (size_t i = 0; !rc && i < u->nmatch; i++) {
		th_rule_match *m = &u->match[i];
		const th_rule_pkg *first;
		const char *others;
		if (u->type == TH_RULE_STEP_GROUP) {
			if (!m->ngroup || !m->group[0].name)
				continue;
			first = &m->group[0];
			others = know__others(k, m->group + 1, m->ngroup - 1);
			rc = know__pkg_specs(k, u, m->group, m->ngroup, err);
		} else {
			if (!m->has_package_version || !m->package_version.name)
				continue;
			first = &m->package_version;
			others = know__others(k, m->resolved, m->nresolved);
			if (!(rc = know__spec(k, u, &m->package_version.version, err)))
				rc = know__pkg_specs(k, u, m->resolved, m->nresolved, err);
		}
		if (!rc)
			rc = know__add(k, KNOW_BROKEN, u, first->name, m, others, u->run.not_acceptable, err);
		k->stats.broken++;
	}
	return rc;
}

static int know__index(th_know *k, th_rules *r, th_error *err)
{
	int rc;

	if ((rc = th_rules_blob_units(r, err)))
		return rc;
	for (size_t i = 0; i < r->n; i++) {
		const th_rule_unit *u = r->units[i];
		if ((u->run.more && (rc = know__index_more(k, u, u->run.more, err))) ||
		    (rc = know__index_broken(k, u, err)))
			return rc;
	}
	k->stats.units += r->n;
	return 0;
}

/* ---- loading ---- */

static int know__parse_embedded(void *ud, th_rules *r, th_error *err)
{
	th_buf name = TH_BUF_INIT;
	int rc = 0;

	(void)ud;
	for (size_t i = 0; !rc && i < th_rules_embedded_n; i++) {
		const th_rules_embedded_file *f = &th_rules_embedded[i];
		th_buf_clear(&name);
		if (!(rc = th_buf_printf(&name, err, "rules/%s", f->path)))
			rc = th_rules_add_file(r, name.ptr, f->data, f->len, err);
	}
	th_buf_release(&name);
	return rc;
}

static int know__parse_path(void *ud, th_rules *r, th_error *err)
{
	return th_rules_load_path(r, ud, err);
}

/* The key of the shipped rules, computed as th_rules_source_hash computes a
 * directory's, so `thoth rules check rules/` of the same files shares it. */
static int know__embedded_hash(char hex[TH_SHA256_HEX], th_error *err)
{
	th_sha256 h;
	int rc;

	if ((rc = th_sha256_init(&h, err)))
		return rc;
	for (size_t i = 0; i < th_rules_embedded_n; i++) {
		const th_rules_embedded_file *f = &th_rules_embedded[i];
		uint64_t n = f->len;
		th_sha256_update(&h, f->path, strlen(f->path) + 1);
		th_sha256_update(&h, &n, sizeof(n));
		th_sha256_update(&h, f->data, f->len);
	}
	th_sha256_final(&h, hex);
	return 0;
}

int th_know_load_shipped(th_rules *r, th_store *s, th_error *err)
{
	char hash[TH_SHA256_HEX];
	int rc;

	if ((rc = know__embedded_hash(hash, err)))
		return rc;
	return th_store_rules_load(s, hash, "(embedded rules/)", TH_STORE_RULES_WEAK_CACHE, r, know__parse_embedded,
				   NULL, err);
}

int th_know_open(th_know **out, const th_know_opts *o, th_error *err)
{
	static const th_know_opts none = TH_KNOW_OPTS_INIT;
	th_know *k;
	th_limits lim;
	char hash[TH_SHA256_HEX];
	int rc = 0;

	*out = NULL;
	if (!o)
		o = &none;
	if (o->limits)
		lim = *o->limits;
	else
		th_limits_init(&lim);
	if (!(k = calloc(1, sizeof(*k))) || !(k->sets = calloc(o->npaths + 1, sizeof(*k->sets)))) {
		free(k);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	th_arena_init(&k->arena, 16384);
	if (!o->no_embedded) {
		th_rules *r = &k->sets[k->nsets++];
		th_rules_init(r, &lim);
		if ((rc = th_know_load_shipped(r, o->store, err)) || (rc = know__index(k, r, err)))
			goto done;
	}
	for (size_t i = 0; i < o->npaths; i++) {
		th_rules *r = &k->sets[k->nsets++];
		th_rules_init(r, &lim);
		if ((rc = th_rules_source_hash(hash, o->paths[i], &lim, err)) ||
		    (rc = th_store_rules_load(o->store, hash, o->paths[i], TH_STORE_RULES_WEAK_CACHE, r,
					      know__parse_path, (void *)o->paths[i], err)) ||
		    (rc = know__index(k, r, err)))
			goto done;
	}
done:
	if (rc)
		th_know_free(k);
	else
		*out = k;
	return rc;
}

void th_know_free(th_know *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->nsets; i++)
		th_rules_release(&k->sets[i]);
	free(k->sets);
	for (int t = 0; t < KNOW_NTABLES; t++)
		free(k->t[t].slots);
	th_arena_release(&k->arena);
	free(k);
}

size_t th_know_nsets(const th_know *k)
{
	return k->nsets;
}

const th_rules *th_know_set(const th_know *k, size_t i)
{
	return i < k->nsets ? &k->sets[i] : NULL;
}

void th_know_get_stats(const th_know *k, th_know_stats *out)
{
	*out = k->stats;
}

/* ---- queries ---- */

/* A version parsed once per query (NULL text: unknown). */
typedef struct know__ver {
	const char *text;
	th_version v;
	bool ok;
} know__ver;

static void know__ver_parse(know__ver *v, const char *text, th_arena *a)
{
	v->text = text;
	v->ok = text && !th_version_parse(&v->v, text, strlen(text), a, NULL);
}

/* Whether a version is in a rule's range. Pre-releases count: a fact about
 * 2.x holds for 2.1.0rc1 too. A legacy ==TEXT matches its text only. */
static bool know__in(const th_rule_spec *s, const know__ver *v, th_arena *a)
{
	if (!s->text)
		return true;
	if (!v->text)
		return false;
	if (s->legacy)
		return th_rule_spec_contains(s, v->text, a);
	return v->ok && s->set && th_specset_contains(s->set, &v->v, 1);
}

/* Fills the next hit (when there is room) and counts it. */
static th_know_hit *know__hit(th_know_hit *out, size_t max, size_t *n, th_know_kind kind, const know__fact *f)
{
	th_know_hit *h = *n < max ? &out[*n] : NULL;

	(*n)++;
	if (!h)
		return NULL;
	memset(h, 0, sizeof(*h));
	h->kind = kind;
	h->unit = f->u->name;
	h->file = f->u->file;
	h->line = f->u->line;
	h->subject = f->subject;
	h->message = f->message;
	h->evidence = f->evidence;
	return h;
}

/* A distribution name, normalized, into buf (NULL when too long to be one a
 * rule names). */
static const char *know__name(char *buf, size_t size, const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (!name || len + len / 2 + 1 > size)
		return NULL;
	buf[th_name_canon(buf, name, len)] = '\0';
	return buf;
}

#define KNOW_NAME_MAX 256

/* Shared shape of the queries: a local arena for parsing the caller's
 * versions, released on return. */
#define KNOW_RETURN(n, a) \
	do { \
		th_arena_release(a); \
		return (int)((n) > (size_t)INT32_MAX ? INT32_MAX : (n)); \
	} while (0)

int th_know_api_removed(const th_know *k, const char *dist, const char *version, const char *symbol,
			th_know_hit *out, size_t max, th_error *err)
{
	char nb[KNOW_NAME_MAX];
	const char *name = know__name(nb, sizeof(nb), dist);
	th_arena a;
	know__ver v;
	size_t n = 0, len;

	(void)err;
	if (!name || !symbol)
		return 0;
	th_arena_init(&a, 256);
	know__ver_parse(&v, version, &a);
	/* the symbol, then each parent: numpy.float.x, numpy.float, numpy */
	for (len = strlen(symbol); len; ) {
		for (const know__fact *f = know__get(&k->t[KNOW_API], symbol, len); f; f = f->next) {
			const th_rule_api_removed *r = f->fact;
			if (strcmp(r->package, name) || !know__in(&r->version, &v, &a))
				continue;
			th_know_hit *h = know__hit(out, max, &n, TH_KNOW_API_REMOVED, f);
			if (h) {
				h->package = r->package;
				h->versions = r->version.text;
				h->replacement = r->replacement;
			}
		}
		while (len && symbol[len - 1] != '.')
			len--;
		if (len)
			len--; /* drop the dot */
	}
	KNOW_RETURN(n, &a);
}

int th_know_stdlib_removed(const th_know *k, const char *module, const char *python, th_know_hit *out,
			   size_t max, th_error *err)
{
	th_arena a;
	know__ver v;
	size_t n = 0, len;

	(void)err;
	if (!module)
		return 0;
	th_arena_init(&a, 256);
	know__ver_parse(&v, python, &a);
	for (len = strlen(module); len; ) {
		for (const know__fact *f = know__get(&k->t[KNOW_STDLIB], module, len); f; f = f->next) {
			const th_rule_stdlib_removed *r = f->fact;
			if (!know__in(&r->python_version, &v, &a))
				continue;
			th_know_hit *h = know__hit(out, max, &n, TH_KNOW_STDLIB_REMOVED, f);
			if (h) {
				h->versions = r->python_version.text;
				h->replacement = r->replacement;
			}
		}
		while (len && module[len - 1] != '.')
			len--;
		if (len)
			len--;
	}
	KNOW_RETURN(n, &a);
}

/* The CUDA facts of a release; with env (cuda, cudnn) given, `accepted` says
 * whether one of them takes it. */
static size_t know__cuda(const th_know *k, const char *dist, const char *version, const know__ver *cuda,
			 const know__ver *cudnn, bool *accepted, th_know_hit *out, size_t max, th_arena *a)
{
	char nb[KNOW_NAME_MAX];
	const char *name = know__name(nb, sizeof(nb), dist);
	know__ver v;
	size_t n = 0;

	if (!name)
		return 0;
	know__ver_parse(&v, version, a);
	for (const know__fact *f = know__get(&k->t[KNOW_CUDA], name, strlen(name)); f; f = f->next) {
		const th_rule_cuda_requires *r = f->fact;
		if (!know__in(&r->version, &v, a))
			continue;
		if (accepted && cuda && know__in(&r->cuda, cuda, a) && know__in(&r->cudnn, cudnn, a))
			*accepted = true;
		th_know_hit *h = know__hit(out, max, &n, TH_KNOW_CUDA, f);
		if (h) {
			h->package = r->package;
			h->versions = r->version.text;
			h->cuda = r->cuda.text;
			h->cudnn = r->cudnn.text;
		}
	}
	return n;
}

int th_know_cuda(const th_know *k, const char *dist, const char *version, th_know_hit *out, size_t max,
		 th_error *err)
{
	th_arena a;
	size_t n;

	(void)err;
	th_arena_init(&a, 256);
	n = know__cuda(k, dist, version, NULL, NULL, NULL, out, max, &a);
	KNOW_RETURN(n, &a);
}

int th_know_cuda_mismatch(const th_know *k, const char *dist, const char *version, const char *cuda,
			  const char *cudnn, th_know_hit *out, size_t max, th_error *err)
{
	th_arena a;
	know__ver c, d;
	bool accepted = false;
	size_t n;

	(void)err;
	th_arena_init(&a, 256);
	know__ver_parse(&c, cuda, &a);
	know__ver_parse(&d, cudnn, &a);
	n = know__cuda(k, dist, version, &c, &d, &accepted, out, max, &a);
	if (accepted)
		n = 0;
	KNOW_RETURN(n, &a);
}

/* Python-support facts covering the release; counts those leaving `python`
 * out (or all covering ones when python is NULL). */
static size_t know__pysup(const th_know *k, const char *dist, const char *version, const char *python,
			  th_know_hit *out, size_t max, th_arena *a)
{
	char nb[KNOW_NAME_MAX];
	const char *name = know__name(nb, sizeof(nb), dist);
	know__ver v, py;
	size_t n = 0;

	if (!name)
		return 0;
	know__ver_parse(&v, version, a);
	know__ver_parse(&py, python, a);
	for (const know__fact *f = know__get(&k->t[KNOW_PYSUP], name, strlen(name)); f; f = f->next) {
		const th_rule_python_support *r = f->fact;
		if (!know__in(&r->version, &v, a) || (python && know__in(&r->python, &py, a)))
			continue;
		th_know_hit *h = know__hit(out, max, &n, TH_KNOW_PYTHON_SUPPORT, f);
		if (h) {
			h->package = r->package;
			h->versions = r->version.text;
			h->python = r->python.text;
		}
	}
	return n;
}

int th_know_python_unsupported(const th_know *k, const char *dist, const char *version, const char *python,
			       th_know_hit *out, size_t max, th_error *err)
{
	th_arena a;
	size_t n = 0;

	(void)err;
	th_arena_init(&a, 256);
	if (python)
		n = know__pysup(k, dist, version, python, out, max, &a);
	KNOW_RETURN(n, &a);
}

bool th_know_python_known(const th_know *k, const char *dist, const char *version)
{
	th_arena a;
	size_t n;

	th_arena_init(&a, 256);
	n = know__pysup(k, dist, version, NULL, NULL, 0, &a);
	th_arena_release(&a);
	return n > 0;
}

/* The pins, normalized once for a broken-combination query. */
typedef struct know__pin {
	const char *name;
	know__ver v;
} know__pin;

static bool know__pin_matches(const th_rule_pkg *p, const know__pin *pin, th_arena *a)
{
	return (!p->name || !strcmp(p->name, pin->name)) && know__in(&p->version, &pin->v, a);
}

/* Every package of the list matches some pin. */
static bool know__all_pinned(const th_rule_pkg *p, size_t n, const know__pin *pins, size_t npins, th_arena *a)
{
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t j = 0; j < npins && !found; j++)
			found = know__pin_matches(&p[i], &pins[j], a);
		if (!found)
			return false;
	}
	return true;
}

int th_know_broken(const th_know *k, const th_know_pin *pins, size_t npins, th_know_hit *out, size_t max,
		   th_error *err)
{
	th_arena a;
	know__pin *np = NULL;
	size_t n = 0;

	if (!npins)
		return 0;
	th_arena_init(&a, 4096);
	if (!(np = th_arena_zalloc(&a, npins * sizeof(*np)))) {
		th_arena_release(&a);
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < npins; i++) {
		size_t len = pins[i].name ? strlen(pins[i].name) : 0;
		char *s = th_arena_alloc(&a, len + len / 2 + 1);
		if (!s) {
			th_arena_release(&a);
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
		}
		s[th_name_canon(s, pins[i].name ? pins[i].name : "", len)] = '\0';
		np[i].name = s;
		know__ver_parse(&np[i].v, pins[i].version, &a);
	}
	for (size_t i = 0; i < npins; i++)
		for (const know__fact *f = know__get(&k->t[KNOW_BROKEN], np[i].name, strlen(np[i].name)); f; f = f->next) {
			const th_rule_match *m = f->fact;
			const th_rule_pkg *first = f->u->type == TH_RULE_STEP_GROUP ? &m->group[0] : &m->package_version;
			bool all = f->u->type == TH_RULE_STEP_GROUP
					   ? know__all_pinned(m->group + 1, m->ngroup - 1, np, npins, &a)
					   : know__all_pinned(m->resolved, m->nresolved, np, npins, &a);
			if (!know__pin_matches(first, &np[i], &a) || !all)
				continue;
			th_know_hit *h = know__hit(out, max, &n, TH_KNOW_BROKEN, f);
			if (h) {
				h->package = first->name;
				h->versions = first->version.text;
			}
		}
	KNOW_RETURN(n, &a);
}
