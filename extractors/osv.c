/* osv — OSV advisories in JSON or YAML, see osv.h. */
#include "extractors/osv.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/yaml.h"

typedef struct osv__ctx {
	th_arena *a;
	const char *what;
	th_error *err;
} osv__ctx;

static int osv__nomem(osv__ctx *c)
{
	return th_error_set(c->err, TH_ERR_NOMEM, "%s: out of memory", c->what);
}

/* An optional string field: NULL when absent or null; an error when it is
 * another type. */
static int osv__str(osv__ctx *c, const char **out, th_json *obj, const char *key, const char *where)
{
	th_json *v = th_json_get(obj, key);
	size_t len;
	const char *s;

	*out = NULL;
	if (th_json_typeof(v) == TH_JSON_NONE || th_json_typeof(v) == TH_JSON_NULL)
		return 0;
	if (!(s = th_json_str(v, &len)))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: %s%s is not a string", c->what, where, key);
	if (!(*out = th_arena_strndup(c->a, s, len)))
		return osv__nomem(c);
	return 0;
}

/* An optional array field: its length (0 when absent or null). */
static int osv__arr(osv__ctx *c, th_json **out, size_t *n, th_json *obj, const char *key, const char *where)
{
	th_json *v = th_json_get(obj, key);

	*out = NULL;
	*n = 0;
	if (th_json_typeof(v) == TH_JSON_NONE || th_json_typeof(v) == TH_JSON_NULL)
		return 0;
	if (th_json_typeof(v) != TH_JSON_ARRAY)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: %s%s is not an array", c->what, where, key);
	*out = v;
	*n = th_json_len(v);
	return 0;
}

static int osv__strings(osv__ctx *c, const char *const **out, size_t *n, th_json *obj, const char *key,
			const char *where)
{
	th_json *arr;
	const char **v;
	int rc;

	*out = NULL;
	if ((rc = osv__arr(c, &arr, n, obj, key, where)) || !*n)
		return rc;
	if (!(v = th_arena_zalloc(c->a, *n * sizeof(*v))))
		return osv__nomem(c);
	for (size_t i = 0; i < *n; i++) {
		size_t len;
		const char *s = th_json_str(th_json_at(arr, i), &len);
		if (!s)
			return th_error_set(c->err, TH_ERR_INVALID, "%s: %s%s[%zu] is not a string", c->what, where, key, i);
		if (!(v[i] = th_arena_strndup(c->a, s, len)))
			return osv__nomem(c);
	}
	*out = v;
	return 0;
}

static int osv__range(osv__ctx *c, th_osv_range *r, th_json *jr, const char *where)
{
	static const struct { const char *key; th_osv_event_kind kind; } kinds[] = {
		{ "introduced", TH_OSV_INTRODUCED }, { "fixed", TH_OSV_FIXED },
		{ "last_affected", TH_OSV_LAST_AFFECTED }, { "limit", TH_OSV_LIMIT },
	};
	th_json *evs;
	th_osv_event *ev = NULL;
	size_t n, k = 0;
	int rc;

	if (th_json_typeof(jr) != TH_JSON_OBJECT)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: %s is not an object", c->what, where);
	if ((rc = osv__str(c, &r->type, jr, "type", where)) || (rc = osv__arr(c, &evs, &n, jr, "events", where)))
		return rc;
	if (!r->type)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: %s has no type", c->what, where);
	if (n && !(ev = th_arena_zalloc(c->a, n * sizeof(*ev))))
		return osv__nomem(c);
	for (size_t i = 0; i < n; i++) {
		th_json *je = th_json_at(evs, i);
		const char *key;
		th_json *val;
		if (th_json_typeof(je) != TH_JSON_OBJECT || !th_json_member(je, 0, &key, &val))
			return th_error_set(c->err, TH_ERR_INVALID, "%s: %s.events[%zu] is not a one-key object", c->what,
					    where, i);
		for (size_t j = 0; j < sizeof(kinds) / sizeof(kinds[0]); j++) {
			size_t len;
			const char *s;
			if (strcmp(key, kinds[j].key) != 0)
				continue;
			if (!(s = th_json_str(val, &len)))
				return th_error_set(c->err, TH_ERR_INVALID, "%s: %s.events[%zu].%s is not a string", c->what,
						    where, i, key);
			ev[k].kind = kinds[j].kind;
			if (!(ev[k++].version = th_arena_strndup(c->a, s, len)))
				return osv__nomem(c);
		}
	}
	r->events = n ? ev : NULL;
	r->nevents = k;
	return 0;
}

static int osv__affected(osv__ctx *c, th_osv_affected *af, th_json *ja, size_t idx)
{
	char where[64];
	th_json *pkg, *ranges;
	th_osv_range *r = NULL;
	size_t n;
	int rc;

	snprintf(where, sizeof(where), "affected[%zu].", idx);
	if (th_json_typeof(ja) != TH_JSON_OBJECT)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: affected[%zu] is not an object", c->what, idx);
	pkg = th_json_get(ja, "package");
	if (pkg && th_json_typeof(pkg) != TH_JSON_OBJECT)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: %spackage is not an object", c->what, where);
	if ((rc = osv__str(c, &af->ecosystem, pkg, "ecosystem", where)) ||
	    (rc = osv__str(c, &af->name, pkg, "name", where)) || (rc = osv__str(c, &af->purl, pkg, "purl", where)) ||
	    (rc = osv__strings(c, &af->versions, &af->nversions, ja, "versions", where)) ||
	    (rc = osv__arr(c, &ranges, &n, ja, "ranges", where)))
		return rc;
	if (n && !(r = th_arena_zalloc(c->a, n * sizeof(*r))))
		return osv__nomem(c);
	for (size_t i = 0; i < n; i++) {
		char rw[96];
		snprintf(rw, sizeof(rw), "%sranges[%zu]", where, i);
		if ((rc = osv__range(c, &r[i], th_json_at(ranges, i), rw)))
			return rc;
	}
	af->ranges = n ? r : NULL;
	af->nranges = n;
	return 0;
}

static int osv__doc(osv__ctx *c, th_osv *adv, th_json *root)
{
	th_json *arr;
	size_t n;
	int rc;

	memset(adv, 0, sizeof(*adv));
	if (th_json_typeof(root) != TH_JSON_OBJECT)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: an advisory must be an object", c->what);
	if ((rc = osv__str(c, &adv->id, root, "id", "")))
		return rc;
	if (!adv->id || !*adv->id)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: the advisory has no id", c->what);
	if ((rc = osv__str(c, &adv->summary, root, "summary", "")) ||
	    (rc = osv__str(c, &adv->details, root, "details", "")) ||
	    (rc = osv__str(c, &adv->modified, root, "modified", "")) ||
	    (rc = osv__str(c, &adv->published, root, "published", "")) ||
	    (rc = osv__str(c, &adv->withdrawn, root, "withdrawn", "")) ||
	    (rc = osv__strings(c, &adv->aliases, &adv->naliases, root, "aliases", "")))
		return rc;
	if ((rc = osv__arr(c, &arr, &n, root, "severity", "")))
		return rc;
	if (n) {
		th_osv_severity *sv = th_arena_zalloc(c->a, n * sizeof(*sv));
		if (!sv)
			return osv__nomem(c);
		for (size_t i = 0; i < n; i++) {
			th_json *js = th_json_at(arr, i);
			if (th_json_typeof(js) != TH_JSON_OBJECT)
				return th_error_set(c->err, TH_ERR_INVALID, "%s: severity[%zu] is not an object", c->what, i);
			if ((rc = osv__str(c, &sv[i].type, js, "type", "severity[].")) ||
			    (rc = osv__str(c, &sv[i].score, js, "score", "severity[].")))
				return rc;
		}
		adv->severity = sv;
		adv->nseverity = n;
	}
	if ((rc = osv__arr(c, &arr, &n, root, "affected", "")))
		return rc;
	if (n) {
		th_osv_affected *af = th_arena_zalloc(c->a, n * sizeof(*af));
		if (!af)
			return osv__nomem(c);
		for (size_t i = 0; i < n; i++)
			if ((rc = osv__affected(c, &af[i], th_json_at(arr, i), i)))
				return rc;
		adv->affected = af;
		adv->naffected = n;
	}
	return 0;
}

int th_osv_parse(const char *data, size_t len, th_osv_format fmt, unsigned max_depth, th_osv_fn fn, void *ud,
		 th_arena *a, const char *what, th_error *err)
{
	osv__ctx c = { a, what, err };
	th_buf yj = TH_BUF_INIT;
	th_json *root = NULL;
	th_osv adv;
	int rc;

	if (fmt == TH_OSV_YAML) {
		if ((rc = th_yaml_to_json(&yj, data, len, max_depth, what, err)))
			goto done;
		data = yj.ptr;
		len = yj.len;
	}
	if ((rc = th_json_parse(&root, data, len, max_depth, what, err)) || (rc = osv__doc(&c, &adv, root)))
		goto done;
	rc = fn(ud, &adv);
done:
	th_json_free(root);
	th_buf_release(&yj);
	return rc;
}

int th_osv_range_affects(const th_osv_range *r, const th_version *v, int *out, size_t *bad, th_arena *a)
{
	const th_osv_event *best = NULL;
	th_version bestv, ev;
	int best_zero = 0;

	*out = 0;
	for (size_t i = 0; i < r->nevents; i++) {
		const th_osv_event *e = &r->events[i];
		int zero = e->kind == TH_OSV_INTRODUCED && !strcmp(e->version, "0"), c;
		if (e->kind == TH_OSV_LIMIT)
			continue; /* limits bound git commit walks, not versions */
		if (!zero) {
			if (th_version_parse(&ev, e->version, strlen(e->version), a, NULL)) {
				if (bad)
					(*bad)++;
				continue;
			}
			c = th_version_cmp(&ev, v);
			if (c > 0 || (c == 0 && e->kind == TH_OSV_LAST_AFFECTED))
				continue; /* not at or below v */
		}
		/* Keep the greatest applicable event; a later one wins a tie. */
		int take;
		if (!best)
			take = 1;
		else if (zero)
			take = best_zero;
		else
			take = best_zero || th_version_cmp(&ev, &bestv) >= 0;
		if (take) {
			best = e;
			best_zero = zero;
			if (!zero)
				bestv = ev;
		}
	}
	*out = best && best->kind == TH_OSV_INTRODUCED;
	return 0;
}

int th_osv_affects(const th_osv_affected *af, const th_version *v, int *out, size_t *bad, th_arena *a)
{
	th_version lv;

	*out = 0;
	for (size_t i = 0; i < af->nranges && !*out; i++) {
		if (strcmp(af->ranges[i].type, "ECOSYSTEM") != 0)
			continue;
		th_osv_range_affects(&af->ranges[i], v, out, bad, a);
	}
	for (size_t i = 0; i < af->nversions && !*out; i++) {
		if (th_version_parse(&lv, af->versions[i], strlen(af->versions[i]), a, NULL)) {
			if (bad)
				(*bad)++;
			continue;
		}
		*out = th_version_cmp(&lv, v) == 0;
	}
	return 0;
}
