/*
 * thoth debug packaging — answers PEP 440/508/425 questions, one JSON object
 * per line on stdin, one answer line per query on stdout, in exactly the
 * protocol of ../shared/tools/packaging_oracle.py (its ops, field names,
 * types and null/absent conventions), so that a differential test is a pipe
 * and a comparison.
 *
 * Every failure is an answer, {"valid": false, "error": "..."}: a malformed
 * JSON line, a query that is not an object, an unknown op, a missing or
 * mistyped field, input the packaging core refuses. Blank lines are skipped,
 * as the oracle skips them. Each line gets its own arena, released after its
 * answer, so memory stays bounded by the longest line (json_bytes).
 *
 * Output is buffered and flushed whenever the input has no more bytes ready,
 * so a driver that writes a query and waits for its answer never deadlocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/arena.h"
#include "core/json.h"
#include "core/marker.h"
#include "core/name.h"
#include "core/requirement.h"
#include "core/specifier.h"
#include "core/tags.h"
#include "core/version.h"
#include "core/wheelname.h"

#define DBG_ENVS 8

typedef struct dbg {
	th_arena arena;   /* one line's allocations */
	th_buf tmp;       /* scratch for formatted strings */
	const th_limits *lim;
	/* The last few marker environments, kept across lines: building one
	 * parses every value as a version and as specifiers, and queries mostly
	 * share a handful. key: the environment's text; replaced round robin. */
	struct {
		th_marker_env env;
		th_buf key;
		bool ok;
	} envs[DBG_ENVS];
	unsigned next_env;
} dbg;

/* An op writes the members of a valid answer after "valid": true, or returns
 * a negative th_code with err set (the answer becomes valid: false). */
typedef int (*dbg_op)(dbg *d, const th_json *q, th_jw *w, th_error *err);

/* Fetches a required string field of the query. */
static int dbg__str(const th_json *q, const char *key, const char **out, size_t *len, th_error *err)
{
	th_json *v = th_json_get(q, key);

	if (!v)
		return th_error_set(err, TH_ERR_INVALID, "query: missing \"%s\"", key);
	if (!(*out = th_json_str(v, len)))
		return th_error_set(err, TH_ERR_INVALID, "query: \"%s\" must be a string", key);
	return 0;
}

/* Writes the text a formatter appended to d->tmp as a JSON string. */
#define DBG_FMT(d, w, call)                          \
	do {                                         \
		int rc_;                             \
		th_buf_clear(&(d)->tmp);             \
		if ((rc_ = (call)))                  \
			return rc_;                  \
		th_jw_strn((w), (d)->tmp.ptr, (d)->tmp.len); \
	} while (0)

/* A number as Python prints it: its decimal digits (no leading zeros),
 * however many. th_jw writes int64 only, so the digits replace a one-digit
 * placeholder. */
static void dbg__digits(th_jw *w, const char *digits, size_t n)
{
	th_jw_int(w, 0);
	if (!w->rc && n) {
		w->out->len--;
		w->rc = th_buf_put(w->out, digits, n, w->err);
	}
}

static void dbg__vnum(th_jw *w, const th_vnum *n)
{
	if (n->digits)
		dbg__digits(w, n->digits, n->ndigits);
	else
		th_jw_int(w, (int64_t)n->value);
}

static int dbg__parse_version(dbg *d, const th_json *q, const char *key, th_version *out, th_error *err)
{
	const char *s;
	size_t n;
	int rc = dbg__str(q, key, &s, &n, err);
	return rc ? rc : th_version_parse(out, s, n, &d->arena, err);
}

static int dbg__version(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	th_version v;
	int rc;

	if ((rc = dbg__parse_version(d, q, "v", &v, err)))
		return rc;
	th_jw_key(w, "normalized");
	DBG_FMT(d, w, th_version_format(&v, &d->tmp, err));
	th_jw_key(w, "epoch");
	dbg__vnum(w, &v.epoch);
	th_jw_key(w, "release");
	th_jw_arr_begin(w);
	for (uint32_t i = 0; i < v.nrelease; i++)
		dbg__vnum(w, &v.release[i]);
	th_jw_arr_end(w);
	th_jw_key(w, "pre");
	if (v.flags & TH_VERSION_PRE) {
		th_jw_arr_begin(w);
		th_jw_str(w, v.pre_letter);
		dbg__vnum(w, &v.pre);
		th_jw_arr_end(w);
	} else {
		th_jw_null(w);
	}
	th_jw_key(w, "post");
	if (v.flags & TH_VERSION_POST)
		dbg__vnum(w, &v.post);
	else
		th_jw_null(w);
	th_jw_key(w, "dev");
	if (v.flags & TH_VERSION_DEV)
		dbg__vnum(w, &v.dev);
	else
		th_jw_null(w);
	th_jw_key(w, "local");
	if (v.flags & TH_VERSION_LOCAL)
		th_jw_strn(w, v.local, v.local_len);
	else
		th_jw_null(w);
	th_jw_key(w, "is_prerelease");
	th_jw_bool(w, th_version_is_prerelease(&v));
	th_jw_key(w, "public");
	DBG_FMT(d, w, th_version_format_public(&v, &d->tmp, err));
	th_jw_key(w, "base");
	DBG_FMT(d, w, th_version_format_base(&v, &d->tmp, err));
	return 0;
}

static int dbg__compare(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	th_version a, b;
	int rc;

	if ((rc = dbg__parse_version(d, q, "a", &a, err)) || (rc = dbg__parse_version(d, q, "b", &b, err)))
		return rc;
	th_jw_key(w, "cmp");
	th_jw_int(w, th_version_cmp(&a, &b));
	return 0;
}

/* "prereleases": absent or null is packaging's None; any other value counts
 * as Python's truth of it, as the oracle hands it straight to packaging. */
static int dbg__prereleases(const th_json *q)
{
	th_json *p = th_json_get(q, "prereleases");
	size_t n;

	switch (th_json_typeof(p)) {
	case TH_JSON_BOOL: return th_json_bool(p);
	case TH_JSON_INT: return th_json_int(p) != 0;
	case TH_JSON_REAL: return th_json_real(p) != 0.0;
	case TH_JSON_STRING: return th_json_str(p, &n) && n > 0;
	case TH_JSON_ARRAY:
	case TH_JSON_OBJECT: return th_json_len(p) > 0;
	default: return -1;
	}
}

static int dbg__specifier(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	th_specset *set;
	const char *s, *v;
	size_t n, vn;
	bool in;
	int rc;

	if ((rc = dbg__str(q, "spec", &s, &n, err)) || (rc = th_specset_parse(&set, s, n, &d->arena, err)))
		return rc;
	th_jw_key(w, "normalized");
	DBG_FMT(d, w, th_specset_format(set, &d->tmp, err));
	if (!th_json_get(q, "v"))
		return 0;
	if ((rc = dbg__str(q, "v", &v, &vn, err)) ||
	    (rc = th_specset_contains_str(&in, set, v, vn, dbg__prereleases(q), &d->arena, err)))
		return rc;
	th_jw_key(w, "contains");
	th_jw_bool(w, in);
	return 0;
}

/* The environment: PEP 508 variables as strings, PEP 751 "extras" and
 * "dependency_groups" as arrays of strings. Other keys are ignored, as the
 * oracle ignores them. A variable left out stays empty: thoth does not fill
 * in this host's values (the oracle does). */
static int dbg__env(th_marker_env *env, const th_json *obj, th_error *err)
{
	const char *k, *s;
	th_json *v;
	size_t n;
	int rc;

	if (obj && th_json_typeof(obj) != TH_JSON_OBJECT && th_json_typeof(obj) != TH_JSON_NULL)
		return th_error_set(err, TH_ERR_INVALID, "query: \"env\" must be an object");
	for (size_t i = 0; th_json_member(obj, i, &k, &v); i++) {
		bool extras = !strcmp(k, "extras"), groups = !strcmp(k, "dependency_groups");
		if (extras || groups) {
			if (th_json_typeof(v) != TH_JSON_ARRAY)
				return th_error_set(err, TH_ERR_INVALID, "query: env \"%s\" must be an array of strings", k);
			for (size_t j = 0; j < th_json_len(v); j++) {
				if (!(s = th_json_str(th_json_at(v, j), &n)))
					return th_error_set(err, TH_ERR_INVALID,
							    "query: env \"%s\" must be an array of strings", k);
				rc = extras ? th_marker_env_add_extra(env, s, n, err)
					    : th_marker_env_add_dependency_group(env, s, n, err);
				if (rc)
					return rc;
			}
			continue;
		}
		if (!(s = th_json_str(v, &n)))
			return th_error_set(err, TH_ERR_INVALID, "query: env \"%s\" must be a string", k);
		rc = th_marker_env_set(env, k, s, n, NULL);
		if (rc && rc != TH_ERR_INVALID) /* an unknown name is ignored */
			return th_marker_env_set(env, k, s, n, err);
	}
	return 0;
}

/* A key for an environment object: its members' names and string values in
 * order. Returns false when a value is neither a string nor an array of
 * strings (such an environment is refused anyway, and never kept). */
static bool dbg__env_key(const th_json *obj, th_buf *out)
{
	const char *k, *s;
	th_json *v;
	size_t n;

	for (size_t i = 0; th_json_member(obj, i, &k, &v); i++) {
		th_buf_put(out, k, strlen(k) + 1, NULL);
		if ((s = th_json_str(v, &n))) {
			th_buf_putc(out, 's', NULL);
			th_buf_put(out, s, n + 1, NULL);
			continue;
		}
		if (th_json_typeof(v) != TH_JSON_ARRAY)
			return false;
		th_buf_putc(out, 'a', NULL);
		for (size_t j = 0; j < th_json_len(v); j++) {
			if (!(s = th_json_str(th_json_at(v, j), &n)))
				return false;
			th_buf_put(out, s, n + 1, NULL);
		}
		th_buf_putc(out, '\x01', NULL);
	}
	return true;
}

/* Points *out at the query's environment, built or found among the last ones. */
static int dbg__use_env(dbg *d, const th_json *obj, const th_marker_env **out, th_error *err)
{
	th_json_type t = th_json_typeof(obj);
	unsigned i;
	int rc;

	th_buf_clear(&d->tmp);
	if ((t != TH_JSON_NONE && t != TH_JSON_NULL && t != TH_JSON_OBJECT) || !dbg__env_key(obj, &d->tmp)) {
		th_marker_env bad; /* refused: dbg__env says why */
		th_marker_env_init(&bad);
		rc = dbg__env(&bad, obj, err);
		th_marker_env_release(&bad);
		return rc ? rc : th_error_set(err, TH_ERR_INVALID, "query: \"env\" is malformed");
	}
	for (i = 0; i < DBG_ENVS; i++) {
		if (d->envs[i].ok && d->tmp.len == d->envs[i].key.len &&
		    !memcmp(d->tmp.ptr, d->envs[i].key.ptr, d->tmp.len)) {
			*out = &d->envs[i].env;
			return 0;
		}
	}
	i = d->next_env++ % DBG_ENVS;
	if (d->envs[i].ok)
		th_marker_env_release(&d->envs[i].env);
	d->envs[i].ok = false;
	th_marker_env_init(&d->envs[i].env);
	th_buf_clear(&d->envs[i].key);
	if ((rc = dbg__env(&d->envs[i].env, obj, err)) ||
	    (rc = th_buf_put(&d->envs[i].key, d->tmp.ptr, d->tmp.len, err))) {
		th_marker_env_release(&d->envs[i].env);
		return rc;
	}
	d->envs[i].ok = true;
	*out = &d->envs[i].env;
	return 0;
}

static int dbg__marker(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	const th_marker_env *env;
	th_marker *m;
	const char *s;
	size_t n;
	bool result;
	int rc;

	if ((rc = dbg__str(q, "marker", &s, &n, err)) || (rc = th_marker_parse(&m, s, n, &d->arena, err)))
		return rc;
	th_jw_key(w, "normalized");
	DBG_FMT(d, w, th_marker_format(m, &d->tmp, err));
	if ((rc = dbg__use_env(d, th_json_get(q, "env"), &env, err)) || (rc = th_marker_eval(m, env, &result, err)))
		return rc;
	th_jw_key(w, "result");
	th_jw_bool(w, result);
	return 0;
}

static int dbg__requirement(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	const char *s;
	size_t n;
	th_req r;
	int rc;

	if ((rc = dbg__str(q, "req", &s, &n, err)) || (rc = th_req_parse(&r, s, n, &d->arena, err)))
		return rc;
	th_jw_key(w, "name");
	th_jw_str(w, r.name);
	th_jw_key(w, "extras");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < r.nextras; i++)
		th_jw_str(w, r.extras[i]);
	th_jw_arr_end(w);
	th_jw_key(w, "specifier");
	DBG_FMT(d, w, th_specset_format(r.spec, &d->tmp, err));
	th_jw_key(w, "marker");
	if (r.marker)
		DBG_FMT(d, w, th_marker_format(r.marker, &d->tmp, err));
	else
		th_jw_null(w);
	th_jw_key(w, "url");
	if (r.url)
		th_jw_strn(w, r.url, r.url_len);
	else
		th_jw_null(w);
	return 0;
}

static int dbg__name(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	const char *s;
	size_t n;
	int rc;

	if ((rc = dbg__str(q, "name", &s, &n, err)))
		return rc;
	th_jw_key(w, "canonical");
	DBG_FMT(d, w, th_name_normalize(&d->tmp, s, n, err));
	return 0;
}

static int dbg__strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int dbg__wheel(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	th_wheelname wn;
	const char *s, **tags;
	size_t n;
	int rc;

	if ((rc = dbg__str(q, "filename", &s, &n, err)) || (rc = th_wheelname_parse(&wn, s, n, &d->arena, err)))
		return rc;
	th_jw_key(w, "name");
	th_jw_str(w, wn.name);
	th_jw_key(w, "version");
	DBG_FMT(d, w, th_version_format(&wn.version, &d->tmp, err));
	th_jw_key(w, "build");
	th_jw_arr_begin(w);
	if (wn.build) {
		dbg__digits(w, wn.build_num, strlen(wn.build_num));
		th_jw_str(w, wn.build_suffix);
	}
	th_jw_arr_end(w);
	/* The oracle sorts the tag strings (Python's order: code points, which
	 * is UTF-8 byte order). */
	if (!(tags = th_arena_alloc(&d->arena, (wn.ntags ? wn.ntags : 1) * sizeof(*tags))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < wn.ntags; i++) {
		th_buf_clear(&d->tmp);
		if ((rc = th_tag_format(&wn.tags[i], &d->tmp, err)))
			return rc;
		if (!(tags[i] = th_arena_strndup(&d->arena, d->tmp.ptr, d->tmp.len)))
			return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	}
	if (wn.ntags)
		qsort(tags, wn.ntags, sizeof(*tags), dbg__strcmp);
	th_jw_key(w, "tags");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < wn.ntags; i++)
		th_jw_str(w, tags[i]);
	th_jw_arr_end(w);
	return 0;
}

/* The tags op always needs its platforms: the oracle would take this host's,
 * thoth never guesses them. */
static int dbg__tags(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	th_json *pl = th_json_get(q, "platforms");
	const char **plats;
	const char *py;
	size_t pylen, n, ntags;
	th_target t;
	th_tag *tags;
	int rc;

	if ((rc = dbg__str(q, "python", &py, &pylen, err)))
		return rc;
	if (th_json_typeof(pl) != TH_JSON_ARRAY)
		return th_error_set(err, TH_ERR_INVALID,
				    "query: \"platforms\" must be an array of strings (thoth does not use this host's)");
	n = th_json_len(pl);
	if (!(plats = th_arena_alloc(&d->arena, (n ? n : 1) * sizeof(*plats))))
		return th_error_set(err, TH_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if (!(plats[i] = th_json_str(th_json_at(pl, i), NULL)))
			return th_error_set(err, TH_ERR_INVALID, "query: \"platforms\" must be an array of strings");
	if ((rc = th_target_init_platforms(&t, py, plats, n, &d->arena, err)) ||
	    (rc = th_tags_supported(&tags, &ntags, &t, &d->arena, err)))
		return rc;
	th_jw_key(w, "tags");
	th_jw_arr_begin(w);
	for (size_t i = 0; i < ntags; i++)
		DBG_FMT(d, w, th_tag_format(&tags[i], &d->tmp, err));
	th_jw_arr_end(w);
	return 0;
}

static const struct {
	const char *name;
	dbg_op fn;
} dbg_ops[] = {
	{ "version", dbg__version },
	{ "compare", dbg__compare },
	{ "specifier", dbg__specifier },
	{ "marker", dbg__marker },
	{ "requirement", dbg__requirement },
	{ "wheel", dbg__wheel },
	{ "name", dbg__name },
	{ "tags", dbg__tags },
};

/* {"valid": false, "error": msg} */
static void dbg__invalid(th_buf *ans, const char *msg)
{
	th_jw w;

	th_jw_init(&w, ans, 0, NULL);
	th_jw_obj_begin(&w);
	th_jw_key(&w, "valid");
	th_jw_bool(&w, false);
	th_jw_key(&w, "error");
	th_jw_str(&w, msg);
	th_jw_obj_end(&w);
	th_jw_finish(&w);
}

/* Answers one non-blank line into ans. */
static void dbg__answer(dbg *d, const char *line, size_t len, th_buf *ans)
{
	th_error err = TH_ERROR_INIT;
	th_json *q = NULL;
	const char *op;
	size_t oplen, start = ans->len, i;
	th_jw w;
	int rc;

	th_arena_init(&d->arena, 4096);
	rc = th_json_parse(&q, line, len, (unsigned)d->lim->json_depth, "query", &err);
	if (!rc && th_json_typeof(q) != TH_JSON_OBJECT)
		rc = th_error_set(&err, TH_ERR_INVALID, "query: not a JSON object");
	if (!rc)
		rc = dbg__str(q, "op", &op, &oplen, &err);
	if (!rc) {
		for (i = 0; i < sizeof(dbg_ops) / sizeof(dbg_ops[0]); i++)
			if (strlen(dbg_ops[i].name) == oplen && !memcmp(dbg_ops[i].name, op, oplen))
				break;
		if (i == sizeof(dbg_ops) / sizeof(dbg_ops[0]))
			rc = th_error_set(&err, TH_ERR_INVALID, "query: unknown op '%.*s'", (int)oplen, op);
	}
	if (!rc) {
		th_jw_init(&w, ans, 0, &err);
		th_jw_obj_begin(&w);
		th_jw_key(&w, "valid");
		th_jw_bool(&w, true);
		rc = dbg_ops[i].fn(d, q, &w, &err);
		if (!rc) {
			th_jw_obj_end(&w);
			rc = th_jw_finish(&w);
		}
	}
	if (rc) {
		ans->len = start; /* drop a partial answer */
		dbg__invalid(ans, err.msg[0] ? err.msg : th_code_name(rc));
	}
	th_buf_putc(ans, '\n', NULL);
	th_json_free(q);
	th_arena_release(&d->arena);
}

static void dbg__init(dbg *d, const th_limits *lim)
{
	memset(d, 0, sizeof(*d));
	d->lim = lim;
	th_buf_init(&d->tmp, 0);
	for (unsigned i = 0; i < DBG_ENVS; i++)
		th_buf_init(&d->envs[i].key, 0);
}

static void dbg__release(dbg *d)
{
	for (unsigned i = 0; i < DBG_ENVS; i++) {
		if (d->envs[i].ok)
			th_marker_env_release(&d->envs[i].env);
		th_buf_release(&d->envs[i].key);
	}
	th_buf_release(&d->tmp);
}

void th_debug_packaging_answer(th_buf *out, const char *line, size_t len, const th_limits *lim)
{
	dbg d;

	dbg__init(&d, lim);
	dbg__answer(&d, line, len, out);
	dbg__release(&d);
}

static int dbg__flush(th_ctx *ctx, th_buf *out)
{
	if (out->len && fwrite(out->ptr, 1, out->len, ctx->out) != out->len)
		return th_error_set(&ctx->err, TH_ERR_IO, "standard output: write failed: %s", strerror(errno));
	th_buf_clear(out);
	return fflush(ctx->out) ? th_error_set(&ctx->err, TH_ERR_IO, "standard output: write failed: %s",
					       strerror(errno))
				: 0;
}

static bool dbg__blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
			return false;
	return true;
}

static int debug_packaging_run(th_ctx *ctx, const th_args *a)
{
	enum { IN_SIZE = 1 << 16 };
	char *inbuf = malloc(IN_SIZE);
	th_buf line = TH_BUF_INIT, out = TH_BUF_INIT;
	dbg d;
	size_t have = 0, pos = 0;
	bool eof = false, too_long = false;
	int rc = TH_EXIT_OK;

	if (!inbuf) {
		th_error_set(&ctx->err, TH_ERR_NOMEM, "out of memory");
		return TH_EXIT_ERROR;
	}
	dbg__init(&d, &ctx->limits);
	th_buf_init(&line, (size_t)ctx->limits.json_bytes);
	while (!eof || pos < have) {
		if (pos == have) {
			ssize_t n;
			/* About to wait for input: whoever sent the queries so far
			 * gets their answers first. */
			if (dbg__flush(ctx, &out)) {
				rc = TH_EXIT_ERROR;
				goto done;
			}
			do
				n = read(STDIN_FILENO, inbuf, IN_SIZE);
			while (n < 0 && errno == EINTR);
			if (n < 0) {
				th_error_set(&ctx->err, TH_ERR_IO, "standard input: read failed: %s", strerror(errno));
				rc = TH_EXIT_ERROR;
				goto done;
			}
			have = (size_t)n;
			pos = 0;
			eof = n == 0;
			if (!eof)
				continue;
			if (!line.len && !too_long)
				break;
		}
		/* One line (or the rest of the input at its end). */
		char *nl = eof ? NULL : memchr(inbuf + pos, '\n', have - pos);
		size_t take = nl ? (size_t)(nl - (inbuf + pos)) : have - pos;
		if (!too_long && th_buf_put(&line, inbuf + pos, take, NULL))
			too_long = true;
		pos += take;
		if (!nl && !eof)
			continue;
		if (nl)
			pos++;
		if (too_long) {
			char msg[96];
			snprintf(msg, sizeof(msg), "query: longer than the json_bytes limit of %llu bytes",
				 (unsigned long long)ctx->limits.json_bytes);
			dbg__invalid(&out, msg);
			th_buf_putc(&out, '\n', NULL);
		} else if (!dbg__blank(line.ptr, line.len)) {
			dbg__answer(&d, line.ptr, line.len, &out);
		}
		th_buf_clear(&line);
		too_long = false;
		if (out.len >= IN_SIZE && dbg__flush(ctx, &out)) {
			rc = TH_EXIT_ERROR;
			goto done;
		}
		if (eof)
			break;
	}
	if (dbg__flush(ctx, &out))
		rc = TH_EXIT_ERROR;
done:
	free(inbuf);
	th_buf_release(&line);
	th_buf_release(&out);
	dbg__release(&d);
	return rc;
}

static const th_opt debug_packaging_opts[] = { TH_OPT_END };

const th_cmd th_cmds_debug[] = {
	{ "debug packaging", "", "answer PEP 440/508/425 questions: JSON lines on stdin, answers on stdout",
	  "The protocol of packaging_oracle.py: one JSON object per line, one answer per line.\n"
	  "  {\"op\":\"version\",\"v\":\"1.0.post1\"}      valid, normalized, epoch, release, pre, post, dev,\n"
	  "                                          local, is_prerelease, public, base\n"
	  "  {\"op\":\"compare\",\"a\":\"1.0\",\"b\":\"1.0.0\"}  cmp (-1, 0, 1)\n"
	  "  {\"op\":\"specifier\",\"spec\":\">=1,<2\",\"v\":\"1.5\",\"prereleases\":null}\n"
	  "                                          valid, normalized, contains (absent without \"v\")\n"
	  "  {\"op\":\"marker\",\"marker\":\"...\",\"env\":{...}}  valid, normalized, result; env holds the\n"
	  "                                          PEP 508 variables, and PEP 751 \"extras\" and\n"
	  "                                          \"dependency_groups\" as arrays of strings\n"
	  "  {\"op\":\"requirement\",\"req\":\"a[x]>=1\"}    valid, name, extras, specifier, marker, url\n"
	  "  {\"op\":\"wheel\",\"filename\":\"a-1.0-py3-none-any.whl\"}  valid, name, version, build, tags\n"
	  "  {\"op\":\"name\",\"name\":\"Foo_Bar\"}          canonical\n"
	  "  {\"op\":\"tags\",\"python\":\"3.11\",\"platforms\":[\"manylinux_2_36_x86_64\"]}  tags, most preferred first\n"
	  "Anything invalid is an answer {\"valid\": false, \"error\": \"...\"}; blank lines are skipped.",
	  debug_packaging_opts, 0, 0, debug_packaging_run },
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, NULL }
};
