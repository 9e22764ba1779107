/*
 * search_json — runs the scored search over an index JSON and prints one
 * JSON line per stack: {"score": S, "pins": {name: version}, "justification":
 * [[level, unit, package, message], ...]} (justifications only with --just),
 * plus "stand_in": ["ORIGINAL=ALTERNATIVE@V1,V2", ...] when pseudonyms'
 * alternatives stand in (resolve_check's --stand-in arguments).
 *
 *   search_json INDEX.json REQ... [--python X.Y[.Z]] [--type T] [--count N]
 *               [--enumerate N] [--seed S] [--max-finals N] [--exhaustive-max N]
 *               [--rules PATH] [--symbol NAME]... [--just] [--stats]
 *
 * Exit 0 with stacks, 1 when there is none (the reason on stderr), 2 on bad
 * input. --stats prints finals, rejected, decisions and timing on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/rules.h"
#include "core/json.h"
#include "core/limits.h"
#include "resolver/jsonindex.h"
#include "resolver/search.h"

static void put_str(const char *s)
{
	th_buf b;
	th_buf_init(&b, 0);
	if (th_json_quote(&b, s ? s : "", strlen(s ? s : ""), NULL) == 0)
		fputs(b.ptr, stdout);
	th_buf_release(&b);
}

int main(int argc, char **argv)
{
	const char *index = NULL, *python = "3.11.7", *rules_path = NULL;
	const char *reqs[256], *symbols[64];
	size_t nreqs = 0, nsymbols = 0;
	int just = 0, stats = 0, type = TH_RECTYPE_STABLE;
	th_search_opts o = TH_SEARCH_OPTS_INIT;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--python") && v)
			python = argv[++i];
		else if (!strcmp(a, "--type") && v) {
			if ((type = th_rectype_parse(argv[++i])) < 0) {
				fprintf(stderr, "search_json: unknown type %s\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--count") && v)
			o.count = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--enumerate") && v)
			o.enumerate = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(a, "--seed") && v)
			o.seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(a, "--max-finals") && v)
			o.max_finals = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(a, "--exhaustive-max") && v)
			o.exhaustive_max = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(a, "--rules") && v)
			rules_path = argv[++i];
		else if (!strcmp(a, "--symbol") && v && nsymbols < 64)
			symbols[nsymbols++] = argv[++i];
		else if (!strcmp(a, "--just"))
			just = 1;
		else if (!strcmp(a, "--stats"))
			stats = 1;
		else if (!index)
			index = a;
		else if (nreqs < sizeof reqs / sizeof reqs[0])
			reqs[nreqs++] = a;
		else {
			fprintf(stderr, "search_json: too many requirements\n");
			return 2;
		}
	}
	if (!index) {
		fprintf(stderr, "usage: search_json INDEX.json REQ... [--type T] [--count N] [--seed S]\n");
		return 2;
	}
	th_error err = TH_ERROR_INIT;
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *mem = NULL;
	th_pipeline *pl = NULL;
	th_rules rules;
	th_rules_init(&rules, &lim);
	th_arena arena;
	th_arena_init(&arena, 0);
	th_search_result res;
	th_search_result_init(&res);
	int status = 2, env_ok = 0;
	th_req roots[256];
	if (th_env_init_linux_cpython(&env, python, NULL, &err) < 0)
		goto done;
	env_ok = 1;
	if (th_provider_mem_new(&mem, &err) < 0 || th_jsonindex_load_file(mem, index, &lim, &err) < 0)
		goto done;
	if (rules_path && th_rules_load_path(&rules, rules_path, &err) < 0)
		goto done;
	for (size_t i = 0; i < nreqs; i++)
		if (th_req_parse(&roots[i], reqs[i], strlen(reqs[i]), &arena, &err) < 0)
			goto done;
	th_pipeline_config cfg = TH_PIPELINE_CONFIG_INIT;
	cfg.type = (th_rectype)type;
	cfg.env = &env;
	cfg.rules = rules_path ? &rules : NULL;
	th_pipeline_facts facts = { .symbols = symbols, .nsymbols = nsymbols };
	cfg.facts = &facts;
	th_provider prov = th_provider_mem_provider(mem);
	if (th_pipeline_new(&pl, &cfg, &err) < 0 || th_search_run(&res, pl, &prov, roots, nreqs, &o, &err) < 0)
		goto done;
	if (stats)
		fprintf(stderr, "finals %llu rejected %llu dead_ends %llu decisions %llu exhaustive %d seconds %.6f\n",
			(unsigned long long)res.finals, (unsigned long long)res.rejected,
			(unsigned long long)res.dead_ends, (unsigned long long)res.decisions, res.exhaustive,
			res.seconds);
	if (!res.ok) {
		fprintf(stderr, "no stack: %s\n", res.why.ptr ? res.why.ptr : "");
		status = 1;
		goto done;
	}
	for (size_t i = 0; i < res.nstacks; i++) {
		const th_stack *st = &res.stacks[i];
		printf("{\"score\": %.6f, \"pins\": {", st->score);
		for (size_t k = 0; k < st->npins; k++) {
			printf(k ? ", " : "");
			put_str(st->pins[k].name);
			printf(": ");
			put_str(st->pins[k].version);
		}
		printf("}");
		if (st->nsubst) {
			printf(", \"stand_in\": [");
			for (size_t k = 0; k < st->nsubst; k++) {
				th_buf b;
				th_buf_init(&b, 0);
				th_buf_printf(&b, NULL, "%s=%s@", st->subst[k].original, st->subst[k].name);
				for (size_t j = 0; j < st->subst[k].norigins; j++)
					th_buf_printf(&b, NULL, "%s%s", j ? "," : "", st->subst[k].origins[j]);
				printf(k ? ", " : "");
				put_str(b.ptr);
				th_buf_release(&b);
			}
			printf("]");
		}
		if (just) {
			printf(", \"justification\": [");
			for (size_t k = 0; k < st->njust; k++) {
				printf(k ? ", [" : "[");
				put_str(th_just_level_name(st->just[k].level));
				printf(", ");
				put_str(st->just[k].unit);
				printf(", ");
				put_str(st->just[k].package);
				printf(", ");
				put_str(st->just[k].message);
				printf("]");
			}
			printf("], \"alternatives\": [");
			for (size_t k = 0; k < st->nalts; k++) {
				printf(k ? ", [" : "[");
				put_str(st->alts[k].name);
				printf(", ");
				put_str(st->alts[k].version);
				printf("]");
			}
			printf("]");
		}
		printf("}\n");
	}
	status = 0;
done:
	if (status == 2)
		fprintf(stderr, "search_json: %s\n", err.msg);
	th_search_result_release(&res);
	th_pipeline_free(pl);
	th_rules_release(&rules);
	th_provider_mem_free(mem);
	th_arena_release(&arena);
	if (env_ok)
		th_env_release(&env);
	return status;
}
