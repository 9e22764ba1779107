/* stack_valid.h — a validity check of a solver's stack for the resolver test
 * helpers (pip_yaml, packse_case), sharing nothing with the solver's search:
 * every dependency of every pin whose marker holds with extra "" names a pin
 * whose version it accepts, and no pin is yanked unless `yanked_ok`, and
 * every pin admits the target's Python. Extras-gated dependencies are left
 * to the cases' expected states. Returns 1 when valid, else 0 with why. */
#ifndef TH_TEST_STACK_VALID_H
#define TH_TEST_STACK_VALID_H

#include <stdio.h>
#include <string.h>

#include "core/name.h"
#include "core/specifier.h"
#include "resolver/solver.h"

static inline const th_pin *stack_valid__find(const th_solution *sol, const char *name)
{
	char c[256];
	size_t l = strlen(name);
	if (l >= sizeof c)
		return NULL;
	c[th_name_canon(c, name, l)] = '\0';
	for (size_t j = 0; j < sol->npins; j++)
		if (!strcmp(sol->pins[j].name, c))
			return &sol->pins[j];
	return NULL;
}

static inline int stack_valid(th_provider *p, th_env *env, const th_solution *sol, int yanked_ok, char *why,
			      size_t cap)
{
	for (size_t i = 0; i < sol->npins; i++) {
		const th_pin *pin = &sol->pins[i];
		const th_req *d;
		size_t nd;
		if (pin->cand->yanked && !yanked_ok)
			return snprintf(why, cap, "%s %s is yanked", pin->name, pin->version), 0;
		if (pin->cand->rp && !th_specset_contains(pin->cand->rp, &env->pyver, 1))
			return snprintf(why, cap, "%s %s excludes Python %s", pin->name, pin->version, env->python_full), 0;
		if (th_provider_deps(p, pin->proj, (th_cand *)pin->cand, &d, &nd, NULL) < 0)
			return snprintf(why, cap, "bad deps of %s", pin->name), 0;
		for (size_t k = 0; k < nd; k++) {
			if (!th_env_marker_holds(env, d[k].marker, ""))
				continue;
			const th_pin *q = stack_valid__find(sol, d[k].name);
			if (!q || !th_specset_contains(d[k].spec, &q->cand->version, 1)) {
				snprintf(why, cap, "%s %s needs %s: %s", pin->name, pin->version, d[k].name,
					 q ? q->version : "not pinned");
				return 0;
			}
		}
	}
	return 1;
}

#endif
