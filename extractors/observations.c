/* observations — performance observations files, see observations.h. */
#include "extractors/observations.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/name.h"
#include "core/version.h"

#define OBS__KEY "thoth_observations"

bool th_obs_sniff(const char *head, size_t len)
{
	size_t k = strlen(OBS__KEY);

	for (size_t i = 0; i + k <= len; i++)
		if (head[i] == OBS__KEY[0] && !memcmp(head + i, OBS__KEY, k))
			return true;
	return false;
}

typedef struct obs__ctx {
	const char *what;
	size_t index;
	th_arena *a;
	th_error *err;
} obs__ctx;

/* A string member, NULL when absent; a present member of another type is an
 * error (*bad set). */
static const char *obs__str(obs__ctx *c, const th_json *obj, const char *key, const char *where, int *bad)
{
	th_json *v = th_json_get(obj, key);
	size_t len;
	const char *s;

	if (!v || th_json_typeof(v) == TH_JSON_NULL)
		return NULL;
	if (!(s = th_json_str(v, &len)) || !len) {
		*bad = th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: %s%s: not a non-empty string", c->what,
				    c->index, where, key);
		return NULL;
	}
	return s;
}

/* A number or a string, as text (hardware fields are written both ways). */
static const char *obs__text(obs__ctx *c, const th_json *obj, const char *key, char *buf, size_t cap, int *bad)
{
	th_json *v = th_json_get(obj, key);

	if (th_json_typeof(v) == TH_JSON_INT) {
		snprintf(buf, cap, "%lld", (long long)th_json_int(v));
		return buf;
	}
	return obs__str(c, obj, key, "environment.hardware.", bad);
}

static int obs__pin(obs__ctx *c, const th_json *v, th_obs_pin *out, const char *where)
{
	size_t nl = 0, vl = 0;
	const char *n = th_json_str(th_json_get(v, "name"), &nl), *ver = th_json_str(th_json_get(v, "version"), &vl);
	th_version pv;

	if (th_json_typeof(v) != TH_JSON_OBJECT || !n || !ver)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: %s: needs a name and a version (strings)",
				    c->what, c->index, where);
	if (!th_name_is_valid(n, nl))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: %s: '%.100s' is not a valid project name",
				    c->what, c->index, where, n);
	if (th_version_parse(&pv, ver, vl, c->a, NULL))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: %s: '%.100s' is not a PEP 440 version",
				    c->what, c->index, where, ver);
	out->name = n;
	out->version = ver;
	return 0;
}

/* The environment's fields into o. */
static int obs__env(obs__ctx *c, const th_json *env, th_obs *o, char *cpu, size_t cap)
{
	const th_json *os = th_json_get(env, "operating_system"), *hw = th_json_get(env, "hardware");
	char fam[32], mod[32];
	const char *platform, *f, *m;
	int bad = 0;

	if (!env || th_json_typeof(env) == TH_JSON_NULL)
		return 0;
	if (th_json_typeof(env) != TH_JSON_OBJECT || (os && th_json_typeof(os) != TH_JSON_OBJECT) ||
	    (hw && th_json_typeof(hw) != TH_JSON_OBJECT))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: environment: not an object", c->what,
				    c->index);
	o->python = obs__str(c, env, "python_version", "environment.", &bad);
	o->cuda = bad ? NULL : obs__str(c, env, "cuda_version", "environment.", &bad);
	platform = bad ? NULL : obs__str(c, env, "platform", "environment.", &bad);
	o->os_name = bad ? NULL : obs__str(c, os, "name", "environment.operating_system.", &bad);
	o->os_version = bad ? NULL : obs__str(c, os, "version", "environment.operating_system.", &bad);
	f = bad ? NULL : obs__text(c, hw, "cpu_family", fam, sizeof(fam), &bad);
	m = bad ? NULL : obs__text(c, hw, "cpu_model", mod, sizeof(mod), &bad);
	if (bad)
		return bad;
	if (platform) {
		const char *dash = strrchr(platform, '-');
		o->arch = dash && dash[1] ? dash + 1 : platform;
	}
	if (f || m) {
		snprintf(cpu, cap, "%s%.32s%s%s%.32s", f ? "family " : "", f ? f : "", f && m ? " " : "", m ? "model " : "",
			 m ? m : "");
		o->cpu = cpu;
	}
	if (o->python && strspn(o->python, "0123456789.") != strlen(o->python))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: environment.python_version: '%.40s' is not X.Y[.Z]",
				    c->what, c->index, o->python);
	return 0;
}

static int obs__one(obs__ctx *c, const th_json *v, th_obs_fn fn, void *ud)
{
	const th_json *pkg = th_json_get(v, "package"), *stack = th_json_get(v, "stack"), *val = th_json_get(v, "value");
	const th_json *hib = th_json_get(v, "higher_is_better");
	th_obs o;
	th_obs_pin one, *pins = NULL;
	char cpu[96];
	int bad = 0, rc;

	memset(&o, 0, sizeof(o));
	if (th_json_typeof(v) != TH_JSON_OBJECT)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: not an object", c->what, c->index);
	if (!pkg && !stack)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: names neither a package nor a stack",
				    c->what, c->index);
	if (pkg && (rc = obs__pin(c, pkg, &one, "package")))
		return rc;
	if (stack) {
		size_t n = th_json_len(stack);
		if (th_json_typeof(stack) != TH_JSON_ARRAY || !n)
			return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: stack: not a non-empty array",
					    c->what, c->index);
		if (!(pins = th_arena_alloc(c->a, n * sizeof(*pins))))
			return th_error_set(c->err, TH_ERR_NOMEM, "out of memory");
		for (size_t i = 0; i < n; i++)
			if ((rc = obs__pin(c, th_json_at(stack, i), &pins[i], "stack")))
				return rc;
		o.stack = pins;
		o.nstack = n;
	}
	o.credited = pkg ? &one : pins;
	o.ncredited = pkg ? 1 : o.nstack;
	o.metric = obs__str(c, v, "metric", "", &bad);
	o.unit = bad ? NULL : obs__str(c, v, "unit", "", &bad);
	o.source = bad ? NULL : obs__str(c, v, "source", "", &bad);
	if (bad)
		return bad;
	if (!o.metric)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: no metric", c->what, c->index);
	if ((th_json_typeof(val) != TH_JSON_INT && th_json_typeof(val) != TH_JSON_REAL) || !isfinite(th_json_real(val)))
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: value: not a finite number", c->what,
				    c->index);
	o.value = th_json_real(val);
	if (th_json_typeof(hib) != TH_JSON_BOOL)
		return th_error_set(c->err, TH_ERR_INVALID, "%s: observations[%zu]: higher_is_better: not true or false",
				    c->what, c->index);
	o.higher_is_better = th_json_bool(hib);
	if ((rc = obs__env(c, th_json_get(v, "environment"), &o, cpu, sizeof(cpu))))
		return rc;
	return fn(ud, c->index, &o, c->err);
}

int th_obs_parse(const char *data, size_t len, const th_limits *lim, const char *what, th_obs_fn fn, void *ud,
		 th_error *err)
{
	th_json *root = NULL;
	const th_json *ver, *list;
	th_arena a;
	obs__ctx c = { what, 0, &a, err };
	int rc;

	th_arena_init(&a, 0);
	if ((rc = th_json_parse(&root, data, len, (unsigned)lim->json_depth, what, err)))
		goto done;
	ver = th_json_get(root, OBS__KEY);
	list = th_json_get(root, "observations");
	if (th_json_typeof(root) != TH_JSON_OBJECT || th_json_typeof(ver) != TH_JSON_INT) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: not an observations file (no \"%s\": VERSION)", what, OBS__KEY);
		goto done;
	}
	if (th_json_int(ver) != TH_OBS_FORMAT_VERSION) {
		rc = th_error_set(err, TH_ERR_UNSUPPORTED, "%s: observations format version %lld; this thoth reads version %d",
				  what, (long long)th_json_int(ver), TH_OBS_FORMAT_VERSION);
		goto done;
	}
	if (th_json_typeof(list) != TH_JSON_ARRAY) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: \"observations\": not an array", what);
		goto done;
	}
	if (th_json_len(list) > lim->observations) {
		rc = th_error_set(err, TH_ERR_LIMIT, "%s: %zu observations, more than the limit observations (%llu)", what,
				  th_json_len(list), (unsigned long long)lim->observations);
		goto done;
	}
	for (size_t i = 0; i < th_json_len(list) && !rc; i++) {
		c.index = i;
		rc = obs__one(&c, th_json_at(list, i), fn, ud);
		th_arena_release(&a); /* per observation: versions parsed for checking only */
		th_arena_init(&a, 0);
	}
done:
	th_json_free(root);
	th_arena_release(&a);
	return rc;
}
