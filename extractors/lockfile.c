#include "extractors/lockfile.h"

#include <string.h>

#include "core/json.h"
#include "extractors/toml.h"

bool th_lockfile_is(const char *name)
{
	size_t n = strlen(name);

	return !strcmp(name, "poetry.lock") || !strcmp(name, "uv.lock") || !strcmp(name, "Pipfile.lock") ||
	       !strcmp(name, "pylock.toml") || (!strncmp(name, "pylock.", 7) && n > 12 && !strcmp(name + n - 5, ".toml"));
}

static int lockfile__toml(const char *text, size_t len, const char *what, const char *key, th_locked_fn fn, void *ud,
			  const th_limits *lim, th_arena *a, th_error *err)
{
	th_toml *t;
	const th_toml *pk;
	int rc;

	if ((rc = th_toml_parse(&t, text, len, what, lim, a, err)))
		return rc;
	pk = th_toml_get(t, key);
	if (pk && pk->type != TH_TOML_ARRAY)
		return th_error_set(err, TH_ERR_INVALID, "%s: '%s' is not an array of tables", what, key);
	for (size_t i = 0; pk && i < pk->n; i++) {
		const char *name = th_toml_str(th_toml_get(pk->vals[i], "name"));
		th_locked l = { what, pk->vals[i]->line, name, th_toml_str(th_toml_get(pk->vals[i], "version")), false };

		if (!name)
			return th_error_set(err, TH_ERR_INVALID, "%s:%u: a locked package without a name", what,
					    pk->vals[i]->line);
		if ((rc = fn(ud, &l)))
			return rc;
	}
	return 0;
}

static int lockfile__pipfile(const char *text, size_t len, const char *what, th_locked_fn fn, void *ud,
			     const th_limits *lim, th_error *err)
{
	static const char *const sections[] = { "default", "develop" };
	th_json *root;
	int rc;

	if (len > lim->json_bytes)
		return th_error_set(err, TH_ERR_LIMIT, "%s: %zu bytes exceeds the limit of %llu (json_bytes)", what, len,
				    (unsigned long long)lim->json_bytes);
	if ((rc = th_json_parse(&root, text, len, (unsigned)lim->json_depth, what, err)))
		return rc;
	for (size_t s = 0; s < 2 && !rc; s++) {
		th_json *sec = th_json_get(root, sections[s]), *v;
		const char *name;

		for (size_t i = 0; !rc && th_json_member(sec, i, &name, &v); i++) {
			const char *ver = th_json_str(th_json_get(v, "version"), NULL);
			th_locked l = { what, 0, name, ver && !strncmp(ver, "==", 2) ? ver + 2 : ver, s == 1 };
			rc = fn(ud, &l);
		}
	}
	th_json_free(root);
	return rc;
}

int th_lockfile_read(const char *name, const char *text, size_t len, const char *what, th_locked_fn fn, void *ud,
		     const th_limits *lim, th_arena *a, th_error *err)
{
	if (!strcmp(name, "Pipfile.lock"))
		return lockfile__pipfile(text, len, what, fn, ud, lim, err);
	if (!strcmp(name, "poetry.lock") || !strcmp(name, "uv.lock"))
		return lockfile__toml(text, len, what, "package", fn, ud, lim, a, err);
	if (th_lockfile_is(name))
		return lockfile__toml(text, len, what, "packages", fn, ud, lim, a, err);
	return th_error_set(err, TH_ERR_UNSUPPORTED, "%s: not a lock file thoth reads", what);
}
