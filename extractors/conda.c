#include "extractors/conda.h"

#include <string.h>

#include "core/json.h"

/* A string member, "" when absent or not a string; NULL when it holds a
 * newline (the note's separator: no real name, version or channel does). */
static const char *conda__field(const th_json *o, const char *key)
{
	const char *v = th_json_str(th_json_get(o, key), NULL);

	if (!v)
		return "";
	return strchr(v, '\n') ? NULL : v;
}

int th_conda_parse(th_conda_pkg *out, const char *data, size_t len, const char *what, const th_limits *lim,
		   th_arena *a, th_error *err)
{
	th_json *j = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = th_json_parse(&j, data, len, (unsigned)lim->json_depth, what, err)))
		return rc;
	if (th_json_typeof(j) != TH_JSON_OBJECT) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: conda record is not a JSON object", what);
		goto done;
	}
	const char *n = conda__field(j, "name"), *v = conda__field(j, "version");
	const char *b = conda__field(j, "build"), *c = conda__field(j, "channel");
	if (!n || !*n || !v || !*v || !b || !c) {
		rc = th_error_set(err, TH_ERR_INVALID, "%s: conda record without a one-line name and version", what);
		goto done;
	}
	out->name = th_arena_strdup(a, n);
	out->version = th_arena_strdup(a, v);
	out->build = th_arena_strdup(a, b);
	out->channel = th_arena_strdup(a, c);
	if (!out->name || !out->version || !out->build || !out->channel)
		rc = th_error_set(err, TH_ERR_NOMEM, "out of memory");
done:
	th_json_free(j);
	return rc;
}

int th_conda_note(th_buf *out, const char *data, size_t len, const char *what, const th_limits *lim, th_error *err)
{
	th_arena a = TH_ARENA_INIT;
	th_conda_pkg p;
	int rc;

	th_buf_clear(out);
	if (!(rc = th_conda_parse(&p, data, len, what, lim, &a, err)))
		rc = th_buf_printf(out, err, "%s\n%s\n%s\n%s", p.name, p.version, p.build, p.channel);
	th_arena_release(&a);
	return rc;
}

int th_conda_from_note(th_conda_pkg *out, const char *note, size_t len, th_arena *a, th_error *err)
{
	const char *f[4];
	size_t fl[4], k = 0, start = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i <= len && k < 4; i++)
		if (i == len || note[i] == '\n') {
			f[k] = note + start;
			fl[k++] = i - start;
			start = i + 1;
		}
	if (k != 4 || start <= len || !fl[0] || !fl[1])
		return th_error_set(err, TH_ERR_INVALID, "conda note: not name, version, build and channel lines");
	out->name = th_arena_strndup(a, f[0], fl[0]);
	out->version = th_arena_strndup(a, f[1], fl[1]);
	out->build = th_arena_strndup(a, f[2], fl[2]);
	out->channel = th_arena_strndup(a, f[3], fl[3]);
	if (!out->name || !out->version || !out->build || !out->channel)
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	return 0;
}
