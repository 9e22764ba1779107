/*
 * bench_search — final stacks per second of the scored search (one thread):
 * a final stack is fully resolved with every step and stride of the
 * pipeline run for it (context-free steps once per candidate, reused).
 *
 *   bench_search INDEX.json REQ... [--python X.Y.Z] [--type T] [--finals N]
 *                [--exhaustive-max N] [--knowledge] [--rules PATH]
 *
 * --knowledge adds the curated rules embedded in the binary (their
 * step.Group units run at every expansion, the known_broken stride on every
 * final stack); --rules adds a rule source. Prints one line of figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/knowledge.h"
#include "core/limits.h"
#include "resolver/jsonindex.h"
#include "resolver/search.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *index = NULL, *python = "3.8.10", *rules_path = NULL;
	const char *reqs[64];
	size_t nreqs = 0;
	int type = TH_RECTYPE_STABLE, knowledge = 0;
	th_search_opts o = TH_SEARCH_OPTS_INIT;
	o.max_finals = 1000000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool v = i + 1 < argc;
		if (!strcmp(a, "--python") && v)
			python = argv[++i];
		else if (!strcmp(a, "--type") && v)
			type = th_rectype_parse(argv[++i]);
		else if (!strcmp(a, "--finals") && v)
			o.max_finals = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(a, "--exhaustive-max") && v)
			o.exhaustive_max = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(a, "--rules") && v)
			rules_path = argv[++i];
		else if (!strcmp(a, "--knowledge"))
			knowledge = 1;
		else if (!index)
			index = a;
		else if (nreqs < 64)
			reqs[nreqs++] = a;
	}
	if (!index || type < 0) {
		fprintf(stderr, "usage: bench_search INDEX.json REQ... [--finals N] [--knowledge]\n");
		return 2;
	}
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *mem = NULL;
	th_pipeline *pl = NULL;
	th_know *know = NULL;
	th_rules rules;
	th_rules_init(&rules, &lim);
	th_arena arena;
	th_arena_init(&arena, 0);
	th_search_result res;
	th_search_result_init(&res);
	th_req roots[64];
	int status = 1, env_ok = 0;
	if (th_env_init_linux_cpython(&env, python, NULL, &err) < 0)
		goto done;
	env_ok = 1;
	double t0 = now();
	if (th_provider_mem_new(&mem, &err) < 0 || th_jsonindex_load_file(mem, index, &lim, &err) < 0)
		goto done;
	double t_load = now() - t0;
	th_know_opts ko = TH_KNOW_OPTS_INIT;
	if (knowledge && th_know_open(&know, &ko, &err) < 0)
		goto done;
	if (rules_path && th_rules_load_path(&rules, rules_path, &err) < 0)
		goto done;
	for (size_t i = 0; i < nreqs; i++)
		if (th_req_parse(&roots[i], reqs[i], strlen(reqs[i]), &arena, &err) < 0)
			goto done;
	th_pipeline_config cfg = TH_PIPELINE_CONFIG_INIT;
	cfg.type = (th_rectype)type;
	cfg.env = &env;
	cfg.know = know;
	cfg.rules = rules_path ? &rules : NULL;
	th_provider prov = th_provider_mem_provider(mem);
	double t1 = now(), c1 = cpu();
	if (th_pipeline_new(&pl, &cfg, &err) < 0 || th_search_run(&res, pl, &prov, roots, nreqs, &o, &err) < 0)
		goto done;
	double wall = now() - t1, cpus = cpu() - c1;
	size_t units = 0;
	for (int k = 0; k < TH_UNIT_NKINDS; k++)
		units += th_pipeline_count(pl, (th_unit_kind)k);
	printf("%s: %zu units, %llu final stacks (%llu rejected by strides), %llu decisions, %s; "
	       "search %.3f s -> %.0f final stacks/s (%.0f per CPU second of the whole call, set-up included), %.0fx Thoth's 2,988/s; "
	       "whole run %.3f s (index load %.3f s); best score %.4f with %zu pins\n",
	       th_rectype_name((th_rectype)type), units, (unsigned long long)res.finals,
	       (unsigned long long)res.rejected, (unsigned long long)res.decisions,
	       res.exhaustive ? "exhaustive" : "sampled", res.seconds, (double)res.finals / res.seconds,
	       (double)res.finals / (cpus > 0 ? cpus : res.seconds),
	       (double)res.finals / res.seconds / 2988.0, wall + t_load, t_load,
	       res.nstacks ? res.stacks[0].score : 0.0, res.nstacks ? res.stacks[0].npins : (size_t)0);
	status = 0;
done:
	if (status)
		fprintf(stderr, "bench_search: %s\n", err.msg);
	th_search_result_release(&res);
	th_pipeline_free(pl);
	th_know_free(know);
	th_rules_release(&rules);
	th_provider_mem_free(mem);
	th_arena_release(&arena);
	if (env_ok)
		th_env_release(&env);
	return status;
}
