/*
 * resolve_json — resolves requirements over an index JSON and prints
 * {name: version} as ../shared/tools/resolvelib_oracle.py does (json.dumps
 * with indent=1), or {"error": "ResolutionImpossible", "why": ...} and exit 1.
 *
 *   resolve_json INDEX.json REQ... [--python X.Y[.Z]] [--platform P]
 *                [--env ENV.json] [--pre fallback|pip|allow] [--print-env]
 *                [--repeat N] [--stats]
 *
 * --print-env prints the target's PEP 508 environment as JSON (the oracle's
 * --env input) and exits; --repeat resolves N times (for benchmarks; the
 * index is loaded once); --stats prints rounds and timing on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/limits.h"
#include "core/requirement.h"
#include "resolver/env.h"
#include "resolver/jsonindex.h"
#include "resolver/solver.h"

static int load_env(th_env *env, const char *path, const th_limits *lim, th_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return th_error_set(err, TH_ERR_IO, "%s: cannot open", path);
	th_buf b;
	th_buf_init(&b, 1 << 20);
	char chunk[4096];
	size_t got;
	int rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = th_buf_put(&b, chunk, got, err);
	fclose(f);
	th_json *root = NULL;
	if (rc == 0)
		rc = th_json_parse(&root, b.ptr, b.len, (unsigned)lim->json_depth, path, err);
	const char *k;
	th_json *v;
	for (size_t i = 0; rc == 0 && th_json_member(root, i, &k, &v); i++) {
		const char *s = th_json_str(v, NULL);
		if (s)
			rc = th_env_set(env, k, s, err);
	}
	th_json_free(root);
	th_buf_release(&b);
	return rc;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *index = NULL, *python = "3.11.7", *platform = NULL, *envfile = NULL;
	const char *reqs[256];
	size_t nreqs = 0;
	long repeat = 1;
	int print_env = 0, stats = 0;
	th_solver_opts opts = { TH_SOLVER_PRE_FALLBACK, 0, 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--python") && i + 1 < argc)
			python = argv[++i];
		else if (!strcmp(a, "--platform") && i + 1 < argc)
			platform = argv[++i];
		else if (!strcmp(a, "--env") && i + 1 < argc)
			envfile = argv[++i];
		else if (!strcmp(a, "--repeat") && i + 1 < argc)
			repeat = strtol(argv[++i], NULL, 10);
		else if (!strcmp(a, "--pre") && i + 1 < argc) {
			const char *p = argv[++i];
			opts.pre = !strcmp(p, "pip") ? TH_SOLVER_PRE_PIP :
				   !strcmp(p, "allow") ? TH_SOLVER_PRE_ALLOW : TH_SOLVER_PRE_FALLBACK;
		} else if (!strcmp(a, "--print-env"))
			print_env = 1;
		else if (!strcmp(a, "--stats"))
			stats = 1;
		else if (!index)
			index = a;
		else if (nreqs < sizeof reqs / sizeof reqs[0])
			reqs[nreqs++] = a;
		else {
			fprintf(stderr, "resolve_json: too many requirements\n");
			return 2;
		}
	}
	th_error err = { 0 };
	th_limits lim;
	th_limits_init(&lim);
	opts.max_rounds = lim.resolver_rounds;
	opts.max_bytes = lim.resolver_bytes;
	th_env env;
	th_provider_mem *mem = NULL;
	th_arena arena;
	th_arena_init(&arena, 0);
	th_buf out;
	th_buf_init(&out, 0);
	int status = 2;
	if (th_env_init_linux_cpython(&env, python, platform, &err) < 0 ||
	    (envfile && load_env(&env, envfile, &lim, &err) < 0))
		goto done;
	if (print_env) {
		if (th_env_format_json(&env, &out, &err) < 0)
			goto done;
		printf("%s\n", out.ptr);
		status = 0;
		goto done;
	}
	if (!index || nreqs == 0) {
		fprintf(stderr, "usage: resolve_json INDEX.json REQ... [--python X.Y.Z]\n");
		goto done;
	}
	double t0 = now();
	if (th_provider_mem_new(&mem, &err) < 0 || th_jsonindex_load_file(mem, index, &lim, &err) < 0)
		goto done;
	double t1 = now();
	th_req *roots = calloc(nreqs, sizeof *roots);
	if (!roots)
		goto done;
	for (size_t i = 0; i < nreqs; i++)
		if (th_req_parse(&roots[i], reqs[i], strlen(reqs[i]), &arena, &err) < 0) {
			free(roots);
			goto done;
		}
	th_provider p = th_provider_mem_provider(mem);
	th_solution sol;
	th_solution_init(&sol);
	int rc = 0;
	for (long r = 0; r < repeat && rc == 0; r++) {
		th_solution_release(&sol);
		th_solution_init(&sol);
		rc = th_solver_resolve(&sol, &p, &env, roots, nreqs, &opts, &err);
	}
	double t2 = now();
	free(roots);
	if (rc < 0) {
		th_solution_release(&sol);
		goto done;
	}
	if (stats)
		fprintf(stderr, "load %.3f ms, resolve %.3f ms each, %llu rounds, %llu backjumps\n",
			(t1 - t0) * 1e3, (t2 - t1) * 1e3 / (double)(repeat > 0 ? repeat : 1), sol.rounds,
			sol.backjumps);
	if (!sol.ok) {
		printf("{\"error\": \"ResolutionImpossible\", \"why\": ");
		th_buf q;
		th_buf_init(&q, 0);
		th_json_quote(&q, sol.why.ptr, sol.why.len, NULL);
		printf("%s}\n", q.ptr);
		fputs(sol.why.ptr, stderr);
		th_buf_release(&q);
		status = 1;
	} else {
		if (sol.npins == 0)
			printf("{}\n");
		else {
			printf("{\n");
			for (size_t i = 0; i < sol.npins; i++)
				printf(" \"%s\": \"%s\"%s\n", sol.pins[i].name, sol.pins[i].version,
				       i + 1 < sol.npins ? "," : "");
			printf("}\n");
		}
		status = 0;
	}
	th_solution_release(&sol);
done:
	if (status == 2 && err.code)
		fprintf(stderr, "resolve_json: %s\n", err.msg);
	th_buf_release(&out);
	th_provider_mem_free(mem);
	th_arena_release(&arena);
	th_env_release(&env);
	return status;
}
