#include "resolver/provider.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/name.h"
#include "core/specifier.h"

struct th_provider_mem {
	th_arena arena;
	th_project **slots; /* open addressing, power of two */
	size_t nslots, count;
};

static uint64_t provider__hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int th_provider_mem_new(th_provider_mem **out, th_error *err)
{
	*out = NULL;
	th_provider_mem *m = calloc(1, sizeof *m);
	if (!m)
		return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
	th_arena_init(&m->arena, 1 << 16);
	m->nslots = 1024;
	m->slots = calloc(m->nslots, sizeof *m->slots);
	if (!m->slots) {
		th_provider_mem_free(m);
		return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
	}
	*out = m;
	return 0;
}

void th_provider_mem_free(th_provider_mem *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i])
			free(m->slots[i]->cands);
	free(m->slots);
	th_arena_release(&m->arena);
	free(m);
}

th_arena *th_provider_mem_arena(th_provider_mem *m) { return &m->arena; }
size_t th_provider_mem_count(const th_provider_mem *m) { return m->count; }

static th_project **provider__slot(th_project **slots, size_t nslots, const char *name)
{
	size_t i = (size_t)provider__hash(name) & (nslots - 1);
	while (slots[i] && strcmp(slots[i]->name, name) != 0)
		i = (i + 1) & (nslots - 1);
	return &slots[i];
}

static int provider__grow(th_provider_mem *m, th_error *err)
{
	size_t n = m->nslots * 2;
	th_project **s = calloc(n, sizeof *s);
	if (!s)
		return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i])
			*provider__slot(s, n, m->slots[i]->name) = m->slots[i];
	free(m->slots);
	m->slots = s;
	m->nslots = n;
	return 0;
}

int th_provider_mem_add(th_provider_mem *m, const char *name, size_t nlen, const char *version,
			size_t vlen, const char *requires_python, bool yanked, const char **deps,
			size_t ndeps, bool *added, th_error *err)
{
	return th_provider_mem_add_data(m, name, nlen, version, vlen, requires_python, yanked, deps, ndeps, NULL,
					added, err);
}

/* The slot of a canonical name, with a new empty project there when absent. */
static int provider__get(th_provider_mem *m, const char *canon, th_project **out, th_error *err)
{
	int rc;
	if ((m->count + 1) * 2 > m->nslots && (rc = provider__grow(m, err)) < 0)
		return rc;
	th_project **slot = provider__slot(m->slots, m->nslots, canon);
	if (!*slot) {
		th_project *p = th_arena_zalloc(&m->arena, sizeof *p);
		if (!p)
			return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
		p->name = canon;
		*slot = p;
		m->count++;
	}
	*out = *slot;
	return 0;
}

int th_provider_mem_touch(th_provider_mem *m, const char *name, th_project **out, th_error *err)
{
	*out = NULL;
	size_t nlen = strlen(name);
	char *canon = th_arena_alloc(&m->arena, nlen + nlen / 2 + 1); /* th_name_canon's room */
	if (!canon)
		return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
	canon[th_name_canon(canon, name, nlen)] = '\0';
	return provider__get(m, canon, out, err);
}

int th_provider_mem_add_data(th_provider_mem *m, const char *name, size_t nlen, const char *version,
			     size_t vlen, const char *requires_python, bool yanked, const char **deps,
			     size_t ndeps, const void *data, bool *added, th_error *err)
{
	*added = false;
	th_cand c;
	memset(&c, 0, sizeof c);
	if (th_version_parse(&c.version, version, vlen, &m->arena, NULL) < 0)
		return 0; /* not PEP 440: pip and resolvelib skip it too */
	th_buf b;
	th_buf_init(&b, 0);
	int rc = th_version_format(&c.version, &b, err);
	if (rc < 0)
		goto done;
	c.version_text = th_arena_strndup(&m->arena, b.ptr, b.len);
	if (requires_python && *requires_python) {
		c.requires_python = th_arena_strdup(&m->arena, requires_python);
		rc = th_specset_parse(&c.rp, requires_python, strlen(requires_python), &m->arena, err);
		if (rc < 0) {
			th_error_prefix(err, "%.*s %.*s: requires_python", (int)nlen, name, (int)vlen, version);
			goto done;
		}
	}
	c.yanked = yanked;
	c.prerelease = th_version_is_prerelease(&c.version);
	c.dep_text = deps;
	c.ndeps = ndeps;
	c.data = data;
	char *canon = th_arena_alloc(&m->arena, nlen + nlen / 2 + 1); /* th_name_canon's room */
	if (!canon || !c.version_text) {
		rc = th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
		goto done;
	}
	canon[th_name_canon(canon, name, nlen)] = '\0';
	th_project *p;
	if ((rc = provider__get(m, canon, &p, err)) < 0)
		goto done;
	if (p->ncands == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		th_cand *nc = realloc(p->cands, cap * sizeof *nc);
		if (!nc) {
			rc = th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
			goto done;
		}
		p->cands = nc;
		p->cap = cap;
	}
	p->cands[p->ncands++] = c;
	*added = true;
done:
	th_buf_release(&b);
	return rc;
}

/* Stable insertion-merge sort, newest first: equal versions keep their order,
 * as Python's sorted(reverse=True) does. */
static void provider__sort(th_cand *a, size_t n, th_cand *tmp)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	provider__sort(a, h, tmp);
	provider__sort(a + h, n - h, tmp);
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = th_version_cmp(&a[j].version, &a[i].version) > 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

void th_provider_mem_finish_project(th_project *p)
{
	if (!p || p->ncands < 2)
		return;
	th_cand *tmp = malloc(p->ncands * sizeof *tmp);
	if (!tmp)
		return; /* unsorted stays correct for lookups; only order suffers */
	provider__sort(p->cands, p->ncands, tmp);
	free(tmp);
}

void th_provider_mem_finish(th_provider_mem *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		th_provider_mem_finish_project(m->slots[i]);
}

th_project *th_provider_mem_find(th_provider_mem *m, const char *name)
{
	return *provider__slot(m->slots, m->nslots, name);
}

static int provider__mem_project(void *self, const char *name, th_project **out, th_error *err)
{
	(void)err;
	*out = th_provider_mem_find(self, name);
	return 0;
}

static const th_provider_ops provider__mem_ops = { provider__mem_project, NULL };

th_provider th_provider_mem_provider(th_provider_mem *m)
{
	th_provider p = { &provider__mem_ops, m, m ? &m->arena : NULL };
	return p;
}

int th_provider_deps(th_provider *p, const th_project *proj, th_cand *c, const th_req **out,
		     size_t *n, th_error *err)
{
	if (!c->deps_parsed) {
		th_req *d = c->ndeps ? th_arena_zalloc(p->arena, c->ndeps * sizeof *d) : NULL;
		if (c->ndeps && !d)
			return th_error_set(err, TH_ERR_NOMEM, "provider: out of memory");
		for (size_t i = 0; i < c->ndeps; i++) {
			int rc = th_req_parse(&d[i], c->dep_text[i], strlen(c->dep_text[i]), p->arena, err);
			if (rc < 0) {
				th_error_prefix(err, "%s %s: dependency", proj->name, c->version_text);
				return rc;
			}
		}
		c->deps = d;
		c->deps_parsed = true;
	}
	*out = c->deps;
	*n = c->ndeps;
	return 0;
}
