#include "resolver/jsonindex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

static int jsonindex__version(th_provider_mem *m, const char *name, const char *ver, const th_json *info,
			      const char *what, th_error *err)
{
	th_json_type t = th_json_typeof(info);
	if (t != TH_JSON_OBJECT && t != TH_JSON_NULL)
		return th_error_set(err, TH_ERR_INVALID, "%s: %s %s: expected an object", what, name, ver);
	th_arena *a = th_provider_mem_arena(m);
	const th_json *deps = th_json_get(info, "dependencies");
	/* Some snapshots write an empty object for no dependencies. */
	bool empty_obj = th_json_typeof(deps) == TH_JSON_OBJECT && th_json_len(deps) == 0;
	if (deps && !empty_obj && th_json_typeof(deps) != TH_JSON_ARRAY && th_json_typeof(deps) != TH_JSON_NULL)
		return th_error_set(err, TH_ERR_INVALID, "%s: %s %s: dependencies is not an array", what, name, ver);
	size_t n = th_json_typeof(deps) == TH_JSON_ARRAY ? th_json_len(deps) : 0;
	const char **text = n ? th_arena_alloc(a, n * sizeof *text) : NULL;
	if (n && !text)
		return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		const char *s = th_json_str(th_json_at(deps, i), &len);
		if (!s)
			return th_error_set(err, TH_ERR_INVALID, "%s: %s %s: dependency %zu is not a string", what,
					    name, ver, i);
		if (!(text[i] = th_arena_strndup(a, s, len)))
			return th_error_set(err, TH_ERR_NOMEM, "%s: out of memory", what);
	}
	const th_json *rpj = th_json_get(info, "requires_python");
	const char *rp = th_json_str(rpj, NULL);
	if (rpj && !rp && th_json_typeof(rpj) != TH_JSON_NULL)
		return th_error_set(err, TH_ERR_INVALID, "%s: %s %s: requires_python is not a string", what, name, ver);
	bool yanked = th_json_typeof(th_json_get(info, "yanked")) == TH_JSON_BOOL &&
		      th_json_bool(th_json_get(info, "yanked"));
	bool added;
	int rc = th_provider_mem_add(m, name, strlen(name), ver, strlen(ver), rp, yanked, text, n, &added, err);
	if (rc < 0)
		th_error_prefix(err, "%s", what);
	return rc;
}

int th_jsonindex_load(th_provider_mem *m, const char *data, size_t len, const th_limits *lim,
		      const char *what, th_error *err)
{
	th_json *root = NULL;
	int rc = th_json_parse(&root, data, len, (unsigned)lim->json_depth, what, err);
	if (rc < 0)
		return rc;
	if (th_json_typeof(root) != TH_JSON_OBJECT) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: expected an object of projects", what);
		goto done;
	}
	const char *name;
	th_json *vers;
	for (size_t i = 0; th_json_member(root, i, &name, &vers); i++) {
		th_json_type t = th_json_typeof(vers);
		/* null: no versions; true/false/numbers/strings: annotations some
		 * test indexes carry beside the projects ("needs_optimistic"). */
		if (t == TH_JSON_NULL || t == TH_JSON_BOOL || t == TH_JSON_INT || t == TH_JSON_REAL ||
		    t == TH_JSON_STRING)
			continue;
		if (th_json_typeof(vers) != TH_JSON_OBJECT) {
			rc = th_error_set(err, TH_ERR_INVALID, "%s: %s: expected an object of versions", what, name);
			goto done;
		}
		const char *ver;
		th_json *info;
		for (size_t j = 0; th_json_member(vers, j, &ver, &info); j++)
			if ((rc = jsonindex__version(m, name, ver, info, what, err)) < 0)
				goto done;
	}
	th_provider_mem_finish(m);
done:
	th_json_free(root);
	return rc;
}

int th_jsonindex_load_file(th_provider_mem *m, const char *path, const th_limits *lim, th_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: %s", path, strerror(errno));
	th_buf b;
	th_buf_init(&b, (size_t)lim->json_bytes);
	int rc = 0;
	char chunk[1 << 16];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		if ((rc = th_buf_put(&b, chunk, got, err)) < 0) {
			th_error_prefix(err, "%s", path);
			goto done;
		}
	if (ferror(f)) {
		rc = th_error_set(err, TH_ERR_IO, "%s: read error", path);
		goto done;
	}
	rc = th_jsonindex_load(m, b.ptr, b.len, lim, path, err);
done:
	fclose(f);
	th_buf_release(&b);
	return rc;
}
