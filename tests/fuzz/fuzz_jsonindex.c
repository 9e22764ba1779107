/* Fuzz target: resolvelib-format index JSON, then a resolution over it.
 * Loading either fails cleanly or yields a model; resolving the first
 * project named in the document (and "a[x]") never crashes: it pins, finds no
 * solution, or reports an error (bad dependency text, round limit). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "resolver/env.h"
#include "resolver/jsonindex.h"
#include "resolver/solver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	th_limits lim;
	th_limits_init(&lim);
	th_env env;
	th_provider_mem *m = NULL;
	th_arena a;
	th_arena_init(&a, 0);
	if (th_env_init_linux_cpython(&env, "3.8.10", NULL, NULL) < 0 || th_provider_mem_new(&m, NULL) < 0)
		goto done;
	if (th_jsonindex_load(m, (const char *)data, size, &lim, "fuzz", NULL) < 0)
		goto done;
	th_req roots[2];
	if (th_req_parse(&roots[0], "a", 1, &a, NULL) < 0 || th_req_parse(&roots[1], "b[x]>=1", 7, &a, NULL) < 0)
		goto done;
	th_provider p = th_provider_mem_provider(m);
	th_solver_opts opts = { TH_SOLVER_PRE_FALLBACK, 2000, 1 << 26 };
	th_solution sol;
	th_solution_init(&sol);
	th_solver_resolve(&sol, &p, &env, roots, 2, &opts, NULL);
	th_solution_release(&sol);
done:
	th_provider_mem_free(m);
	th_arena_release(&a);
	th_env_release(&env);
	return 0;
}
