/* Fuzz target: the scored search over a resolvelib-format index JSON. Loading
 * fails cleanly or yields a model; the search (each type in turn, chosen by
 * the input's length, best 3 and then --enumerate 3) never crashes: it
 * returns stacks, says why there is none, or reports an error (bad
 * dependency text, too many extras, the decision bound). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolver/jsonindex.h"
#include "resolver/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *m = NULL;
	th_pipeline *pl = NULL;
	th_arena a;
	th_arena_init(&a, 0);
	if (th_env_init_linux_cpython(&env, "3.8.10", NULL, NULL) < 0)
		goto out;
	if (th_provider_mem_new(&m, NULL) < 0 || th_jsonindex_load(m, (const char *)data, size, &lim, "fuzz", NULL) < 0)
		goto done;
	th_req roots[2];
	if (th_req_parse(&roots[0], "a", 1, &a, NULL) < 0 || th_req_parse(&roots[1], "b[x]>=1", 7, &a, NULL) < 0)
		goto done;
	th_pipeline_config cfg = TH_PIPELINE_CONFIG_INIT;
	cfg.type = (th_rectype)(size % TH_RECTYPE_N);
	cfg.env = &env;
	if (th_pipeline_new(&pl, &cfg, NULL) < 0)
		goto done;
	th_provider p = th_provider_mem_provider(m);
	for (int pass = 0; pass < 2; pass++) {
		th_search_opts o = TH_SEARCH_OPTS_INIT;
		o.count = 3;
		o.enumerate = pass ? 3 : 0;
		o.max_finals = 200;
		o.exhaustive_max = 500;
		o.max_rounds = 5000;
		th_search_result r;
		th_search_run(&r, pl, &p, roots, 2, &o, NULL);
		th_search_result_release(&r);
	}
done:
	th_pipeline_free(pl);
	th_provider_mem_free(m);
	th_env_release(&env);
out:
	th_arena_release(&a);
	return 0;
}
