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

typedef struct dbg {
	th_arena arena;   /* one line's allocations */
	th_buf tmp;       /* scratch for formatted strings */
	const th_limits *lim;
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

static int dbg__unavailable(dbg *d, const th_json *q, th_jw *w, th_error *err)
{
	return th_error_set(err, TH_ERR_UNSUPPORTED, "not available in this build: op %s",
			    th_json_str(th_json_get(q, "op"), NULL));
}

static const struct {
	const char *name;
	dbg_op fn;
} dbg_ops[] = {
	{ "version", dbg__unavailable },
	{ "compare", dbg__unavailable },
	{ "specifier", dbg__unavailable },
	{ "marker", dbg__unavailable },
	{ "requirement", dbg__unavailable },
	{ "wheel", dbg__unavailable },
	{ "name", dbg__unavailable },
	{ "tags", dbg__unavailable },
};

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
		th_jw_init(&w, ans, 0, NULL);
		th_jw_obj_begin(&w);
		th_jw_key(&w, "valid");
		th_jw_bool(&w, false);
		th_jw_key(&w, "error");
		th_jw_str(&w, err.msg[0] ? err.msg : th_code_name(rc));
		th_jw_obj_end(&w);
		th_jw_finish(&w);
	}
	th_buf_putc(ans, '\n', NULL);
	th_json_free(q);
	th_arena_release(&d->arena);
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
	memset(&d, 0, sizeof(d));
	d.lim = &ctx->limits;
	th_buf_init(&d.tmp, 0);
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
			th_buf_printf(&out, NULL,
				      "{\"valid\": false, \"error\": \"query: longer than the json_bytes limit of %llu bytes\"}\n",
				      (unsigned long long)ctx->limits.json_bytes);
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
	th_buf_release(&d.tmp);
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
